"""The lecture's optimizer zoo: Keras' update rules replayed in numpy on 2-D surfaces.

:func:`make_optimizer` describes an optimizer with the names and defaults of
``keras.optimizers``; :func:`simulate` runs it on a :class:`~lecture_nn.surfaces.Surface`
and returns the path. The simulator computes in float32, operation by operation in the
order of the Keras source (``keras/src/optimizers/*.py``), and feeds it the analytic
gradient of the surface (evaluated in float64 at the current float32 point, rounded to
float32). Like TensorFlow's CPU kernels it flushes float32 subnormals (0 < |v| < 2**-126,
about 1.2e-38) to zero, in every operation's inputs and result. So a path agrees with a
real Keras optimizer (TensorFlow backend, CPU) to float32 round-off, in practice bit for
bit, even where it comes within 1e-37 of zero (``tests/test_optimizers_vs_keras.py`` and
``tests/test_optimizers_subnormals.py`` check every rule against Keras).

Where Keras departs from the textbook formula, the update rule below says so.

Importing this module never loads TensorFlow or Keras; only ``OptimizerConfig.to_keras``
does.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from lecture_nn import _validation as check
from lecture_nn.schedules import (
    CyclicalLearningRate,
    ExponentialDecay,
    Schedule,
    _flush_subnormals,
    _open_zero,
    _pow32,
)
from lecture_nn.surfaces import Surface, get_surface

__all__ = [
    "KINDS",
    "ZOO",
    "OptimizerConfig",
    "OptimizerPath",
    "make_optimizer",
    "simulate",
    "simulate_zoo",
]

KINDS = ("sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "adamw", "lion")

# Learning rate and hyperparameters with the defaults of keras.optimizers (Keras 3,
# keras/src/optimizers/<kind>.py), in the order of the Keras signatures.
_DEFAULTS: dict[str, tuple[float, dict[str, float | bool]]] = {
    "sgd": (0.01, {"momentum": 0.0, "nesterov": False}),
    "adagrad": (0.001, {"initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    "adadelta": (0.001, {"rho": 0.95, "epsilon": 1e-7}),
    "rmsprop": (0.001, {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}),
    "adam": (0.001, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}),
    "adamax": (0.001, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    "nadam": (0.001, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    "adamw": (
        0.001,
        {"weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False},
    ),
    "lion": (0.001, {"beta_1": 0.9, "beta_2": 0.99}),
}

_KERAS_NAMES = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
    "adamw": "AdamW",
    "lion": "Lion",
}


def _momentum(value, argument: str) -> float:
    """Check a momentum: a number in [0, 1).

    Keras' SGD also accepts 1, but a momentum of 1 never lets the velocity decay: the
    steps add up without end. The course's one rule for a momentum is [0, 1).
    """
    return check.probability(value, argument, include_one=False)


def _fraction(value, argument: str) -> float:
    """Check a moving-average weight (rho, beta_1, beta_2): a number in [0, 1), as in Keras."""
    return check.probability(value, argument, include_one=False)


# How each hyperparameter is checked: a function (value, argument) -> normalised value,
# each a rule of lecture_nn._validation.
_CHECKS: dict[str, Callable] = {
    "momentum": _momentum,
    "nesterov": check.boolean,
    "centered": check.boolean,
    "amsgrad": check.boolean,
    "epsilon": check.positive,
    "rho": _fraction,
    "beta_1": _fraction,
    "beta_2": _fraction,
    "initial_accumulator_value": check.non_negative,
    "weight_decay": check.non_negative,
}

# Where an optimizer allows another range than _CHECKS: keras/src/optimizers/lion.py
# accepts beta_1 in (0, 1] (beta_1 = 0 would make Lion signSGD) and does not check
# beta_2; both are interpolation weights, so [0, 1] is their meaningful range.
_KIND_CHECKS: dict[tuple[str, str], Callable] = {
    ("sgd", "momentum"): lambda v, a: _momentum_or_schedule(v, a),
    ("lion", "beta_1"): _open_zero,
    ("lion", "beta_2"): check.probability,
}


def _momentum_or_schedule(value, argument: str):
    """SGD's momentum: a number in [0, 1), or a callable step -> momentum (kept as is)."""
    if callable(value):  # a lecture_nn.schedules.Schedule or any function of the step
        return value
    try:
        return _momentum(value, argument)
    except TypeError:
        raise TypeError(
            f"{argument} must be a number in [0, 1) or a callable step -> momentum (such as "
            f"a lecture_nn.schedules.Schedule), got {type(value).__name__}"
        ) from None


def _momentum_schedule(momentum, steps: int) -> list:
    """float32 momentum of each update for a callable ``momentum``; checks every value."""
    if isinstance(momentum, Schedule):
        values = momentum(np.arange(steps)).tolist()
    else:
        values = [momentum(step) for step in range(steps)]
    for step, value in enumerate(values):
        _momentum(value, f"momentum({step})")
    return list(_f32(values))


def _check_kind(kind) -> str:
    """Check ``kind``: one of ``KINDS``, case and surrounding spaces ignored."""
    key = kind.strip().lower() if isinstance(kind, str) else kind
    return check.choice(key, "kind", KINDS)


def _check_learning_rate(learning_rate) -> float | Schedule:
    """Check a learning rate: a number > 0, or a schedule (kept as is)."""
    if isinstance(learning_rate, Schedule):
        return learning_rate
    try:
        return check.positive(learning_rate, "learning_rate")
    except TypeError:
        raise TypeError(
            "learning_rate must be a number > 0 or a schedule from lecture_nn.schedules, "
            f"got {type(learning_rate).__name__}"
        ) from None


def _check_options(kind: str, options: Mapping) -> dict[str, float | bool]:
    """Keras defaults for ``kind`` updated with ``options``, each value checked."""
    allowed = dict(_DEFAULTS[kind][1])
    checked: dict[str, float | bool] = {}
    for name, value in options.items():
        if name == "learning_rate":
            raise TypeError("pass learning_rate as its own argument, not in options")
        if name not in allowed and name != "weight_decay":
            valid = ", ".join([*allowed, *(["weight_decay"] if kind != "adamw" else [])])
            raise ValueError(
                f"unknown hyperparameter {name!r} for {_KERAS_NAMES[kind]}; valid: {valid}"
            )
        if name == "weight_decay" and value is None and kind != "adamw":
            continue  # Keras' default for every optimizer but AdamW: no weight decay
        checked[name] = _KIND_CHECKS.get((kind, name), _CHECKS[name])(value, name)
    allowed.update(checked)
    return allowed


def _default_label(kind: str, learning_rate, options: Mapping) -> str:
    """Return a display name such as "Nesterov momentum" or "Adam (AMSGrad)"."""
    label = _KERAS_NAMES[kind]
    scheduled = callable(options.get("momentum"))
    if kind == "sgd" and (scheduled or options["momentum"] > 0):
        label = "Nesterov momentum" if options["nesterov"] else "Momentum"
        label += " + momentum schedule" if scheduled else ""
    elif kind == "rmsprop":
        parts = ["centered"] if options["centered"] else []
        parts += ["momentum"] if options["momentum"] > 0 else []
        label += f" ({', '.join(parts)})" if parts else ""
    elif kind in ("adam", "adamw") and options["amsgrad"]:
        label += " (AMSGrad)"
    if isinstance(learning_rate, Schedule):
        label += f" + {type(learning_rate).__name__}"
    return label


@dataclass(frozen=True)
class OptimizerConfig:
    """An optimizer as Keras would build it: kind, learning rate, hyperparameters, label.

    Build it with :func:`make_optimizer`; constructing it directly checks the same things
    and fills in missing Keras defaults (``label=""`` picks a default label).

    Attributes
    ----------
    kind : str
        One of ``KINDS``.
    learning_rate : float or Schedule
        A float > 0 (per update) or a schedule from :mod:`lecture_nn.schedules`.
    options : mapping of str to float or bool
        Every other Keras hyperparameter, defaults filled in (read-only mapping). SGD's
        ``momentum`` may also be a callable step -> momentum (not in Keras).
    label : str
        Display name for legends.
    """

    kind: str
    learning_rate: float | Schedule
    options: Mapping[str, float | bool] = field(hash=False)
    label: str = ""

    def __post_init__(self):
        """Check the fields, fill in Keras' defaults and a default label."""
        kind = _check_kind(self.kind)
        learning_rate = _check_learning_rate(self.learning_rate)
        if not isinstance(self.options, Mapping):
            raise TypeError(f"options must be a mapping, got {type(self.options).__name__}")
        options = _check_options(kind, self.options)
        label = self.label
        if label is None or label == "":
            label = _default_label(kind, learning_rate, options)
        elif not isinstance(label, str):
            raise TypeError(f"label must be a string, got {type(label).__name__}")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "learning_rate", learning_rate)
        object.__setattr__(self, "options", types.MappingProxyType(options))
        object.__setattr__(self, "label", label)

    def to_keras(self):
        """Build the equivalent ``keras.optimizers`` instance, afresh (imports Keras).

        Returns
        -------
        keras.optimizers.Optimizer
            Keras' optimizer of this kind, with this learning rate (a schedule becomes
            its Keras twin, :func:`lecture_nn.keras_schedules.to_keras`) and options.

        Raises
        ------
        ValueError
            The momentum is a schedule, which Keras' SGD cannot take.
        """
        if callable(self.options.get("momentum")):
            raise ValueError(
                "Keras' SGD takes a constant momentum (a float in [0, 1]); this config's "
                "momentum is a function of the step, which only lecture_nn's simulator "
                "can run"
            )
        import keras

        from lecture_nn.keras_schedules import to_keras

        optimizer_class = getattr(keras.optimizers, _KERAS_NAMES[self.kind])
        if isinstance(self.learning_rate, Schedule):
            learning_rate = to_keras(self.learning_rate)
        else:
            learning_rate = float(self.learning_rate)
        return optimizer_class(learning_rate=learning_rate, **dict(self.options))


def make_optimizer(kind: str, learning_rate=None, *, label=None, **options) -> OptimizerConfig:
    """Describe an optimizer with the argument names and defaults of ``keras.optimizers``.

    Parameters
    ----------
    kind : str
        One of ``KINDS`` ("sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamax",
        "nadam", "adamw", "lion"), case-insensitive.
    learning_rate : float or Schedule, optional
        A number > 0 (per update), or a schedule from :mod:`lecture_nn.schedules`; None
        for the Keras default of that optimizer.
    label : str, optional
        Display name; None picks one ("Momentum", "Nesterov momentum", ...).
    **options
        Keras hyperparameters (e.g. ``momentum=0.9, nesterov=True``), checked by one rule
        each: a momentum in [0, 1) (Keras' SGD also takes 1, which never lets the
        velocity decay), ``rho``/``beta_1``/``beta_2`` in [0, 1) (Lion: ``beta_1`` in
        (0, 1], ``beta_2`` in [0, 1]), ``epsilon`` > 0, ``weight_decay`` and
        ``initial_accumulator_value`` >= 0, yes/no options real bools.
        ``weight_decay`` is accepted by every kind, as in Keras. For "sgd" only,
        ``momentum`` may also be a schedule: a ``lecture_nn.schedules.Schedule`` or any
        callable step -> momentum in [0, 1), where step counts the updates already
        applied (0 for the first), as for learning-rate schedules. Update i then uses
        ``momentum(i)`` (rounded to float32) in Keras' SGD formulas; this is how
        Sutskever et al. (2013) raise the momentum during training. Such a config runs
        in :func:`simulate` only (Keras' SGD takes a constant).

    Returns
    -------
    OptimizerConfig
        The optimizer, defaults filled in.

    Raises
    ------
    ValueError
        Unknown kind or hyperparameter (the message lists the valid ones), or a value out
        of range (learning rate <= 0, beta_1 >= 1, ...).
    TypeError
        A value of the wrong type (e.g. ``nesterov=1``).
    """
    key = _check_kind(kind)
    if learning_rate is None:
        learning_rate = _DEFAULTS[key][0]
    return OptimizerConfig(key, learning_rate, options, "" if label is None else label)


@dataclass
class OptimizerPath:
    """The path of one optimizer on one surface.

    Attributes
    ----------
    name : str
        The optimizer's label.
    points : numpy.ndarray, shape (n + 1, 2), float32
        The start, then the point after each update.
    losses : numpy.ndarray, shape (n + 1,), float64
        The surface value at each point.
    learning_rates : numpy.ndarray, shape (n,), float32
        The learning rate used in each update.
    diverged : bool
        True if the path left the window (when ``stop_outside_window``) or hit inf/nan;
        it then ends at the last finite point inside.
    details : dict of str to numpy.ndarray
        Per-update arrays of shape (n, 2): ``gradient`` (the float32 gradient used in
        each update) for every optimizer, and ``velocity`` (Keras' momentum buffer after
        each update) for SGD with momentum; with a momentum schedule also ``momentum``,
        shape (n,), float32: the momentum of each update.
    """

    name: str
    points: np.ndarray
    losses: np.ndarray
    learning_rates: np.ndarray
    diverged: bool
    details: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        """Number of updates in the path (``len(points) - 1``)."""
        return len(self.learning_rates)


# --- the update rules ------------------------------------------------------------------
#
# Each factory takes the options and the per-step learning rates (a list of np.float32,
# lrs[i] = schedule(i)), and returns ``(update, state)``: the pure function
# ``update(i, point, gradient, state) -> (new point, new state)`` for update i (0-based),
# and the initial state, a dict of float32 arrays of shape (2,) (Keras' optimizer
# variables).
# ``update`` never changes its arguments, so the simulator can redo a step with
# flush-to-zero arithmetic (see ``_FlushToZero``). Python floats that Keras combines in
# Python before they meet a tensor (``1 - self.beta_1``) are rounded to float32 once, as
# Keras does.

_F32 = np.float32
_ONE = _F32(1.0)
_TINY = float(np.finfo(np.float32).tiny)  # smallest normal float32, 2**-126 ~ 1.2e-38


def _f32(value) -> np.ndarray:
    """``value`` (number or array) in float32, subnormals read as 0 (as TF's kernels do)."""
    return _flush_subnormals(np.asarray(value, dtype=_F32))


class _FlushToZero(np.ndarray):
    """A float32 array whose arithmetic flushes subnormals to zero, as TensorFlow's does.

    TensorFlow runs its CPU kernels with the processor's flush-to-zero and
    denormals-are-zero modes on: every operation reads a subnormal input
    (|v| < 2**-126 ~ 1.2e-38) as 0 and writes a subnormal result as 0. numpy keeps
    subnormals. Every numpy ufunc (``+``, ``*``, ``np.sqrt``, ``np.maximum``...) applied
    to this array does the same as TensorFlow: it flushes its inputs, computes, and
    flushes the result. It is slow (a Python call per operation); the simulator uses it
    only for the rare steps that meet a subnormal.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:  # the rules use plain calls only
            return NotImplemented
        arguments = [_flush_subnormals(np.asarray(value)) for value in inputs]
        return _flush_subnormals(ufunc(*arguments)).view(_FlushToZero)


def _has_subnormal(*arrays) -> bool:
    """Return True if any value of the float32 arrays is subnormal (0 < |v| < 2**-126)."""
    for array in arrays:
        for value in array.tolist():
            if -_TINY < value < _TINY and value != 0.0:
                return True
    return False


def _sgd(options, lrs):
    """keras/src/optimizers/sgd.py: v = momentum v - lr g, w += v.

    Textbook momentum (and the lecture) writes v = gamma v - eta grad(w + gamma v) for
    Nesterov, evaluating the gradient at a look-ahead point. Keras never evaluates a
    look-ahead gradient: it uses the equivalent reformulation of Sutskever et al. (2013)
    on the shifted variable, w += momentum * v - lr * g with the freshly updated v.
    A momentum schedule (not in Keras) arrives from :func:`simulate` as the list of the
    float32 momentum of each update, and update i uses ``mus[i]`` in the same formulas.
    """
    momentum = options["momentum"]
    scheduled = isinstance(momentum, list)
    if not scheduled and momentum == 0:  # Keras then ignores `nesterov`

        def plain(i, point, gradient, state):
            return point - gradient * lrs[i], state

        return plain, {}
    mus = momentum if scheduled else None
    mu = None if scheduled else _f32(momentum)
    nesterov = options["nesterov"]

    def update(i, point, gradient, state):
        lr = lrs[i]
        mu_i = mu if mus is None else mus[i]
        velocity = state["velocity"] * mu_i - gradient * lr
        if nesterov:
            return point + (velocity * mu_i - gradient * lr), {"velocity": velocity}
        return point + velocity, {"velocity": velocity}

    return update, {"velocity": np.zeros(2, _F32)}


def _adagrad(options, lrs):
    """keras/src/optimizers/adagrad.py.

    Textbook Adagrad (Duchi et al. 2011) divides by sqrt(G) + eps with G starting at 0;
    Keras divides by sqrt(G + eps) and starts G at ``initial_accumulator_value`` (0.1).
    """
    eps = _f32(options["epsilon"])

    def update(i, point, gradient, state):
        accumulator = state["accumulator"] + gradient * gradient
        new = point - (lrs[i] * gradient) / np.sqrt(accumulator + eps)
        return new, {"accumulator": accumulator}

    start = np.full(2, _f32(options["initial_accumulator_value"]), _F32)
    return update, {"accumulator": start}


def _adadelta(options, lrs):
    """keras/src/optimizers/adadelta.py.

    Zeiler (2012), Algorithm 1: E[g^2] = rho E[g^2] + (1 - rho) g^2,
    dx = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g (with E[dx^2] of the previous
    step), E[dx^2] = rho E[dx^2] + (1 - rho) dx^2, w += dx. The paper has no learning
    rate; Keras multiplies dx by one (w += lr dx, default lr 0.001; lr = 1 is the paper's
    rule) and defaults to eps = 1e-7 where the paper's experiments use 1e-6. Both
    averages start at 0, so the first steps are about lr sqrt(eps / (1 - rho)) long.
    """
    rho = _f32(options["rho"])
    one_minus_rho = _f32(1.0 - options["rho"])
    eps = _f32(options["epsilon"])

    def update(i, point, gradient, state):
        mean_square = rho * state["mean_square"] + one_minus_rho * (gradient * gradient)
        delta = -((np.sqrt(state["delta_square"] + eps) * gradient) / np.sqrt(mean_square + eps))
        delta_square = rho * state["delta_square"] + one_minus_rho * (delta * delta)
        new_state = {"mean_square": mean_square, "delta_square": delta_square}
        return point + lrs[i] * delta, new_state

    zeros = np.zeros(2, _F32)
    return update, {"mean_square": zeros, "delta_square": zeros}


def _rmsprop(options, lrs):
    """keras/src/optimizers/rmsprop.py.

    Differences to Hinton's slides: eps goes inside the square root; ``centered=True``
    divides by sqrt(E[g^2] - E[g]^2 + eps) (Graves 2013); momentum accumulates the
    already scaled step, mom = momentum * mom + lr g / sqrt(...), w -= mom (TF-style
    momentum, not heavy-ball on the gradient). The squared-gradient average starts at 0
    with no bias correction, so the first step is about sqrt(1 / (1 - rho)) * lr.
    """
    rho = _f32(options["rho"])
    one_minus_rho = _f32(1.0 - options["rho"])
    eps = _f32(options["epsilon"])
    centered = options["centered"]
    use_momentum = options["momentum"] > 0
    mu = _f32(options["momentum"])

    def update(i, point, gradient, state):
        mean_square = rho * state["mean_square"] + one_minus_rho * (gradient * gradient)
        mean, buffer = state["mean"], state["buffer"]
        if centered:
            mean = rho * mean + one_minus_rho * gradient
            denominator = mean_square - mean * mean + eps
        else:
            denominator = mean_square + eps
        increment = (lrs[i] * gradient) / np.sqrt(denominator)
        new_state = {"mean_square": mean_square, "mean": mean, "buffer": buffer}
        if use_momentum:
            buffer = mu * buffer + increment
            new_state["buffer"] = buffer
            return point - buffer, new_state
        return point - increment, new_state

    zeros = np.zeros(2, _F32)
    return update, {"mean_square": zeros, "mean": zeros, "buffer": zeros}


def _adam(options, lrs):
    """keras/src/optimizers/adam.py (also AdamW: adamw.py only adds weight decay).

    Textbook Adam (Kingma & Ba 2015, Algorithm 1): m_hat = m / (1 - beta_1^t),
    v_hat = v / (1 - beta_2^t), w -= lr m_hat / (sqrt(v_hat) + eps). Keras folds both
    corrections into the step size, alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t), and
    divides by sqrt(v) + eps: eps is the paper's "epsilon hat" (section 2), i.e. the
    textbook eps times sqrt(1 - beta_2^t). t = iterations + 1 counts from 1. The moments
    are updated as m += (g - m)(1 - beta_1), algebraically beta_1 m + (1 - beta_1) g.
    AMSGrad keeps the running maximum of the raw v and still uses alpha's bias
    correction (Reddi et al. 2018 have no bias correction).
    AdamW's decoupled weight decay (Loshchilov & Hutter 2019: w -= eta_t lambda w, with a
    schedule multiplier eta_t independent of lr) is w -= w * weight_decay * lr in Keras
    (base_optimizer.py), applied before the Adam step; Adam(weight_decay=...) is the same.
    """
    beta_1, beta_2 = options["beta_1"], options["beta_2"]
    c1, c2 = _f32(1.0 - beta_1), _f32(1.0 - beta_2)
    eps = _f32(options["epsilon"])
    amsgrad = options["amsgrad"]
    t = np.arange(1, len(lrs) + 1, dtype=_F32)
    root = _f32(np.sqrt(_f32(_ONE - _pow32(beta_2, t))))
    alpha = list(_f32(_f32(np.asarray(lrs, _F32) * root) / _f32(_ONE - _pow32(beta_1, t))))

    def update(i, point, gradient, state):
        m, v, v_max = state["m"], state["v"], state["v_max"]
        m = m + (gradient - m) * c1
        v = v + (gradient * gradient - v) * c2
        if amsgrad:
            v_max = np.maximum(v_max, v)
            new = point - (m * alpha[i]) / (np.sqrt(v_max) + eps)
        else:
            new = point - (m * alpha[i]) / (np.sqrt(v) + eps)
        return new, {"m": m, "v": v, "v_max": v_max}

    zeros = np.zeros(2, _F32)
    return update, {"m": zeros, "v": zeros, "v_max": zeros}


def _adamax(options, lrs):
    """keras/src/optimizers/adamax.py.

    Kingma & Ba's Adamax (Algorithm 2): u = max(beta_2 u, |g|) (the max of the gradient's
    magnitude, not of the loss), w -= lr / (1 - beta_1^t) * m / u. Keras adds eps to u:
    w -= lr m / ((1 - beta_1^t)(u + eps)).
    """
    c1 = _f32(1.0 - options["beta_1"])
    beta_2 = _f32(options["beta_2"])
    eps = _f32(options["epsilon"])
    t = np.arange(1, len(lrs) + 1, dtype=_F32)
    correction = list(_f32(_ONE - _pow32(options["beta_1"], t)))

    def update(i, point, gradient, state):
        m = state["m"] + (gradient - state["m"]) * c1
        u = np.maximum(beta_2 * state["u"], np.abs(gradient))
        return point - (lrs[i] * m) / (correction[i] * (u + eps)), {"m": m, "u": u}

    zeros = np.zeros(2, _F32)
    return update, {"m": zeros, "u": zeros}


def _nadam(options, lrs):
    """keras/src/optimizers/nadam.py.

    Dozat (2016) uses the momentum schedule mu_t = beta_1 (1 - 0.5 * 0.96^(0.004 t)) (so
    did Keras 2); Keras 3 uses mu_t = beta_1 (1 - 0.5 * 0.96^t), which reaches beta_1
    within a few dozen steps. With the running product P_t = mu_1 ... mu_t:
    m_hat = mu_{t+1} m / (1 - P_{t+1}) + (1 - mu_t) g / (1 - P_t), v_hat = v / (1 - beta_2^t),
    w -= lr m_hat / (sqrt(v_hat) + eps). Keras updates P once per step, before the update,
    as (P * beta_1) * (1 - 0.5 * 0.96^t); P reaches float32's subnormal range within a few
    hundred steps for small beta_1 and is then flushed to 0, as in TensorFlow.
    """
    beta_1 = _f32(options["beta_1"])
    # Unlike adam.py, nadam.py casts beta_1 and beta_2 to float32 *before* computing
    # 1 - beta, so 1 - beta_1 is 0.10000002 in float32, not float32(0.1).
    c1, c2 = _f32(_ONE - beta_1), _f32(_ONE - _f32(options["beta_2"]))
    eps = _f32(options["epsilon"])
    n = len(lrs)
    t = np.arange(1, n + 2, dtype=_F32)  # t = 1 .. n + 1 (u_{t+1} is needed)
    decay = _f32(_ONE - _f32(_F32(0.5) * _pow32(0.96, t)))
    mu = _f32(beta_1 * decay)  # mu[i] = mu_{i+1}
    products = np.empty(n, _F32)
    product = _ONE
    for i in range(n):
        product = _f32(_f32(product * beta_1) * decay[i])
        products[i] = product
    mu_next = list(mu[1:])
    one_minus_mu = list(_f32(_ONE - mu[:-1]))
    one_minus_product = list(_f32(_ONE - products))
    one_minus_product_next = list(_f32(_ONE - _f32(products * mu[1:])))
    one_minus_beta_2_power = list(_f32(_ONE - _pow32(options["beta_2"], t[:-1])))

    def update(i, point, gradient, state):
        m = state["m"] + (gradient - state["m"]) * c1
        v = state["v"] + (gradient * gradient - state["v"]) * c2
        m_hat = (mu_next[i] * m) / one_minus_product_next[i] + (
            one_minus_mu[i] * gradient
        ) / one_minus_product[i]
        v_hat = v / one_minus_beta_2_power[i]
        return point - (m_hat * lrs[i]) / (np.sqrt(v_hat) + eps), {"m": m, "v": v}

    zeros = np.zeros(2, _F32)
    return update, {"m": zeros, "v": zeros}


def _lion(options, lrs):
    """keras/src/optimizers/lion.py.

    Chen et al. (2023), "Symbolic Discovery of Optimization Algorithms", Algorithm 2:
    w -= lr sign(beta_1 m + (1 - beta_1) g), then m = beta_2 m + (1 - beta_2) g. Every
    coordinate moves by exactly lr (or 0 where the sign is 0), whatever the size of the
    gradient. Keras casts beta_1 and beta_2 to float32 before computing 1 - beta. The
    paper's decoupled weight decay (w -= lr lambda w) is Keras' ``weight_decay``.
    """
    beta_1, beta_2 = _f32(options["beta_1"]), _f32(options["beta_2"])
    c1, c2 = _f32(_ONE - beta_1), _f32(_ONE - beta_2)

    def update(i, point, gradient, state):
        m = state["m"]
        new = point - lrs[i] * np.sign(m * beta_1 + gradient * c1)
        return new, {"m": m * beta_2 + gradient * c2}

    return update, {"m": np.zeros(2, _F32)}


_RULES = {
    "sgd": _sgd,
    "adagrad": _adagrad,
    "adadelta": _adadelta,
    "rmsprop": _rmsprop,
    "adam": _adam,
    "adamax": _adamax,
    "nadam": _nadam,
    "adamw": _adam,
    "lion": _lion,
}

# Optimizer state that OptimizerPath.details records after each update.
_RECORDED_STATE = ("velocity",)


# --- the simulator ---------------------------------------------------------------------


def _learning_rates(learning_rate, steps: int) -> np.ndarray:
    """float32 learning rate of each update, shape (steps,)."""
    if isinstance(learning_rate, Schedule):
        return learning_rate(np.arange(steps))
    return np.full(steps, _f32(learning_rate), dtype=_F32)


def _check_start(start, surface: Surface) -> np.ndarray:
    if start is None:
        start = surface.start
    if isinstance(start, (str, bytes)) or not hasattr(start, "__len__") or len(start) != 2:
        raise TypeError(f"start must be a pair of numbers (x, y), got {start!r}")
    x = check.finite_real(start[0], "start[0]")
    y = check.finite_real(start[1], "start[1]")
    return np.array([x, y], dtype=_F32)


def _gradient32(gradient_fn, point: np.ndarray) -> np.ndarray:
    """Return the surface's gradient at ``point``, rounded to float32, shape (2,)."""
    x, y = point.tolist()
    try:
        gradient = gradient_fn(x, y)
    except FloatingPointError:  # a surface's own numpy arithmetic underflowed
        with np.errstate(all="ignore"):
            gradient = gradient_fn(x, y)
    return np.array(gradient, dtype=_F32)


def _step(full_update, i: int, point, gradient, state):
    """Update ``i``; redone with flush-to-zero arithmetic if it meets a subnormal.

    A step is redone the way TensorFlow computes it when numpy reports an underflow (a
    rounded subnormal or zero result) or an input or result of the step is subnormal. An
    exactly representable subnormal in the middle of a step that vanishes before its end
    would go unseen; the tests against Keras, subnormal cases included, have not met one.
    """
    try:
        if _has_subnormal(point, gradient):
            raise FloatingPointError
        new, new_state = full_update(i, point, gradient, state)
        if _has_subnormal(new, *new_state.values()):
            raise FloatingPointError
        return new, new_state
    except FloatingPointError:  # the slow, exact way: every operation flushes
        with np.errstate(under="ignore"):
            new, new_state = full_update(
                i,
                point.view(_FlushToZero),
                gradient.view(_FlushToZero),
                {key: value.view(_FlushToZero) for key, value in state.items()},
            )
        return np.asarray(new), {key: np.asarray(value) for key, value in new_state.items()}


def _walk(full_update, gradient_fn, point, state, steps: int, window):
    """Apply up to ``steps`` updates from ``point``; stop when a point leaves ``window``.

    Returns the points (start included), the gradient of each update, the recorded
    optimizer state after each update (``_RECORDED_STATE``) and whether the path diverged
    (left the window or overflowed to inf/nan).
    """
    x_min, x_max, y_min, y_max = window
    points, gradients = [point], []
    records = {key: [] for key in _RECORDED_STATE if key in state}
    # Overflow means divergence (detected below); an underflow redoes the step (_step).
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="raise"):
        for i in range(steps):
            gradient = _gradient32(gradient_fn, point)
            new, new_state = _step(full_update, i, point, gradient, state)
            x, y = new.tolist()
            # NaN fails every comparison, so this also catches nan and inf.
            if not (x_min <= x <= x_max and y_min <= y <= y_max and abs(x) + abs(y) < math.inf):
                return points, gradients, records, True
            points.append(new)
            gradients.append(gradient)
            for key, values in records.items():
                values.append(new_state[key])
            point, state = new, new_state
    return points, gradients, records, False


def simulate(
    config: OptimizerConfig,
    surface: Surface | str,
    *,
    start=None,
    steps: int = 100,
    stop_outside_window: bool = True,
) -> OptimizerPath:
    """Run an optimizer for ``steps`` updates on a surface, as Keras would, in float32.

    Each update takes the analytic gradient at the current float32 point (computed in
    float64, rounded to float32), applies Keras' weight decay if configured
    (w -= w * weight_decay * lr, before the update, as the Keras base optimizer does) and
    then the optimizer's update rule, with the learning rate ``schedule(i)`` for update i
    (0-based, as Keras' ``optimizer.iterations``), and for SGD with a momentum schedule
    the momentum ``momentum(i)``. A step that meets a float32 subnormal
    (an input or result, or a numpy underflow on the way) is computed again with every
    operation flushing subnormals to zero, as TensorFlow does; the other steps have
    none to flush and run at numpy speed.

    Parameters
    ----------
    config : OptimizerConfig
        From :func:`make_optimizer` (or an entry of ``ZOO``).
    surface : Surface or str
        A Surface or a name in :data:`lecture_nn.surfaces.SURFACES`.
    start : pair of float, optional
        Start point (x, y); None for ``surface.start``.
    steps : int
        Number of updates, >= 1.
    stop_outside_window : bool
        Stop (``diverged=True``) as soon as a point leaves the surface's window; with
        False the path only stops at inf/nan.

    Returns
    -------
    OptimizerPath
        The path; it is shorter than ``steps`` if it diverged.

    Raises
    ------
    TypeError, ValueError
        A bad argument (the message names it), or a momentum schedule whose value at some
        step is not a number in [0, 1) (the message names the step).
    """
    if not isinstance(config, OptimizerConfig):
        raise TypeError(
            "config must be an OptimizerConfig (use make_optimizer or ZOO), got "
            f"{type(config).__name__}"
        )
    surface = get_surface(surface)
    point = _check_start(start, surface)
    steps = check.positive_int(steps, "steps")
    stop_outside_window = check.boolean(stop_outside_window, "stop_outside_window")
    if stop_outside_window and not surface.contains(*point.tolist()):
        raise ValueError(
            f"start {tuple(point.tolist())} lies outside the window {surface.window} of "
            f"{surface.name!r}; pass stop_outside_window=False to allow it"
        )
    at_start = (surface.function(*point.tolist()), *surface.gradient(*point.tolist()))
    if not all(math.isfinite(value) for value in at_start):
        raise ValueError(f"loss or gradient at start {tuple(point.tolist())} is not finite")

    rates = _learning_rates(config.learning_rate, steps)
    lrs = list(rates)
    options = dict(config.options)
    momentums = None
    if config.kind == "sgd" and callable(options["momentum"]):
        momentums = _momentum_schedule(options["momentum"], steps)
        options["momentum"] = momentums
    update, state = _RULES[config.kind](options, lrs)
    weight_decay = config.options.get("weight_decay")
    decay = None if not weight_decay else _f32(weight_decay)

    def full_update(i, point, gradient, state):
        if decay is not None:  # keras/src/optimizers/base_optimizer.py _apply_weight_decay
            point = point - point * decay * lrs[i]
        return update(i, point, gradient, state)

    window = surface.window if stop_outside_window else (-math.inf, math.inf) * 2
    points, gradients, records, diverged = _walk(
        full_update, surface.gradient, point, state, steps, window
    )
    n = len(gradients)
    path_points = np.array(points, dtype=_F32)
    with np.errstate(all="ignore"):  # far outside the window the loss may overflow
        losses = np.asarray(surface.function(*path_points.astype(np.float64).T), dtype=np.float64)
    finite = np.isfinite(losses)
    if not finite.all():  # only possible far outside the window; the start is finite
        n = int(np.argmin(finite)) - 1
        path_points, losses, diverged = path_points[: n + 1], losses[: n + 1], True

    details = {"gradient": np.array(gradients[:n], dtype=_F32).reshape(n, 2)}
    if momentums is not None:
        details["momentum"] = np.array(momentums[:n], dtype=_F32)
    for key, values in records.items():
        details[key] = np.array(values[:n], dtype=_F32).reshape(n, 2)
    return OptimizerPath(
        name=config.label,
        points=path_points,
        losses=losses,
        learning_rates=rates[:n].copy(),
        diverged=diverged,
        details=details,
    )


ZOO: dict[str, OptimizerConfig] = {
    "sgd": make_optimizer("sgd", 0.01, label="SGD"),
    "sgd_decay": make_optimizer(
        "sgd",
        ExponentialDecay(0.02, decay_steps=100, decay_rate=0.96),
        label="SGD + exponential decay",
    ),
    "sgd_cyclic": make_optimizer(
        "sgd",
        CyclicalLearningRate(1e-4, 0.1, step_size=100, mode="triangular"),
        label="SGD + cyclical learning rate",
    ),
    "momentum": make_optimizer("sgd", 0.005, momentum=0.9, label="Momentum"),
    "nesterov": make_optimizer(
        "sgd", 0.005, momentum=0.9, nesterov=True, label="Nesterov momentum"
    ),
    "adagrad": make_optimizer("adagrad", 0.4, label="Adagrad"),
    "rmsprop": make_optimizer("rmsprop", 0.1, label="RMSprop"),
    "rmsprop_momentum": make_optimizer("rmsprop", 0.1, momentum=0.9, label="RMSprop + momentum"),
    # The lecture's Adam used epsilon=1e-8 (the TF 1 default); Keras 3's default is 1e-7.
    "adam": make_optimizer("adam", 0.2, epsilon=1e-8, label="Adam"),
    "adamax": make_optimizer("adamax", 0.5, label="Adamax"),
    "nadam": make_optimizer("nadam", 0.2, label="Nadam"),
    "adamw": make_optimizer("adamw", 0.2, label="AdamW"),
    # Zeiler (2012), section 4.1, trains with rho = 0.95 and epsilon = 1e-6 and has no
    # learning rate (Keras: learning_rate=1.0 is "the exact form in the original paper";
    # its default 0.001 hardly moves). The first steps are sqrt(epsilon / (1 - rho))
    # ~ 0.0045 per coordinate and stay that small for hundreds of steps: in 100 steps the
    # loss falls from 42 to 20 while the path slides down the valley wall, away from the
    # minimum (tests/test_optimizers_adadelta_lion.py).
    "adadelta": make_optimizer("adadelta", 1.0, epsilon=1e-6, label="Adadelta"),
    # Lion moves every coordinate by exactly lr per step; Chen et al. (2023) advise a
    # learning rate 3-10x smaller than AdamW's (keras/src/optimizers/lion.py): here 5x.
    "lion": make_optimizer("lion", 0.04, label="Lion"),
}


def simulate_zoo(
    surface: Surface | str = "beale",
    *,
    names: Iterable[str] | str | None = None,
    steps: int = 100,
    start=None,
) -> dict[str, OptimizerPath]:
    """Simulate the ``ZOO`` optimizers (all, or those in ``names``, in that order).

    Parameters
    ----------
    surface : Surface or str
        The surface, or its name.
    names : str or iterable of str, optional
        Keys of ``ZOO``; None for all of them.
    steps : int
        Number of updates of each path, >= 1.
    start : pair of float, optional
        Start point (x, y); None for ``surface.start``.

    Returns
    -------
    dict of str to OptimizerPath
        The paths, keyed by their ``ZOO`` names.

    Raises
    ------
    TypeError
        ``names`` is not a str or an iterable of str.
    ValueError
        A name is not in ``ZOO`` (the message names it, as ``names[i]``, and lists the
        valid names).
    """
    surface = get_surface(surface)
    if names is None:
        names = list(ZOO)
    elif isinstance(names, str):
        names = [names]
    elif isinstance(names, Iterable):
        names = list(names)
    else:
        raise TypeError(
            f"names must be a name of ZOO or an iterable of them, got {type(names).__name__}"
        )
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(f"names[{i}] must be a name of ZOO (a str), got {name!r}")
        if name not in ZOO:
            raise ValueError(f"names[{i}]: unknown optimizer {name!r}; ZOO holds {', '.join(ZOO)}")
    return {name: simulate(ZOO[name], surface, start=start, steps=steps) for name in names}
