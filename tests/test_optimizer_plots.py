"""Optimizer plots draw the simulated numbers; the explorer's blitting equals a full redraw."""

import io
import re

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from lecture_nn import schedules
from lecture_nn._plotting import Drawing
from lecture_nn.momentum import momentum_step_parts
from lecture_nn.optimizer_plots import (
    PathsExplorer,
    contour_segments,
    fit_legend,
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
    plot = plot_paths([zoo["adam"], zoo["sgd"]], "beale", ax=ax, iterations=30)
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
    plot = plot_paths([cyclic], "beale", ax=ax, iterations=10)
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
    artists = plot_paths({"toy": path}, "quadratic", ax=ax, legend=False).paths["toy"]
    # plot_paths resets the limits to the surface window; directions stay those of the steps
    first, second = artists.triangles
    assert np.all(first[1:, 0] < 0)  # base behind a tip pointing right (+x)
    assert np.allclose(first[1:, 1].sum(), 0, atol=1e-9)
    assert np.all(second[1:, 1] < 0)  # pointing up (+y)


def test_learning_rate_curves_are_the_schedules():
    schedule = schedules.CyclicalLearningRate(0.001, 0.1, 20)
    drawing = plot_learning_rates({"clr": schedule}, steps=50)
    line = drawing.lines[0]
    assert drawing.ax.lines[0] is line
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
    plot_surface(beale, ax=ax)
    arrows = plot_momentum_step(parts, ax=ax, nesterov=True)
    assert "gradient step at the look-ahead point" in arrows.artists
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
    plot = plot_paths(zoo, "beale", ax=ax)
    plot.show(40, update_legend=False)
    buffer = io.BytesIO()
    reference.savefig(buffer, format="png")
    full = decode(buffer.getvalue())
    assert blitted.shape == full.shape
    differing = np.any(np.abs(blitted - full) > 40, axis=-1).mean()
    assert differing < 0.005  # only draw order at a few crossings differs


def test_explorer_and_paths_bad_input(zoo):
    with pytest.raises(ValueError, match=r"surface must be one of \['beale'\]"):
        PathsExplorer({"beale": zoo}).draw(Figure(), surface="rosenbrock")
    with pytest.raises(ValueError, match="at least one surface"):
        PathsExplorer({})
    with pytest.raises(ValueError, match="iterations must be an integer >= 1"):
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
    plot = plot_paths({"SGD, learning rate 0.020": path}, "beale", ax=ax)
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
    plot_paths({label: path for label in labels}, "beale", ax=fig.subplots())
    fig.canvas.draw()
    assert _texts_outside(fig) == []


# --- Drawing results and their descriptions (issue 14) -----------------------------------


def _described_points(description: str) -> dict[str, tuple[float, float]]:
    """``label -> (x, y)`` for every "Label ends at (x, y)" / ", Label at (x, y)" part."""
    body = description.split(" updates: ", 1)[-1].split(" update: ", 1)[-1]
    body = body.rsplit("; the minim", 1)[0]
    pattern = (
        r"(?:^|, )([^,:;]+?) (?:ends at|at|diverged after \d+ updates? \(last point) "
        r"\((-?[\d.]+), (-?[\d.]+)\)"
    )
    return {label: (float(x), float(y)) for label, x, y in re.findall(pattern, body)}


@pytest.mark.parametrize("iterations", [None, 1, 30, 100])
def test_paths_description_gives_where_each_simulated_path_is(zoo, iterations):
    plot = plot_paths(list(zoo.values()), "beale", iterations=iterations)  # by their names
    assert isinstance(plot, Drawing)
    shown = 100 if iterations is None else iterations
    assert plot.description.startswith(f"Optimizer paths on the Beale surface after {shown} update")
    assert plot.description.endswith("; the minimum is at (3.00, 0.50).")
    described = _described_points(plot.description)
    labels = {path.name: path for path in zoo.values()}
    assert list(described) == list(labels)
    for label, (x, y) in described.items():
        path = labels[label]
        last = min(shown, path.n_steps)
        # the simulated float32 point, rounded as the sentence rounds it
        assert (x, y) == pytest.approx(tuple(path.points[last].astype(float)), abs=0.0051)
        diverged_here = path.diverged and last == path.n_steps
        updates = f"{path.n_steps} update" + ("" if path.n_steps == 1 else "s")
        assert (f"{label} diverged after {updates} (" in plot.description) == diverged_here
    plt.close("all")


def test_paths_description_names_the_diverged_path_and_its_last_point(zoo):
    cyclic = zoo["sgd_cyclic"]
    plot = plot_paths({"cyclic": cyclic}, "beale")
    x, y = cyclic.points[-1]
    assert plot.description == (
        f"Optimizer paths on the Beale surface after {cyclic.n_steps} updates: cyclic "
        f"diverged after {cyclic.n_steps} updates (last point ({x:.2f}, {y:.2f})); "
        "the minimum is at (3.00, 0.50)."
    )
    # shown only part of the way, the path has not diverged yet
    assert "diverged" not in plot.describe(5)
    plt.close("all")


def test_explorer_describes_the_frame_it_draws(zoo):
    explorer = PathsExplorer({"beale": zoo, "himmelblau": simulate_zoo("himmelblau")})
    plot = plot_paths(zoo, "beale", iterations=40)
    assert explorer.describe("beale", 40) == plot.description == plot.describe(40)
    text = explorer.describe("himmelblau", 7)
    assert "the Himmelblau surface after 7 updates" in text
    assert text.endswith(
        "the 4 minima are at (3.00, 2.00), (-2.81, 3.13), (-3.78, -3.28) and (3.58, -1.85)."
    )
    with pytest.raises(ValueError, match="iterations"):
        explorer.describe("beale", 0)
    plt.close("all")


def test_surface_drawing_describes_its_levels_and_minimum():
    beale = get_surface("beale")
    drawing = plot_surface("beale")
    assert drawing.contour is drawing["contour"]
    np.testing.assert_array_equal(drawing.minima.get_xydata(), [[3.0, 0.5]])
    # the levels: np.logspace(-0.5, 5, 25) by the surface's definition
    assert len(beale.levels) == 25
    assert drawing.description == (
        "Contour lines of the Beale surface at 25 log-spaced levels from 0.316 to 1e+05; "
        "its minimum (star) at (3.00, 0.50)."
    )
    plt.close("all")


def test_learning_rates_description_gives_the_curves_ends():
    decay = schedules.ExponentialDecay(0.02, 100, 0.5)
    clr = schedules.CyclicalLearningRate(0.001, 0.1, 20)
    drawing = plot_learning_rates({"decay": decay, "clr": clr}, steps=41)
    # closed forms: 0.02 * 0.5**(40/100) = 0.01516; the cycle is back at its low at step 40
    assert drawing.description == (
        "Learning rate against update step 0 to 40, 2 curves: decay from 0.02 to 0.0152; "
        "clr from 0.001 to 0.001 (between 0.001 and 0.1)."
    )
    assert [line.get_label() for line in drawing.lines] == ["decay", "clr"]
    plt.close("all")


def test_momentum_drawing_describes_the_steps_it_draws():
    parts = momentum_step_parts("quadratic", [1.0, 1.0], [0.1, -0.2], 0.1, 0.5)
    # f = 0.1 x^2 + 2.5 y^2: grad (0.2 x, 5 y); look-ahead point (1.05, 0.9)
    drawing = plot_momentum_step(parts, nesterov=True)
    assert drawing.description == (
        "Nesterov momentum update at (1.00, 1.00), as arrows: previous step (0.1, -0.2), "
        "momentum step (0.05, -0.1), gradient step at the look-ahead point (-0.021, -0.45), "
        "resulting step (0.029, -0.55)."
    )
    classical = plot_momentum_step(parts, nesterov=False)
    assert "gradient step (-0.02, -0.5), resulting step (0.03, -0.6)" in classical.description
    np.testing.assert_allclose(classical["resulting step"].U, [0.03])
    plt.close("all")


def test_plot_helpers_take_ax_by_keyword_only(zoo):
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="positional"):
        plot_paths(zoo, "beale", ax)
    with pytest.raises(TypeError, match="positional"):
        plot_surface("beale", ax)
    parts = momentum_step_parts("beale", [1.0, 1.0], [0.1, 0.1], 0.01, 0.9)
    with pytest.raises(TypeError, match="positional"):
        plot_momentum_step(parts, ax, nesterov=True)
    assert plot_surface("beale", ax=ax).ax is ax
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda z: plot_paths(z, "beale", legend="False"), TypeError, "legend"),
        (lambda z: plot_paths(z, "beale", colors={"Adam": "not-a-colour"}), ValueError, "colors"),
        (lambda z: plot_paths(z, "beale", ax="ax"), TypeError, "ax"),
        (lambda z: plot_paths({"x": 3}, "beale"), TypeError, r"paths\['x'\]"),
        (lambda z: plot_paths(z, "nowhere"), ValueError, "unknown surface"),
        (lambda z: plot_learning_rates([0.1]), TypeError, "schedules"),
        (lambda z: plot_learning_rates({"a": 0.1}), TypeError, r"schedules\['a'\]"),
        (lambda z: plot_learning_rates({"a": lambda s: 0.1}), ValueError, r"schedules\['a'\]"),
        (lambda z: plot_learning_rates({}, steps=np.int64(1)), ValueError, "steps"),
        (lambda z: plot_momentum_step("parts", nesterov=True), TypeError, "parts"),
        (lambda z: fit_legend(plot_paths(z, "beale"), pad=-1), ValueError, "pad"),
        (lambda z: fit_legend("plot"), TypeError, "plot"),
        (lambda z: PathsExplorer(["beale"]), TypeError, "paths_by_surface"),
        (lambda z: PathsExplorer({"nowhere": z}), ValueError, "paths_by_surface"),
        (lambda z: PathsExplorer({"beale": [1]}), ValueError, r"paths_by_surface\['beale'\]"),
        (lambda z: PathsExplorer({"beale": {"a": 1}}), TypeError, "paths_by_surface"),
        (lambda z: plot_paths([1], "beale"), ValueError, "paths: a path without a name"),
        (lambda z: contour_segments("beale", resolution=1), ValueError, "resolution"),
    ],
)
def test_plot_helpers_bad_input(zoo, call, error, match):
    with pytest.raises(error, match=match):
        call(zoo)
    plt.close("all")


def test_momentum_parts_stay_importable_from_the_plots_module():
    """Notebook 05 imports momentum_step_parts from optimizer_plots."""
    from lecture_nn import momentum, optimizer_plots

    assert optimizer_plots.momentum_step_parts is momentum.momentum_step_parts
    assert "momentum_step_parts" not in optimizer_plots.__all__  # computed in momentum
