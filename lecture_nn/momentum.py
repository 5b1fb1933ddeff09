"""One momentum update split into its parts: the numbers behind notebook 05's arrow figure.

:func:`momentum_step_parts` computes, at a point of a path, the momentum step, the gradient
step (at the point, or at Nesterov's look-ahead point) and their sums; the drawing is
:func:`lecture_nn.optimizer_plots.plot_momentum_step`. Plain numpy; importing this module
never loads Keras. Coordinates and steps are in the surface's (dimensionless) units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lecture_nn import _validation as check
from lecture_nn.surfaces import Surface, get_surface

__all__ = ["MomentumStep", "momentum_step_parts"]


@dataclass
class MomentumStep:
    """The parts of one momentum update at a point of a path.

    Attributes
    ----------
    point : numpy.ndarray, shape (2,)
        Where the update starts, w.
    previous_step : numpy.ndarray, shape (2,)
        The velocity v carried into the update (the previous step).
    momentum_step : numpy.ndarray, shape (2,)
        ``momentum * v``.
    gradient_step : numpy.ndarray, shape (2,)
        ``-learning_rate * grad L(w)``.
    lookahead_gradient_step : numpy.ndarray, shape (2,)
        ``-learning_rate * grad L(w + momentum * v)``: the gradient at the look-ahead point.
    classical : numpy.ndarray, shape (2,)
        The classical (Polyak) step, ``momentum_step + gradient_step``.
    nesterov : numpy.ndarray, shape (2,)
        Nesterov's step, ``momentum_step + lookahead_gradient_step``.
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

    Classical momentum (Polyak 1964): ``v' = momentum * v - learning_rate * grad L(w)``.
    Nesterov (Sutskever et al. 2013): ``v' = momentum * v - learning_rate * grad L(w +
    momentum * v)``, the gradient taken where the momentum step would land.

    Parameters
    ----------
    surface : Surface or str
        The loss surface, or its name in :data:`lecture_nn.surfaces.SURFACES`.
    point : sequence of 2 floats
        Where the update starts, (x, y).
    velocity : sequence of 2 floats
        The velocity carried into the update (the previous step), (x, y).
    learning_rate : float
        The step size, > 0.
    momentum : float
        The momentum, in [0, 1).

    Returns
    -------
    MomentumStep
        The parts of the update, each of shape (2,), float64.

    Raises
    ------
    TypeError, ValueError
        A bad argument: the message names it and says what is allowed.
    """
    surface = get_surface(surface)
    point = check.as_array(point, "point", ndim=1)
    velocity = check.as_array(velocity, "velocity", ndim=1)
    for name, vector in (("point", point), ("velocity", velocity)):
        if vector.shape != (2,):
            raise ValueError(f"{name} must hold 2 numbers (x, y), got shape {vector.shape}")
    learning_rate = check.positive(learning_rate, "learning_rate")
    momentum = check.probability(momentum, "momentum", include_one=False)
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
