"""The course's figure style: one place for sizes, fonts and colours.

Two media are supported: ``"screen"`` (notebooks, slides) and ``"print"`` (the printed
course, smaller figures and fonts). Choose one with :func:`course_style` (a context manager)
or :func:`use_course_style` (for a whole notebook). The environment variable
``LECTURE_NN_MEDIUM`` sets the default medium.

All colour maps are perceptually uniform or ColorBrewer diverging maps that stay readable
for colour-blind readers; nothing here uses ``jet``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import matplotlib as mpl
from matplotlib.colors import ListedColormap

from lecture_nn import _validation as check

__all__ = [
    "BINARY_CMAP",
    "DIVERGING_CMAP",
    "FIGURE_SCALE",
    "MEDIA",
    "NODE_COLORS",
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "TEN_CLASS_COLORS",
    "course_style",
    "default_medium",
    "figsize",
    "style_rc",
    "use_course_style",
]

MEDIA = ("screen", "print")

#: Width and height multipliers applied to a figure's nominal size, per medium.
FIGURE_SCALE = {"screen": 1.0, "print": 0.8}

_BASE_FONT_SIZE = {"screen": 10.0, "print": 8.0}

#: Sequential data (surfaces, densities): perceptually uniform.
SEQUENTIAL_CMAP = "viridis"
#: Signed data centred on zero (weights, gradients): ColorBrewer red-blue, colour-blind safe.
DIVERGING_CMAP = "RdBu_r"

#: Okabe & Ito (2008) qualitative palette, readable with every common colour-vision deficiency.
#: The five colours with at least 3:1 contrast on white (WCAG 2.1, 1.4.11) come first, so a
#: figure with up to five lines never needs the light ones (orange 2.2:1, sky blue 2.3:1,
#: yellow 1.3:1); tests/test_contrast.py and tests/test_colour_vision.py check both.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)

#: Two-class colour map for decision boundaries and scatter plots (blue vs vermillion).
BINARY_CMAP = ListedColormap(OKABE_ITO[:2], name="lecture_nn_binary")

#: Ten categories in one figure (Fashion-MNIST's classes): Petroff's ten-colour sequence
#: (Petroff 2021, "Accessible Color Sequences for Data Visualization", arXiv:2107.02270;
#: matplotlib's style "petroff10") with its four light colours (under 3:1 on white) replaced
#: by dark ones, so every class reaches 3:1 (WCAG 2.1, 1.4.11) and any two stay apart under
#: simulated colour-vision deficiencies (tests/test_contrast.py, tests/test_colour_vision.py).
TEN_CLASS_COLORS = (
    "#3f90da", "#560B00", "#bd1f01", "#223844", "#832db6",
    "#a96b59", "#e76300", "#000000", "#717581", "#4B0079",
)  # fmt: skip

#: Fill colours of the nodes of a network diagram, light enough to carry black text.
NODE_COLORS = {
    "input": "#fbe3a6",
    "hidden": "#b9dcf2",
    "output": "#FFAABB",  # Tol's light pink: apart from the input fill for every vision
    "bias": "#e8e8e8",
}


def default_medium() -> str:
    """Return the medium named by ``LECTURE_NN_MEDIUM`` (``"screen"`` when unset).

    Returns
    -------
    {"screen", "print"}
        The variable's value, lower-cased and stripped.

    Raises
    ------
    ValueError
        For a value that is not one of :data:`MEDIA`, naming the variable.
    """
    medium = os.environ.get("LECTURE_NN_MEDIUM", "screen").strip().lower() or "screen"
    return _check_medium(medium, "LECTURE_NN_MEDIUM")


def _check_medium(medium: str, argument: str = "medium") -> str:
    """``medium``, one of :data:`MEDIA` (the rule :func:`lecture_nn._validation.choice`)."""
    return check.choice(medium, argument, MEDIA)


def style_rc(medium: str | None = None) -> dict:
    """Return the matplotlib rc settings of the course style for ``medium``.

    Parameters
    ----------
    medium : {"screen", "print"} or None
        None: :func:`default_medium`.

    Returns
    -------
    dict
        rc parameters: resolution, font sizes, the Okabe-Ito colour cycle, spines, lines.

    Raises
    ------
    TypeError, ValueError
        For a ``medium`` that is not one of :data:`MEDIA`.
    """
    medium = default_medium() if medium is None else _check_medium(medium)
    base = _BASE_FONT_SIZE[medium]
    return {
        "figure.dpi": 100 if medium == "screen" else 150,
        "savefig.dpi": 100 if medium == "screen" else 200,
        "font.size": base,
        "axes.titlesize": base + 1,
        "axes.labelsize": base,
        "xtick.labelsize": base - 1,
        "ytick.labelsize": base - 1,
        "legend.fontsize": base - 1,
        "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
        "image.cmap": SEQUENTIAL_CMAP,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.alpha": 0.3,
        "lines.linewidth": 1.8,
    }


@contextlib.contextmanager
def course_style(medium: str | None = None) -> Iterator[str]:
    """Apply the course style inside a ``with`` block and yield the medium used.

    Parameters
    ----------
    medium : {"screen", "print"} or None
        None: :func:`default_medium`.

    Yields
    ------
    str
        The medium in effect.

    Raises
    ------
    TypeError, ValueError
        For a ``medium`` that is not one of :data:`MEDIA`.
    """
    medium = default_medium() if medium is None else _check_medium(medium)
    with mpl.rc_context(style_rc(medium)):
        yield medium


def use_course_style(medium: str | None = None) -> None:
    """Apply the course style for the rest of the session (a notebook's first cell).

    Parameters
    ----------
    medium : {"screen", "print"} or None
        None: :func:`default_medium`.

    Inside IPython it also shows every matplotlib figure as a PNG whose output metadata
    holds the figure's description in words as ``alt`` (alternative text, which the course
    site uses): see :func:`lecture_nn._descriptions.enable_png_alt_text`.

    Raises
    ------
    TypeError, ValueError
        For a ``medium`` that is not one of :data:`MEDIA`.
    """
    mpl.rcParams.update(style_rc(medium))
    from lecture_nn._descriptions import enable_png_alt_text

    enable_png_alt_text()


def figsize(width: float, height: float, medium: str | None = None) -> tuple[float, float]:
    """Scale a nominal figure size in inches for ``medium``.

    Parameters
    ----------
    width, height : float
        The size at screen scale, in inches (each finite and > 0).
    medium : {"screen", "print"} or None
        None: :func:`default_medium`.

    Returns
    -------
    (float, float)
        Width and height in inches, times :data:`FIGURE_SCALE` of the medium.

    Raises
    ------
    TypeError, ValueError
        For a size that is not a finite number > 0, or an unknown ``medium``.
    """
    width, height = check.positive(width, "width"), check.positive(height, "height")
    medium = default_medium() if medium is None else _check_medium(medium)
    scale = FIGURE_SCALE[medium]
    return (width * scale, height * scale)
