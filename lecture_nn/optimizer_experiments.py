"""The computations behind notebook 05's statements: Adam's bias correction, zig-zags, cycles.

Each function or configuration here is used by a figure or a printed table of the notebook
and by its claims register (``tests/test_claims_nb05.py``), so the text, the figure and the
test share one computation. Plain numpy; importing this module never loads Keras.
"""

from __future__ import annotations

import numpy as np

from lecture_nn import _validation as check
from lecture_nn.optimizers import OptimizerPath, make_optimizer
from lecture_nn.schedules import CyclicalLearningRate

__all__ = [
    "CYCLICAL_TWO_CYCLES",
    "INCREASING_MOMENTUM",
    "ZIGZAG_LEARNING_RATE",
    "adam_wrong_correction_ratio",
    "direction_changes",
    "sutskever_momentum",
]

#: A cyclical learning rate that works on Beale: 0.001 up to 0.08 and back in 50 updates
#: (half-period ``step_size`` 25), so 100 updates are two whole cycles.
CYCLICAL_TWO_CYCLES = make_optimizer(
    "sgd",
    CyclicalLearningRate(1e-3, 0.08, step_size=25, mode="triangular"),
    label="SGD + cyclical rate 0.001-0.08 (2 cycles)",
)

#: Plain SGD's learning rate that zig-zags on the quadratic bowl f = 0.1 x^2 + 2.5 y^2:
#: each update multiplies y by 1 - 5 * 0.35 = -0.75 (a sign change) and x by 0.93.
ZIGZAG_LEARNING_RATE = 0.35


def adam_wrong_correction_ratio(
    gradients, beta_1: float = 0.9, beta_2: float = 0.999
) -> np.ndarray:
    """Adam's step with the corrections 1 - beta, divided by the step with 1 - beta**t.

    Runs Adam's moving averages m and v (both from 0, float64, epsilon 0) over
    ``gradients``, shape (T,) for one weight (nonzero), and returns, for t = 1 .. T, the
    step m / (1 - beta_1) / sqrt(v / (1 - beta_2)) divided by the correct step
    m / (1 - beta_1**t) / sqrt(v / (1 - beta_2**t)); shape (T,).

    Parameters
    ----------
    gradients : array_like, shape (T,)
        One weight's gradients, finite and nonzero.
    beta_1, beta_2 : float
        Adam's decay rates of the moving averages, in [0, 1).

    Returns
    -------
    numpy.ndarray, shape (T,)
        The ratio of the wrongly corrected step to the correct one at each t.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it.
    """
    gradients = check.as_array(gradients, "gradients", ndim=1, min_size=1)
    if np.any(gradients == 0):
        raise ValueError("gradients must be nonzero (Adam's step is 0 / 0 for a zero gradient)")
    beta_1 = check.probability(beta_1, "beta_1", include_one=False)
    beta_2 = check.probability(beta_2, "beta_2", include_one=False)
    m = v = 0.0
    ratios = np.empty(len(gradients))
    for index, g in enumerate(gradients):
        t = index + 1
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        wrong = (m / (1 - beta_1)) / np.sqrt(v / (1 - beta_2))
        right = (m / (1 - beta_1**t)) / np.sqrt(v / (1 - beta_2**t))
        ratios[index] = wrong / right
    return ratios


def direction_changes(path: OptimizerPath, axis: int = 1) -> int:
    """How often a path's step along ``axis`` (0: x, 1: y) reverses its sign.

    Counts the pairs of consecutive updates whose steps along ``axis`` have opposite signs
    (a zig-zag across that axis); steps of exactly 0 count as no reversal.

    Parameters
    ----------
    path : OptimizerPath
        A simulated path (``points`` of shape (n + 1, 2)).
    axis : int
        0 for x, 1 for y.

    Returns
    -------
    int
        The number of reversals.
    """
    axis = check.integer(axis, "axis", minimum=0, maximum=1)
    if not isinstance(path, OptimizerPath):
        raise TypeError(f"path must be an OptimizerPath (from simulate), got {type(path).__name__}")
    steps = np.diff(np.asarray(path.points, dtype=float)[:, axis])
    return int(np.sum(np.sign(steps[1:]) * np.sign(steps[:-1]) < 0))


def sutskever_momentum(step, period: int = 10, maximum: float = 0.9):
    """Return Sutskever et al. (2013)'s increasing momentum at ``step``.

    The momentum is min(1 - 2^(-1 - log2(floor(step / period) + 1)), maximum): 0.5 for
    the first ``period`` updates, then 0.75, 0.83, 0.875, ... The paper uses ``period``
    250; our 100-update paths use 10.

    Parameters
    ----------
    step : int or array_like of int
        Updates made (0, 1, ...), >= 0.
    period : int
        Updates per stage, >= 1.
    maximum : float
        The cap, a momentum in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        The momentum, of the shape of ``step``.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it.
    """
    step = np.asarray(step)
    if not np.issubdtype(step.dtype, np.integer) or np.any(step < 0):
        raise ValueError(f"step must be integers >= 0, got {step!r}")
    period = check.positive_int(period, "period")
    maximum = check.probability(maximum, "maximum", include_one=False)  # a momentum: [0, 1)
    momentum = np.minimum(1.0 - 2.0 ** (-1.0 - np.log2(step // period + 1)), maximum)
    return float(momentum) if momentum.ndim == 0 else momentum


#: SGD with the zoo's learning rate 0.005 and Sutskever's increasing momentum (up to 0.9),
#: to compare with the zoo's constant momentum 0.9.
INCREASING_MOMENTUM = make_optimizer(
    "sgd", 0.005, momentum=sutskever_momentum, label="Momentum increasing to 0.9"
)
