"""interactive_figure: defaults from draw(), in-place redraws, headless rendering, bad specs."""

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from lecture_nn.widgets import interactive_figure, render_png


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
    assert render_png(figure.figure) == after


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
