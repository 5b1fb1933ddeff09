"""The numpy optimizer simulator against real keras.optimizers, step by step, plus bad input.

Keras applies the same analytic surface gradient (evaluated in float64 at the Keras
variable's float32 value, rounded to float32) to a ``keras.Variable`` of shape (2,), one
``optimizer.apply`` per step. The paths must agree to float32 round-off at every step up
to where our path stops (in practice they are bit-identical).
"""

import inspect
import math
import warnings

import numpy as np
import pytest

from lecture_nn import schedules as sch
from lecture_nn.optimizers import (
    KINDS,
    ZOO,
    OptimizerConfig,
    OptimizerPath,
    make_optimizer,
    simulate,
    simulate_zoo,
)
from lecture_nn.surfaces import SURFACES, get_surface

keras = pytest.importorskip("keras")

SURFACE_NAMES = list(SURFACES)
RTOL, ATOL = 1e-5, 1e-6

# Learning rates that keep plain gradient descent inside each window for 100 steps while
# still moving: they scale with 1 / curvature of the surface.
SGD_LR = {"beale": 3e-3, "rosenbrock": 1e-3, "quadratic": 0.1, "himmelblau": 1e-3}
MOMENTUM_LR = {"beale": 1e-3, "rosenbrock": 3e-4, "quadratic": 0.03, "himmelblau": 3e-4}

# case -> (kind, learning rate per surface or one for all, options)
CASES = {
    "sgd": ("sgd", SGD_LR, {}),
    "sgd_momentum": ("sgd", MOMENTUM_LR, {"momentum": 0.9}),
    "sgd_nesterov": ("sgd", MOMENTUM_LR, {"momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": ("sgd", SGD_LR, {"weight_decay": 0.5}),
    "adagrad": ("adagrad", 0.3, {}),
    "rmsprop": ("rmsprop", 0.03, {}),
    "rmsprop_momentum": ("rmsprop", 3e-3, {"momentum": 0.9}),
    "rmsprop_centered": ("rmsprop", 0.03, {"centered": True}),
    "rmsprop_centered_momentum": ("rmsprop", 3e-3, {"centered": True, "momentum": 0.8}),
    "adam": ("adam", 0.1, {}),
    "adam_amsgrad": ("adam", 0.1, {"amsgrad": True}),
    "adam_weight_decay": ("adam", 0.1, {"weight_decay": 0.1, "beta_1": 0.8}),
    "adamax": ("adamax", 0.3, {}),
    "nadam": ("nadam", 0.1, {}),
    "adamw": ("adamw", 0.1, {}),
    "adamw_amsgrad": ("adamw", 0.1, {"weight_decay": 0.05, "amsgrad": True, "epsilon": 1e-4}),
    "adadelta": ("adadelta", 1.0, {}),
    "adadelta_rho_epsilon": ("adadelta", 1.0, {"rho": 0.9, "epsilon": 1e-5}),
    "adadelta_weight_decay": ("adadelta", 2.0, {"weight_decay": 0.05}),
    "lion": ("lion", 0.01, {}),
    "lion_betas": ("lion", 3e-3, {"beta_1": 0.95, "beta_2": 0.98}),
    "lion_weight_decay": ("lion", 0.01, {"weight_decay": 0.1}),
}


def schedule_for(name, lr):
    """Learning-rate schedules around a surface's stable SGD learning rate ``lr``."""
    return {
        "exponential": sch.ExponentialDecay(lr, decay_steps=20, decay_rate=0.9),
        "exponential_staircase": sch.ExponentialDecay(lr, 15, 0.5, staircase=True),
        "inverse_time": sch.InverseTimeDecay(lr, decay_steps=10, decay_rate=0.5),
        "piecewise": sch.PiecewiseConstantDecay([30, 60], [lr, lr / 2, lr / 4]),
        "cyclical_triangular": sch.CyclicalLearningRate(lr / 10, 3 * lr, step_size=20),
        "cyclical_triangular2": sch.CyclicalLearningRate(lr / 10, 3 * lr, 15, "triangular2"),
        "cyclical_exp_range": sch.CyclicalLearningRate(lr / 10, 3 * lr, 20, "exp_range", 0.99),
    }[name]


SCHEDULE_NAMES = [
    "exponential",
    "exponential_staircase",
    "inverse_time",
    "piecewise",
    "cyclical_triangular",
    "cyclical_triangular2",
    "cyclical_exp_range",
]


def keras_path(config, surface, steps, start=None):
    """Points, learning rates and (SGD) momentum buffers of the real Keras optimizer."""
    optimizer = config.to_keras()
    variable = keras.Variable(np.asarray(start or surface.start, dtype=np.float32))
    points = [np.array(variable.numpy())]
    rates, velocities = [], []
    for _ in range(steps):
        rates.append(float(optimizer.learning_rate))
        x, y = np.asarray(variable.numpy(), dtype=np.float64)
        gradient = np.asarray(surface.gradient(x, y), dtype=np.float32)
        optimizer.apply([gradient], [variable])
        points.append(np.array(variable.numpy()))
        if config.kind == "sgd" and config.options["momentum"] > 0:
            velocities.append(np.array(optimizer.momentums[0].numpy()))
    return np.array(points), np.array(rates, dtype=np.float32), np.array(velocities)


def assert_matches_keras(config, surface_name, steps=100, min_steps=100):
    surface = get_surface(surface_name)
    path = simulate(config, surface, steps=steps)
    assert path.n_steps >= min_steps, f"path too short to be meaningful: {path.n_steps}"
    # Keras has no window: it runs one step further than our path when ours stopped.
    keras_steps = min(steps, path.n_steps + 1)
    with np.errstate(all="ignore"):
        points, rates, velocities = keras_path(config, surface, keras_steps)
    n = path.n_steps
    np.testing.assert_allclose(path.points, points[: n + 1], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(path.learning_rates, rates[:n], rtol=RTOL, atol=0)
    if len(velocities):
        np.testing.assert_allclose(path.details["velocity"], velocities[:n], rtol=RTOL, atol=ATOL)
    if path.diverged:  # Keras' next point really is outside the window (or not finite)
        x, y = points[n + 1]
        assert not (np.isfinite(x) and np.isfinite(y) and surface.contains(x, y))
    if not path.diverged:  # the path made progress: the loss went down
        assert path.losses[-1] < path.losses[0]
    return path


@pytest.mark.parametrize("surface", SURFACE_NAMES)
@pytest.mark.parametrize("case", CASES)
def test_optimizer_matches_keras(case, surface):
    kind, lr, options = CASES[case]
    lr = lr[surface] if isinstance(lr, dict) else lr
    assert_matches_keras(make_optimizer(kind, lr, **options), surface)


@pytest.mark.parametrize("surface", SURFACE_NAMES)
@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_sgd_with_schedule_matches_keras(schedule, surface):
    config = make_optimizer("sgd", schedule_for(schedule, SGD_LR[surface]))
    path = assert_matches_keras(config, surface)
    assert len(np.unique(path.learning_rates)) > 1


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_on_beale_matches_keras(name):
    # The cyclical schedule climbs to 0.1, too much for SGD on Beale: it leaves the
    # window after 91 steps, as in the lecture.
    assert_matches_keras(ZOO[name], "beale", min_steps=80)


def test_zoo_keys_and_lecture_hyperparameters():
    assert list(ZOO) == [
        "sgd",
        "sgd_decay",
        "sgd_cyclic",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "rmsprop_momentum",
        "adam",
        "adamax",
        "nadam",
        "adamw",
        "adadelta",
        "lion",
    ]
    assert ZOO["sgd"].learning_rate == 0.01
    assert ZOO["sgd_decay"].learning_rate == sch.ExponentialDecay(0.02, 100, 0.96)
    assert ZOO["sgd_cyclic"].learning_rate == sch.CyclicalLearningRate(1e-4, 0.1, 100)
    assert dict(ZOO["nesterov"].options) == {"momentum": 0.9, "nesterov": True}
    assert ZOO["momentum"].learning_rate == 0.005
    assert ZOO["adagrad"].learning_rate == 0.4
    assert ZOO["rmsprop_momentum"].options["momentum"] == 0.9
    assert (ZOO["adam"].learning_rate, ZOO["adamax"].learning_rate) == (0.2, 0.5)
    assert ZOO["adamw"].options["weight_decay"] == 0.004
    # Zeiler (2012)'s settings; Lion at a fifth of Adam's learning rate (Chen et al. 2023).
    assert ZOO["adadelta"].learning_rate == 1.0
    assert dict(ZOO["adadelta"].options) == {"rho": 0.95, "epsilon": 1e-6}
    assert ZOO["lion"].learning_rate == ZOO["adam"].learning_rate / 5
    assert dict(ZOO["lion"].options) == {"beta_1": 0.9, "beta_2": 0.99}


def test_simulate_zoo_on_beale():
    paths = simulate_zoo()
    assert list(paths) == list(ZOO)
    for name, path in paths.items():
        assert isinstance(path, OptimizerPath)
        assert path.name == ZOO[name].label
        n = path.n_steps
        assert path.points.shape == (n + 1, 2)
        assert path.points.dtype == np.float32
        assert path.losses.shape == (n + 1,)
        assert path.learning_rates.shape == (n,)
        assert path.details["gradient"].shape == (n, 2)
        np.testing.assert_array_equal(path.points[0], np.float32([0.8, 1.6]))
        assert n == 100 or name == "sgd_cyclic"
        # Adadelta is slower (tests/test_optimizers_adadelta_lion.py).
        if name not in ("sgd_cyclic", "adadelta"):
            assert not path.diverged
            assert path.losses[-1] < 0.25 * path.losses[0]
    assert paths["sgd_cyclic"].diverged
    subset = simulate_zoo("quadratic", names=["adam", "sgd"], steps=10, start=(1.0, 1.0))
    assert list(subset) == ["adam", "sgd"]
    assert subset["sgd"].n_steps == 10
    np.testing.assert_array_equal(subset["adam"].points[0], [1.0, 1.0])
    assert list(simulate_zoo(names="nadam")) == ["nadam"]


def test_momentum_details_are_keras_velocity_and_gradient():
    path = simulate(ZOO["momentum"], "beale", steps=20)
    velocity, gradient = path.details["velocity"], path.details["gradient"]
    assert velocity.shape == gradient.shape == (20, 2)
    # Keras: v_t = momentum v_{t-1} - lr g_t and w_t = w_{t-1} + v_t.
    np.testing.assert_allclose(np.diff(path.points, axis=0), velocity, rtol=1e-6, atol=1e-7)
    previous = np.vstack([np.zeros((1, 2), np.float32), velocity[:-1]])
    np.testing.assert_allclose(velocity, 0.9 * previous - 0.005 * gradient, rtol=1e-5, atol=1e-7)
    beale = get_surface("beale")
    expected = np.array([beale.gradient(*p) for p in path.points[:-1].astype(float)], np.float32)
    np.testing.assert_array_equal(gradient, expected)
    assert "velocity" not in simulate(ZOO["adam"], "beale", steps=3).details


# --- defaults, configs and to_keras ----------------------------------------------------

KERAS_CLASS_NAMES = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
    "adamw": "AdamW",
    "adadelta": "Adadelta",
    "lion": "Lion",
}


@pytest.mark.parametrize("kind", KINDS)
def test_defaults_are_those_of_keras(kind):
    signature = inspect.signature(getattr(keras.optimizers, KERAS_CLASS_NAMES[kind]))
    config = make_optimizer(kind)
    assert config.learning_rate == signature.parameters["learning_rate"].default
    for name, value in config.options.items():
        assert signature.parameters[name].default == value, name
    base = {"learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm"}
    base |= {"use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor"}
    base |= {"gradient_accumulation_steps", "name", "kwargs"}
    assert set(signature.parameters) - base <= set(config.options)


@pytest.mark.parametrize("kind", KINDS)
def test_to_keras_builds_the_same_optimizer(kind):
    config = make_optimizer(kind, 0.05)
    optimizer = config.to_keras()
    assert type(optimizer).__name__ == KERAS_CLASS_NAMES[kind]
    keras_config = optimizer.get_config()
    assert keras_config["learning_rate"] == pytest.approx(0.05)
    for name, value in config.options.items():
        assert keras_config[name] == pytest.approx(value), name


def test_make_optimizer_labels_and_options():
    assert make_optimizer("sgd").label == "SGD"
    assert make_optimizer("sgd", momentum=0.9).label == "Momentum"
    assert make_optimizer("SGD", momentum=0.9, nesterov=True).label == "Nesterov momentum"
    assert make_optimizer("rmsprop", centered=True).label == "RMSprop (centered)"
    assert make_optimizer("adam", amsgrad=True).label == "Adam (AMSGrad)"
    assert make_optimizer("adam", 0.1, label="mine").label == "mine"
    decayed = make_optimizer("sgd", sch.InverseTimeDecay(0.1, 10, 0.5))
    assert decayed.label == "SGD + InverseTimeDecay"
    assert make_optimizer("adam", weight_decay=None).options.keys() == {
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    }
    config = make_optimizer("sgd", 1, momentum=0)
    assert config.learning_rate == 1.0
    assert isinstance(config.options["momentum"], float)
    with pytest.raises(TypeError):
        config.options["momentum"] = 0.5  # read-only
    assert config == make_optimizer("sgd", 1.0, momentum=0.0)
    assert hash(config) == hash(make_optimizer("sgd", 1.0, momentum=0.0))


# --- divergence ------------------------------------------------------------------------


@pytest.mark.parametrize("stop_outside_window", [True, False])
def test_divergence_stops_cleanly_without_warnings(stop_outside_window):
    surface = get_surface("beale")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = simulate(
            make_optimizer("sgd", 0.1), surface, steps=100, stop_outside_window=stop_outside_window
        )
        heavy_ball = simulate(
            make_optimizer("sgd", 0.02, momentum=0.99), surface, stop_outside_window=False
        )
    for p in (path, heavy_ball):
        assert p.diverged
        assert np.all(np.isfinite(p.points))
        assert np.all(np.isfinite(p.losses))
        assert len(p.points) == len(p.losses) == p.n_steps + 1
        assert len(p.learning_rates) == p.n_steps
    if stop_outside_window:
        assert path.n_steps < 5
        assert all(surface.contains(*point) for point in path.points.astype(float))
    else:
        assert np.abs(path.points).max() > 1e10  # ran far out before overflowing


def test_divergence_with_schedule_keeps_its_learning_rates():
    path = simulate(ZOO["sgd_cyclic"], "beale")
    assert path.diverged
    assert path.n_steps == len(path.learning_rates) == 91
    np.testing.assert_array_equal(
        path.learning_rates, ZOO["sgd_cyclic"].learning_rate(np.arange(91))
    )


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["adafactor", "ftrl", "lion2", ""])
def test_unknown_kind_lists_the_valid_ones(bad):
    with pytest.raises(ValueError, match="kind must be one of") as info:
        make_optimizer(bad)
    assert all(kind in str(info.value) for kind in KINDS)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": 3}, TypeError, "kind"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be a number > 0"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be a number > 0"),
        ({"learning_rate": math.nan}, ValueError, "learning_rate must be a finite number"),
        ({"learning_rate": math.inf}, ValueError, "learning_rate must be a finite number"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate"),
        ({"learning_rate": True}, TypeError, "learning_rate"),
        ({"learning_rate": lambda step: 0.1}, TypeError, "learning_rate"),
        ({"beta1": 0.9}, ValueError, "unknown hyperparameter 'beta1'"),
        ({"momentum": 1.5}, ValueError, "momentum"),
        ({"momentum": -0.1}, ValueError, "momentum"),
        # one rule for a momentum, [0, 1): Keras' SGD takes 1, which never decays
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0, 1\)"),
        ({"momentum": np.float32(0.9)}, None, None),
        ({"nesterov": 1}, TypeError, "nesterov"),
        ({"momentum": "0.9"}, TypeError, "momentum"),
        ({"label": 3}, TypeError, "label"),
    ],
)
def test_bad_sgd_arguments(kwargs, error, match):
    arguments = {"kind": "sgd", **kwargs}
    if error is None:
        make_optimizer(**arguments)
        return
    with pytest.raises(error, match=match):
        make_optimizer(**arguments)


def test_unknown_hyperparameter_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown hyperparameter") as info:
        make_optimizer("adam", rho=0.9)
    for name in ["beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay"]:
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("kind", "options", "error", "match"),
    [
        ("adam", {"beta_1": 1.0}, ValueError, "beta_1"),
        ("adam", {"beta_2": -0.1}, ValueError, "beta_2"),
        ("adam", {"epsilon": 0.0}, ValueError, "epsilon"),
        ("adam", {"amsgrad": "yes"}, TypeError, "amsgrad"),
        ("rmsprop", {"rho": 1.0}, ValueError, "rho"),
        ("rmsprop", {"centered": None}, TypeError, "centered"),
        ("adagrad", {"initial_accumulator_value": -1.0}, ValueError, "initial_accumulator"),
        ("adamw", {"weight_decay": None}, TypeError, "weight_decay"),
        ("adamw", {"weight_decay": -0.1}, ValueError, "weight_decay"),
        ("adadelta", {"rho": 1.0}, ValueError, r"rho must be a number in \[0, 1\)"),
        ("adadelta", {"rho": -0.5}, ValueError, "rho"),
        ("adadelta", {"epsilon": 0.0}, ValueError, "epsilon must be a number > 0"),
        ("adadelta", {"epsilon": "1e-6"}, TypeError, "epsilon"),
        ("adadelta", {"beta_1": 0.9}, ValueError, "unknown hyperparameter 'beta_1' for Adadelta"),
        ("lion", {"beta_1": 0.0}, ValueError, r"beta_1 must be a number in \(0, 1\]"),
        ("lion", {"beta_1": 1.5}, ValueError, r"beta_1 must be a number in \(0, 1\]"),
        ("lion", {"beta_2": 1.01}, ValueError, r"beta_2 must be a number in \[0, 1\]"),
        ("lion", {"beta_2": None}, TypeError, "beta_2"),
        ("lion", {"epsilon": 1e-7}, ValueError, "unknown hyperparameter 'epsilon' for Lion"),
    ],
)
def test_bad_hyperparameters(kind, options, error, match):
    with pytest.raises(error, match=match):
        make_optimizer(kind, **options)


def test_optimizer_config_checks_direct_construction():
    config = OptimizerConfig("adam", 0.1, {"amsgrad": True})
    assert config.options["beta_1"] == 0.9
    assert config.label == "Adam (AMSGrad)"
    with pytest.raises(ValueError, match="kind must be one of"):
        OptimizerConfig("adamm", 0.1, {})
    with pytest.raises(TypeError, match="options"):
        OptimizerConfig("adam", 0.1, [("amsgrad", True)])
    with pytest.raises(TypeError, match="learning_rate as its own argument"):
        OptimizerConfig("sgd", 0.1, {"learning_rate": 0.1})


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"config": "sgd"}, TypeError, "OptimizerConfig"),
        ({"surface": "booth"}, ValueError, "unknown surface"),
        ({"steps": 0}, ValueError, "steps must be an integer >= 1"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"steps": True}, TypeError, "steps"),
        ({"start": (math.nan, 0.0)}, ValueError, r"start\[0\]"),
        ({"start": (0.0, math.inf)}, ValueError, r"start\[1\]"),
        ({"start": (1.0, 2.0, 3.0)}, TypeError, "start"),
        ({"start": "ab"}, TypeError, "start"),
        ({"start": (10.0, 0.0)}, ValueError, "outside the window"),
        ({"stop_outside_window": "yes"}, TypeError, "stop_outside_window"),
    ],
)
def test_bad_simulate_arguments(kwargs, error, match):
    arguments = {"config": ZOO["sgd"], "surface": "beale", **kwargs}
    config = arguments.pop("config")
    surface = arguments.pop("surface")
    with pytest.raises(error, match=match):
        simulate(config, surface, **arguments)


def test_start_outside_the_window_is_fine_without_the_window_stop():
    path = simulate(ZOO["adam"], "quadratic", start=(10.0, 0.0), stop_outside_window=False)
    assert path.n_steps == 100
    assert not path.diverged


def test_bad_zoo_names():
    with pytest.raises(ValueError, match=r"names\[1\]: unknown optimizer 'adamm'") as info:
        simulate_zoo(names=["adam", "adamm"])
    assert "rmsprop_momentum" in str(info.value)
    with pytest.raises(TypeError, match="names must be a name of ZOO"):
        simulate_zoo(names=5)
    with pytest.raises(TypeError, match=r"names\[0\] must be a name of ZOO"):
        simulate_zoo(names=[3])
