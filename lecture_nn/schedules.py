"""Learning-rate schedules in numpy, with the formulas and argument names of Keras.

A schedule maps the optimizer step to a learning rate: ``schedule(step) -> float``, where
``step`` is the number of updates already applied (0 for the first update), exactly what
Keras passes in as ``optimizer.iterations``. Every schedule also accepts an array of
steps (any shape) and then returns a float32 array of the same shape.

The arithmetic is float32, in the order of the Keras source
(``keras/src/optimizers/schedules/learning_rate_schedule.py``), so the values equal what a
Keras optimizer uses. ``to_keras()`` returns the equivalent Keras schedule; Keras is
imported only there. :class:`CyclicalLearningRate` (Smith 2017) has no Keras counterpart;
its Keras twin lives in :mod:`lecture_nn.keras_schedules`.

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
import numbers
from dataclasses import KW_ONLY, dataclass, fields

import numpy as np

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


# --- argument checks, shared with lecture_nn.optimizers and lecture_nn.keras_schedules --


def _real(value, argument: str) -> float:
    """``value`` as a finite Python float; TypeError for non-numbers (bools included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{argument} must be finite, got {value}")
    return value


def _positive(value, argument: str) -> float:
    """``value`` as a finite float > 0, else a TypeError/ValueError naming ``argument``."""
    value = _real(value, argument)
    if value <= 0.0:
        raise ValueError(f"{argument} must be > 0, got {value}")
    return value


def _in_range(value, argument: str, low: float, high: float, *, high_open: bool) -> float:
    """``value`` as a float in [low, high) (``high_open``) or [low, high]."""
    value = _real(value, argument)
    too_high = value >= high if high_open else value > high
    if value < low or too_high:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{argument} must be in [{low:g}, {high:g}{bracket}, got {value}")
    return value


def _boolean(value, argument: str) -> bool:
    """``value`` as a bool; TypeError for anything else (0/1 included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argument} must be True or False, got {value!r}")
    return bool(value)


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
    """The C library's float32 function ``name`` (e.g. ``"cosf"``), or None if unavailable."""
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
        """Learning rate for ``step`` (int >= 0, or an array of them).

        Returns a Python float for a scalar step, else a float32 array of the step's shape.
        """
        steps, scalar = _as_steps(step)
        with np.errstate(all="ignore"):  # absurdly large steps overflow float32: inf/nan
            rates = _flush_subnormals(self._rates(steps))
        return float(rates) if scalar else rates

    def _rates(self, steps: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        """Constructor arguments as a dict (Keras' names, without Keras' ``name``)."""
        config = {}
        for item in fields(self):
            value = getattr(self, item.name)
            config[item.name] = list(value) if isinstance(value, tuple) else value
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a schedule from ``get_config()`` (a Keras config's ``name`` is ignored)."""
        config = {key: value for key, value in dict(config).items() if key != "name"}
        return cls(**config)

    def to_keras(self):  # pragma: no cover - abstract
        """The equivalent ``keras.optimizers.schedules.LearningRateSchedule``."""
        raise NotImplementedError


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (Keras' ExponentialDecay).

    With ``staircase=True`` the exponent is floored, so the rate drops every
    ``decay_steps`` updates. ``decay_steps`` is counted in updates.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(
            self,
            "initial_learning_rate",
            _positive(self.initial_learning_rate, "initial_learning_rate"),
        )
        set_(self, "decay_steps", _positive(self.decay_steps, "decay_steps"))
        set_(self, "decay_rate", _positive(self.decay_rate, "decay_rate"))
        set_(self, "staircase", _boolean(self.staircase, "staircase"))

    def _rates(self, steps):
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F32(self.initial_learning_rate) * _pow32(_F32(self.decay_rate), p)

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.ExponentialDecay``."""
        import keras

        return keras.optimizers.schedules.ExponentialDecay(**self.get_config())


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (Keras' InverseTimeDecay).

    With ``staircase=True`` the quotient ``step / decay_steps`` is floored.
    """

    initial_learning_rate: float
    decay_steps: float
    decay_rate: float
    staircase: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(
            self,
            "initial_learning_rate",
            _positive(self.initial_learning_rate, "initial_learning_rate"),
        )
        set_(self, "decay_steps", _positive(self.decay_steps, "decay_steps"))
        rate = _real(self.decay_rate, "decay_rate")
        if rate < 0.0:
            raise ValueError(f"decay_rate must be >= 0, got {rate}")
        set_(self, "decay_rate", rate)
        set_(self, "staircase", _boolean(self.staircase, "staircase"))

    def _rates(self, steps):
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F32(self.initial_learning_rate) / (_ONE + _F32(self.decay_rate) * p)

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.InverseTimeDecay``."""
        import keras

        return keras.optimizers.schedules.InverseTimeDecay(**self.get_config())


@dataclass(frozen=True)
class PiecewiseConstantDecay(Schedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]`` (Keras' rule).

    ``boundaries`` are strictly increasing ints (steps); ``values`` has one entry more.
    So ``values[0]`` is used for steps ``0 .. boundaries[0]`` inclusive.
    """

    boundaries: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self):
        boundaries = _sequence(self.boundaries, "boundaries")
        values = _sequence(self.values, "values")
        for i, b in enumerate(boundaries):
            if isinstance(b, (bool, np.bool_)) or not isinstance(b, numbers.Integral):
                raise TypeError(f"boundaries must be ints (steps), got {b!r} at index {i}")
        boundaries = tuple(int(b) for b in boundaries)
        if not boundaries:
            raise ValueError("boundaries must hold at least one step")
        if any(b1 >= b2 for b1, b2 in itertools.pairwise(boundaries)):
            raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)}")
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"values must have one entry more than boundaries: got {len(values)} values "
                f"for {len(boundaries)} boundaries"
            )
        values = tuple(_positive(v, f"values[{i}]") for i, v in enumerate(values))
        object.__setattr__(self, "boundaries", boundaries)
        object.__setattr__(self, "values", values)

    def _rates(self, steps):
        # Number of boundaries strictly below the step = index of the interval.
        index = np.searchsorted(np.asarray(self.boundaries), steps, side="left")
        return np.asarray(self.values, dtype=_F32)[index]

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.PiecewiseConstantDecay``."""
        import keras

        return keras.optimizers.schedules.PiecewiseConstantDecay(**self.get_config())


@dataclass(frozen=True)
class PolynomialDecay(Schedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` (Keras' rule).

    ``(initial - end) * (1 - p) ** power + end`` with ``p = min(step, decay_steps) /
    decay_steps``: after ``decay_steps`` updates the rate stays at ``end_learning_rate``.
    With ``cycle=True`` the step is not clipped; instead ``decay_steps`` is multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0), so the rate jumps back up after each
    multiple of ``decay_steps`` and then decays more slowly. ``power=1`` is a straight line.
    """

    initial_learning_rate: float
    decay_steps: float
    end_learning_rate: float = 0.0001
    power: float = 1.0
    cycle: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(
            self,
            "initial_learning_rate",
            _positive(self.initial_learning_rate, "initial_learning_rate"),
        )
        set_(self, "decay_steps", _positive(self.decay_steps, "decay_steps"))
        end = _real(self.end_learning_rate, "end_learning_rate")
        if end < 0.0:
            raise ValueError(f"end_learning_rate must be >= 0, got {end}")
        set_(self, "end_learning_rate", end)
        set_(self, "power", _positive(self.power, "power"))
        set_(self, "cycle", _boolean(self.cycle, "cycle"))

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

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.PolynomialDecay``."""
        import keras

        return keras.optimizers.schedules.PolynomialDecay(**self.get_config())


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
    """

    initial_learning_rate: float
    decay_steps: float
    alpha: float = 0.0
    _: KW_ONLY
    warmup_target: float | None = None
    warmup_steps: float = 0

    def __post_init__(self):
        set_ = object.__setattr__
        initial = _real(self.initial_learning_rate, "initial_learning_rate")
        if self.warmup_target is None:
            if initial <= 0.0:
                raise ValueError(
                    f"initial_learning_rate must be > 0 (it may be 0 only with a warmup_target), "
                    f"got {initial}"
                )
            if self.warmup_steps != 0:
                raise ValueError(
                    f"warmup_steps={self.warmup_steps!r} needs a warmup_target (the rate to warm "
                    f"up to); without one Keras ignores warmup_steps"
                )
        else:
            if initial < 0.0:
                raise ValueError(f"initial_learning_rate must be >= 0, got {initial}")
            set_(self, "warmup_target", _positive(self.warmup_target, "warmup_target"))
        set_(self, "initial_learning_rate", initial)
        set_(self, "decay_steps", _positive(self.decay_steps, "decay_steps"))
        set_(self, "alpha", _in_range(self.alpha, "alpha", 0.0, 1.0, high_open=False))
        warmup_steps = _real(self.warmup_steps, "warmup_steps")
        if warmup_steps < 0.0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
        set_(self, "warmup_steps", warmup_steps)

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

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.CosineDecay``."""
        import keras

        return keras.optimizers.schedules.CosineDecay(**self.get_config())


@dataclass(frozen=True)
class CosineDecayRestarts(Schedule):
    """Cosine decay with warm restarts, SGDR (Loshchilov & Hutter 2017; Keras' rule).

    The first period lasts ``first_decay_steps`` updates, during which the rate falls along
    half a cosine from ``initial_learning_rate`` to ``alpha * initial_learning_rate``; then
    it jumps back up (a warm restart). Period ``i`` (from 0) lasts ``first_decay_steps *
    t_mul**i`` updates and starts from ``initial_learning_rate * m_mul**i``; the floor stays
    ``alpha * initial_learning_rate``.
    """

    initial_learning_rate: float
    first_decay_steps: float
    t_mul: float = 2.0
    m_mul: float = 1.0
    alpha: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(
            self,
            "initial_learning_rate",
            _positive(self.initial_learning_rate, "initial_learning_rate"),
        )
        set_(self, "first_decay_steps", _positive(self.first_decay_steps, "first_decay_steps"))
        t_mul = _real(self.t_mul, "t_mul")
        if t_mul < 1.0:
            raise ValueError(
                f"t_mul must be >= 1 (with t_mul < 1 the periods add up to a finite number of "
                f"steps, after which Keras' schedule returns nan), got {t_mul}"
            )
        set_(self, "t_mul", t_mul)
        set_(self, "m_mul", _positive(self.m_mul, "m_mul"))
        set_(self, "alpha", _in_range(self.alpha, "alpha", 0.0, 1.0, high_open=False))

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

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules.CosineDecayRestarts``."""
        import keras

        return keras.optimizers.schedules.CosineDecayRestarts(**self.get_config())


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
    """

    initial_learning_rate: float
    maximal_learning_rate: float
    step_size: float
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self):
        set_ = object.__setattr__
        initial = _positive(self.initial_learning_rate, "initial_learning_rate")
        maximal = _positive(self.maximal_learning_rate, "maximal_learning_rate")
        if maximal < initial:
            raise ValueError(
                f"maximal_learning_rate must be >= initial_learning_rate, got {maximal} < {initial}"
            )
        set_(self, "initial_learning_rate", initial)
        set_(self, "maximal_learning_rate", maximal)
        set_(self, "step_size", _positive(self.step_size, "step_size"))
        if not isinstance(self.mode, str) or self.mode not in CYCLICAL_MODES:
            valid = ", ".join(repr(m) for m in CYCLICAL_MODES)
            raise ValueError(f"mode must be one of {valid}, got {self.mode!r}")
        gamma = _real(self.gamma, "gamma")
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {gamma}")
        set_(self, "gamma", gamma)

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

    def to_keras(self):
        """The Keras twin, :class:`lecture_nn.keras_schedules.CyclicalLearningRate`."""
        from lecture_nn.keras_schedules import CyclicalLearningRate as KerasCyclical

        return KerasCyclical(**self.get_config())


def _sequence(value, argument: str) -> tuple:
    """``value`` (list, tuple or 1-D array) as a tuple; TypeError otherwise."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{argument} must be a list of numbers, got {type(value).__name__}")
    items = tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return items
