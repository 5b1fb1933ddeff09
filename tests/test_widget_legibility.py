"""Every text of the notebooks' figures lies inside its canvas, is legible and overlaps none.

How the figures are found: each notebook that calls ``interactive_figure`` (found in its
source, so a notebook that gains a widget is checked without a change here) is executed in
an in-process IPython shell, quick mode, headless, cell by cell up to its last cell that
calls ``interactive_figure``. :func:`lecture_nn.widgets.collect_figures` hands over every
widget as it stands with its default values, which is what a student sees first; the
matplotlib figures that the other cells draw with pyplot are taken too (a static diagram is
read as closely as a widget). Notebooks 06 and 07 have no widget today and are not run
here (their Keras training would cost minutes).

The checks, after drawing each figure with the Agg renderer at the figure's own dpi (as
``render_png`` and the inline backend do):

* inside: the window extent of every drawn text (titles, axis labels, tick labels, legend
  entries, annotations, text in axes) lies within the figure's canvas, to 1 pixel;
* size: no text is smaller than ``MIN_POINTS`` = 8 pt at the size the figure is shown.
  The course style uses 10 pt for text and 9 pt for ticks and legends on screen, and 8 pt
  is its print base size; 8 pt at the course's 100 dpi is 11 screen pixels, the smallest
  size that stays readable in a notebook (browsers' own minimum font settings start near
  there). A figure wider than ``DISPLAY_WIDTH_PX`` is shrunk by JupyterLab to fit the
  output column (``max-width: 100%``), and its text with it, so the font size is scaled
  by ``min(1, DISPLAY_WIDTH_PX / figure width in pixels)`` first;
* overlap: no two drawn texts of one figure overlap by more than ``OVERLAP_PX`` pixels in
  both directions (edge labels of a network diagram, tick labels, legend entries).

Each failure message lists the offending texts with their size and position, so the
figure can be fixed where it is drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from lecture_nn import widgets

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))

MIN_POINTS = 8.0
DISPLAY_WIDTH_PX = 1150  # JupyterLab's output column in a 1280-pixel-wide browser window
INSIDE_TOLERANCE_PX = 1.0
OVERLAP_PX = 1.0


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(index among all the notebook's cells, source) of every code cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        (index, "".join(cell["source"]))
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
    ]


def widget_cells(path: Path) -> list[int]:
    """Positions in :func:`code_cells` of the cells that call ``interactive_figure``."""
    return [i for i, (_, source) in enumerate(code_cells(path)) if "interactive_figure(" in source]


WIDGET_NOTEBOOKS = [path for path in NOTEBOOKS if widget_cells(path)]


@dataclass
class DrawnFigure:
    """One figure of a notebook: where it comes from and the texts it drew."""

    where: str  # e.g. "widget 2 (sgd_learning_rate, {...})" or "pyplot figure of cell 8"
    figure: matplotlib.figure.Figure
    texts: list  # (Text, Bbox in pixels), every non-empty text drawn

    @property
    def display_scale(self) -> float:
        width_px = self.figure.bbox.width
        return min(1.0, DISPLAY_WIDTH_PX / width_px)


def draw_and_measure(figure) -> list:
    """Draw ``figure`` with Agg; return (text, window extent) for every non-empty text drawn."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else None
    if canvas is None:
        canvas = FigureCanvasAgg(figure)
    drawn = []
    original = Text.draw

    def recording_draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    Text.draw = recording_draw
    try:
        canvas.draw()
    finally:
        Text.draw = original
    # Artists animated for blitting are skipped by canvas.draw(); they are shown all the same.
    animated = [
        t
        for t in figure.findobj(Text)
        if t.get_animated() and t.get_visible() and t.get_text().strip() and t not in drawn
    ]
    renderer = canvas.get_renderer()
    return [(text, text.get_window_extent(renderer)) for text in dict.fromkeys(drawn + animated)]


def describe(text, box) -> str:
    return (
        f"{text.get_text()!r} ({text.get_fontsize():.1f} pt) at x {box.x0:.0f}..{box.x1:.0f}, "
        f"y {box.y0:.0f}..{box.y1:.0f} px"
    )


def run_notebook(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[DrawnFigure]:
    """Execute ``path`` up to its last widget cell; return its widget and pyplot figures."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    monkeypatch.setenv("LECTURE_NN_QUICK", "1")
    monkeypatch.setenv("LECTURE_NN_HEADLESS", "1")
    monkeypatch.delenv("LECTURE_NN_MEDIUM", raising=False)
    monkeypatch.chdir(path.parent)
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    cells = code_cells(path)
    figures: list[DrawnFigure] = []
    plt.close("all")
    try:
        with matplotlib.rc_context(), widgets.collect_figures() as made:
            for index, source in cells[: widget_cells(path)[-1] + 1]:
                with capture_output():
                    result = shell.run_cell(source, store_history=False)
                result.raise_error()
                for number in plt.get_fignums():
                    figure = plt.figure(number)
                    where = f"pyplot figure of cell {index}"
                    figures.append(DrawnFigure(where, figure, draw_and_measure(figure)))
                    plt.close(figure)
            for number, widget in enumerate(made):
                name = getattr(widget.draw, "__name__", None) or getattr(
                    getattr(widget.draw, "func", None), "__qualname__", "draw"
                )
                where = f"widget {number} ({name}, {widget.values})"
                figures.append(DrawnFigure(where, widget.figure, draw_and_measure(widget.figure)))
    finally:
        shell.reset(new_session=False)
        plt.close("all")
    return figures


@pytest.fixture(scope="module")
def executed():
    """Figures per notebook, each notebook executed once for the whole module, on demand."""
    cache: dict[Path, list[DrawnFigure]] = {}

    def figures(path: Path) -> list[DrawnFigure]:
        if path not in cache:
            with pytest.MonkeyPatch.context() as monkeypatch:
                cache[path] = run_notebook(path, monkeypatch)
        return cache[path]

    return figures


@pytest.fixture
def notebook_figures(request, executed):
    """The figures of the notebook given as the parameter."""
    return executed(request.param)


def test_the_notebooks_with_widgets_are_found():
    stems = [path.stem[:2] for path in WIDGET_NOTEBOOKS]
    assert {"01", "02", "03", "04", "05"} <= set(stems), stems


def test_collect_figures_sees_only_the_figures_made_inside_it():
    def draw(fig, n=1):
        fig.subplots()

    widgets.interactive_figure(draw, n=(1, 3, 1))  # outside: not collected
    with widgets.collect_figures() as outer:
        first = widgets.interactive_figure(draw, n=(1, 3, 1))
        with widgets.collect_figures() as inner:
            second = widgets.interactive_figure(draw, n=(1, 3, 1))
    widgets.interactive_figure(draw, n=(1, 3, 1))  # after: not collected
    assert outer == [first, second]
    assert inner == [second]


@pytest.mark.parametrize("notebook_figures", WIDGET_NOTEBOOKS, indirect=True, ids=lambda p: p.stem)
def test_every_text_lies_inside_the_figure(notebook_figures):
    outside = []
    for drawn in notebook_figures:
        canvas = drawn.figure.bbox
        for text, box in drawn.texts:
            if (
                box.x0 < canvas.x0 - INSIDE_TOLERANCE_PX
                or box.y0 < canvas.y0 - INSIDE_TOLERANCE_PX
                or box.x1 > canvas.x1 + INSIDE_TOLERANCE_PX
                or box.y1 > canvas.y1 + INSIDE_TOLERANCE_PX
            ):
                outside.append(
                    f"{drawn.where}, canvas {canvas.width:.0f}x{canvas.height:.0f} px: "
                    + describe(text, box)
                )
    assert not outside, "texts leave the canvas:\n" + "\n".join(outside)


@pytest.mark.parametrize("notebook_figures", WIDGET_NOTEBOOKS, indirect=True, ids=lambda p: p.stem)
def test_no_text_is_smaller_than_8_points_as_shown(notebook_figures):
    small = []
    for drawn in notebook_figures:
        for text, box in drawn.texts:
            shown = text.get_fontsize() * drawn.display_scale
            if shown < MIN_POINTS - 1e-9:
                small.append(
                    f"{drawn.where}, shown at {drawn.display_scale:.2f} of its size: "
                    f"{shown:.1f} pt as shown, " + describe(text, box)
                )
    assert not small, f"texts under {MIN_POINTS} pt:\n" + "\n".join(small)


@pytest.mark.parametrize("notebook_figures", WIDGET_NOTEBOOKS, indirect=True, ids=lambda p: p.stem)
def test_no_two_texts_overlap(notebook_figures):
    overlapping = []
    for drawn in notebook_figures:
        texts = drawn.texts
        for i, (first, a) in enumerate(texts):
            for second, b in texts[i + 1 :]:
                width = min(a.x1, b.x1) - max(a.x0, b.x0)
                height = min(a.y1, b.y1) - max(a.y0, b.y0)
                if width > OVERLAP_PX and height > OVERLAP_PX:
                    overlapping.append(
                        f"{drawn.where}: {describe(first, a)} overlaps {describe(second, b)}"
                    )
    assert not overlapping, "overlapping texts:\n" + "\n".join(overlapping)


def test_the_checks_catch_a_clipped_legend_a_tiny_label_and_an_overlap():
    """The three checks on a figure made to fail each of them once."""
    figure = matplotlib.figure.Figure(figsize=(4, 3), dpi=100)
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1], label="a label much too long to fit in this small figure (diverge")
    ax.legend(loc="upper left", bbox_to_anchor=(0.6, 1.0))
    ax.text(0.1, 0.5, "std 0.22", fontsize=5)
    ax.text(0.1, 0.2, "w1 = 0.5", fontsize=10)
    ax.text(0.12, 0.21, "w2 = 0.7", fontsize=10)
    texts = draw_and_measure(figure)
    canvas = figure.bbox
    outside = [t.get_text() for t, b in texts if b.x1 > canvas.x1 + INSIDE_TOLERANCE_PX]
    assert outside == ["a label much too long to fit in this small figure (diverge"]
    assert [t.get_text() for t, _ in texts if t.get_fontsize() < MIN_POINTS] == ["std 0.22"]
    boxes = {t.get_text(): b for t, b in texts}
    first, second = boxes["w1 = 0.5"], boxes["w2 = 0.7"]
    assert min(first.x1, second.x1) - max(first.x0, second.x0) > OVERLAP_PX
    assert min(first.y1, second.y1) - max(first.y0, second.y0) > OVERLAP_PX
