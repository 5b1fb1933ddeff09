"""Rendering shared by the widgets, the live training plot and the plots: PNG bytes, headless runs.

One module for what turns a figure into an image, so the display modules import it
instead of each other.
"""

from __future__ import annotations

import io

from lecture_nn._validation import env_flag

__all__ = ["HEADLESS_VARIABLE", "canvas_png", "is_headless", "render_png"]

#: Set (to 1/true/yes/on) by ``lecture-nn run`` and ``lecture-nn build``: no front-end is
#: attached, so widgets show their default figure as a static image.
HEADLESS_VARIABLE = "LECTURE_NN_HEADLESS"


def is_headless() -> bool:
    """Return True when the notebook is being executed without a front-end (``lecture-nn run``).

    Reads ``LECTURE_NN_HEADLESS`` with the package's one flag reader
    (:func:`lecture_nn._validation.env_flag`): a value it does not know is an error.
    """
    return env_flag(HEADLESS_VARIABLE)


def render_png(fig) -> bytes:
    """Render the matplotlib figure ``fig`` to PNG bytes at its own size and dpi.

    Uses zlib's fastest level: a widget redraw spends most of its time encoding, and level 1
    is three times faster than the default for files only slightly larger.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def canvas_png(canvas) -> bytes:
    """Encode what an Agg canvas holds now as PNG, without drawing it again (for blitting).

    Same encoding as :func:`render_png` (zlib level 1).
    """
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(
        buffer, format="png", compress_level=1
    )
    return buffer.getvalue()
