"""Decision boundaries of 2-D classifiers, and the ReLU-vs-tanh comparison on two moons.

Replaces mglearn's ``plot_2d_classification``: works with any fitted scikit-learn-style
classifier that has ``predict_proba``, ``decision_function`` or ``predict``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from lecture_nn import style


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


@dataclass
class BoundaryPlot:
    """What :func:`plot_decision_boundary` drew."""

    ax: Axes
    grid: DecisionGrid
    fill: object
    boundary: object
    points: object | None


def _check_points(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (n_samples, 2) with n_samples >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains nan or inf")
    return X


def decision_grid(model, X, *, resolution: int = 200, margin: float = 0.5) -> DecisionGrid:
    """Evaluate a binary classifier on a ``resolution`` x ``resolution`` grid around ``X``."""
    X = _check_points(X)
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
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
    ax: Axes | None = None,
    *,
    resolution: int = 200,
    margin: float = 0.5,
    alpha: float = 0.3,
) -> BoundaryPlot:
    """Shade the two predicted regions of a fitted binary classifier and draw its boundary.

    ``X`` has shape (n_samples, 2); ``y`` (optional, labels 0/1) colours the points.
    """
    X = _check_points(X)
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    grid = decision_grid(model, X, resolution=resolution, margin=margin)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=style.figsize(4, 4))
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
    return BoundaryPlot(ax, grid, fill, boundary, points)


@dataclass
class FitResult:
    """A fitted model with its test accuracy and fit time in seconds."""

    model: object
    accuracy: float
    seconds: float


class MoonsActivationComparison:
    """Multi-layer perceptrons with ReLU and with tanh on the two-moons data set.

    Each (activation, depth) pair is fitted once and kept, so a widget that moves back
    and forth over the depth only draws.
    """

    def __init__(
        self, *, n_samples: int = 100, noise: float = 0.25, units: int = 10, seed: int = 3
    ):
        from sklearn.datasets import make_moons
        from sklearn.model_selection import train_test_split

        X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, stratify=y, random_state=42
        )
        self.units = units
        self._fits: dict[tuple[str, int], FitResult] = {}

    def fit(self, activation: str, n_hidden_layers: int) -> FitResult:
        """Fit (or return the kept fit of) an MLP with ``n_hidden_layers`` layers of ``units``."""
        from sklearn.neural_network import MLPClassifier

        if activation not in ("relu", "tanh", "logistic", "identity"):
            raise ValueError(
                f"activation must be one of relu, tanh, logistic, identity, got {activation!r}"
            )
        if not isinstance(n_hidden_layers, int) or n_hidden_layers < 1:
            raise ValueError(f"n_hidden_layers must be an integer >= 1, got {n_hidden_layers!r}")
        key = (activation, n_hidden_layers)
        if key not in self._fits:
            model = MLPClassifier(
                hidden_layer_sizes=[self.units] * n_hidden_layers,
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

    def draw(self, fig, n_hidden_layers: int = 2) -> list[BoundaryPlot]:
        """Draw the ReLU and tanh boundaries side by side into ``fig``."""
        axes = fig.subplots(1, 2)
        plots = []
        for ax, activation in zip(axes, ("relu", "tanh")):
            result = self.fit(activation, n_hidden_layers)
            plots.append(plot_decision_boundary(result.model, self.X_train, self.y_train, ax=ax))
            ax.set_title(
                f"{activation}: test accuracy {result.accuracy:.2f}, fit {result.seconds:.2f} s"
            )
        return plots
