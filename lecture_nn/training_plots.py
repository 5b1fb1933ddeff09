"""Watching a network learn: replay a recorded training run, step by step.

:class:`TrainingReplay` takes a :class:`~lecture_nn.network.Network` and the
:class:`~lecture_nn.network.TrainingRun` recorded while training it on 2-D data, and draws,
for any update step: the network with its actual weights at that step (edges coloured by
sign, width by magnitude, one colour scale for the whole run), the decision boundary the
network computes at that step, and the loss curve up to that step. The run is computed
once; moving through it only updates the artists' data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lecture_nn import style
from lecture_nn._plotting import Drawing
from lecture_nn.diagrams import NetworkDrawing, draw_network

__all__ = ["ReplayArtists", "TrainingReplay"]


@dataclass
class ReplayArtists:
    """The artists a replay updates: the diagram, the probability image, the loss marks.

    Attributes
    ----------
    diagram : NetworkDrawing
        The network diagram (its edges are recoloured at every step).
    image : matplotlib.image.AxesImage
        The probability of class 1 on the grid.
    boundary_axes, loss_axes : matplotlib.axes.Axes
        The middle and right axes.
    loss_line, loss_marker : matplotlib.lines.Line2D
        The loss up to the step, and the step's point.
    """

    diagram: NetworkDrawing
    image: object
    boundary_axes: object
    loss_line: object
    loss_marker: object
    loss_axes: object


class TrainingReplay:
    """Draw a recorded training run at any step: diagram, decision boundary, loss curve.

    Use as ``interactive_figure(replay.draw, step=(0, replay.steps, 1), clear=False,
    layout=None)``.

    Parameters
    ----------
    network : lecture_nn.network.Network
        The architecture, with 2 inputs (its weights are not changed).
    run : lecture_nn.network.TrainingRun
        The weights and the loss after every update.
    X : array_like, shape (n_samples, 2)
        The training inputs.
    y : array_like, shape (n_samples,)
        The training labels, 0 or 1.
    resolution : int
        Grid points per side of the decision-boundary image.
    margin : float
        Space around the data in the image, in the inputs' units.
    """

    def __init__(self, network, run, X, y, *, resolution: int = 80, margin: float = 0.5):
        from lecture_nn import _validation as check
        from lecture_nn.network import Network, TrainingRun

        if not isinstance(network, Network):
            raise TypeError(f"network must be a lecture_nn Network, got {type(network).__name__}")
        if not isinstance(run, TrainingRun):
            raise TypeError(f"run must be the TrainingRun of train(), got {type(run).__name__}")
        resolution = check.positive_int(resolution, "resolution", maximum=1000)
        margin = check.non_negative(margin, "margin")
        X = check.as_array(X, "X", ndim=2, min_size=1)
        y = check.as_array(y, "y", ndim=(1, 2)).ravel()
        if X.shape[1] != 2:
            raise ValueError(f"X must have shape (n_samples, 2) to draw a boundary, got {X.shape}")
        if len(y) != len(X) or not np.all(np.isin(y, (0, 1))):
            raise ValueError(f"y must hold one label, 0 or 1, per row of X ({len(X)} rows)")
        if network.layer_sizes[0] != 2:
            raise ValueError(
                f"the network must have 2 inputs to draw a boundary, has {network.layer_sizes[0]}"
            )
        if len(run.weights) < 1 or len(run.losses) != len(run.weights):
            raise ValueError("run must hold the weights and the loss after each update")
        self.network = network.copy()
        self.run = run
        self.X, self.y = X, y
        self.steps = len(run.weights) - 1
        # One colour scale for the whole run, so that colours compare between steps.
        self.weight_limit = max(float(np.abs(w).max()) for ws in run.weights for w in ws)
        low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
        self.extent = (low[0], high[0], low[1], high[1])
        xx, yy = np.meshgrid(
            np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
        )
        self._grid = np.column_stack([xx.ravel(), yy.ravel()])
        self._shape = xx.shape
        self._figure = None
        self._diagram_axes = None
        self._artists: ReplayArtists | None = None

    def _check_step(self, step) -> int:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step must be an integer, got {step!r}")
        if not 0 <= step <= self.steps:
            raise ValueError(f"step must be between 0 and {self.steps}, got {step}")
        return int(step)

    def probabilities(self, step: int) -> np.ndarray:
        """Return the network's output (probability of class 1) on the grid after ``step`` updates.

        Parameters
        ----------
        step : int
            Number of updates, 0 to :attr:`steps`.

        Returns
        -------
        numpy.ndarray, shape (resolution, resolution)
            Rows follow the second input, columns the first.
        """
        self.network.set_weights(self.run.weights[self._check_step(step)])
        output = self.network.predict(self._grid)
        return output[:, -1].reshape(self._shape)

    def accuracy(self, step: int) -> float:
        """Return the fraction of training points on the right side of 0.5 after ``step`` updates.

        Parameters
        ----------
        step : int
            Number of updates, 0 to :attr:`steps`.

        Returns
        -------
        float
            The training accuracy, 0 to 1.
        """
        self.network.set_weights(self.run.weights[self._check_step(step)])
        predicted = self.network.predict(self.X)[:, -1] > 0.5
        return float(np.mean(predicted == (self.y > 0.5)))

    def _kernels_and_biases(self, step: int):
        weights = self.run.weights[step]
        return weights[0::2], weights[1::2]

    def _build(self, fig) -> ReplayArtists:
        fig.clear()
        diagram_ax = fig.add_axes((0.0, 0.08, 0.38, 0.84))
        self._diagram_axes = diagram_ax
        boundary_ax = fig.add_axes((0.42, 0.12, 0.26, 0.78))
        loss_ax = fig.add_axes((0.76, 0.12, 0.22, 0.78))
        kernels, biases = self._kernels_and_biases(0)
        diagram = draw_network(
            self.network.layer_sizes,
            ax=diagram_ax,
            weights=kernels,
            biases=biases,
            draw_bias=True,
            weight_limit=self.weight_limit,
            colorbar=False,
        )
        image = boundary_ax.imshow(
            self.probabilities(0),
            origin="lower",
            extent=self.extent,
            aspect="auto",
            cmap=style.DIVERGING_CMAP,
            vmin=0,
            vmax=1,
            alpha=0.55,
            interpolation="bilinear",
        )
        boundary_ax.scatter(
            self.X[:, 0],
            self.X[:, 1],
            c=self.y,
            cmap=style.BINARY_CMAP,
            vmin=0,
            vmax=1,
            s=12,
            edgecolors="white",
            linewidths=0.4,
        )
        boundary_ax.set_xticks([])
        boundary_ax.set_yticks([])
        steps = np.arange(self.steps + 1)
        loss_ax.plot(steps, self.run.losses, color="0.85", linewidth=1.2)
        (loss_line,) = loss_ax.plot(steps[:1], self.run.losses[:1], color=style.OKABE_ITO[0])
        (loss_marker,) = loss_ax.plot(
            [0], [self.run.losses[0]], "o", color=style.OKABE_ITO[1], markersize=4
        )
        loss_ax.set_xlabel("update step")
        loss_ax.set_ylabel(f"training loss ({self.network.loss})")
        # Titles at the course's title size (11 pt on screen): the figure is wide and is
        # often shown scaled down, so nothing in it is smaller than the tick labels.
        diagram_ax.set_title("weights (red > 0, blue < 0)")
        loss_ax.set_xlim(0, max(self.steps, 1))
        return ReplayArtists(diagram, image, boundary_ax, loss_line, loss_marker, loss_ax)

    def draw(self, fig, step: int = 0) -> Drawing:
        """Draw (or update) the replay in ``fig`` at update ``step``.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure; the first call (or a figure cleared since) lays out three axes,
            later calls update their artists in place.
        step : int
            Number of updates, 0 to :attr:`steps`.

        Returns
        -------
        Drawing
            The three axes; the artists of :class:`ReplayArtists` by the same names
            (``diagram``, ``image``, ``boundary_axes``, ``loss_line``, ``loss_marker``,
            ``loss_axes``); and a description of the step's state.
        """
        step = self._check_step(step)
        if (
            self._figure is not fig
            or self._artists is None
            or self._artists.loss_axes not in fig.axes
        ):
            self._artists = self._build(fig)
            self._figure = fig
        artists = self._artists
        kernels, biases = self._kernels_and_biases(step)
        artists.diagram.update_weights(kernels, biases)
        artists.image.set_data(self.probabilities(step))
        artists.loss_line.set_data(np.arange(step + 1), self.run.losses[: step + 1])
        artists.loss_marker.set_data([step], [self.run.losses[step]])
        accuracy = self.accuracy(step)
        artists.boundary_axes.set_title(f"step {step}: accuracy {accuracy:.2f}")
        artists.loss_axes.set_title(f"loss {self.run.losses[step]:.3f}")
        sizes = "-".join(str(n) for n in self.network.layer_sizes)
        description = (
            f"Training replay of a {sizes} network at update {step} of {self.steps}: its "
            f"weights, its decision boundary on the {len(self.y)} training points (accuracy "
            f"{accuracy:.2f}) and the loss curve up to the step (loss {self.run.losses[step]:.3f})."
        )
        return Drawing(
            (self._diagram_axes, artists.boundary_axes, artists.loss_axes),
            {name: getattr(artists, name) for name in artists.__dataclass_fields__},
            description,
        )
