"""Exercises of notebook 03 (activations): leaky ReLU, its derivative, a stable softmax."""

from __future__ import annotations

import numpy as np

from lecture_nn import activations
from lecture_nn.exercises.core import Case, Diagnosis, FunctionExercise

__all__ = ["leaky_relu", "leaky_relu_grad", "stable_softmax"]


def _arrays(*values) -> list[Case]:
    return [Case({"z": np.array(value, dtype=float)}) for value in values]


def _slope(slope: float):
    return lambda z: np.where(z > 0, z, slope * z)


leaky_relu = FunctionExercise(
    "nb03.leaky_relu",
    title="Leaky ReLU",
    prompt=(
        "Write `leaky_relu(z)`: $z$ where $z > 0$, else $0.01\\,z$, element-wise for an array "
        "`z` of any shape (the result has the same shape). Use numpy, not the course's "
        "`leaky_relu`."
    ),
    blank=(
        "def leaky_relu(z):\n"
        '    """Leaky ReLU with slope 0.01 for z <= 0, element-wise."""\n'
        "    ..."
    ),
    solution=(
        "def leaky_relu(z):\n"
        '    """Leaky ReLU with slope 0.01 for z <= 0, element-wise."""\n'
        "    return np.where(z > 0, z, 0.01 * z)"
    ),
    hints=(
        "Two cases, chosen element by element: keep z where it is positive, scale it down "
        "where it is not.",
        "np.where(condition, a, b) takes a where the condition holds and b elsewhere; the "
        "condition here is z > 0. (Python's `if` does not work element-wise on arrays.)",
        "The two branches are z itself and 0.01 * z.",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like the slope for negative inputs is 0.1; the course's leaky ReLU uses "
            "0.01 (0.1 only in the plot, to make the leak visible).",
            _slope(0.1),
        ),
        Diagnosis(
            "Looks like the slope for negative inputs is 0.2, Keras' default for its "
            "leaky_relu; here it is 0.01.",
            _slope(0.2),
        ),
        Diagnosis(
            "This is the plain ReLU: negative inputs give 0, but the leaky ReLU keeps a small "
            "slope, 0.01 z, there.",
            lambda z: np.maximum(z, 0.0),
        ),
        Diagnosis(
            "Looks like you took the maximum of 0.01 and z: that clips negative inputs to 0.01 "
            "instead of scaling them by 0.01.",
            lambda z: np.maximum(0.01, z),
        ),
        Diagnosis(
            "The two branches are swapped: positive inputs stay as they are, and negative ones "
            "are multiplied by 0.01.",
            lambda z: np.where(z > 0, 0.01 * z, z),
        ),
    ),
    reference=activations.leaky_relu,
    cases=lambda: _arrays(
        [-2.0, -0.5, 0.0, 0.5, 3.0],
        [[-10.0, 4.0], [0.25, -0.01]],
        np.random.default_rng(3).normal(scale=5.0, size=(3, 4)).round(2),
    ),
)

leaky_relu_grad = FunctionExercise(
    "nb03.leaky_relu_grad",
    title="The derivative of leaky ReLU",
    prompt=(
        "Write `leaky_relu_grad(z)`, the derivative of your `leaky_relu` with respect "
        "to `z`, element-wise, with the shape of `z`. (At $z = 0$ the function has a kink; "
        "either value is accepted there, TensorFlow uses 0.01.) The name differs from the "
        "course's `leaky_relu_derivative` so that the cells above keep using the course's."
    ),
    blank=(
        "def leaky_relu_grad(z):\n"
        '    """Derivative of leaky_relu (slope 0.01) at every entry of z."""\n'
        "    ..."
    ),
    solution=(
        "def leaky_relu_grad(z):\n"
        '    """Derivative of leaky_relu (slope 0.01) at every entry of z."""\n'
        "    return np.where(z > 0, 1.0, 0.01)"
    ),
    hints=(
        "Each branch of leaky_relu is a straight line; the derivative of a straight line is "
        "its slope.",
        "For z > 0 the function is z, with slope 1; for z < 0 it is 0.01 z, with slope 0.01 "
        "(a constant, not 0.01 z).",
        "np.where(z > 0, 1.0, 0.01) gives an array with the shape of z.",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like the slope for negative inputs is 0.1; here it is 0.01.",
            lambda z: np.where(z > 0, 1.0, 0.1),
        ),
        Diagnosis(
            "Your derivative is 0 for negative inputs: that is the derivative of the plain "
            "ReLU. The leaky ReLU's slope there is 0.01.",
            lambda z: np.where(z > 0, 1.0, 0.0),
        ),
        Diagnosis(
            "You return the leaky ReLU itself, not its derivative (its slope).",
            _slope(0.01),
        ),
        Diagnosis(
            "For negative inputs you return 0.01 z; the derivative of 0.01 z is the constant 0.01.",
            lambda z: np.where(z > 0, 1.0, 0.01 * z),
        ),
        Diagnosis(
            "The two branches are swapped: the slope is 1 for positive inputs and 0.01 for "
            "negative ones.",
            lambda z: np.where(z > 0, 0.01, 1.0),
        ),
    ),
    reference=activations.leaky_relu_derivative,
    # No z = 0: at the kink both one-sided slopes are accepted, so it is not checked.
    cases=lambda: _arrays(
        [-2.0, -0.5, 0.5, 3.0],
        [[-10.0, 4.0], [0.25, -0.01]],
        np.random.default_rng(4).normal(scale=5.0, size=(3, 4)).round(2) + 0.005,
    ),
)


def _softmax_along(axis: int, sum_keepdims: bool = True, shift: str = "row"):
    """Return a softmax with one of the typical mistakes, for the diagnoses."""

    def softmax(z):
        top = z.max() if shift == "all" else z.max(axis=axis, keepdims=True)
        e = np.exp(z - top)
        return e / e.sum(axis=axis, keepdims=sum_keepdims)

    return softmax


def _softmax_cases() -> list[Case]:
    return _arrays(
        [1.0, 2.0, 3.0],
        [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]],
        [[1.0, 0.0, -1.0], [2.0, 2.0, 2.0], [0.5, 1.5, -3.0]],
        [1000.0, 999.0, 0.0],  # exp(1000) overflows
        # One maximum for the whole array would leave exp(-800) = 0 for the whole second row.
        [[400.0, 399.0, 0.0], [-400.0, -401.0, -402.0]],
        [[[1.0, 2.0, 0.5], [0.0, -1.0, 1.0]], [[3.0, 3.0, 3.0], [-2.0, 0.0, 2.0]]],
    )


def _unshifted(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _max_without_keepdims(z):
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1, keepdims=True)


stable_softmax = FunctionExercise(
    "nb03.stable_softmax",
    title="A numerically stable softmax",
    prompt=(
        "Write `stable_softmax(z)` for logits `z` of any shape with at least one axis: the "
        "softmax along the **last** axis, $e^{z_i} / \\sum_j e^{z_j}$, so that every row "
        "(every 1-D slice along the last axis) is positive and sums to 1. It must work for "
        "logits like `[1000, 999, 0]` without overflowing: the check makes numpy raise an "
        "error where it would normally only warn."
    ),
    blank=(
        "def stable_softmax(z):\n"
        '    """Softmax of the logits z along the last axis, without overflow."""\n'
        "    ..."
    ),
    solution=(
        "def stable_softmax(z):\n"
        '    """Softmax of the logits z along the last axis, without overflow."""\n'
        "    # Subtracting each row's maximum cancels in the ratio and keeps exp() <= 1.\n"
        "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)"
    ),
    hints=(
        "The ratio does not change if you subtract the same number from every logit of a "
        "row; choose a number that keeps every exponent <= 0.",
        "Subtract each row's largest logit: z.max(axis=-1, keepdims=True). axis=-1 is the "
        "last axis whatever the number of axes, and keepdims=True keeps a length-1 axis so "
        "that the result broadcasts back against z.",
        "e = np.exp(z - z.max(axis=-1, keepdims=True)), then divide e by its sum along the "
        "same axis, again with keepdims=True.",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like the largest logit is not subtracted first: exp(1000) overflows (to inf, "
            "and inf / inf is nan).",
            _unshifted,
        ),
        Diagnosis(
            "Looks like you normalise along the wrong axis (axis 0): each slice along the "
            "last axis must sum to 1.",
            _softmax_along(0),
        ),
        Diagnosis(
            "Looks like you use axis=1, which is the last axis only for 2-D input; axis=-1 "
            "always is.",
            _softmax_along(1),
        ),
        Diagnosis(
            "Your outputs are not normalised: divide by their sum along the last axis.",
            lambda z: np.exp(z - z.max(axis=-1, keepdims=True)),
        ),
        Diagnosis(
            "Looks like you subtract one maximum for the whole array instead of each row's "
            "own: a row far below it underflows to all zeros, and 0 / 0 is nan.",
            _softmax_along(-1, shift="all"),
        ),
        Diagnosis(
            "Looks like keepdims=True is missing in the sum: without it the sums lose their "
            "axis and broadcast against the wrong one.",
            _softmax_along(-1, sum_keepdims=False),
        ),
        Diagnosis(
            "Looks like keepdims=True is missing in the maximum: without it the row maxima "
            "lose their axis and are subtracted along the wrong one.",
            _max_without_keepdims,
        ),
    ),
    reference=activations.softmax,
    cases=_softmax_cases,
)

EXERCISES = {
    exercise.short_name: exercise for exercise in (leaky_relu, leaky_relu_grad, stable_softmax)
}
