"""Learning-rate schedules in numpy, with the formulas and argument names of Keras.

A schedule maps the optimizer step to a learning rate: ``schedule(step) -> float``, where
``step`` is the number of updates already applied (0 for the first update), exactly what
Keras passes in as ``optimizer.iterations``. Every schedule also accepts an array of
steps (any shape) and then returns a float32 array of the same shape.

The arithmetic is float32, in the order of the Keras source
(``keras/src/optimizers/schedules/learning_rate_schedule.py``), so the values equal what a
Keras optimizer uses. :func:`lecture_nn.keras_schedules.to_keras` turns a schedule into
the equivalent Keras schedule. This module imports neither Keras nor
:mod:`lecture_nn.keras_schedules` (which imports this one: the dependency runs one way).
:class:`CyclicalLearningRate` (Smith 2017) has no Keras counterpart; its Keras twin lives
in :mod:`lecture_nn.keras_schedules`.

TensorFlow evaluates ``cos``, ``log`` and ``pow`` of a scalar step with the C library's
``cosf``, ``logf`` and ``powf``; the schedules call the same functions (through ctypes,
one value at a time), because numpy's vectorised float32 ``cos`` and ``log`` differ from
them in the last bit for about one value in six. Where the C library cannot be loaded,
the float64 result rounded to float32 is used instead (equal to within one unit in the
last place).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import itertools
import math
from dataclasses import KW_ONLY, dataclass, fields

import numpy as np

from lecture_nn import _validation as check

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "CyclicalLearningRate",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "Schedule",
]

_F32 = np.float32
_ZERO = _F32(0.0)
_ONE = _F32(1.0)
_TWO = _F32(2.0)

CYCLICAL_MODES = ("triangular", "triangular2", "exp_range")


# --- argument checks: the rules of lecture_nn._validation, plus the steps of a call ------


def _set(schedule, **values) -> None:
    """Store checked, normalised field values on a frozen schedule."""
    for name, value in values.items():
        object.__setattr__(schedule, name, value)


def _rate_and_steps(schedule, steps_field: str = "decay_steps") -> None:
    """Check the fields every decay schedule has: a positive initial rate and period.

    The period (``decay_steps``, ``first_decay_steps``) is a positive real number of
    updates, not necessarily whole: Keras accepts 37.5 and so do we.
    """
    _set(
        schedule,
        initial_learning_rate=check.positive(
            schedule.initial_learning_rate, "initial_learning_rate"
        ),
        **{steps_field: check.positive(getattr(schedule, steps_field), steps_field)},
    )


def _open_zero(value, argument: str) -> float:
    """Check a number in (0, 1]: a probability that must not be 0 (a per-step factor)."""
    value = check.finite_real(value, argument)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{argument} must be a number in (0, 1], got {value}")
    return value


def _as_steps(step) -> tuple[np.ndarray, bool]:
    """Validate ``step`` (number or array of numbers >= 0); return (array, was_scalar)."""
    if isinstance(step, (bool, np.bool_)):
        raise TypeError("step must be an int or an array of ints, got bool")
    try:
        steps = np.asarray(step)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"step must be an int or an array of ints, got {step!r}") from error
    if steps.dtype.kind not in "iuf":
        raise TypeError(f"step must be an int or an array of ints, got dtype {steps.dtype}")
    if steps.dtype.kind == "f" and not np.all(np.isfinite(steps)):
        raise ValueError("step must be finite")
    if np.any(steps < 0):
        raise ValueError("step must be >= 0 (the number of updates already applied)")
    return steps, steps.ndim == 0


def _pow32(base, exponent) -> np.ndarray:
    """float32 ``base ** exponent`` for a scalar base, element by element.

    TensorFlow evaluates the scalar ``pow`` of an optimizer step with the C library's
    ``powf``; numpy's float32 scalar power calls the same function, while numpy's
    vectorised float32 power (SIMD) can differ in the last bit. Looping over scalars
    keeps every value identical to what Keras computes. Overflow gives inf, silently.
    """
    base = np.float32(base)
    exponent = np.asarray(exponent, dtype=np.float32)
    with np.errstate(over="ignore", under="ignore"):
        values = [base**e for e in exponent.ravel()]
    return _flush_subnormals(np.asarray(values, dtype=np.float32).reshape(exponent.shape))


def _power32(base, exponent) -> np.ndarray:
    """float32 ``base ** exponent`` element by element, both arrays (broadcast) or scalars.

    Like :func:`_pow32` (the C library's ``powf`` through numpy's scalar power), for an
    array of bases; subnormal results are flushed to 0.
    """
    base, exponent = np.broadcast_arrays(
        np.asarray(base, dtype=np.float32), np.asarray(exponent, dtype=np.float32)
    )
    with np.errstate(all="ignore"):
        values = [b**e for b, e in zip(base.ravel(), exponent.ravel())]
    return _flush_subnormals(np.asarray(values, dtype=np.float32).reshape(base.shape))


@functools.cache
def _c_float_function(name: str):
    """Return the C library's float32 function ``name`` (e.g. ``"cosf"``), or None."""
    path = ctypes.util.find_library("m")
    try:
        function = getattr(ctypes.CDLL(path), name)
    except (OSError, AttributeError, TypeError):
        return None
    function.restype = ctypes.c_float
    function.argtypes = [ctypes.c_float]
    return function


def _unary32(name: str, values) -> np.ndarray:
    """``cosf``/``logf`` of the C library (as TensorFlow calls it) on a float32 array.

    Falls back to Python's float64 ``math`` function rounded to float32 when the C library
    is not found. Subnormal results are flushed to 0.
    """
    values = np.asarray(values, dtype=np.float32)
    function = _c_float_function(name + "f")
    if function is None:
        fallback = getattr(math, name)

        def function(v):
            try:
                return fallback(v)
            except ValueError:  # log of a number <= 0
                return -math.inf if v == 0 else math.nan

    with np.errstate(all="ignore"):
        results = [function(float(v)) for v in values.ravel()]
    return _flush_subnormals(np.asarray(results, dtype=np.float32).reshape(values.shape))


def _flush_subnormals(values: np.ndarray) -> np.ndarray:
    """Set float32 subnormals (|v| < 1.2e-38) to 0, as TensorFlow's CPU kernels do."""
    return np.where(np.abs(values) < np.finfo(np.float32).tiny, _ZERO, values).astype(np.float32)


# --- the schedules ---------------------------------------------------------------------


class Schedule:
    """Base class: ``schedule(step)`` -> learning rate; subclasses implement ``_rates``."""

    def __call__(self, step):
        """Return the learning rate for ``step``.

        Parameters
        ----------
        step : int or array_like of int
            Updates already applied (>= 0; 0 for the first update), any shape.

        Returns
        -------
        float or numpy.ndarray
            A Python float for a scalar step, else a float32 array of the step's shape.

        Raises
        ------
        TypeError, ValueError
            ``step`` is not a number (or array of numbers) >= 0.
        """
        steps, scalar = _as_steps(step)
        with np.errstate(all="ignore"):  # absurdly large steps overflow float32: inf/nan
            rates = _flush_subnormals(self._rates(steps))
        return float(rates) if scalar else rates

    def _rates(self, steps: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        """Return the constructor arguments as a dict (Keras' names, without ``name``).

        Returns
        -------
        dict
            The fields by name; tuples become lists, as in Keras' configs.
        """
        config = {}
        for item in fields(self):
            value = getattr(self, item.name)
            config[item.name] = list(value) if isinstance(value, tuple) else value
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a schedule from ``get_config()`` (a Keras config's ``name`` is ignored).

        Parameters
        ----------
        config : dict
            Constructor arguments by name.

        Returns
        -------
        Schedule
            A schedule of this class with those arguments.
        """
        config = {key: value for key, value in dict(config).items() if key != "name"}
        return cls(**config)


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (Keras' ExponentialDecay).

    With ``staircase=True`` the exponent is floored, so the rate drops every
    ``decay_steps`` updates. ``decay_steps`` is counted in updates.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, > 0.
    decay_steps : float
        Updates per factor ``decay_rate``, > 0 (need not be whole, as in Keras).
    decay_rate : float
        The factor per ``decay_steps`` updates, > 0 (0 would stop learning at once).
    staircase : bool
        Floor the exponent: the rate drops in steps.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        _rate_and_steps(self)
        # A factor per decay_steps updates: 0 would stop learning after the first update.
        _set(
            self,
            decay_rate=check.positive(self.decay_rate, "decay_rate"),
            staircase=check.boolean(self.staircase, "staircase"),
        )

    def _rates(self, steps):
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F32(self.initial_learning_rate) * _pow32(_F32(self.decay_rate), p)


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (Keras' InverseTimeDecay).

    With ``staircase=True`` the quotient ``step / decay_steps`` is floored.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, > 0.
    decay_steps : float
        The time scale in updates, > 0.
    decay_rate : float
        How fast the rate falls, >= 0 (0: a constant rate).
    staircase : bool
        Floor ``step / decay_steps``: the rate drops in steps.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        _rate_and_steps(self)
        _set(
            self,
            decay_rate=check.non_negative(self.decay_rate, "decay_rate"),
            staircase=check.boolean(self.staircase, "staircase"),
        )

    def _rates(self, steps):
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F32(self.initial_learning_rate) / (_ONE + _F32(self.decay_rate) * p)


@dataclass(frozen=True)
class PiecewiseConstantDecay(Schedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]`` (Keras' rule).

    ``boundaries`` are strictly increasing ints (steps); ``values`` has one entry more.
    So ``values[0]`` is used for steps ``0 .. boundaries[0]`` inclusive.

    Parameters
    ----------
    boundaries : sequence of int
        Strictly increasing steps (integers >= 0), at least one.
    values : sequence of float
        The rates, each > 0, one more than ``boundaries``.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    boundaries: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        boundaries = _sequence(self.boundaries, "boundaries")
        values = _sequence(self.values, "values")
        # Boundaries are steps: integers >= 0.
        boundaries = tuple(check.count(b, f"boundaries[{i}]") for i, b in enumerate(boundaries))
        if not boundaries:
            raise ValueError("boundaries must hold at least one step")
        if any(b1 >= b2 for b1, b2 in itertools.pairwise(boundaries)):
            raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)}")
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"values must have one entry more than boundaries: got {len(values)} values "
                f"for {len(boundaries)} boundaries"
            )
        values = tuple(check.positive(v, f"values[{i}]") for i, v in enumerate(values))
        _set(self, boundaries=boundaries, values=values)

    def _rates(self, steps):
        # Number of boundaries strictly below the step = index of the interval.
        index = np.searchsorted(np.asarray(self.boundaries), steps, side="left")
        return np.asarray(self.values, dtype=_F32)[index]


@dataclass(frozen=True)
class PolynomialDecay(Schedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` (Keras' rule).

    ``(initial - end) * (1 - p) ** power + end`` with ``p = min(step, decay_steps) /
    decay_steps``: after ``decay_steps`` updates the rate stays at ``end_learning_rate``.
    With ``cycle=True`` the step is not clipped; instead ``decay_steps`` is multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0), so the rate jumps back up after each
    multiple of ``decay_steps`` and then decays more slowly. ``power=1`` is a straight line.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, > 0.
    decay_steps : float
        Updates to reach ``end_learning_rate``, > 0.
    end_learning_rate : float
        The final rate, >= 0.
    power : float
        The polynomial's power, > 0.
    cycle : bool
        Restart after each multiple of ``decay_steps`` instead of staying at the end.

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    decay_steps: float
    end_learning_rate: float = 0.0001
    power: float = 1.0
    cycle: bool = False

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        _rate_and_steps(self)
        _set(
            self,
            end_learning_rate=check.non_negative(self.end_learning_rate, "end_learning_rate"),
            power=check.positive(self.power, "power"),
            cycle=check.boolean(self.cycle, "cycle"),
        )

    def _rates(self, steps):
        step = steps.astype(_F32)
        decay_steps = np.full(step.shape, _F32(self.decay_steps), dtype=_F32)
        if self.cycle:
            multiplier = np.where(step == _ZERO, _ONE, np.ceil(step / _F32(self.decay_steps)))
            decay_steps = decay_steps * multiplier.astype(_F32)
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        initial = _F32(self.initial_learning_rate)
        end = _F32(self.end_learning_rate)
        return (initial - end) * _power32(_ONE - p, _F32(self.power)) + end


def _cosine_decayed(fraction: np.ndarray) -> np.ndarray:
    """``cos(pi * fraction)`` in float32, with TensorFlow's float32 pi and ``cosf``."""
    return _unary32("cos", _F32(math.pi) * fraction)


@dataclass(frozen=True)
class CosineDecay(Schedule):
    """Cosine decay with optional linear warm-up (Keras' CosineDecay; Loshchilov & Hutter 2017).

    Without warm-up (``warmup_target=None``) the rate falls along half a cosine from
    ``initial_learning_rate`` to ``alpha * initial_learning_rate`` over ``decay_steps``
    updates and stays there: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)`` with ``s = min(step, decay_steps)``.

    With ``warmup_target`` the rate first rises linearly from ``initial_learning_rate``
    (which may then be 0) to ``warmup_target`` during ``warmup_steps`` updates, then decays
    from ``warmup_target`` to ``alpha * warmup_target`` over the next ``decay_steps``.
    ``warmup_target`` and ``warmup_steps`` are keyword-only (Keras puts ``name`` before them).

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0: > 0, or >= 0 with a ``warmup_target``.
    decay_steps : float
        Updates of the cosine decay, > 0.
    alpha : float
        The final rate as a fraction of the decay's start, in [0, 1].
    warmup_target : float, optional
        The rate to warm up to, > 0; None for no warm-up.
    warmup_steps : float
        Updates of the warm-up, >= 0 (only with a ``warmup_target``).

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    decay_steps: float
    alpha: float = 0.0
    _: KW_ONLY
    warmup_target: float | None = None
    warmup_steps: float = 0

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        initial = check.non_negative(self.initial_learning_rate, "initial_learning_rate")
        if self.warmup_target is None:
            if initial == 0.0:
                raise ValueError(
                    "initial_learning_rate must be > 0 (it may be 0 only with a warmup_target), "
                    f"got {initial}"
                )
            if self.warmup_steps != 0:
                raise ValueError(
                    f"warmup_steps={self.warmup_steps!r} needs a warmup_target (the rate to warm "
                    f"up to); without one Keras ignores warmup_steps"
                )
        else:
            _set(self, warmup_target=check.positive(self.warmup_target, "warmup_target"))
        _set(
            self,
            initial_learning_rate=initial,
            decay_steps=check.positive(self.decay_steps, "decay_steps"),
            alpha=check.probability(self.alpha, "alpha"),
            warmup_steps=check.non_negative(self.warmup_steps, "warmup_steps"),
        )

    def _decayed(self, step, decay_from):
        # Keras multiplies by (1 - alpha) and adds alpha as Python floats, so each is
        # rounded to float32 once (not 1 - float32(alpha)).
        cosine = _F32(0.5) * (_ONE + _cosine_decayed(step / _F32(self.decay_steps)))
        decayed = _F32(1.0 - self.alpha) * cosine + _F32(self.alpha)
        return decay_from * decayed

    def _rates(self, steps):
        step = steps.astype(_F32)
        initial = _F32(self.initial_learning_rate)
        decay_steps = _F32(self.decay_steps)
        if self.warmup_target is None:
            return self._decayed(np.minimum(step, decay_steps), initial)
        target = _F32(self.warmup_target)
        warmup_steps = _F32(self.warmup_steps)
        step = np.minimum(step, decay_steps + warmup_steps)
        warming = (target - initial) * (step / warmup_steps) + initial
        decaying = self._decayed(step - warmup_steps, target)
        return np.where(step < warmup_steps, warming, decaying)


@dataclass(frozen=True)
class CosineDecayRestarts(Schedule):
    """Cosine decay with warm restarts, SGDR (Loshchilov & Hutter 2017; Keras' rule).

    The first period lasts ``first_decay_steps`` updates, during which the rate falls along
    half a cosine from ``initial_learning_rate`` to ``alpha * initial_learning_rate``; then
    it jumps back up (a warm restart). Period ``i`` (from 0) lasts ``first_decay_steps *
    t_mul**i`` updates and starts from ``initial_learning_rate * m_mul**i``; the floor stays
    ``alpha * initial_learning_rate``.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, > 0.
    first_decay_steps : float
        Updates of the first period, > 0.
    t_mul : float
        Factor by which each period is longer than the one before, >= 1.
    m_mul : float
        Factor by which each period starts lower than the one before, > 0.
    alpha : float
        The floor as a fraction of ``initial_learning_rate``, in [0, 1].

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    first_decay_steps: float
    t_mul: float = 2.0
    m_mul: float = 1.0
    alpha: float = 0.0

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        _rate_and_steps(self, "first_decay_steps")
        t_mul = check.finite_real(self.t_mul, "t_mul")
        if t_mul < 1.0:
            raise ValueError(
                f"t_mul must be >= 1 (with t_mul < 1 the periods add up to a finite number of "
                f"steps, after which Keras' schedule returns nan), got {t_mul}"
            )
        _set(
            self,
            t_mul=t_mul,
            m_mul=check.positive(self.m_mul, "m_mul"),
            alpha=check.probability(self.alpha, "alpha"),
        )

    def _rates(self, steps):
        fraction = steps.astype(_F32) / _F32(self.first_decay_steps)
        t_mul = _F32(self.t_mul)
        if self.t_mul == 1.0:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            logarithm = _unary32("log", _ONE - fraction * (_ONE - t_mul))
            restart = np.floor(logarithm / _unary32("log", t_mul))
            t_power = _power32(t_mul, restart)
            done = (_ONE - t_power) / (_ONE - t_mul)
            fraction = (fraction - done) / t_power
        m_factor = _power32(_F32(self.m_mul), restart)
        cosine = _F32(0.5) * m_factor * (_ONE + _cosine_decayed(fraction))
        alpha = _F32(self.alpha)
        return _F32(self.initial_learning_rate) * ((_ONE - alpha) * cosine + alpha)


@dataclass(frozen=True)
class CyclicalLearningRate(Schedule):
    """Cyclical learning rate of Smith (2017), as tensorflow-addons' CyclicalLearningRate.

    One cycle lasts ``2 * step_size`` updates: the rate climbs linearly from
    ``initial_learning_rate`` to ``maximal_learning_rate`` and back. With
    ``cycle = floor(1 + step / (2 step_size))`` and
    ``x = |step / step_size - 2 cycle + 1|`` the rate is
    ``initial + (maximal - initial) * max(0, 1 - x) * scale`` where ``scale`` is 1
    (``"triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``: amplitude halves each
    cycle) or ``gamma**step`` (``"exp_range"``).

    The rule and the three policy names are those of Smith (2017), Section 3.1. For
    ``"exp_range"`` the paper says only that "each boundary value declines" by
    ``gamma**iteration``; like tensorflow-addons and PyTorch's ``CyclicLR``, the lower bound
    stays and the amplitude shrinks (tests/test_schedules_smith2017.py checks all three
    against an independent implementation of the paper's description).

    Parameters
    ----------
    initial_learning_rate : float
        The low end of the cycle, > 0.
    maximal_learning_rate : float
        The high end, >= ``initial_learning_rate``.
    step_size : float
        Half a cycle, in updates, > 0.
    mode : {"triangular", "triangular2", "exp_range"}
        How the amplitude changes from cycle to cycle.
    gamma : float
        The factor per update for ``"exp_range"``, in (0, 1].

    Raises
    ------
    TypeError, ValueError
        A bad argument; the message names it and says what is allowed.
    """

    initial_learning_rate: float
    maximal_learning_rate: float
    step_size: float
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self):
        """Check the arguments and store them normalised (Python floats)."""
        initial = check.positive(self.initial_learning_rate, "initial_learning_rate")
        maximal = check.positive(self.maximal_learning_rate, "maximal_learning_rate")
        if maximal < initial:
            raise ValueError(
                f"maximal_learning_rate must be >= initial_learning_rate, got {maximal} < {initial}"
            )
        _set(
            self,
            initial_learning_rate=initial,
            maximal_learning_rate=maximal,
            step_size=check.positive(self.step_size, "step_size"),
            mode=check.choice(self.mode, "mode", CYCLICAL_MODES),
            gamma=_open_zero(self.gamma, "gamma"),
        )

    def _rates(self, steps):
        step = steps.astype(_F32)
        step_size = _F32(self.step_size)
        cycle = np.floor(_ONE + step / (_TWO * step_size))
        x = np.abs(step / step_size - _TWO * cycle + _ONE)
        if self.mode == "triangular":
            scale = _ONE
        elif self.mode == "triangular2":
            scale = _ONE / _pow32(_TWO, cycle - _ONE)
        else:
            scale = _pow32(_F32(self.gamma), step)
        initial = _F32(self.initial_learning_rate)
        maximal = _F32(self.maximal_learning_rate)
        return initial + (maximal - initial) * np.maximum(_ZERO, _ONE - x) * scale


def _sequence(value, argument: str) -> tuple:
    """``value`` (list, tuple or 1-D array) as a tuple; TypeError otherwise."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{argument} must be a list of numbers, got {type(value).__name__}")
    items = tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return items
