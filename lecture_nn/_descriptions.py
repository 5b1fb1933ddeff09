"""Figures described in words: what each figure shows, for alternative text.

- :func:`record_description` records on axes what they show (every
  :class:`lecture_nn._plotting.Drawing` does it with its description; widgets that update
  their artists in place call it after each redraw);
- :func:`figure_description` reads a figure's descriptions back, and describes axes that
  no helper described (a notebook's own ``ax.plot``) from their artists
  (:func:`describe_axes`: title, axis labels, lines, bars, outlines, points, images);
- :func:`enable_png_alt_text` (called by :func:`lecture_nn.style.use_course_style`) makes
  IPython show every matplotlib figure as a PNG whose output metadata carries its
  description as ``alt`` (``{"image/png": {"alt": ...}}``), which the course site turns
  into the ``<img>``'s ``alt``.

No import of :mod:`lecture_nn.style` or :mod:`lecture_nn._plotting` here, so that both
can import this module.
"""

from __future__ import annotations

import numpy as np

from lecture_nn import _validation as check

__all__ = [
    "describe_axes",
    "described_png",
    "enable_png_alt_text",
    "figure_description",
    "record_description",
]

# The attribute of an Axes that holds the description of the latest Drawing on it, as
# (text, anchor): anchor is one of the axes' data artists when it was recorded, so that a
# description outlives in-place updates but not ``ax.clear()`` (which detaches the artists).
_DESCRIPTION_ATTRIBUTE = "_lecture_nn_description"


def _data_artists(ax) -> list:
    """Return the artists added to ``ax`` (lines, patches, collections, images, texts, tables)."""
    return [*ax.lines, *ax.collections, *ax.images, *ax.patches, *ax.texts, *ax.tables]


def record_description(axes, text) -> None:
    """Record ``text`` as what ``axes`` show now (replacing what was recorded before).

    For drawings that update their artists in place (the widgets' ``draw`` methods): the
    :class:`Drawing` of a helper records its description itself.

    Parameters
    ----------
    axes : matplotlib.axes.Axes or sequence of Axes
        The axes the description covers; :func:`figure_description` names it once.
    text : str or callable
        What they show, in words, computed from the data (non-empty); or a function of no
        arguments returning it when the description is read (for a description that
        names what a caller may change later, such as an axis label).

    Raises
    ------
    TypeError, ValueError
        ``axes`` is not an Axes or a non-empty sequence of them; ``text`` not a non-empty
        string or a callable.
    """
    if not callable(text):
        text = check.text(text, "text")
    flat = [axes] if hasattr(axes, "figure") and hasattr(axes, "plot") else list(axes)
    if not flat:
        raise ValueError("axes must hold at least one Axes")
    for index, ax in enumerate(flat):
        ax = check.axes(ax, f"axes[{index}]" if len(flat) > 1 else "axes")
        artists = _data_artists(ax)
        setattr(ax, _DESCRIPTION_ATTRIBUTE, (text, artists[0] if artists else None))


def _recorded(ax) -> str | None:
    """Return the description recorded on ``ax``, or None (none, or the axes were cleared since)."""
    recorded = getattr(ax, _DESCRIPTION_ATTRIBUTE, None)
    if recorded is None:
        return None
    text, anchor = recorded
    if anchor is not None and anchor.axes is not ax:  # cleared (or the artist removed)
        return None
    return text() if callable(text) else text


def _number(value) -> str:
    """Format a number in three significant digits, without "-0"."""
    return f"{float(value) + 0.0:.3g}"


def _span(values) -> str:
    """Format the finite values as "from a to b" (or "a" when they are all equal)."""
    low, high = np.nanmin(values), np.nanmax(values)
    return _number(low) if low == high else f"from {_number(low)} to {_number(high)}"


def _is_visible_label(label) -> bool:
    return isinstance(label, str) and bool(label) and not label.startswith("_")


def _tick_names(axis) -> list[str]:
    """Return the tick labels of ``axis`` when they are words (categories), else []."""
    names = [label.get_text() for label in axis.get_ticklabels()]
    words = [name for name in names if name and not _looks_numeric(name)]
    return names if names and len(words) == len(names) else []


def _looks_numeric(text: str) -> bool:
    cleaned = text.replace("\u2212", "-").replace("$", "").replace("\\mathdefault{", "")
    cleaned = cleaned.replace("}", "").replace("^", "e").replace("{", "")
    try:
        float(cleaned)
    except ValueError:
        return False
    return True


def _describe_lines(ax) -> list[str]:
    parts, unlabelled = [], 0
    for line in ax.lines:
        if not line.get_visible():
            continue
        x = np.asarray(line.get_xdata(), dtype=float).ravel()
        y = np.asarray(line.get_ydata(), dtype=float).ravel()
        finite = np.isfinite(x) & np.isfinite(y) if x.shape == y.shape else np.isfinite(y)
        label = line.get_label()
        if not finite.any():
            continue
        if not _is_visible_label(label):
            unlabelled += 1
            continue
        x, y = (x[finite], y[finite]) if x.shape == y.shape else (x, y[finite])
        if x.size and np.all(x == x[0]) and y.size > 1:
            parts.append(f"{label}: a vertical line at {_number(x[0])}")
        elif len(y) == 1:
            parts.append(f"{label}: a point at ({_number(x[0])}, {_number(y[0])})")
        else:
            parts.append(
                f"{label}: {len(y)} points, x {_span(x)}, y {_span(y)}"
                + (f", lowest at x = {_number(x[np.argmin(y)])}" if len(y) > 2 else "")
            )
    if unlabelled:
        parts.append(f"{unlabelled} unlabelled line{'s' if unlabelled > 1 else ''}")
    return parts


def _describe_bars(ax) -> list[str]:
    from matplotlib.container import BarContainer

    parts = []
    names = _tick_names(ax.xaxis)
    for container in ax.containers:
        if not isinstance(container, BarContainer) or not container.patches:
            continue
        heights = np.array([bar.get_height() for bar in container.patches], dtype=float)
        centres = np.array([bar.get_x() + bar.get_width() / 2 for bar in container.patches])
        top = int(np.argmax(heights))
        where = _number(centres[top])
        ticks = ax.get_xticks()
        if names and len(names) == len(ticks):
            nearest = int(np.argmin(np.abs(np.asarray(ticks, dtype=float) - centres[top])))
            where = names[nearest]
        label = container.get_label()
        name = f"{label}: " if _is_visible_label(label) else ""
        parts.append(
            f"{name}{len(heights)} bars of heights {_span(heights)}, the tallest at {where}"
        )
    return parts


def _describe_patches(ax) -> list[str]:
    """Labelled patches outside bar containers (step histograms, filled areas)."""
    from matplotlib.container import BarContainer

    in_bars = {id(p) for c in ax.containers if isinstance(c, BarContainer) for p in c.patches}
    parts = []
    for patch in ax.patches:
        if id(patch) in in_bars or not _is_visible_label(patch.get_label()):
            continue
        x = patch.get_patch_transform().transform(patch.get_path().vertices)[:, 0]
        where = f" over x {_span(x)}" if x.size and np.isfinite(x).any() else ""
        parts.append(f"{patch.get_label()} (an outline{where})")
    return parts


def _describe_collections(ax) -> list[str]:
    from matplotlib.collections import PathCollection
    from matplotlib.contour import ContourSet

    groups, points, contours = [], 0, 0
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection, ContourSet):
            contours += 1
        elif isinstance(collection, PathCollection):
            n = len(collection.get_offsets())
            points += n
            if _is_visible_label(collection.get_label()):
                groups.append(f"{collection.get_label()} {n}")
    parts = []
    if points:
        text = f"{points} points"
        if len(groups) > 1:
            text += f" in {len(groups)} groups ({', '.join(groups)})"
        parts.append(text)
    if contours:
        parts.append("shaded regions" if contours == 1 else f"{contours} sets of contours")
    return parts


def _describe_images(ax) -> list[str]:
    parts = []
    for image in ax.images:
        data = np.asarray(image.get_array(), dtype=float)
        if data.ndim < 2 or not np.isfinite(data).any():
            continue
        text = f"a {data.shape[0]} x {data.shape[1]} image of values {_span(data)}"
        rows, columns = _tick_names(ax.yaxis), _tick_names(ax.xaxis)
        square = data.ndim == 2 and data.shape[0] == data.shape[1]
        if square and len(rows) == len(columns) == data.shape[0] and np.nansum(data) > 0:
            share = np.nansum(np.diag(data)) / np.nansum(data)
            text += f", {share:.0%} of their sum on the diagonal"
        parts.append(text)
    return parts


def describe_axes(ax) -> str:
    """Describe what ``ax`` shows from its artists (for axes no course helper described).

    Names the title and axis labels, then each labelled line (its number of points and
    ranges), the bars (how many, their heights, the tallest), labelled outlines, points of
    scatter plots (by group), shaded regions and images (size, value range).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.

    Returns
    -------
    str
        One sentence, or "" when the axes show nothing.
    """
    ax = check.axes(ax, "ax")
    content = [
        *_describe_lines(ax),
        *_describe_bars(ax),
        *_describe_patches(ax),
        *_describe_collections(ax),
        *_describe_images(ax),
    ]
    if not content:
        return ""
    title = " ".join(ax.get_title(loc).strip() for loc in ("left", "center", "right")).strip()
    head = f"Panel \u201c{' '.join(title.split())}\u201d" if title else "Panel"
    axes_labels = []
    for name, axis, label in (("x", ax.xaxis, ax.get_xlabel()), ("y", ax.yaxis, ax.get_ylabel())):
        categories = _tick_names(axis)
        if label or categories:
            text = f"{name} axis" + (f" \u201c{label}\u201d" if label else "")
            if categories:
                text += f" ({', '.join(categories)})"
            axes_labels.append(text)
    if axes_labels:
        head += " with " + " and ".join(axes_labels)
    return f"{head}: {'; '.join(content)}."


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def figure_description(figure) -> str:
    """Return what a figure shows, in words: each visible axes' description, in axes order.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure drawn (in part) by the course's plotting helpers, or by matplotlib alone.

    Returns
    -------
    str
        For each visible axes (colour bars left out): the description recorded by the
        latest :class:`Drawing` (or :func:`record_description`) on it, if the axes were
        not cleared since, else :func:`describe_axes`; each text named once, joined by
        spaces; empty if no axes show anything.

    Raises
    ------
    TypeError
        ``figure`` is not a matplotlib Figure.
    """
    from matplotlib.figure import FigureBase

    if not isinstance(figure, FigureBase):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    texts = []
    for ax in figure.axes:
        if not ax.get_visible() or _is_colorbar(ax):
            continue
        recorded = _recorded(ax)
        texts.append(describe_axes(ax) if recorded is None else recorded)
    return " ".join(dict.fromkeys(text for text in texts if text))


#: The names of matplotlib's inline backend (as ``matplotlib.get_backend`` gives them).
_INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")


def _inline_settings(shell) -> tuple[set[str], dict]:
    """Return the inline backend's figure formats and ``print_figure`` keywords (its defaults)."""
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # no inline backend installed: IPython's own defaults
        return {"png"}, {"bbox_inches": "tight"}
    config = InlineBackend.instance(parent=shell)
    return set(config.figure_formats), dict(config.print_figure_kwargs)


def described_png(figure):
    """Return a figure as IPython shows it inline, PNG, with its description as ``alt``.

    The PNG is the inline backend's (``print_figure`` with its ``print_figure_kwargs``,
    pixel-doubled if its formats say ``retina``); the metadata adds ``alt``:
    :func:`figure_description`.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    (str, dict) or None
        The base64-encoded PNG and its metadata, or None for an empty figure (as IPython).
    """
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure, retina_figure

    formats, options = _inline_settings(get_ipython())
    if formats & {"retina", "png2x"}:
        result = retina_figure(figure, base64=True, **options)
        if result is None:
            return None
        data, metadata = result
    else:
        data, metadata = print_figure(figure, fmt="png", base64=True, **options), {}
        if data is None:
            return None
    text = figure_description(figure)
    if text:
        metadata = {**metadata, "alt": text}
    return data, metadata


def enable_png_alt_text() -> bool:
    """Inside IPython, show matplotlib figures as PNGs whose metadata holds their description.

    Registers :func:`described_png` as IPython's ``image/png`` formatter for matplotlib
    figures, after the inline backend has registered its own (it would replace ours when
    it loads later), unless the inline backend is set to formats without PNG. Outside
    IPython, does nothing.

    Returns
    -------
    bool
        Whether the formatter was registered.
    """
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib

    try:
        backend = matplotlib.get_backend(auto_select=False)
    except TypeError:  # matplotlib < 3.10, whose rcParams hold the name unresolved
        backend = matplotlib.rcParams._get("backend")
    if backend in _INLINE_BACKENDS:
        # Loading the inline backend configures IPython's figure formatters (once): do
        # it now, so that it does not replace ours later.
        import matplotlib_inline.backend_inline  # noqa: F401
    formats, _ = _inline_settings(shell)
    if not formats & {"png", "retina", "png2x"}:
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, described_png)
    return True
