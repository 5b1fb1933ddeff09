"""interactive_figure: defaults from draw(), in-place redraws, headless rendering, bad specs."""

import re

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from lecture_nn.widgets import agg_png, interactive_figure, render_png


def pixels(png: bytes) -> np.ndarray:
    """The RGBA pixels (height, width, 4) of PNG bytes."""
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def draw_line(fig, slope=1.0, colour="black", dashed=False):
    ax = fig.subplots()
    x = np.linspace(0, 1, 5)
    ax.plot(x, slope * x, color=colour, linestyle="--" if dashed else "-")
    ax.set_ylim(-3, 3)


@pytest.fixture
def shell():
    return InteractiveShell.instance()


def test_default_values_come_from_draw_signature():
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5), colour=["black", "red"])
    assert figure.values == {"slope": 1.0, "colour": "black"}
    line = figure.figure.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), np.linspace(0, 1, 5))


def test_update_redraws_the_same_figure_in_place():
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5))
    before = figure.png()
    same_figure = figure.figure
    after = figure.update(slope=-2.0)
    assert figure.figure is same_figure
    assert len(figure.figure.axes) == 1  # cleared, not stacked
    assert after != before
    np.testing.assert_allclose(figure.figure.axes[0].lines[0].get_ydata()[-1], -2.0)
    np.testing.assert_array_equal(pixels(render_png(figure.figure)), pixels(after))


def test_display_shows_controls_and_the_default_figure(shell, monkeypatch):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5), dashed=False)
    with capture_output() as captured:
        figure._ipython_display_()
    kinds = [set(output.data) for output in captured.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in kind for kind in kinds)
    assert "image/png" in kinds[-1]
    slider = figure.controls["slope"]
    assert (slider.min, slider.max, slider.value) == (-2.0, 2.0, 1.0)
    slider.value = 0.5  # what a student's drag does: the observer redraws
    assert figure.values["slope"] == 0.5
    np.testing.assert_allclose(figure.figure.axes[0].lines[0].get_ydata()[-1], 0.5)
    assert figure.controls["dashed"].value is False


def test_headless_display_is_only_the_default_figure(shell, monkeypatch):
    monkeypatch.setenv("LECTURE_NN_HEADLESS", "1")
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5))
    with capture_output() as captured:
        figure._ipython_display_()
    assert [set(o.data) >= {"image/png"} for o in captured.outputs] == [True]


def test_headless_display_for_the_site_adds_the_frames_to_the_default_figure(shell, monkeypatch):
    import base64

    from lecture_nn._site_frames import FRAMES_MIME, encode_frame

    monkeypatch.setenv("LECTURE_NN_HEADLESS", "1")
    monkeypatch.setenv("LECTURE_NN_SITE_FRAMES", "1")
    monkeypatch.setenv("LECTURE_NN_QUICK", "1")
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5), colour=["black", "red"])
    default = figure.png()
    with capture_output() as captured:
        figure._ipython_display_()
    (output,) = captured.outputs  # one output: JupyterLab and nbval see its image
    assert base64.b64decode(output.data["image/png"]) == default
    manifest = output.data[FRAMES_MIME]
    assert [control["name"] for control in manifest["controls"]] == ["slope", "colour"]
    assert len(manifest["grid"]) <= 12  # the quick mode's budget
    frame = manifest["frames"][manifest["default"]]
    assert base64.b64decode(manifest["images"][frame[0]]) == encode_frame(default)
    assert figure.values == {"slope": 1.0, "colour": "black"}


def test_without_the_site_flag_a_headless_display_holds_no_frames(shell, monkeypatch):
    from lecture_nn._site_frames import FRAMES_MIME

    monkeypatch.setenv("LECTURE_NN_HEADLESS", "1")
    monkeypatch.setenv("LECTURE_NN_SITE_FRAMES", "off")
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5))
    with capture_output() as captured:
        figure._ipython_display_()
    assert [FRAMES_MIME in output.data for output in captured.outputs] == [False]


def test_print_mode_draws_the_grid_of_values(shell, monkeypatch):
    monkeypatch.setenv("LECTURE_NN_MEDIUM", "print")
    figure = interactive_figure(
        draw_line, slope=(-2.0, 2.0, 0.5), print_values=[{"slope": -1.0}, {"slope": 2.0}]
    )
    with capture_output() as captured:
        figure._ipython_display_()
    images = [o.data["image/png"] for o in captured.outputs if "image/png" in o.data]
    assert len(images) == 2
    assert images[0] != images[1]


def test_integer_tuples_make_integer_sliders(shell, monkeypatch):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)

    def draw(fig, n=3):
        fig.subplots().plot(range(n))

    figure = interactive_figure(draw, n=(1, 6, 1))
    with capture_output():
        figure._ipython_display_()
    assert type(figure.controls["n"]).__name__ == "IntSlider"


@pytest.mark.parametrize(
    ("controls", "error", "message"),
    [
        ({}, ValueError, "at least one control"),
        ({"width": (0, 1, 0.1)}, ValueError, "needs a keyword argument width="),
        ({"slope": (2.0, -2.0, 0.5)}, ValueError, "min < max"),
        ({"slope": (2.0, 4.0, 0.5)}, ValueError, "lies outside"),
        ({"colour": ["red", "blue"]}, ValueError, "is not one of"),
        ({"colour": "red"}, TypeError, "must be a"),
        ({"figsize": (0, 4), "slope": (-2.0, 2.0, 0.5)}, ValueError, "figsize"),
        ({"figsize": "wide", "slope": (-2.0, 2.0, 0.5)}, TypeError, "figsize"),
        ({"clear": "no", "slope": (-2.0, 2.0, 0.5)}, TypeError, "clear"),
        ({"print_values": [1.0], "slope": (-2.0, 2.0, 0.5)}, TypeError, "print_values"),
    ],
)
def test_bad_controls_are_clear_errors(controls, error, message):
    with pytest.raises(error, match=message):
        interactive_figure(draw_line, **controls)


def test_update_with_unknown_name_is_an_error():
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5))
    with pytest.raises(ValueError, match="unknown control"):
        figure.update(intercept=1)


def test_draw_may_keep_the_figure_and_return_its_own_png():
    calls = []

    def draw(fig, n=1):
        calls.append(len(fig.axes))
        if not fig.axes:
            fig.subplots()
        fig.axes[0].set_title(str(n))
        return render_png(fig)

    figure = interactive_figure(draw, n=(1, 5, 1), clear=False, layout=None)
    png = figure.update(n=3)
    assert calls == [0, 1]  # the figure was not cleared between draws
    assert figure.png() == png
    assert figure.figure.axes[0].get_title() == "3"


def test_one_agg_draw_gives_savefigs_pixels_for_a_constrained_layout():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax in axes:
        ax.plot([0, 1, 2], [3, 1, 2], label="a long legend label")
        ax.set_ylabel("a y label")
        ax.legend()
    fig.suptitle("a title")
    expected = pixels(render_png(fig))
    shown = pixels(agg_png(fig))
    assert shown.shape == expected.shape == (300, 500, 4)
    np.testing.assert_array_equal(shown, expected)


def test_a_setting_shown_before_is_not_drawn_again():
    calls = []

    def draw(fig, slope=1.0):
        calls.append(slope)
        draw_line(fig, slope=slope)

    figure = interactive_figure(draw, slope=(-2.0, 2.0, 0.5))
    first = figure.png()
    steep = figure.update(slope=2.0)
    assert figure.update(slope=1.0) == first
    assert figure.update(slope=2.0) == steep
    assert calls == [1.0, 2.0]  # the revisits were not drawn
    # The figure itself follows the values as soon as it is read.
    np.testing.assert_allclose(figure.figure.axes[0].lines[0].get_ydata()[-1], 2.0)
    assert calls == [1.0, 2.0, 2.0]
    np.testing.assert_array_equal(pixels(render_png(figure.figure)), pixels(steep))


def test_without_cache_every_change_is_drawn():
    calls = []

    def draw(fig, slope=1.0):
        calls.append(slope)
        draw_line(fig, slope=slope)

    figure = interactive_figure(draw, cache=False, slope=(-2.0, 2.0, 0.5))
    figure.update(slope=2.0)
    figure.update(slope=1.0)
    assert calls == [1.0, 2.0, 1.0]
    with pytest.raises(TypeError, match="cache must be True or False"):
        interactive_figure(draw, cache="no", slope=(-2.0, 2.0, 0.5))


def test_the_cache_keeps_a_bounded_number_of_images(monkeypatch):
    from lecture_nn import widgets

    monkeypatch.setattr(widgets, "MAX_CACHED_IMAGES", 2)
    calls = []

    def draw(fig, slope=1.0):
        calls.append(slope)
        draw_line(fig, slope=slope)

    figure = interactive_figure(draw, slope=(-2.0, 2.0, 0.5))
    for slope in (2.0, 0.5, 1.0):  # 1.0 was the oldest of three: dropped, drawn again
        figure.update(slope=slope)
    assert calls == [1.0, 2.0, 0.5, 1.0]
    assert len(figure._images) == 2


def test_draw_runs_with_single_threaded_blas():
    """A redraw's small matrix products must not wait for BLAS threads (10x slower when busy)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    seen = []

    def draw(fig, n=1):
        seen.append(
            [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        )
        fig.subplots()

    before = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    figure = interactive_figure(draw, n=(1, 5, 1))
    figure.update(n=2)
    assert seen
    assert all(threads == [1] * len(threads) for threads in seen)
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert after == before  # restored afterwards


# --- readouts and labels as the student sees them --------------------------------------


def _displayed_controls(monkeypatch, draw, **controls):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    monkeypatch.delenv("LECTURE_NN_MEDIUM", raising=False)
    figure = interactive_figure(draw, **controls)
    with capture_output():
        figure._ipython_display_()
    return figure.controls


def d3_fixed(value, readout_format):
    """What the front-end's d3-format prints for a '.Nf' readout (same rule as Python's)."""
    assert re.fullmatch(r"\.\d+f", readout_format), readout_format
    return format(value, readout_format)


def test_float_slider_readout_shows_the_precision_of_its_step(shell, monkeypatch):
    def draw(fig, learning_rate=0.035):
        fig.subplots().set_title(str(learning_rate))

    slider = _displayed_controls(monkeypatch, draw, learning_rate=(0.005, 0.045, 0.005))[
        "learning_rate"
    ]
    assert type(slider).__name__ == "FloatSlider"
    shown = [d3_fixed(v, slider.readout_format) for v in (0.005, 0.010, 0.035, 0.045)]
    # ipywidgets' default ".2f" shows 0.005 and 0.010 both as "0.01".
    assert format(0.005, ".2f") == format(0.010, ".2f")
    assert shown == ["0.005", "0.010", "0.035", "0.045"]
    assert d3_fixed(slider.value, slider.readout_format) == "0.035"


@pytest.mark.parametrize(
    ("spec", "values", "expected"),
    [
        ((0.0, 1.0, 0.1), [0.0, 0.3, 1.0], ["0.0", "0.3", "1.0"]),
        ((-2.0, 2.0, 0.25), [-2.0, 0.75, 2.0], ["-2.00", "0.75", "2.00"]),
        ((1e-4, 1e-3, 5e-5), [1e-4, 1.5e-4, 1e-3], ["0.00010", "0.00015", "0.00100"]),
        ((0.05, 0.95, 0.1), [0.05, 0.35, 0.95], ["0.05", "0.35", "0.95"]),  # min: 2 decimals
    ],
)
def test_float_readouts_for_other_steps(spec, values, expected, shell, monkeypatch):
    def draw(fig, x=spec[0]):
        fig.subplots()

    slider = _displayed_controls(monkeypatch, draw, x=spec)["x"]
    assert [d3_fixed(v, slider.readout_format) for v in values] == expected


def test_integer_slider_readout_is_unchanged(shell, monkeypatch):
    def draw(fig, n=3):
        fig.subplots()

    slider = _displayed_controls(monkeypatch, draw, n=(1, 6, 1))["n"]
    assert type(slider).__name__ == "IntSlider"
    assert slider.readout_format == "d"  # ipywidgets' own default for integers


def test_control_labels_are_sized_to_fit_and_never_truncated(shell, monkeypatch):
    import ipywidgets

    def draw(fig, hidden_layers=2, nodes_per_layer=3.0, learning_rate="0.1", show_bias=True):
        fig.subplots()

    given = ipywidgets.IntSlider(description="given widget with a long label")
    controls = _displayed_controls(
        monkeypatch,
        draw,
        hidden_layers=given,
        nodes_per_layer=(1.0, 12.0, 0.5),
        learning_rate=["0.1", "0.01"],
        show_bias=True,
    )
    assert [type(c).__name__ for c in controls.values()] == [
        "IntSlider",
        "FloatSlider",
        "Dropdown",
        "Checkbox",
    ]
    for name, control in controls.items():
        # ipywidgets (7.x and 8.x) cut a description longer than its fixed default box
        # (description_width "") with an ellipsis; "initial" sizes the box to the label.
        assert control.style.description_width == "initial", name
        assert control.description, name
    assert controls["nodes_per_layer"].description == "nodes per layer"
    assert controls["learning_rate"].description == "learning rate"


def test_given_widget_keeps_a_description_width_set_by_its_author(shell, monkeypatch):
    import ipywidgets

    def draw(fig, n=2):
        fig.subplots()

    given = ipywidgets.IntSlider(description="n", style={"description_width": "40px"})
    controls = _displayed_controls(monkeypatch, draw, n=given)
    assert controls["n"].style.description_width == "40px"


def test_controls_wrap_onto_new_rows_instead_of_overflowing(shell, monkeypatch):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    figure = interactive_figure(draw_line, slope=(-2.0, 2.0, 0.5), colour=["black", "red"])
    with capture_output():
        figure._ipython_display_()
    assert list(figure.box.children) == list(figure.controls.values())
    assert figure.box.layout.flex_flow == "row wrap"
