"""Weight initializers in numpy, with the formulas of ``keras.initializers``.

A dense layer's weight matrix has shape (fan_in, fan_out): fan_in inputs per unit and
fan_out units. Why the scale matters: each pre-activation is a sum of fan_in terms, so
with weights of standard deviation sigma its variance is about fan_in * sigma**2 times
the variance of the inputs. Choosing sigma ~ 1 / sqrt(fan_in) keeps the activations from
shrinking or blowing up from layer to layer.

Keras' ``VarianceScaling`` family, with n = fan_in, fan_out or (fan_in + fan_out) / 2:

======================  =====  ========  ===================================================
name                    scale  n         distribution
======================  =====  ========  ===================================================
``glorot_normal``       1      average   truncated normal, std sqrt(scale / n) / 0.8796...
``glorot_uniform``      1      average   uniform in [-limit, limit], limit = sqrt(3 scale / n)
``he_normal``           2      fan_in    truncated normal, std sqrt(scale / n) / 0.8796...
``he_uniform``          2      fan_in    uniform in [-limit, limit], limit = sqrt(3 scale / n)
======================  =====  ========  ===================================================

All four give weights with standard deviation sqrt(scale / n): sqrt(2 / (fan_in +
fan_out)) for Glorot (Xavier), sqrt(2 / fan_in) for He. The truncated normal throws away
(and redraws) values more than two standard deviations from 0; that cut makes the
spread smaller by the factor 0.87962566103423978, which the larger standard deviation
of the untruncated normal makes up for. ``random_normal`` is a plain (untruncated)
normal with standard deviation ``stddev`` (Keras' default 0.05), and ``zeros`` is all
zeros: fine for biases, bad for weights (every unit of a layer stays identical).
"""

from __future__ import annotations

import math

import numpy as np

from lecture_nn import _validation as check

__all__ = [
    "INITIALIZERS",
    "RANDOM_NORMAL_STDDEV",
    "TRUNCATED_NORMAL_STD",
    "check_initializer_name",
    "expected_std",
    "initialize",
    "truncated_normal",
]

#: The initializer names, spelled as in ``keras.initializers``.
INITIALIZERS = (
    "zeros",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "random_normal",
)

#: Standard deviation of a standard normal truncated to [-2, 2]. Keras divides by it
#: so that the truncated samples have the intended standard deviation.
TRUNCATED_NORMAL_STD = 0.87962566103423978

#: Default ``stddev`` of ``keras.initializers.RandomNormal``.
RANDOM_NORMAL_STDDEV = 0.05

# name -> (scale, which fan n is, distribution) of keras.initializers.VarianceScaling.
_VARIANCE_SCALING = {
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
}


def check_initializer_name(name, argument: str = "name") -> str:
    """Return ``name`` if it is one of :data:`INITIALIZERS`.

    Parameters
    ----------
    name : str
        An initializer name, spelled as in ``keras.initializers``.
    argument : str
        The caller's parameter name, for the error message.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    TypeError
        If ``name`` or ``argument`` is not a string.
    ValueError
        If ``name`` is not one of :data:`INITIALIZERS` (the message lists them), or
        ``argument`` is empty.
    """
    argument = check.text(argument, "argument")
    return check.choice(name, argument, INITIALIZERS)


def _fan(mode: str, fan_in: int, fan_out: int) -> float:
    """Return the n of VarianceScaling: fan_in, fan_out or their average."""
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def expected_std(name: str, fan_in: int, fan_out: int, stddev: float = RANDOM_NORMAL_STDDEV):
    """Return the standard deviation the initializer ``name`` aims for, from its formula.

    Glorot: sqrt(2 / (fan_in + fan_out)); He: sqrt(2 / fan_in); random_normal: ``stddev``;
    zeros: 0.

    Parameters
    ----------
    name : str
        One of :data:`INITIALIZERS`.
    fan_in, fan_out : int
        Inputs and units of the layer, each >= 1.
    stddev : float
        Standard deviation of ``random_normal`` (> 0; checked for every name, used by
        that one only).

    Returns
    -------
    float
        The standard deviation of the weights the formula aims for.

    Raises
    ------
    TypeError, ValueError
        If an argument is of the wrong type or out of range (the message names it).
    """
    check_initializer_name(name)
    fan_in = check.positive_int(fan_in, "fan_in")
    fan_out = check.positive_int(fan_out, "fan_out")
    stddev = check.positive(stddev, "stddev")
    if name == "zeros":
        return 0.0
    if name == "random_normal":
        return stddev
    scale, mode, _ = _VARIANCE_SCALING[name]
    return math.sqrt(scale / _fan(mode, fan_in, fan_out))


def _generator(rng, seed) -> np.random.Generator:
    """Return the generator: ``rng``, a new one seeded with ``seed``, or an unseeded one."""
    if rng is not None and seed is not None:
        raise ValueError("pass either rng or seed, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    return np.random.default_rng(None if seed is None else check.seed(seed))


def truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    """Draw normal samples with standard deviation ``std``, redrawn until within 2 std.

    This is how Keras (``keras.random.truncated_normal``) samples; about 4.6 % of the
    draws are outside the bounds and are drawn again.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator to draw from.
    shape : tuple of int
        Shape of the result; every entry >= 1.
    std : float
        Standard deviation of the normal before truncation, > 0.

    Returns
    -------
    numpy.ndarray
        float64 samples of shape ``shape``, all within [-2 std, 2 std].

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or ``shape`` not a sequence of ints.
    ValueError
        If a size in ``shape`` is below 1 or ``std`` is not a finite number > 0.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    shape = tuple(check.sizes(shape, "shape"))
    std = check.positive(std, "std")
    samples = rng.normal(0.0, std, size=shape)
    outside = np.abs(samples) > 2 * std
    while np.any(outside):
        samples[outside] = rng.normal(0.0, std, size=int(np.count_nonzero(outside)))
        outside = np.abs(samples) > 2 * std
    return samples


def initialize(
    name: str,
    fan_in: int,
    fan_out: int,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    stddev: float = RANDOM_NORMAL_STDDEV,
) -> np.ndarray:
    """Draw a (fan_in, fan_out) weight matrix with the Keras initializer ``name``.

    Parameters
    ----------
    name : str
        One of :data:`INITIALIZERS`.
    fan_in, fan_out : int
        Inputs and units of the layer, each >= 1.
    rng : numpy.random.Generator, optional
        The generator to draw from (e.g. to initialize several layers from one stream).
    seed : int, optional
        Seed of a new generator, in [0, 2**32 - 1]; pass ``rng`` or ``seed``, not both.
        With neither, the draw is random.
    stddev : float
        Standard deviation of ``random_normal`` (> 0; checked for every name).

    Returns
    -------
    numpy.ndarray
        float64 weights of shape (fan_in, fan_out).

    Raises
    ------
    TypeError, ValueError
        If an argument is of the wrong type or out of range (the message names it), or
        both ``rng`` and ``seed`` are given.
    """
    check_initializer_name(name)
    fan_in = check.positive_int(fan_in, "fan_in")
    fan_out = check.positive_int(fan_out, "fan_out")
    stddev = check.positive(stddev, "stddev")
    generator = _generator(rng, seed)
    shape = (fan_in, fan_out)
    if name == "zeros":
        return np.zeros(shape)
    if name == "random_normal":
        return generator.normal(0.0, stddev, size=shape)
    scale, mode, distribution = _VARIANCE_SCALING[name]
    n = _fan(mode, fan_in, fan_out)
    if distribution == "uniform":
        # A uniform distribution on [-limit, limit] has standard deviation limit / sqrt(3).
        limit = math.sqrt(3.0 * scale / n)
        return generator.uniform(-limit, limit, size=shape)
    return truncated_normal(generator, shape, math.sqrt(scale / n) / TRUNCATED_NORMAL_STD)
