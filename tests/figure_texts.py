"""Test helper: the texts a draw of a matplotlib figure really renders, with their extents."""

from __future__ import annotations

from unittest import mock

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text


def drawn_texts(fig) -> list:
    """(text, window extent in pixels) of every non-empty text that a draw of ``fig`` renders.

    Matplotlib keeps tick labels outside the view limits as artists but does not draw them,
    so the texts are recorded while the figure is drawn instead of read from its artists.
    """
    drawn = []
    original = Text.draw

    def record(text, renderer):
        original(text, renderer)
        if text.get_visible() and text.get_text().strip():
            drawn.append((text, text.get_window_extent(renderer)))

    canvas = FigureCanvasAgg(fig)
    with mock.patch.object(Text, "draw", record):
        canvas.draw()
    return drawn
