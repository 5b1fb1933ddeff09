"""Decision boundaries of 2-D classifiers, and the ReLU-vs-tanh comparison on two moons.

Replaces mglearn's ``plot_2d_classification``: works with any fitted scikit-learn-style
classifier that has ``predict_proba``, ``decision_function`` or ``predict``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from lecture_nn import _plotting, style
from lecture_nn import _validation as check
from lecture_nn._plotting import Drawing
from lecture_nn.widgets import StatusLine

__all__ = [
    "BoundaryPlot",
    "DecisionGrid",
    "FitResult",
    "MoonsActivationComparison",
    "decision_grid",
    "plot_decision_boundary",
]


@dataclass
class DecisionGrid:
    """Scores of a classifier on a regular grid: ``xx``, ``yy`` and ``scores``, shape (n, n).

    ``scores`` is the probability of the positive class (``predict_proba``), the decision
    function, or the predicted label, whichever the model offers first; ``threshold`` is
    the value at which the predicted class changes.
    """

    xx: np.ndarray
    yy: np.ndarray
    scores: np.ndarray
    threshold: float


#: What :func:`plot_decision_boundary` returns (its former name): a :class:`Drawing`.
BoundaryPlot = Drawing


def _check_points(X) -> np.ndarray:
    """``X`` as a finite float array of shape (n_samples, 2), n_samples >= 1."""
    X = check.as_array(X, "X", ndim=2, min_size=1)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2) with n_samples >= 1, got {X.shape}")
    return X


def decision_grid(model, X, *, resolution: int = 200, margin: float = 0.5) -> DecisionGrid:
    """Evaluate a binary classifier on a ``resolution`` x ``resolution`` grid around ``X``.

    Parameters
    ----------
    model : classifier
        A fitted scikit-learn-style binary classifier with ``predict_proba``,
        ``decision_function`` or ``predict`` (the first one it has is used).
    X : array_like, shape (n_samples, 2)
        The points the grid covers (finite), n_samples >= 1.
    resolution : int
        Grid points per axis, >= 2 (a numpy integer counts).
    margin : float
        Space added around the points on every side, in the units of ``X``, >= 0.

    Returns
    -------
    DecisionGrid
        ``xx``, ``yy`` and ``scores`` of shape (resolution, resolution) and the threshold.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it), or the model has
        more than two classes.
    """
    X = _check_points(X)
    resolution = check.integer(resolution, "resolution", minimum=2)
    margin = check.non_negative(margin, "margin")
    low = X.min(axis=0) - margin
    high = X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    points = np.column_stack([xx.ravel(), yy.ravel()])
    if hasattr(model, "predict_proba"):
        probabilities = model.predict_proba(points)
        if probabilities.shape[1] != 2:
            raise ValueError("decision_grid draws binary classifiers; this model has more classes")
        scores, threshold = probabilities[:, 1], 0.5
    elif hasattr(model, "decision_function"):
        scores, threshold = model.decision_function(points), 0.0
    elif hasattr(model, "predict"):
        scores, threshold = model.predict(points).astype(float), 0.5
    else:
        raise TypeError(
            "model must be a fitted classifier with predict_proba, decision_function or predict"
        )
    return DecisionGrid(xx, yy, np.asarray(scores, dtype=float).reshape(xx.shape), threshold)


def plot_decision_boundary(
    model,
    X,
    y=None,
    *,
    ax: Axes | None = None,
    resolution: int = 200,
    margin: float = 0.5,
    alpha: float = 0.3,
) -> Drawing:
    """Shade the two predicted regions of a fitted binary classifier and draw its boundary.

    Parameters
    ----------
    model : classifier
        A fitted binary classifier (see :func:`decision_grid`).
    X : array_like, shape (n_samples, 2)
        The points (finite).
    y : array_like, shape (n_samples,), optional
        Labels 0/1 that colour the points; without them no points are drawn.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made only when None.
    resolution : int
        Grid points per axis, >= 2.
    margin : float
        Space around the points, in the units of ``X``, >= 0.
    alpha : float
        Opacity of the shaded regions, in [0, 1].

    Returns
    -------
    Drawing
        Artists ``grid`` (the :class:`DecisionGrid`), ``fill`` (the regions), ``boundary``
        (the contour at the threshold) and ``points`` (None without ``y``).

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    X = _check_points(X)
    if y is not None:
        y = check.as_array(y, "y", ndim=1)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must hold the labels 0 and 1 only")
    alpha = check.probability(alpha, "alpha")
    grid = decision_grid(model, X, resolution=resolution, margin=margin)
    ax = _plotting.axes_or_new(ax, (4, 4))
    predicted = (grid.scores > grid.threshold).astype(float)
    fill = ax.contourf(
        grid.xx, grid.yy, predicted, levels=[-0.5, 0.5, 1.5], cmap=style.BINARY_CMAP, alpha=alpha
    )
    boundary = ax.contour(
        grid.xx, grid.yy, grid.scores, levels=[grid.threshold], colors="black", linewidths=1.0
    )
    points = None
    if y is not None:
        points = ax.scatter(
            X[:, 0],
            X[:, 1],
            c=y,
            cmap=style.BINARY_CMAP,
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidths=0.5,
            s=25,
        )
    ax.set_xlim(grid.xx.min(), grid.xx.max())
    ax.set_ylim(grid.yy.min(), grid.yy.max())
    ax.set_xticks([])
    ax.set_yticks([])
    n = grid.xx.shape[0]
    description = (
        f"Decision regions of a binary classifier on a {n} x {n} grid over "
        f"x1 from {grid.xx.min():.3g} to {grid.xx.max():.3g} and x2 from {grid.yy.min():.3g} "
        f"to {grid.yy.max():.3g}: {predicted.mean():.0%} of the grid is predicted class 1"
    )
    if y is not None:
        description += f"; {len(X)} points, {int(np.sum(y == 1))} of them of class 1"
    artists = {"grid": grid, "fill": fill, "boundary": boundary, "points": points}
    return Drawing(axes=(ax,), artists=artists, description=description + ".")


@dataclass
class FitResult:
    """A fitted model with its test accuracy, its L-BFGS iterations and fit time in seconds."""

    model: object
    accuracy: float
    seconds: float

    @property
    def iterations(self) -> int:
        """The number of L-BFGS iterations the fit took (deterministic, unlike the time)."""
        return int(self.model.n_iter_)


class MoonsActivationComparison:
    """Multi-layer perceptrons with ReLU and with tanh on the two-moons data set.

    Each (activation, depth) pair is fitted once and kept together with its decision grid,
    so a widget that moves back and forth over the depth only draws. :meth:`fit_all` fits
    every depth the widget offers up front, showing its progress, so that no view of the
    widget waits for a fit.
    """

    #: The activations compared, in the order they are drawn (left, right).
    ACTIVATIONS = ("relu", "tanh")

    def __init__(
        self,
        *,
        n_samples: int = 100,
        noise: float = 0.25,
        units: int = 10,
        seed: int = 3,
        resolution: int = 200,
    ):
        from sklearn.datasets import make_moons
        from sklearn.model_selection import train_test_split

        n_samples = check.integer(n_samples, "n_samples", minimum=4)
        noise = check.non_negative(noise, "noise")
        units = check.positive_int(units, "units")
        seed = check.seed(seed)
        resolution = check.integer(resolution, "resolution", minimum=2)
        X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, stratify=y, random_state=42
        )
        self.units = units
        self.resolution = resolution
        self._fits: dict[tuple[str, int], FitResult] = {}
        self._grids: dict[tuple[str, int], DecisionGrid] = {}
        self._drawn: tuple | None = None  # (figure, axes, artists) of the last draw

    def fit(self, activation: str, n_hidden_layers: int) -> FitResult:
        """Fit (or return the kept fit of) an MLP with ``n_hidden_layers`` layers of ``units``."""
        from sklearn.neural_network import MLPClassifier

        check.choice(activation, "activation", ("relu", "tanh", "logistic", "identity"))
        key = (activation, check.positive_int(n_hidden_layers, "n_hidden_layers"))
        if key not in self._fits:
            model = MLPClassifier(
                hidden_layer_sizes=[self.units] * key[1],
                activation=activation,
                solver="lbfgs",
                max_iter=5000,
                random_state=0,
            )
            start = time.perf_counter()
            model.fit(self.X_train, self.y_train)
            seconds = time.perf_counter() - start
            self._fits[key] = FitResult(model, model.score(self.X_test, self.y_test), seconds)
        return self._fits[key]

    def grid(self, activation: str, n_hidden_layers: int) -> DecisionGrid:
        """Return the fitted model's probabilities on the drawing grid (computed once, kept)."""
        result = self.fit(activation, n_hidden_layers)
        key = (activation, int(n_hidden_layers))
        if key not in self._grids:
            self._grids[key] = decision_grid(result.model, self.X_train, resolution=self.resolution)
        return self._grids[key]

    def fit_all(self, depths=range(1, 5), *, progress: bool = True) -> MoonsActivationComparison:
        """Fit ReLU and tanh networks of every depth in ``depths`` (numbers of hidden layers).

        Also computes their decision grids. With ``progress`` a notebook shows one line that
        counts the fits as they finish and ends with their total time. Returns ``self``.
        """
        progress = check.boolean(progress, "progress")
        if isinstance(depths, (str, bytes)):
            raise TypeError(f"depths must be numbers of hidden layers, got {depths!r}")
        depths = check.sizes(depths, "depths")
        keys = [(activation, depth) for depth in depths for activation in self.ACTIVATIONS]
        status = StatusLine(f"Fitting {len(keys)} networks ...") if progress else None
        start = time.perf_counter()
        for done, (activation, depth) in enumerate(keys, start=1):
            self.grid(activation, depth)
            if status is not None:
                status.update(
                    f"Fitting {len(keys)} networks ... {done} done ({activation}, {depth} "
                    f"hidden layer{'s' if depth > 1 else ''})"
                )
        if status is not None:
            status.update(
                f"Fitted {len(keys)} networks ({' and '.join(self.ACTIVATIONS)}, "
                f"{min(depths)} to {max(depths)} hidden layers) in "
                f"{time.perf_counter() - start:.1f} s."
            )
        return self

    def _first_draw(self, fig) -> tuple:
        """Create the two panels: regions (an image), boundary (lines), points and titles."""
        from matplotlib.collections import LineCollection

        axes = list(np.atleast_1d(fig.subplots(1, len(self.ACTIVATIONS))))
        if fig.get_layout_engine() is None:
            # Fixed margins: no layout pass at every redraw (it took two thirds of the time).
            fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.91, wspace=0.04)
        artists = []
        for ax in axes:
            grid = self.grid(self.ACTIVATIONS[0], 1)  # any grid: the extent is the same
            extent = (grid.xx.min(), grid.xx.max(), grid.yy.min(), grid.yy.max())
            image = ax.imshow(
                np.zeros(grid.xx.shape),
                extent=extent,
                origin="lower",
                cmap=style.BINARY_CMAP,
                vmin=0,
                vmax=1,
                alpha=0.3,
                interpolation="nearest",
                aspect="auto",
            )
            boundary = ax.add_collection(LineCollection([], colors="black", linewidths=1.0))
            ax.scatter(
                self.X_train[:, 0],
                self.X_train[:, 1],
                c=self.y_train,
                cmap=style.BINARY_CMAP,
                vmin=0,
                vmax=1,
                edgecolors="white",
                linewidths=0.5,
                s=25,
            )
            ax.set_xlim(extent[:2])
            ax.set_ylim(extent[2:])
            ax.set_xticks([])
            ax.set_yticks([])
            artists.append((image, boundary))
        return fig, axes, artists

    def describe(self, n_hidden_layers: int = 2) -> str:
        """Return the sentence describing what :meth:`draw` shows for ``n_hidden_layers``.

        Returns
        -------
        str
            E.g. "Decision boundaries of two-moons classifiers with 2 hidden layers of 10
            units, on 75 training points: relu has test accuracy 0.92 after 80 L-BFGS
            iterations and predicts class 1 on 48% of the plane shown; tanh ..."
        """
        parts = []
        for activation in self.ACTIVATIONS:
            result = self.fit(activation, n_hidden_layers)
            grid = self.grid(activation, n_hidden_layers)
            share = float(np.mean(grid.scores > grid.threshold))
            parts.append(
                f"{activation} has test accuracy {result.accuracy:.2f} after "
                f"{result.iterations} L-BFGS iterations and predicts class 1 on {share:.0%} "
                "of the plane shown"
            )
        layers = "1 hidden layer" if n_hidden_layers == 1 else f"{n_hidden_layers} hidden layers"
        return (
            f"Decision boundaries of two-moons classifiers with {layers} of {self.units} "
            f"units, on {len(self.X_train)} training points: {'; '.join(parts)}."
        )

    def draw(self, fig, n_hidden_layers: int = 2) -> list:
        """Draw the ReLU and tanh boundaries side by side into ``fig``; return the two axes.

        Each title gives the test accuracy and the number of L-BFGS iterations of the fit;
        the figure's description (:func:`lecture_nn._plotting.figure_description`) is
        :meth:`describe`'s. Drawing into the figure of the previous call updates its
        artists in place (use ``interactive_figure(..., clear=False, layout=None)``),
        which keeps a redraw fast.
        """
        import contourpy

        if self._drawn is None or self._drawn[0] is not fig or self._drawn[1][0] not in fig.axes:
            fig.clear()  # panels of an earlier layout in this figure would show stale fits
            self._drawn = self._first_draw(fig)
        _, axes, artists = self._drawn
        for ax, (image, boundary), activation in zip(axes, artists, self.ACTIVATIONS):
            result = self.fit(activation, n_hidden_layers)
            grid = self.grid(activation, n_hidden_layers)
            image.set_data((grid.scores > grid.threshold).astype(float))
            lines = contourpy.contour_generator(grid.xx, grid.yy, grid.scores).lines(grid.threshold)
            boundary.set_segments(lines)
            ax.set_title(
                f"{activation}: test accuracy {result.accuracy:.2f}, {result.iterations} iterations"
            )
        _plotting.record_description(axes, self.describe(n_hidden_layers))
        return axes
