"""Plots of optimizer paths on 2-D loss surfaces, learning-rate schedules, and momentum steps.

The paths are computed by :mod:`lecture_nn.optimizers` (plain numpy); this module only draws
them. The contour lines of a surface are computed once per surface and kept (they are a
pure function of the surface), so a widget that redraws the paths stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from lecture_nn import style
from lecture_nn._rendering import canvas_png
from lecture_nn.surfaces import Surface, get_surface

#: Colours of the paths: Paul Tol's colour-blind-safe "muted" scheme, then Okabe & Ito.
PATH_COLORS = (
    "#332288",
    "#CC6677",
    "#117733",
    "#DDCC77",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#000000",
    "#D55E00",
    "#0072B2",
)


@dataclass
class PathArtists:
    """The artists of one path: shafts (one polyline), arrowheads, a divergence cross."""

    points: np.ndarray  # (n + 1, 2), the whole path
    shafts: Line2D
    heads: PolyCollection
    triangles: np.ndarray  # (k, 3, 2) arrowheads in inches, one per visible step
    tips: np.ndarray  # (k, 2) where the heads sit, data coordinates
    steps: np.ndarray  # (k,) the update number (1-based) of each head
    cross: Line2D | None
    label: str
    diverged: bool


@dataclass
class PathsPlot:
    """What :func:`plot_paths` drew: the axes, the contour lines, the artists of each path.

    :meth:`show` moves the end of every path to another iteration by updating the artists'
    data, without drawing anything anew: widgets use it for fast redraws.
    """

    ax: Axes
    contour: LineCollection
    paths: dict[str, PathArtists] = field(default_factory=dict)
    legend: object | None = None

    def show(self, iterations: int | None, *, update_legend: bool = True) -> None:
        """Show the first ``iterations`` updates of every path (all of them when None).

        With ``update_legend`` the legend says "(diverged)" only once a diverged path is
        shown to its end.
        """
        iterations = _check_iterations(iterations)
        texts = self.legend.get_texts() if self.legend is not None and update_legend else []
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


def _resolve(surface: Surface | str) -> Surface:
    return get_surface(surface) if isinstance(surface, str) else surface


@functools.lru_cache(maxsize=16)
def contour_segments(surface_name: str, resolution: int = 200):
    """Contour lines of a named surface at its log-spaced levels, computed once.

    Returns (segments, level of each segment): a list of (k, 2) arrays and a 1-D array.
    """
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


def plot_surface(surface: Surface | str, ax: Axes | None = None) -> LineCollection:
    """Draw the contour lines of a surface (log-spaced levels) and mark its minima with stars."""
    surface = _resolve(surface)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=style.figsize(6, 4.5))
    segments, levels = contour_segments(surface.name)
    norm = LogNorm(vmin=surface.levels.min(), vmax=surface.levels.max())
    colors = mpl.colormaps[style.SEQUENTIAL_CMAP](norm(levels))
    lines = LineCollection(segments, colors=colors, linewidths=0.8, alpha=0.7, zorder=0)
    ax.add_collection(lines, autolim=False)
    minima = np.array(surface.minima)
    ax.plot(
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
    return lines


def _check_iterations(iterations) -> int | None:
    if iterations is None:
        return None
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
        raise TypeError(f"iterations must be an integer or None, got {iterations!r}")
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    return int(iterations)


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


def _path_artists(ax: Axes, points: np.ndarray, color, label: str, diverged: bool) -> PathArtists:
    """Add one path's artists to ``ax``: far cheaper than ``quiver`` for hundreds of arrows."""
    # The shafts of consecutive arrows form one polyline: one path to draw, not one per step.
    shafts = Line2D(points[:, 0], points[:, 1], color=color, linewidth=1.3, zorder=2)
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


def _labelled(paths) -> dict[str, object]:
    """``paths`` as a dict label -> path: a mapping keeps its keys, an iterable of paths
    is labelled by each path's ``name``."""
    if isinstance(paths, Mapping):
        labelled = dict(paths)
    elif isinstance(paths, (str, bytes)) or not isinstance(paths, Iterable):
        raise TypeError(
            "paths must be a mapping label -> path or an iterable of paths, "
            f"got {type(paths).__name__}"
        )
    else:
        labelled = {}
        for path in paths:
            name = getattr(path, "name", None)
            if not isinstance(name, str) or not name:
                raise ValueError(f"a path without a name cannot label the legend: {path!r}")
            if name in labelled:
                raise ValueError(f"two paths are named {name!r}; pass a mapping label -> path")
            labelled[name] = path
    for label in labelled:
        if not isinstance(label, str):
            raise TypeError(f"path labels must be strings, got {label!r}")
    return labelled


def plot_paths(
    paths: Mapping[str, object] | Iterable[object],
    surface: Surface | str,
    ax: Axes | None = None,
    *,
    iterations: int | None = None,
    colors: Mapping[str, str] | None = None,
    legend: bool = True,
) -> PathsPlot:
    """Draw optimizer paths as arrows on the contour plot of their surface.

    ``paths`` maps a legend label to an ``OptimizerPath`` (``points`` of shape (n + 1, 2)),
    or is an iterable of paths, each labelled by its ``name``. The returned plot's
    ``paths`` are keyed by these labels. Only the first ``iterations`` updates are drawn
    (all when None). A path that diverged is marked with a cross at its last point and
    "(diverged)" in the legend.
    """
    paths = _labelled(paths)
    surface = _resolve(surface)
    iterations = _check_iterations(iterations)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=style.figsize(6, 4.5))
    plot = PathsPlot(ax, plot_surface(surface, ax))
    handles = []
    for index, (label, path) in enumerate(paths.items()):
        color = (colors or {}).get(label, PATH_COLORS[index % len(PATH_COLORS)])
        plot.paths[label] = _path_artists(
            ax, np.asarray(path.points, dtype=float), color, label, bool(path.diverged)
        )
        handles.append(Line2D([], [], color=color, linewidth=2.5, label=label))
    if legend and paths:
        if len(paths) > 4:  # a long legend goes beside the plot, never over the paths
            plot.legend = ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize="small",
                frameon=False,
            )
        else:
            plot.legend = ax.legend(
                handles=handles, loc="lower left", fontsize="small", framealpha=0.85
            )
    plot.show(iterations)
    return plot


class PathsExplorer:
    """Widget drawing for precomputed paths: a surface chooser and an iterations slider.

    ``paths_by_surface`` maps a surface name to the paths on it (a mapping label -> path,
    or an iterable of paths labelled by their names, as for :func:`plot_paths`). The
    legend goes to the right of the axes, which are narrowed until it fits inside the
    figure. The first time a surface
    is shown, its axes are drawn in full and a picture of their static part (contour lines,
    minima, legend) is kept; after that, showing it restores the picture and draws only the
    paths (matplotlib's blitting), so a control change costs a few milliseconds plus the PNG
    encoding (``bench/bench_optimizer_widgets.py`` measures it). ``draw`` returns the PNG
    it rendered; use it as ``interactive_figure(explorer.draw, clear=False, layout=None,
    ...)``. The legend names a diverged path "(diverged)" from the start.
    """

    def __init__(self, paths_by_surface: Mapping[str, Mapping[str, object]]):
        if not paths_by_surface:
            raise ValueError("paths_by_surface must name at least one surface")
        self.paths_by_surface = {
            surface: _labelled(paths) for surface, paths in paths_by_surface.items()
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
        """The plot and background picture of ``surface`` in ``fig``, made on first use."""
        if self._figure is not fig or any(
            plot.ax not in fig.axes for plot, _ in self._views.values()
        ):
            fig.clear()  # a new figure, or one cleared by someone else: start over
            self._figure, self._views = fig, {}
        for plot, _ in self._views.values():
            plot.ax.set_visible(False)
        if surface not in self._views:
            ax = fig.add_axes((0.02, 0.03, 0.64, 0.94))  # the legend goes on the right
            plot = plot_paths(self.paths_by_surface[surface], surface, ax)
            fit_legend(plot)
            for artist in self._moving_artists(plot):
                artist.set_animated(True)  # left out of the background picture
            fig.canvas.draw()
            self._views[surface] = (plot, fig.canvas.copy_from_bbox(fig.bbox))
        plot, background = self._views[surface]
        plot.ax.set_visible(True)
        return plot, background

    def draw(self, fig, surface: str = "beale", iterations: int = 100) -> bytes:
        """Draw the paths on ``surface`` up to ``iterations`` into ``fig``; return the PNG."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if surface not in self.paths_by_surface:
            raise ValueError(
                f"surface must be one of {', '.join(self.paths_by_surface)}, got {surface!r}"
            )
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        plot, background = self._view(fig, surface)
        plot.show(iterations, update_legend=False)
        fig.canvas.restore_region(background)
        for artist in self._moving_artists(plot):
            plot.ax.draw_artist(artist)
        return canvas_png(fig.canvas)


def fit_legend(plot: PathsPlot, *, pad: float = 0.05) -> None:
    """Narrow the axes of ``plot`` until its legend lies inside the figure.

    Measures the legend as drawn (with the longest labels it can show: every diverged path
    "(diverged)") and moves the axes' right edge left by the legend's overflow plus
    ``pad`` inches; the legend stays anchored beside the axes. No-op without a legend.
    """
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


def plot_learning_rates(
    schedules: Mapping[str, object], *, steps: int = 400, ax: Axes | None = None
) -> Axes:
    """Plot each schedule's learning rate against the update step (0 .. steps - 1)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=style.figsize(6, 3))
    step_numbers = np.arange(steps)
    for index, (name, schedule) in enumerate(schedules.items()):
        rates = np.asarray(schedule(step_numbers), dtype=float)
        ax.plot(step_numbers, rates, color=PATH_COLORS[index % len(PATH_COLORS)], label=name)
    ax.set_xlabel("update step")
    ax.set_ylabel("learning rate")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


@dataclass
class MomentumStep:
    """The parts of one momentum update at a point of a real path (all shape (2,) vectors).

    ``previous_step`` is the velocity v carried into the update; ``momentum_step`` is
    momentum * v; ``gradient_step`` is -learning_rate * grad L(w); ``lookahead_gradient_step``
    is -learning_rate * grad L(w + momentum * v); ``classical`` and ``nesterov`` are the two
    resulting steps (momentum step plus the respective gradient step).
    """

    point: np.ndarray
    previous_step: np.ndarray
    momentum_step: np.ndarray
    gradient_step: np.ndarray
    lookahead_gradient_step: np.ndarray
    classical: np.ndarray
    nesterov: np.ndarray


def momentum_step_parts(
    surface: Surface | str,
    point: Sequence[float],
    velocity: Sequence[float],
    learning_rate: float,
    momentum: float,
) -> MomentumStep:
    """Split one momentum update at ``point`` with incoming ``velocity`` into its parts.

    Classical momentum (Polyak): v' = momentum * v - learning_rate * grad L(w).
    Nesterov (Sutskever et al. 2013): v' = momentum * v - learning_rate * grad L(w + momentum v),
    the gradient taken where the momentum step would land.
    """
    surface = _resolve(surface)
    point = np.asarray(point, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    momentum_step = momentum * velocity
    gradient_step = -learning_rate * np.array(surface.gradient(*point))
    ahead = point + momentum_step
    lookahead_gradient_step = -learning_rate * np.array(surface.gradient(*ahead))
    return MomentumStep(
        point,
        velocity,
        momentum_step,
        gradient_step,
        lookahead_gradient_step,
        momentum_step + gradient_step,
        momentum_step + lookahead_gradient_step,
    )


def plot_momentum_step(
    parts: MomentumStep, ax: Axes, *, nesterov: bool, zoom: float | None = 2.5
) -> dict[str, object]:
    """Draw the parts of one momentum (or Nesterov) update as labelled arrows.

    With ``zoom`` the axes are limited to a square around the arrows, ``zoom`` times as
    wide as the larger side of the box holding all their ends, so that a step of a few
    hundredths is visible.
    """
    arrows = {}

    def arrow(origin, vector, color, label):
        arrows[label] = ax.quiver(
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

    w = parts.point
    arrow(w - parts.previous_step, parts.previous_step, "0.5", "previous step")
    arrow(w, parts.momentum_step, "#009E73", "momentum step")
    if nesterov:
        arrow(
            w + parts.momentum_step,
            parts.lookahead_gradient_step,
            "#D55E00",
            "gradient step at the look-ahead point",
        )
        arrow(w, parts.nesterov, "#0072B2", "resulting step")
    else:
        arrow(w, parts.gradient_step, "#D55E00", "gradient step")
        arrow(w, parts.classical, "#0072B2", "resulting step")
    if zoom:
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
    ax.legend(loc="lower right", fontsize="small", framealpha=0.85)
    return arrows
