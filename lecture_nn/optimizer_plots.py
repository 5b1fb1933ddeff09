"""Plots of optimizer paths on 2-D loss surfaces, learning-rate schedules, and momentum steps.

The paths are computed by :mod:`lecture_nn.optimizers` and the parts of a momentum step by
:mod:`lecture_nn.momentum` (plain numpy); this module only draws them. Every plot helper
takes ``ax`` as a keyword (a new figure only when it is None) and returns a
:class:`~lecture_nn._plotting.Drawing`: the axes, the artists by name, and a sentence
describing the figure computed from the numbers drawn (alternative text). The contour
lines of a surface are computed once per surface and kept (they are a pure function of the
surface), so a widget that redraws the paths stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from lecture_nn import _validation as check
from lecture_nn import style
from lecture_nn._plotting import Drawing, axes_or_new, record_description
from lecture_nn._rendering import canvas_png

# Computed in lecture_nn.momentum; importable from here too, where notebook 05 imports them.
from lecture_nn.momentum import MomentumStep, momentum_step_parts  # noqa: F401
from lecture_nn.surfaces import SURFACES, Surface, get_surface

__all__ = [
    "PATH_COLORS",
    "PATH_LINESTYLES",
    "PathArtists",
    "PathsExplorer",
    "PathsPlot",
    "fit_legend",
    "path_style",
    "plot_learning_rates",
    "plot_momentum_step",
    "plot_paths",
    "plot_surface",
]

#: Colours of the paths: Paul Tol's colour-blind-safe "muted" scheme without its three light
#: colours (under 3:1 on white), then black (Tol, "Colour Schemes", SRON/EPS/TN/09-002).
#: Any two stay apart under simulated protanopia, deuteranopia and tritanopia
#: (tests/test_colour_vision.py).
PATH_COLORS = ("#332288", "#CC6677", "#117733", "#882255", "#999933", "#AA4499", "#000000")
#: Line styles of the first seven paths, then of the next seven (same colours, dashed).
PATH_LINESTYLES = ("-", "--")


def path_style(index: int) -> tuple[str, str]:
    """Return the colour and line style of the ``index``-th path of a figure (from 0)."""
    index = check.count(index, "index")
    color = PATH_COLORS[index % len(PATH_COLORS)]
    return color, PATH_LINESTYLES[(index // len(PATH_COLORS)) % len(PATH_LINESTYLES)]


@dataclass
class PathArtists:
    """The artists of one path: shafts (one polyline), arrowheads, a divergence cross.

    Attributes
    ----------
    points : numpy.ndarray, shape (n + 1, 2)
        The whole path, in the surface's coordinates.
    shafts : matplotlib.lines.Line2D
        The arrows' shafts: one polyline through the points shown.
    heads : matplotlib.collections.PolyCollection
        The arrowheads shown.
    triangles : numpy.ndarray, shape (k, 3, 2)
        Every arrowhead, in inches, one per visible step.
    tips : numpy.ndarray, shape (k, 2)
        Where the heads sit, in data coordinates.
    steps : numpy.ndarray, shape (k,)
        The update number (1-based) of each head.
    cross : matplotlib.lines.Line2D or None
        The cross at the last point of a diverged path.
    label : str
        The legend label.
    diverged : bool
        Whether the path diverged.
    """

    points: np.ndarray  # (n + 1, 2), the whole path
    shafts: Line2D
    heads: PolyCollection
    triangles: np.ndarray  # (k, 3, 2) arrowheads in inches, one per visible step
    tips: np.ndarray  # (k, 2) where the heads sit, data coordinates
    steps: np.ndarray  # (k,) the update number (1-based) of each head
    cross: Line2D | None
    label: str
    diverged: bool


@dataclass(frozen=True)
class PathsPlot(Drawing):
    """What :func:`plot_paths` drew: a :class:`~lecture_nn._plotting.Drawing` that can replay.

    Its artists: ``contour`` (the surface's contour lines), ``minima`` (the stars),
    ``paths`` (a dict label -> :class:`PathArtists`) and ``legend`` (or None); read them
    as ``plot.paths`` or ``plot["paths"]``. :meth:`show` moves the end of every path to
    another iteration by updating the artists' data, without drawing anything anew:
    widgets use it for fast redraws; :meth:`describe` says in words what is shown then.

    Attributes
    ----------
    surface : Surface
        The surface the paths were drawn on.
    """

    surface: Surface | None = None

    def show(self, iterations: int | None, *, update_legend: bool = True) -> None:
        """Show the first ``iterations`` updates of every path (all of them when None).

        The axes' recorded description (:func:`lecture_nn._plotting.figure_description`)
        becomes :meth:`describe`'s for the updates shown.

        Parameters
        ----------
        iterations : int or None
            Number of updates to show, >= 1; None shows every path to its end.
        update_legend : bool
            Say "(diverged)" in the legend for a diverged path once it is shown to its end.

        Raises
        ------
        TypeError, ValueError
            ``iterations`` is not None or an integer >= 1; ``update_legend`` not a bool.
        """
        iterations = _check_iterations(iterations)
        update_legend = check.boolean(update_legend, "update_legend")
        legend = self.artists.get("legend")
        texts = legend.get_texts() if legend is not None and update_legend else []
        for index, artists in enumerate(self.paths.values()):
            last = len(artists.points) - 1 if iterations is None else iterations
            artists.shafts.set_data(*artists.points[: last + 1].T)
            keep = artists.steps <= last
            artists.heads.set_verts(artists.triangles[keep])
            artists.heads.set_offsets(artists.tips[keep])
            ended = artists.diverged and last >= len(artists.points) - 1
            if artists.cross is not None:
                artists.cross.set_visible(ended)
            if index < len(texts):
                texts[index].set_text(artists.label + (" (diverged)" if ended else ""))
        record_description(self.ax, self.describe(iterations))

    def describe(self, iterations: int | None = None) -> str:
        """Return the sentence describing the paths shown to ``iterations`` updates.

        Parameters
        ----------
        iterations : int or None
            As for :meth:`show`.

        Returns
        -------
        str
            E.g. "Optimizer paths on the Beale surface after 100 updates: Adam ends at
            (2.98, 0.49), SGD at (...); the minimum is at (3.00, 0.50)."
        """
        points = {label: artists.points for label, artists in self.paths.items()}
        diverged = {label: artists.diverged for label, artists in self.paths.items()}
        return _paths_description(points, diverged, self.surface, iterations)


#: How descriptions name the surfaces (by ``Surface.name``).
_SURFACE_NAMES = {
    "beale": "the Beale surface",
    "rosenbrock": "the Rosenbrock surface",
    "quadratic": "the quadratic bowl",
    "himmelblau": "the Himmelblau surface",
}


def _point(xy) -> str:
    """Format a point ``(x, y)`` with two decimals (no "-0.00")."""
    x, y = (round(float(v), 2) + 0.0 for v in xy)
    return f"({x:.2f}, {y:.2f})"


def _paths_description(
    points: Mapping[str, np.ndarray],
    diverged: Mapping[str, bool],
    surface: Surface | str,
    iterations: int | None = None,
) -> str:
    """Describe optimizer paths in one sentence: where each one is after ``iterations``.

    Parameters
    ----------
    points : mapping of str to numpy.ndarray, shape (n + 1, 2)
        Each path's points (start, then one per update), by legend label.
    diverged : mapping of str to bool
        Whether each path diverged (it then ends at its last point inside the window).
    surface : Surface or str
        The surface the paths run on.
    iterations : int or None
        Updates shown (>= 1); None: every path to its end.

    Returns
    -------
    str
        E.g. "Optimizer paths on the Beale surface after 100 updates: Adam ends at
        (2.98, 0.49), SGD at (2.25, 0.20); the minimum is at (3.00, 0.50)." A path that
        diverged within the updates shown is "X diverged after k updates (last point
        (x, y))"; coordinates are rounded to two decimals.
    """
    surface = get_surface(surface)
    iterations = _check_iterations(iterations)
    longest = max((len(p) - 1 for p in points.values()), default=0)
    shown = longest if iterations is None else iterations
    parts = []
    for label, path in points.items():
        last = min(shown, len(path) - 1)
        if diverged.get(label, False) and last == len(path) - 1:
            count = f"{last} update" + ("" if last == 1 else "s")
            parts.append(f"{label} diverged after {count} (last point {_point(path[last])})")
        else:
            where = "ends at" if not parts else "at"
            parts.append(f"{label} {where} {_point(path[last])}")
    minima = [_point(m) for m in surface.minima]
    if len(minima) == 1:
        where = f"the minimum is at {minima[0]}"
    else:
        where = f"the {len(minima)} minima are at {', '.join(minima[:-1])} and {minima[-1]}"
    name = _SURFACE_NAMES.get(surface.name, f"the {surface.name} surface")
    updates = "update" if shown == 1 else "updates"
    listed = ", ".join(parts) if parts else "no paths"
    return f"Optimizer paths on {name} after {shown} {updates}: {listed}; {where}."


def contour_segments(surface_name: str, resolution: int = 200):
    """Return the contour lines of a named surface at its log-spaced levels, computed once.

    Parameters
    ----------
    surface_name : str
        A name in :data:`lecture_nn.surfaces.SURFACES`.
    resolution : int
        Grid points per axis over the surface's window, >= 2.

    Returns
    -------
    segments : list of numpy.ndarray, each shape (k, 2)
        The contour lines, in the surface's coordinates.
    levels : numpy.ndarray, shape (len(segments),)
        The level (loss value) of each segment.
    """
    surface = get_surface(surface_name)
    resolution = check.integer(resolution, "resolution", minimum=2)
    return _contour_segments(surface.name, resolution)


@functools.lru_cache(maxsize=16)
def _contour_segments(surface_name: str, resolution: int):
    import contourpy

    surface = get_surface(surface_name)
    x_min, x_max, y_min, y_max = surface.window
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    zz = surface.function(xx, yy)
    generator = contourpy.contour_generator(xx, yy, zz)
    segments, levels = [], []
    for level in surface.levels:
        for line in generator.lines(level):
            segments.append(line)
            levels.append(level)
    return segments, np.array(levels)


def _surface_description(surface: Surface) -> str:
    """One sentence: the surface, its contour levels, its minima."""
    levels = surface.levels
    minima = [_point(m) for m in surface.minima]
    stars = (
        f"its minimum (star) at {minima[0]}"
        if len(minima) == 1
        else f"its {len(minima)} minima (stars) at {', '.join(minima[:-1])} and {minima[-1]}"
    )
    name = _SURFACE_NAMES.get(surface.name, f"the {surface.name} surface")
    return (
        f"Contour lines of {name} at {len(levels)} log-spaced levels from "
        f"{levels.min():.3g} to {levels.max():.3g}; {stars}."
    )


def plot_surface(surface: Surface | str, *, ax: Axes | None = None) -> Drawing:
    """Draw the contour lines of a surface (log-spaced levels) and mark its minima with stars.

    Parameters
    ----------
    surface : Surface or str
        The surface, or its name in :data:`lecture_nn.surfaces.SURFACES`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None. Its limits become the surface's window.

    Returns
    -------
    Drawing
        Artists ``contour`` (a LineCollection) and ``minima`` (a Line2D of stars); the
        description names the levels and minima.
    """
    surface = get_surface(surface)
    ax = axes_or_new(ax, (6, 4.5))
    segments, levels = contour_segments(surface.name)
    norm = LogNorm(vmin=surface.levels.min(), vmax=surface.levels.max())
    colors = mpl.colormaps[style.SEQUENTIAL_CMAP](norm(levels))
    lines = LineCollection(segments, colors=colors, linewidths=0.8, alpha=0.7, zorder=0)
    ax.add_collection(lines, autolim=False)
    minima = np.array(surface.minima)
    (stars,) = ax.plot(
        minima[:, 0],
        minima[:, 1],
        "*",
        color="#D55E00",
        markersize=14,
        zorder=3,
        markeredgecolor="white",
        label="_minimum",
    )
    x_min, x_max, y_min, y_max = surface.window
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xticks([])
    ax.set_yticks([])
    return Drawing((ax,), {"contour": lines, "minima": stars}, _surface_description(surface))


def _check_iterations(iterations) -> int | None:
    """Check ``iterations``: None (all) or an integer >= 1."""
    if iterations is None:
        return None
    return check.positive_int(iterations, "iterations")


#: Arrowhead length and width in inches (shortened for steps shorter than the head).
_HEAD_LENGTH, _HEAD_WIDTH = 0.08, 0.055


def _arrowheads(ax: Axes, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrowhead triangles (inches), their tips (data) and step numbers for a path's steps.

    The direction of each head is the step's direction on screen, from the axes' current
    limits and size; steps too short to see get no head.
    """
    on_screen = ax.transData.transform(points) / ax.figure.dpi  # inches
    delta = np.diff(on_screen, axis=0)
    length = np.hypot(delta[:, 0], delta[:, 1])
    visible = length > 1e-4
    unit = delta[visible] / length[visible, None]
    normal = np.column_stack([-unit[:, 1], unit[:, 0]])
    head = np.minimum(_HEAD_LENGTH, 0.7 * length[visible])[:, None]
    base = -unit * head
    half_width = normal * head * (_HEAD_WIDTH / _HEAD_LENGTH / 2)
    triangles = np.stack([np.zeros_like(unit), base + half_width, base - half_width], axis=1)
    return triangles, points[1:][visible], np.flatnonzero(visible) + 1


def _path_artists(
    ax: Axes, points: np.ndarray, color, label: str, diverged: bool, linestyle: str = "-"
) -> PathArtists:
    """Add one path's artists to ``ax``: far cheaper than ``quiver`` for hundreds of arrows."""
    # The shafts of consecutive arrows form one polyline: one path to draw, not one per step.
    shafts = Line2D(
        points[:, 0], points[:, 1], color=color, linestyle=linestyle, linewidth=1.3, zorder=2
    )
    ax.add_line(shafts)
    triangles, tips, steps = _arrowheads(ax, points)
    heads = PolyCollection(
        triangles,
        offsets=tips,
        offset_transform=ax.transData,
        transform=ax.figure.dpi_scale_trans,  # head sizes in inches, whatever the zoom
        facecolors=[color],
        edgecolors="none",
        zorder=3,
    )
    ax.add_collection(heads, autolim=False)
    cross = None
    if diverged:
        cross = Line2D(
            [points[-1, 0]],
            [points[-1, 1]],
            marker="x",
            color=color,
            markersize=9,
            markeredgewidth=2,
            linestyle="none",
            zorder=4,
        )
        ax.add_line(cross)
    return PathArtists(points, shafts, heads, triangles, tips, steps, cross, label, diverged)


def _labelled(paths, argument: str = "paths") -> dict[str, object]:
    """Return ``paths`` as a dict label -> path, each path checked.

    A mapping keeps its keys; an iterable of paths is labelled by each path's ``name``.
    Errors name ``argument``.
    """
    if isinstance(paths, Mapping):
        labelled = dict(paths)
    elif isinstance(paths, (str, bytes)) or not isinstance(paths, Iterable):
        raise TypeError(
            f"{argument} must be a mapping label -> path or an iterable of paths, "
            f"got {type(paths).__name__}"
        )
    else:
        labelled = {}
        for path in paths:
            name = getattr(path, "name", None)
            if not isinstance(name, str) or not name:
                raise ValueError(
                    f"{argument}: a path without a name cannot label the legend: {path!r}"
                )
            if name in labelled:
                raise ValueError(
                    f"{argument}: two paths are named {name!r}; pass a mapping label -> path"
                )
            labelled[name] = path
    for label, path in labelled.items():
        if not isinstance(label, str):
            raise TypeError(f"{argument}: path labels must be strings, got {label!r}")
        _path_points(label, path, argument)
    return labelled


def _check_colors(colors) -> dict[str, str]:
    """``colors``: None or a mapping label -> matplotlib colour."""
    if colors is None:
        return {}
    if not isinstance(colors, Mapping):
        raise TypeError(f"colors must be a mapping label -> colour or None, got {colors!r}")
    for label, color in colors.items():
        if not mpl.colors.is_color_like(color):
            raise ValueError(f"colors[{label!r}] must be a matplotlib colour, got {color!r}")
    return dict(colors)


def _paths_legend(ax: Axes, handles: list):
    """Draw the paths' legend: beside the plot when long (never over the paths), else inside."""
    if len(handles) > 4:
        return ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="small",
            frameon=False,
        )
    return ax.legend(handles=handles, loc="lower left", fontsize="small", framealpha=0.85)


def _path_points(label: str, path, argument: str = "paths") -> tuple[np.ndarray, bool]:
    """Return a path's points, shape (n + 1, 2), and whether it diverged, checked."""
    name = f"{argument}[{label!r}]"
    if not hasattr(path, "points") or not hasattr(path, "diverged"):
        raise TypeError(
            f"{name} must be an optimizer path (with points and diverged, as simulate "
            f"returns), got {type(path).__name__}"
        )
    points = check.as_array(path.points, f"{name}.points", ndim=2, min_size=2)
    if points.shape[1] != 2:
        raise ValueError(f"{name}.points must have shape (n + 1, 2), got {points.shape}")
    return points, check.boolean(path.diverged, f"{name}.diverged")


def plot_paths(
    paths: Mapping[str, object] | Iterable[object],
    surface: Surface | str,
    *,
    ax: Axes | None = None,
    iterations: int | None = None,
    colors: Mapping[str, str] | None = None,
    legend: bool = True,
) -> PathsPlot:
    """Draw optimizer paths as arrows on the contour plot of their surface.

    A path that diverged is marked with a cross at its last point and "(diverged)" in
    the legend, once it is shown to its end.

    Parameters
    ----------
    paths : mapping of str to OptimizerPath, or iterable of OptimizerPath
        A legend label -> path (``points`` of shape (n + 1, 2), ``diverged``), or paths
        labelled by their ``name`` (distinct names).
    surface : Surface or str
        The surface the paths ran on, or its name.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    iterations : int, optional
        Draw only the first ``iterations`` updates (>= 1); all when None.
    colors : mapping of str to colour, optional
        Colours by label; the others take :data:`PATH_COLORS` in order.
    legend : bool
        Draw a legend (beside the axes for more than four paths).

    Returns
    -------
    PathsPlot
        A Drawing with artists ``contour``, ``minima``, ``paths`` (label ->
        :class:`PathArtists`, keyed by the labels) and ``legend`` (or None); its
        description says where each path is after the updates shown.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it.
    """
    paths = _labelled(paths)
    surface = get_surface(surface)
    iterations = _check_iterations(iterations)
    colors = _check_colors(colors)
    legend = check.boolean(legend, "legend")
    checked = {label: _path_points(label, path) for label, path in paths.items()}
    ax = axes_or_new(ax, (6, 4.5))
    background = plot_surface(surface, ax=ax)
    drawn, handles = {}, []
    for index, (label, (points, diverged)) in enumerate(checked.items()):
        color, linestyle = path_style(index)
        color = colors.get(label, color)
        drawn[label] = _path_artists(ax, points, color, label, diverged, linestyle)
        handles.append(Line2D([], [], color=color, linestyle=linestyle, linewidth=2.5, label=label))
    artists = {
        **background.artists,
        "paths": drawn,
        "legend": _paths_legend(ax, handles) if legend and handles else None,
    }
    points = {label: points for label, (points, _) in checked.items()}
    diverged = {label: flag for label, (_, flag) in checked.items()}
    description = _paths_description(points, diverged, surface, iterations)
    plot = PathsPlot((ax,), artists, description, surface)
    plot.show(iterations)
    return plot


class PathsExplorer:
    """Widget drawing for precomputed paths: a surface chooser and an iterations slider.

    The legend goes to the right of the axes, which are narrowed until it fits inside the
    figure. The first time a surface is shown, its axes are drawn in full and a picture of
    their static part (contour lines, minima, legend) is kept; after that, showing it
    restores the picture and draws only the paths (matplotlib's blitting), so a control
    change costs a few milliseconds plus the PNG encoding
    (``bench/bench_optimizer_widgets.py`` measures it). Use it as
    ``interactive_figure(explorer.draw, clear=False, layout=None, ...)``. The legend names
    a diverged path "(diverged)" from the start.

    Parameters
    ----------
    paths_by_surface : mapping of str to paths
        A surface name -> the paths on it (a mapping label -> path, or an iterable of
        paths labelled by their names, as for :func:`plot_paths`).

    Raises
    ------
    TypeError, ValueError
        ``paths_by_surface`` is not a non-empty mapping of known surface names to paths.
    """

    def __init__(self, paths_by_surface: Mapping[str, Mapping[str, object]]):
        if not isinstance(paths_by_surface, Mapping):
            raise TypeError(
                "paths_by_surface must be a mapping surface name -> paths, got "
                f"{type(paths_by_surface).__name__}"
            )
        if not paths_by_surface:
            raise ValueError("paths_by_surface must name at least one surface")
        for surface in paths_by_surface:
            if not isinstance(surface, str) or surface.strip().lower() not in SURFACES:
                raise ValueError(
                    f"paths_by_surface must be keyed by surface names ({', '.join(SURFACES)}), "
                    f"got {surface!r}"
                )
        self.paths_by_surface = {
            surface: _labelled(paths, f"paths_by_surface[{surface!r}]")
            for surface, paths in paths_by_surface.items()
        }
        self._figure = None
        self._views: dict[str, tuple[PathsPlot, object]] = {}  # surface -> (plot, background)

    @staticmethod
    def _moving_artists(plot: PathsPlot) -> list:
        artists = []
        for path in plot.paths.values():
            artists += [path.shafts, path.heads] + ([path.cross] if path.cross else [])
        return artists

    def _view(self, fig, surface: str) -> tuple[PathsPlot, object]:
        """Return the plot and background picture of ``surface`` in ``fig`` (made on first use)."""
        if self._figure is not fig or any(
            plot.ax not in fig.axes for plot, _ in self._views.values()
        ):
            fig.clear()  # a new figure, or one cleared by someone else: start over
            self._figure, self._views = fig, {}
        for plot, _ in self._views.values():
            plot.ax.set_visible(False)
        if surface not in self._views:
            ax = fig.add_axes((0.02, 0.03, 0.64, 0.94))  # the legend goes on the right
            plot = plot_paths(self.paths_by_surface[surface], surface, ax=ax)
            fit_legend(plot)
            for artist in self._moving_artists(plot):
                artist.set_animated(True)  # left out of the background picture
            fig.canvas.draw()
            self._views[surface] = (plot, fig.canvas.copy_from_bbox(fig.bbox))
        plot, background = self._views[surface]
        plot.ax.set_visible(True)
        return plot, background

    def _check_surface(self, surface) -> str:
        """Check ``surface``: one of the surfaces passed in."""
        return check.choice(surface, "surface", self.paths_by_surface)

    def draw(self, fig, surface: str = "beale", iterations: int = 100) -> bytes:
        """Draw the paths on ``surface`` up to ``iterations`` into ``fig``; return the PNG.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The widget's figure (given an Agg canvas if it has none).
        surface : str
            One of the surfaces passed in.
        iterations : int
            Updates shown, >= 1.

        Returns
        -------
        bytes
            The figure as a PNG. The figure's description
            (:func:`lecture_nn._plotting.figure_description`) is :meth:`describe`'s.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        surface = self._check_surface(surface)
        iterations = check.positive_int(iterations, "iterations")
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        plot, background = self._view(fig, surface)
        plot.show(iterations, update_legend=False)  # records the frame's description
        fig.canvas.restore_region(background)
        for artist in self._moving_artists(plot):
            plot.ax.draw_artist(artist)
        return canvas_png(fig.canvas)

    def describe(self, surface: str = "beale", iterations: int = 100) -> str:
        """Return the sentence describing the frame ``draw(fig, surface, iterations)`` shows.

        Parameters
        ----------
        surface : str
            One of the surfaces passed in.
        iterations : int
            Updates shown, >= 1.

        Returns
        -------
        str
            As :meth:`PathsPlot.describe`: where each path is after ``iterations`` updates.
        """
        surface = self._check_surface(surface)
        iterations = check.positive_int(iterations, "iterations")
        paths = self.paths_by_surface[surface]
        checked = {label: _path_points(label, path) for label, path in paths.items()}
        points = {label: points for label, (points, _) in checked.items()}
        diverged = {label: flag for label, (_, flag) in checked.items()}
        return _paths_description(points, diverged, surface, iterations)


def fit_legend(plot: PathsPlot, *, pad: float = 0.05) -> None:
    """Narrow the axes of ``plot`` until its legend lies inside the figure.

    Measures the legend as drawn (with the longest labels it can show: every diverged path
    "(diverged)") and moves the axes' right edge left by the legend's overflow plus
    ``pad`` inches; the legend stays anchored beside the axes. No-op without a legend.

    Parameters
    ----------
    plot : PathsPlot
        What :func:`plot_paths` returned.
    pad : float
        Space between the legend and the figure's right edge, in inches (>= 0).

    Raises
    ------
    TypeError
        ``plot`` is not a :class:`PathsPlot`.
    ValueError
        ``pad`` is negative, or the legend does not fit beside axes of any useful width.
    """
    if not isinstance(plot, PathsPlot):
        raise TypeError(f"plot must be what plot_paths returns, got {type(plot).__name__}")
    pad = check.non_negative(pad, "pad")
    if plot.legend is None:
        return
    fig = plot.ax.figure
    plot.show(None)  # the longest labels
    renderer = fig.canvas.get_renderer()
    extent = plot.legend.get_window_extent(renderer)
    overflow = extent.x1 - (fig.bbox.x1 - pad * fig.dpi)
    if overflow > 0:
        x0, y0, width, height = plot.ax.get_position().bounds
        new_width = width - overflow / fig.bbox.width
        if new_width <= 0.1:
            raise ValueError("the legend is too wide for the figure; use a wider figure")
        plot.ax.set_position((x0, y0, new_width, height))
        # the arrowheads are in inches along each step's direction on screen: recompute
        for artists in plot.paths.values():
            triangles, tips, steps = _arrowheads(plot.ax, artists.points)
            artists.triangles, artists.tips, artists.steps = triangles, tips, steps


def _schedule_rates(schedules, steps: int) -> dict[str, np.ndarray]:
    """Each schedule's values at steps 0 .. steps - 1, checked; shape (steps,) each."""
    if not isinstance(schedules, Mapping):
        raise TypeError(
            f"schedules must be a mapping label -> schedule, got {type(schedules).__name__}"
        )
    step_numbers = np.arange(steps)
    rates = {}
    for name, schedule in schedules.items():
        if not isinstance(name, str):
            raise TypeError(f"schedules' labels must be strings, got {name!r}")
        if not callable(schedule):
            raise TypeError(
                f"schedules[{name!r}] must be a callable step -> rate (such as a "
                f"lecture_nn.schedules.Schedule), got {type(schedule).__name__}"
            )
        values = check.as_array(schedule(step_numbers), f"schedules[{name!r}](steps)", ndim=1)
        if values.shape != (steps,):
            raise ValueError(
                f"schedules[{name!r}] must return one value per step, shape ({steps},), "
                f"got {values.shape}"
            )
        rates[name] = values
    return rates


def _rates_description(
    rates: Mapping[str, np.ndarray], steps: int, quantity: str = "learning rate"
) -> str:
    """One sentence: each curve's first and last value and its range."""
    parts = []
    for name, values in rates.items():
        low, high = values.min(), values.max()
        part = f"{name} from {values[0]:.3g} to {values[-1]:.3g}"
        if low < min(values[0], values[-1]) or high > max(values[0], values[-1]):
            part += f" (between {low:.3g} and {high:.3g})"
        parts.append(part)
    curves = "1 curve" if len(parts) == 1 else f"{len(parts)} curves"
    listed = "; ".join(parts) if parts else "none"
    quantity = " ".join(quantity.split()) or "learning rate"
    return (
        f"{quantity[0].upper()}{quantity[1:]} against update step 0 to {steps - 1}, "
        f"{curves}: {listed}."
    )


def plot_learning_rates(
    schedules: Mapping[str, object], *, steps: int = 400, ax: Axes | None = None
) -> Drawing:
    """Plot each schedule's learning rate against the update step (0 .. steps - 1).

    Parameters
    ----------
    schedules : mapping of str to callable
        A legend label -> schedule: any callable taking the array of steps, shape
        (steps,), and returning one rate per step (a :class:`lecture_nn.schedules.Schedule`).
    steps : int
        Number of update steps to plot, >= 2.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Drawing
        Artists ``lines`` (a list of Line2D, one per schedule, in order: ``lines[0]`` as
        ``ax.lines[0]``) and ``legend``; the description gives each curve's first and last
        value (and its range where it leaves them).

    Raises
    ------
    TypeError, ValueError
        A bad argument, or a schedule that does not return one finite number per step.
    """
    steps = check.integer(steps, "steps", minimum=2)
    rates = _schedule_rates(schedules, steps)
    ax = axes_or_new(ax, (6, 3))
    step_numbers = np.arange(steps)
    lines = []
    for index, (name, values) in enumerate(rates.items()):
        color, linestyle = path_style(index)
        lines += ax.plot(step_numbers, values, color=color, linestyle=linestyle, label=name)
    ax.set_xlabel("update step")
    ax.set_ylabel("learning rate")
    legend = ax.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False
    )
    drawing = Drawing((ax,), {"lines": lines, "legend": legend}, _rates_description(rates, steps))
    # Read when the figure is described: a notebook may relabel the y axis (momentum).
    record_description(ax, lambda: _rates_description(rates, steps, _plain(ax.get_ylabel())))
    return drawing


def _plain(label: str) -> str:
    """Return an axis label without TeX's dollar signs and backslashes ("momentum mu")."""
    return label.replace("$", "").replace("\\", "")


def _vector(xy) -> str:
    """Format a step ``(dx, dy)`` with three significant digits."""
    dx, dy = (float(v) + 0.0 for v in xy)
    return f"({dx:.3g}, {dy:.3g})"


def plot_momentum_step(
    parts: MomentumStep, *, nesterov: bool, ax: Axes | None = None, zoom: float | None = 2.5
) -> Drawing:
    """Draw the parts of one momentum (or Nesterov) update as labelled arrows.

    Parameters
    ----------
    parts : MomentumStep
        From :func:`lecture_nn.momentum.momentum_step_parts`.
    nesterov : bool
        Draw Nesterov's update (gradient at the look-ahead point) instead of the classical one.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    zoom : float or None
        Limit the axes to a square around the arrows, ``zoom`` (> 0) times as wide as the
        larger side of the box holding all their ends, so that a step of a few hundredths
        is visible; None keeps the limits.

    Returns
    -------
    Drawing
        The arrows (quivers) by their legend labels ("previous step", "momentum step",
        "gradient step" or "gradient step at the look-ahead point", "resulting step"), and
        ``legend``; the description gives the point and each step as (dx, dy).

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it.
    """
    if not isinstance(parts, MomentumStep):
        raise TypeError(
            f"parts must be a MomentumStep (from momentum_step_parts), got {type(parts).__name__}"
        )
    nesterov = check.boolean(nesterov, "nesterov")
    zoom = None if zoom is None else check.positive(zoom, "zoom")
    ax = axes_or_new(ax, (5, 4.5))
    w = parts.point
    gradient_label = "gradient step at the look-ahead point" if nesterov else "gradient step"
    arrows = [
        # Dark grey: apart from the green momentum step for every colour vision.
        (w - parts.previous_step, parts.previous_step, "0.3", "previous step"),
        (w, parts.momentum_step, "#009E73", "momentum step"),
        (
            (w + parts.momentum_step, parts.lookahead_gradient_step)
            if nesterov
            else (w, parts.gradient_step)
        )
        + ("#D55E00", gradient_label),
        (w, parts.nesterov if nesterov else parts.classical, "#0072B2", "resulting step"),
    ]
    artists = {}
    for origin, vector, color, label in arrows:
        artists[label] = ax.quiver(
            *origin,
            *vector,
            angles="xy",
            scale_units="xy",
            scale=1,
            color=color,
            width=0.008,
            zorder=5,
            label=label,
        )
    if zoom:
        _zoom_to(ax, parts, zoom)
    artists["legend"] = ax.legend(loc="lower right", fontsize="small", framealpha=0.85)
    kind = "Nesterov momentum" if nesterov else "Momentum"
    steps = ", ".join(f"{label} {_vector(vector)}" for _, vector, _, label in arrows)
    description = f"{kind} update at {_point(w)}, as arrows: {steps}."
    return Drawing((ax,), artists, description)


def _zoom_to(ax: Axes, parts: MomentumStep, zoom: float) -> None:
    """Limit ``ax`` to a square around every arrow end, ``zoom`` times the ends' extent."""
    w = parts.point
    ends = np.array(
        [
            w - parts.previous_step,
            w,
            w + parts.momentum_step,
            w + parts.momentum_step + parts.lookahead_gradient_step,
            w + parts.gradient_step,
            w + parts.classical,
            w + parts.nesterov,
        ]
    )
    centre = (ends.min(axis=0) + ends.max(axis=0)) / 2
    half = zoom * np.ptp(ends, axis=0).max() / 2
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)
