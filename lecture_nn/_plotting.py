"""What every plotting helper shares: one way to get its axes, one shape for what it drew.

- :func:`axes_or_new` checks an ``ax`` argument and, only when it is ``None``, makes a
  figure of the course's size for the medium (:func:`lecture_nn.style.figsize`);
- :func:`axes_grid_or_new` does the same for helpers that draw on several axes;
- :class:`Drawing` is what a helper returns: the axes, the artists it made by name (also
  readable as attributes, ``drawing.line``), and a one-sentence description of the figure
  in words, computed from the data it shows (for alternative text);
- :func:`figure_description` (from :mod:`lecture_nn._descriptions`) reads back the
  descriptions of what was drawn on a figure (each Drawing records its description on its
  axes, the latest per axes); axes that no helper described (a notebook's own ``ax.plot``)
  are described from their artists by :func:`describe_axes`;
- :func:`record_description` records a description on axes whose artists a widget updated
  in place, so that the figure says what it shows after every redraw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lecture_nn import _validation as check
from lecture_nn._descriptions import describe_axes, figure_description, record_description

__all__ = [
    "Drawing",
    "axes_grid_or_new",
    "axes_or_new",
    "describe_axes",
    "figure_description",
    "record_description",
]


def axes_or_new(ax, figsize: tuple[float, float], *, argument: str = "ax"):
    """Return ``ax`` if it is a live Axes; if it is ``None``, a new figure's single Axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        The caller's axes.
    figsize : (float, float)
        Width and height in inches at screen size, scaled for the medium by
        :func:`lecture_nn.style.figsize`, used only for a new figure.
    argument : str
        The parameter's name in the caller, for the error message.
    """
    ax = check.axes(ax, argument)
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    from lecture_nn import style

    _, ax = plt.subplots(figsize=style.figsize(*figsize), layout="constrained")
    return ax


def axes_grid_or_new(
    axes, shape: tuple[int, int], figsize: tuple[float, float], *, argument: str = "axes"
):
    """Return ``rows * columns`` Axes as a flat tuple: the caller's, checked, or a new figure's.

    Parameters
    ----------
    axes : sequence of matplotlib.axes.Axes, or None
        The caller's axes, exactly ``rows * columns`` of them (any nesting).
    shape : (int, int)
        Rows and columns of a new figure's grid.
    figsize : (float, float)
        Size in inches at screen size of a new figure.
    argument : str
        The parameter's name in the caller, for the error message.
    """
    rows, columns = shape
    if axes is None:
        import matplotlib.pyplot as plt

        from lecture_nn import style

        _, grid = plt.subplots(
            rows, columns, figsize=style.figsize(*figsize), layout="constrained", squeeze=False
        )
        return tuple(grid.ravel())
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(flat) != rows * columns:
        raise ValueError(f"{argument} must hold {rows * columns} Axes, got {len(flat)}")
    return tuple(check.axes(a, f"{argument}[{i}]") for i, a in enumerate(flat))


@dataclass(frozen=True)
class Drawing:
    """What a plotting helper drew.

    Attributes
    ----------
    axes : tuple of matplotlib.axes.Axes
        The axes drawn on (one for most helpers).
    artists : mapping of str to artist(s)
        The artists made, by name; ``drawing.name`` and ``drawing["name"]`` read them.
    description : str
        What the figure shows, in words, computed from its data (alternative text).
    """

    axes: tuple
    artists: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def ax(self):
        """The first (for most helpers, the only) Axes."""
        return self.axes[0]

    @property
    def figure(self):
        """The figure the axes belong to."""
        return self.axes[0].figure

    def __post_init__(self):
        if self.description and self.axes:
            # Recorded on every axes drawn on (the figure's text names it once): a later
            # drawing on the same axes replaces it.
            record_description(self.axes, self.description)

    def __getitem__(self, name: str):
        return self.artists[name]

    def __getattr__(self, name: str):
        # Called only for names that are not fields: the artists, by name.
        artists = self.__dict__.get("artists", {})
        if name in artists:
            return artists[name]
        raise AttributeError(f"{type(self).__name__} has no artist or attribute {name!r}")
