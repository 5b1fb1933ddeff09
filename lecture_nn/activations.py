"""Activation functions and their derivatives, in numpy.

Every function takes an array-like ``z`` of pre-activations (any shape) and returns an
array of the same shape; integers are promoted to float64, float32 stays float32. All of
them are safe for large inputs (±1000 and beyond): no overflow warnings, no nan.

The derivative at a kink follows TensorFlow's gradient kernels (``ReluGrad`` and
``LeakyReluGrad``), so the numbers match what Keras backpropagates: ReLU'(0) = 0 and
leaky ReLU'(0) = ``negative_slope``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lecture_nn import _validation as check

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "LEAKY_RELU_SLOPE",
    "OUTPUT_ACTIVATIONS",
    "Activation",
    "get_activation",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_jacobian",
    "softmax_vjp",
    "tanh",
    "tanh_derivative",
]

#: The negative slope used in the lecture and by Maas et al. (2013). Keras' own default
#: for ``keras.activations.leaky_relu`` is 0.2, so pass it explicitly when comparing.
LEAKY_RELU_SLOPE = 0.01


def _as_float_array(z, argument: str = "z") -> np.ndarray:
    """``z`` as a float array: float32/float64 kept, integers and bools promoted to float64.

    NaN and infinities pass (element-wise functions map NaN to NaN); complex, string and
    object arrays are refused by :func:`lecture_nn._validation.as_array`.
    """
    dtype = getattr(z, "dtype", None)
    if dtype is None or np.dtype(dtype).kind != "f":
        dtype = np.float64
    return check.as_array(z, argument, finite=False, dtype=dtype)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow for any z."""
    z = _as_float_array(z)
    # exp(-|z|) never overflows; the two branches are the same function rearranged.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_derivative(z):
    """Compute the derivative of the sigmoid: sigmoid(z) * (1 - sigmoid(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, (exp(z) - exp(-z)) / (exp(z) + exp(-z)) = 2 sigmoid(2z) - 1."""
    return np.tanh(_as_float_array(z))


def tanh_derivative(z):
    """Compute the derivative of tanh: 1 - tanh(z)**2."""
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit max(0, z)."""
    z = _as_float_array(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_derivative(z):
    """Compute ReLU's derivative: 1 where z > 0, else 0 (0 at the kink, as TF's ReluGrad)."""
    z = _as_float_array(z)
    return (z > 0).astype(z.dtype)


def _check_slope(negative_slope) -> float:
    return check.non_negative(negative_slope, "negative_slope")


def leaky_relu(z, negative_slope: float = LEAKY_RELU_SLOPE):
    """Leaky ReLU: z where z > 0, else ``negative_slope * z``."""
    slope = _check_slope(negative_slope)
    z = _as_float_array(z)
    return np.where(z > 0, z, slope * z).astype(z.dtype, copy=False)


def leaky_relu_derivative(z, negative_slope: float = LEAKY_RELU_SLOPE):
    """Compute leaky ReLU's derivative: 1 where z > 0, else ``negative_slope`` (at 0 too)."""
    slope = _check_slope(negative_slope)
    z = _as_float_array(z)
    return np.where(z > 0, 1.0, slope).astype(z.dtype, copy=False)


def linear(z):
    """Identity (no activation), used for regression outputs."""
    return _as_float_array(z).copy()


def linear_derivative(z):
    """Compute the derivative of the identity: 1 everywhere, including z = 0."""
    return np.ones_like(_as_float_array(z))


def softmax(z, axis: int = -1):
    """Softmax exp(z_i) / sum_j exp(z_j) along ``axis`` (the last one by default).

    Subtracting the maximum first leaves the result unchanged and keeps exp() from
    overflowing, so logits of ±1000 are fine.
    """
    z = _as_float_array(z)
    if z.ndim == 0:
        raise ValueError("softmax needs at least one axis of logits, got a scalar z")
    axis = check.integer(axis, "axis", minimum=-z.ndim, maximum=z.ndim - 1)
    if z.shape[axis] == 0:
        raise ValueError(f"z needs at least one logit along axis {axis}, got shape {z.shape}")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(z):
    """Jacobian of the softmax along the last axis.

    For logits of shape (..., k) returns shape (..., k, k) with
    ``J[..., i, j] = d softmax_i / d z_j = s_i * (delta_ij - s_j)``.
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def softmax_vjp(z, upstream):
    """Vector-Jacobian product of the softmax along the last axis, without forming J.

    Given logits ``z`` and the gradient of a loss with respect to the softmax output
    ``upstream`` (both shape (..., k)), returns dL/dz = s * (upstream - sum(upstream * s)),
    shape (..., k). This is what backpropagation through a softmax layer computes.
    """
    s = softmax(z)
    upstream = _as_float_array(upstream, "upstream")
    if upstream.shape != s.shape:
        raise ValueError(f"upstream must have the shape of z {s.shape}, got {upstream.shape}")
    return s * (upstream - np.sum(upstream * s, axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative and the formula shown in the course."""

    name: str
    function: Callable
    derivative: Callable
    formula: str  # LaTeX, without dollar signs
    derivative_formula: str

    def __call__(self, z):
        """Apply the activation to ``z`` (any shape)."""
        return self.function(z)


ACTIVATIONS = {
    "sigmoid": Activation(
        "sigmoid",
        sigmoid,
        sigmoid_derivative,
        r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        r"\sigma(z)\,(1 - \sigma(z))",
    ),
    "tanh": Activation(
        "tanh",
        tanh,
        tanh_derivative,
        r"\tanh(z) = \frac{2}{1 + e^{-2z}} - 1",
        r"1 - \tanh^2(z)",
    ),
    "relu": Activation(
        "relu",
        relu,
        relu_derivative,
        r"\mathrm{relu}(z) = \max(0, z)",
        r"1 \text{ if } z > 0 \text{ else } 0",
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        leaky_relu,
        leaky_relu_derivative,
        r"z \text{ if } z > 0 \text{ else } 0.01\,z",
        r"1 \text{ if } z > 0 \text{ else } 0.01",
    ),
    "linear": Activation(
        "linear",
        linear,
        linear_derivative,
        r"g(z) = z",
        r"1",
    ),
    "softmax": Activation(
        "softmax",
        softmax,
        softmax_jacobian,
        r"\mathrm{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^k e^{z_j}}",
        r"s_i(\delta_{ij} - s_j)",
    ),
}

#: Activations used in hidden layers, in the order the course presents them.
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
#: Activations used in output layers.
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")


def get_activation(name: str) -> Activation:
    """Return the :class:`Activation` called ``name``.

    Parameters
    ----------
    name : str
        One of :data:`ACTIVATIONS`: sigmoid, tanh, relu, leaky_relu, linear, softmax.

    Returns
    -------
    Activation
        The function, its derivative and their formulas.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not one of the activations (the message lists them).
    """
    return ACTIVATIONS[check.choice(name, "name", ACTIVATIONS)]
