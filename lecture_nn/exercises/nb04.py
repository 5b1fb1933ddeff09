"""Exercises of notebook 04 (initialisation): He (normal) and Glorot (uniform) initialisers.

A random initialiser cannot be compared number by number, so an answer is checked by what
matters: the shape, the mean (about 0), the standard deviation of a large sample (within
2.5 % of the formula's), whether the values are uniform or bell-shaped, and whether they
come from the generator passed in. Reference samples come from
:func:`lecture_nn.initializers.initialize`, which follows ``keras.initializers``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lecture_nn.exercises.core import (
    AnswerError,
    Case,
    Diagnosis,
    FunctionExercise,
    Raised,
    real_numbers,
    same,
)
from lecture_nn.initializers import TRUNCATED_NORMAL_STD, initialize

__all__ = ["glorot_uniform", "he_normal"]

#: (fan_in, fan_out) of the layers the answers are tried on: 50,000 to 130,000 weights each.
FANS = ((400, 300), (128, 1024), (1000, 50))

#: Relative tolerance for the standard deviation of a sample (its own noise, the relative
#: standard error 1 / sqrt(2 n) of a normal sample's standard deviation, is at most 0.32 %).
STD_RTOL = 0.025

#: A sample whose largest |w| stays below this many standard deviations is uniform: a
#: uniform distribution ends at sqrt(3) = 1.73 std, Keras' truncated normal at 2.27 std and
#: a plain normal sample of this size (50,000 or more) almost surely reaches beyond 3.5 std
#: (the chance that it stays inside is below 1e-10).
UNIFORM_BELOW = 1.9


@dataclass(frozen=True)
class SampleSummary:
    """What the checks look at in a sample of weights."""

    shape: tuple[int, ...]
    mean: float
    std: float
    max_abs: float

    @property
    def uniform(self) -> bool:
        """True for a sample spread like a uniform distribution (no tails)."""
        return self.max_abs < UNIFORM_BELOW * self.std

    @property
    def kind(self) -> str:
        return "uniform" if self.uniform else "normal (bell-shaped)"


def summarize(sample) -> SampleSummary:
    """Return the shape, mean, standard deviation and largest magnitude of a sample of weights.

    Parameters
    ----------
    sample : array_like
        The weights an initialiser returned (a frozen copy, see
        :func:`lecture_nn.exercises.core.freeze`, or any array).

    Returns
    -------
    SampleSummary
        Its statistics.

    Raises
    ------
    AnswerError
        If the sample is None, not real numbers (complex ones included), or not finite.
    """
    array, problem = real_numbers(sample)
    if problem is not None:
        if sample is None:
            raise AnswerError("your function returned None (is a `return` missing?)")
        raise AnswerError(f"your function must return an array of real numbers: {problem}")
    if array.size < 2 or not np.all(np.isfinite(array)):
        raise AnswerError("your function must return finite numbers (no nan or inf)")
    return SampleSummary(
        shape=array.shape,
        mean=float(array.mean()),
        std=float(array.std()),
        max_abs=float(np.abs(array).max()),
    )


class InitializerExercise(FunctionExercise):
    """Checks an initialiser ``f(fan_in, fan_out, rng)`` by the statistics of its samples."""

    def call(self, function, args):
        return summarize(function(*args))

    def compare(self, expected: SampleSummary, got: SampleSummary) -> str | None:
        if got.shape != expected.shape:
            return f"expected an array of shape {expected.shape}, got shape {got.shape}"
        if abs(got.mean - expected.mean) > 0.05 * expected.std:
            return f"the mean of your weights is {got.mean:.3g}; it should be about 0"
        if abs(got.std / expected.std - 1) > STD_RTOL:
            return (
                f"the standard deviation of your weights is {got.std:.4g}; expected about "
                f"{expected.std:.4g}"
            )
        if got.uniform != expected.uniform:
            return (
                f"your weights look {got.kind} (largest |w| = {got.max_abs / got.std:.2f} "
                f"standard deviations); expected {expected.kind} weights"
            )
        return None

    def success_message(self, function, count: int) -> str:
        return (
            f"{getattr(function, '__name__', 'your function')} gives weights with the right "
            f"shape, mean, spread and distribution for all {count} layer sizes, "
            "drawn from rng."
        )

    def final_check(self, function) -> str | None:
        samples = [self.attempt(function, 400, 300, np.random.default_rng(7)) for _ in "ab"]
        for sample in samples:
            if isinstance(sample, Raised):  # it ran on every case, so this is unlikely
                return f"your function raised {sample} on a second call."
        if not same(samples[0], samples[1]):
            return (
                "the statistics are right, but your weights do not come from the generator "
                "rng: two generators with the same seed gave different weights. Draw them with "
                "rng's methods, not np.random.*."
            )
        return None


def _cases() -> list[Case]:
    return [
        Case(
            {"fan_in": fan_in, "fan_out": fan_out, "rng": np.random.default_rng(seed)},
            label=f"fan_in = {fan_in}, fan_out = {fan_out}",
        )
        for seed, (fan_in, fan_out) in enumerate(FANS)
    ]


def _normal(std_of):
    """Return a plain normal initialiser whose standard deviation is ``std_of(fan_in, fan_out)``."""
    return lambda fan_in, fan_out, rng: rng.normal(0.0, std_of(fan_in, fan_out), (fan_in, fan_out))


def _uniform(limit_of):
    """Return a uniform initialiser on [-limit, limit], limit = ``limit_of(fan_in, fan_out)``."""

    def draw(fan_in, fan_out, rng):
        limit = limit_of(fan_in, fan_out)
        return rng.uniform(-limit, limit, (fan_in, fan_out))

    return draw


he_normal = InitializerExercise(
    "nb04.he_normal",
    title="He initialisation",
    prompt=(
        "Write `he_normal(fan_in, fan_out, rng)`: a weight matrix of shape "
        "`(fan_in, fan_out)` drawn from a normal distribution with mean 0 and the standard "
        "deviation of He initialisation, $\\sqrt{2 / \\text{fan\\_in}}$. Draw the numbers "
        "with the generator `rng` (a `numpy.random.Generator`). A plain normal distribution "
        "is fine; Keras' truncated one is too. The check looks at the statistics of large "
        "samples."
    ),
    blank=(
        "def he_normal(fan_in, fan_out, rng):\n"
        '    """He-initialised weights, shape (fan_in, fan_out), drawn with rng."""\n'
        "    ..."
    ),
    solution=(
        "def he_normal(fan_in, fan_out, rng):\n"
        '    """He-initialised weights, shape (fan_in, fan_out), drawn with rng."""\n'
        "    std = np.sqrt(2.0 / fan_in)\n"
        "    return rng.normal(0.0, std, size=(fan_in, fan_out))"
    ),
    hints=(
        "Two steps: compute the standard deviation from fan_in, then draw a (fan_in, "
        "fan_out) array of normal numbers with it.",
        "rng.normal(loc, scale, size) draws normal numbers; its scale is the standard "
        "deviation, not the variance.",
        "std = np.sqrt(2.0 / fan_in); return rng.normal(0.0, std, size=(fan_in, fan_out)).",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like you used the variance 2 / fan_in as the standard deviation: the "
            "square root is missing.",
            _normal(lambda fan_in, fan_out: 2.0 / fan_in),
        ),
        Diagnosis(
            "Looks like you used fan_in + fan_out (Glorot's choice); He initialisation "
            "scales with fan_in alone.",
            _normal(lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out))),
        ),
        Diagnosis(
            "Looks like you used fan_out where He initialisation uses fan_in (the number of "
            "inputs of each unit, the first dimension of the matrix).",
            _normal(lambda fan_in, fan_out: math.sqrt(2.0 / fan_out)),
        ),
        Diagnosis(
            "Looks like the factor 2 is missing: sqrt(1 / fan_in) is LeCun initialisation; "
            "He doubles the variance because ReLU zeroes half of its inputs.",
            _normal(lambda fan_in, fan_out: math.sqrt(1.0 / fan_in)),
        ),
        Diagnosis(
            "Looks like you truncated the normal at two standard deviations without "
            "rescaling: the cut makes the spread smaller by 0.88, which Keras makes up for "
            "by dividing the standard deviation by 0.8796 first.",
            lambda fan_in, fan_out, rng: (
                initialize("he_normal", fan_in, fan_out, rng=rng) * TRUNCATED_NORMAL_STD
            ),
        ),
        Diagnosis(
            "Your weights are uniformly distributed; he_normal draws from a normal "
            "distribution (rng.normal).",
            _uniform(lambda fan_in, fan_out: math.sqrt(6.0 / fan_in)),
        ),
    ),
    reference=lambda fan_in, fan_out, rng: initialize("he_normal", fan_in, fan_out, rng=rng),
    cases=_cases,
)

glorot_uniform = InitializerExercise(
    "nb04.glorot_uniform",
    title="Glorot initialisation",
    prompt=(
        "Write `glorot_uniform(fan_in, fan_out, rng)`: a weight matrix of shape "
        "`(fan_in, fan_out)` drawn uniformly from $[-\\ell, \\ell]$, with the limit $\\ell$ "
        "chosen so that the standard deviation is Glorot's "
        "$\\sigma = \\sqrt{2 / (\\text{fan\\_in} + \\text{fan\\_out})}$ (a uniform distribution "
        "on $[-\\ell, \\ell]$ has standard deviation $\\ell / \\sqrt{3}$). Draw the numbers with "
        "`rng`."
    ),
    blank=(
        "def glorot_uniform(fan_in, fan_out, rng):\n"
        '    """Glorot-uniform weights, shape (fan_in, fan_out), drawn with rng."""\n'
        "    ..."
    ),
    solution=(
        "def glorot_uniform(fan_in, fan_out, rng):\n"
        '    """Glorot-uniform weights, shape (fan_in, fan_out), drawn with rng."""\n'
        "    limit = np.sqrt(3.0) * np.sqrt(2.0 / (fan_in + fan_out))  # = sqrt(6 / (in + out))\n"
        "    return rng.uniform(-limit, limit, size=(fan_in, fan_out))"
    ),
    hints=(
        "Find the limit from the standard deviation you want, then draw uniform numbers "
        "between -limit and limit.",
        "The standard deviation of a uniform distribution on [-limit, limit] is limit / "
        "sqrt(3), so the limit is sqrt(3) times Glorot's sigma.",
        "limit = np.sqrt(6.0 / (fan_in + fan_out)); return rng.uniform(-limit, limit, "
        "size=(fan_in, fan_out)).",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like you used Glorot's standard deviation as the limit: a uniform "
            "distribution on [-limit, limit] has standard deviation limit / sqrt(3), so the "
            "limit needs the factor sqrt(3).",
            _uniform(lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out))),
        ),
        Diagnosis(
            "Looks like the square root is missing: 6 / (fan_in + fan_out) is the square of "
            "the limit (a variance-like quantity), not the limit.",
            _uniform(lambda fan_in, fan_out: 6.0 / (fan_in + fan_out)),
        ),
        Diagnosis(
            "Looks like you used fan_in alone (He's choice); Glorot uses fan_in + fan_out.",
            _uniform(lambda fan_in, fan_out: math.sqrt(6.0 / fan_in)),
        ),
        Diagnosis(
            "Looks like the factor 2 is missing: Glorot's variance is 2 / (fan_in + fan_out), "
            "the inverse of the average fan, not of the sum.",
            _uniform(lambda fan_in, fan_out: math.sqrt(3.0 / (fan_in + fan_out))),
        ),
        Diagnosis(
            "Your weights are normally distributed; glorot_uniform draws uniformly from "
            "[-limit, limit] (rng.uniform).",
            _normal(lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out))),
        ),
        Diagnosis(
            "Your weights are all positive: draw from [-limit, limit], centred at 0, not from "
            "[0, limit].",
            lambda fan_in, fan_out, rng: rng.uniform(
                0.0, math.sqrt(6.0 / (fan_in + fan_out)), (fan_in, fan_out)
            ),
        ),
    ),
    reference=lambda fan_in, fan_out, rng: initialize("glorot_uniform", fan_in, fan_out, rng=rng),
    cases=_cases,
)

EXERCISES = {exercise.short_name: exercise for exercise in (he_normal, glorot_uniform)}
