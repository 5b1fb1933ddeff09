"""Optimizer plots draw the simulated numbers; the explorer's blitting equals a full redraw."""

import io

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from lecture_nn import schedules
from lecture_nn.optimizer_plots import (
    PathsExplorer,
    contour_segments,
    momentum_step_parts,
    plot_learning_rates,
    plot_momentum_step,
    plot_paths,
    plot_surface,
)
from lecture_nn.optimizers import make_optimizer, simulate, simulate_zoo
from lecture_nn.surfaces import get_surface
from lecture_nn.widgets import interactive_figure


@pytest.fixture(scope="module")
def zoo():
    return simulate_zoo("beale")


def test_contour_lines_lie_on_their_levels():
    beale = get_surface("beale")
    segments, levels = contour_segments("beale")
    assert set(np.unique(levels)) <= set(beale.levels)
    for segment, level in list(zip(segments, levels))[::7]:
        values = beale.function(segment[:, 0], segment[:, 1])
        np.testing.assert_allclose(values, level, rtol=0.05)


def test_paths_show_the_simulated_points_up_to_the_iteration(zoo):
    _, ax = plt.subplots()
    plot = plot_paths([zoo["adam"], zoo["sgd"]], "beale", ax, iterations=30)
    artists = plot.paths["Adam"]
    np.testing.assert_array_equal(
        np.column_stack(artists.shafts.get_data()), zoo["adam"].points[:31]
    )
    assert len(artists.heads.get_offsets()) <= 30
    np.testing.assert_allclose(artists.heads.get_offsets()[-1], zoo["adam"].points[30])
    plot.show(80)
    assert len(artists.shafts.get_xdata()) == 81
    assert [t.get_text() for t in plot.legend.get_texts()] == ["Adam", "SGD"]


def test_diverged_path_is_marked_only_when_shown_to_its_end(zoo):
    cyclic = zoo["sgd_cyclic"]
    assert cyclic.diverged
    _, ax = plt.subplots()
    plot = plot_paths([cyclic], "beale", ax, iterations=10)
    artists = plot.paths["SGD + cyclical learning rate"]
    assert not artists.cross.get_visible()
    assert plot.legend.get_texts()[0].get_text() == "SGD + cyclical learning rate"
    plot.show(None)
    assert artists.cross.get_visible()
    np.testing.assert_array_equal(artists.cross.get_xydata()[0], cyclic.points[-1])
    assert plot.legend.get_texts()[0].get_text().endswith("(diverged)")


def test_arrowheads_point_along_the_step():
    fig = Figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-1, 2)
    ax.set_ylim(-1, 2)
    path = type(
        "P",
        (),
        {
            "points": np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]),
            "diverged": False,
            "name": "toy",
        },
    )()
    artists = plot_paths({"toy": path}, "quadratic", ax, legend=False).paths["toy"]
    # plot_paths resets the limits to the surface window; directions stay those of the steps
    first, second = artists.triangles
    assert np.all(first[1:, 0] < 0)  # base behind a tip pointing right (+x)
    assert np.allclose(first[1:, 1].sum(), 0, atol=1e-9)
    assert np.all(second[1:, 1] < 0)  # pointing up (+y)


def test_learning_rate_curves_are_the_schedules():
    schedule = schedules.CyclicalLearningRate(0.001, 0.1, 20)
    ax = plot_learning_rates({"clr": schedule}, steps=50)
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(50))
    np.testing.assert_allclose(line.get_ydata(), schedule(np.arange(50)), rtol=1e-7)
    assert line.get_ydata()[20] == pytest.approx(0.1)


def test_momentum_parts_add_up_to_the_simulated_step():
    beale = get_surface("beale")
    path = simulate(make_optimizer("sgd", 0.005, momentum=0.9), beale)
    step = 10
    parts = momentum_step_parts(
        beale,
        path.points[step],
        path.details["velocity"][step - 1],
        learning_rate=0.005,
        momentum=0.9,
    )
    np.testing.assert_allclose(
        parts.classical, path.points[step + 1] - path.points[step], rtol=1e-4, atol=1e-6
    )
    ahead = path.points[step].astype(float) + 0.9 * path.details["velocity"][step - 1]
    gx, gy = beale.gradient(*ahead.astype(float))
    np.testing.assert_allclose(parts.lookahead_gradient_step, [-0.005 * gx, -0.005 * gy], rtol=1e-6)
    np.testing.assert_allclose(parts.nesterov, parts.momentum_step + parts.lookahead_gradient_step)
    _, ax = plt.subplots()
    plot_surface(beale, ax)
    arrows = plot_momentum_step(parts, ax, nesterov=True)
    assert "gradient step at the look-ahead point" in arrows
    x_min, x_max = ax.get_xlim()
    assert x_max - x_min < 2  # zoomed in on the step


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_explorer_blitting_matches_a_full_redraw(zoo):
    explorer = PathsExplorer({"beale": zoo, "quadratic": simulate_zoo("quadratic")})
    widget = interactive_figure(
        explorer.draw,
        surface=["beale", "quadratic"],
        iterations=(1, 100, 1),
        figsize=(8, 4.5),
        layout=None,
        clear=False,
    )
    widget.update(surface="quadratic")
    blitted = decode(widget.update(surface="beale", iterations=40))

    reference = Figure(figsize=widget.figure.get_size_inches(), dpi=widget.figure.dpi)
    ax = reference.add_axes(explorer._views["beale"][0].ax.get_position().bounds)
    plot = plot_paths(zoo, "beale", ax)
    plot.show(40, update_legend=False)
    buffer = io.BytesIO()
    reference.savefig(buffer, format="png")
    full = decode(buffer.getvalue())
    assert blitted.shape == full.shape
    differing = np.any(np.abs(blitted - full) > 40, axis=-1).mean()
    assert differing < 0.005  # only draw order at a few crossings differs


def test_explorer_and_paths_bad_input(zoo):
    with pytest.raises(ValueError, match="surface must be one of beale"):
        PathsExplorer({"beale": zoo}).draw(Figure(), surface="rosenbrock")
    with pytest.raises(ValueError, match="at least one surface"):
        PathsExplorer({})
    with pytest.raises(ValueError, match="iterations must be at least 1"):
        plot_paths(zoo, "beale", iterations=0)
    with pytest.raises(TypeError, match="iterations must be an integer"):
        plot_paths(zoo, "beale", iterations=2.5)
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        plot_learning_rates({}, steps=1)


def test_legend_shows_the_labels_passed_in():
    """Issue 13: the learning-rate slider passed "SGD, learning rate 0.020" and saw "SGD"."""
    path = simulate(make_optimizer("sgd", 0.02), "beale")
    assert path.name == "SGD"  # the optimizer's own label, which used to win
    _, ax = plt.subplots()
    plot = plot_paths({"SGD, learning rate 0.020": path}, "beale", ax)
    assert [t.get_text() for t in plot.legend.get_texts()] == ["SGD, learning rate 0.020"]
    assert list(plot.paths) == ["SGD, learning rate 0.020"]
    plt.close("all")


def test_paths_without_a_mapping_need_distinct_names(zoo):
    with pytest.raises(ValueError, match="two paths are named 'Adam'"):
        plot_paths([zoo["adam"], zoo["adam"]], "beale")
    with pytest.raises(TypeError, match="mapping label -> path or an iterable"):
        plot_paths(zoo["adam"], "beale")
    plt.close("all")


def _texts_outside(fig) -> list[str]:
    """The visible, non-empty text artists of ``fig`` whose extent leaves the figure."""
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    outside = []
    for text in fig.findobj(lambda a: isinstance(a, mtext.Text)):
        hidden_axes = text.axes is not None and not text.axes.get_visible()
        if not text.get_visible() or not text.get_text() or hidden_axes:
            continue
        extent = text.get_window_extent(renderer)
        if (
            extent.x0 < box.x0 - 0.5
            or extent.y0 < box.y0 - 0.5
            or extent.x1 > box.x1 + 0.5
            or extent.y1 > box.y1 + 0.5
        ):
            outside.append(text.get_text())
    return outside


@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "quadratic", "himmelblau"])
def test_explorer_legend_lies_inside_the_figure(surface):
    """Issue 13: the explorer's legend was clipped ("...(diverge")."""
    paths = {name: list(simulate_zoo(name).values()) for name in (surface, "beale")}
    explorer = PathsExplorer(paths)
    widget = interactive_figure(
        explorer.draw,
        surface=list(paths),
        iterations=(1, 100, 1),
        figsize=(8, 4.5),
        layout=None,
        clear=False,
    )
    widget.update(surface=surface, iterations=3)
    fig = widget.figure
    plot = explorer._views[surface][0]
    texts = [t.get_text() for t in plot.legend.get_texts()]
    assert any(text.endswith("(diverged)") for text in texts) == any(
        path.diverged for path in explorer.paths_by_surface[surface].values()
    )
    assert _texts_outside(fig) == []
    sizes = [t.get_fontsize() for t in plot.legend.get_texts()]
    assert min(sizes) >= 7  # points: legible at the size shown


@pytest.mark.parametrize(
    "labels", [["SGD, learning rate 0.045"], ["Momentum", "Nesterov momentum"]]
)
def test_paths_widget_legend_lies_inside_the_figure(labels):
    path = simulate(make_optimizer("sgd", 0.045), "beale")
    assert path.diverged
    fig = Figure(figsize=(6, 4.5))
    FigureCanvasAgg(fig)
    plot_paths({label: path for label in labels}, "beale", fig.subplots())
    fig.canvas.draw()
    assert _texts_outside(fig) == []
