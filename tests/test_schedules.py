"""numpy learning-rate schedules against Keras, the Keras CyclicalLearningRate, bad input."""

import math
import subprocess
import sys

import numpy as np
import pytest

from lecture_nn import schedules as sch

keras = pytest.importorskip("keras")
keras_schedules = pytest.importorskip("lecture_nn.keras_schedules")

STEPS = np.arange(1001)

SCHEDULES = {
    "exponential": sch.ExponentialDecay(0.02, decay_steps=100, decay_rate=0.96),
    "exponential_staircase": sch.ExponentialDecay(
        0.1, decay_steps=7, decay_rate=0.5, staircase=True
    ),
    "exponential_fast": sch.ExponentialDecay(0.3, decay_steps=3.5, decay_rate=0.9),
    "inverse_time": sch.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5),
    "inverse_time_staircase": sch.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
    "piecewise": sch.PiecewiseConstantDecay([100, 300, 700], [0.1, 0.05, 0.01, 0.001]),
    "piecewise_one_boundary": sch.PiecewiseConstantDecay([0], [0.5, 0.25]),
    "cyclical_triangular": sch.CyclicalLearningRate(1e-4, 0.1, step_size=100),
    "cyclical_triangular2": sch.CyclicalLearningRate(1e-4, 0.1, 100, mode="triangular2"),
    "cyclical_exp_range": sch.CyclicalLearningRate(1e-3, 0.05, 37, "exp_range", gamma=0.997),
    "cyclical_odd_step_size": sch.CyclicalLearningRate(0.01, 0.3, step_size=12.5),
    "cosine": sch.CosineDecay(0.1, decay_steps=300),
    "cosine_alpha": sch.CosineDecay(0.1, decay_steps=300, alpha=0.1),
    "cosine_odd_decay_steps": sch.CosineDecay(0.03, decay_steps=37.5, alpha=0.3),
    "cosine_warmup_from_zero": sch.CosineDecay(
        0.0, 500, alpha=0.05, warmup_target=0.2, warmup_steps=100
    ),
    "cosine_warmup": sch.CosineDecay(0.01, 250, warmup_target=0.1, warmup_steps=33),
    "cosine_zero_warmup_steps": sch.CosineDecay(0.01, 400, warmup_target=0.05),
    "restarts": sch.CosineDecayRestarts(0.1, first_decay_steps=50),
    "restarts_constant_period": sch.CosineDecayRestarts(0.1, 30, t_mul=1.0, m_mul=0.8, alpha=0.1),
    "restarts_odd": sch.CosineDecayRestarts(0.05, 17, t_mul=1.5, m_mul=0.9, alpha=0.01),
    "restarts_growing_peaks": sch.CosineDecayRestarts(0.01, 20.5, t_mul=3.0, m_mul=1.2),
    "polynomial": sch.PolynomialDecay(0.1, decay_steps=300),
    "polynomial_squared": sch.PolynomialDecay(0.1, 300, end_learning_rate=0.001, power=2.0),
    "polynomial_rising": sch.PolynomialDecay(0.001, 200, end_learning_rate=0.1, power=0.7),
    "polynomial_cycle": sch.PolynomialDecay(0.1, 70, end_learning_rate=0.01, power=0.5, cycle=True),
    "polynomial_cycle_cubic": sch.PolynomialDecay(
        0.1, 64, end_learning_rate=0.0, power=3, cycle=True
    ),
}
KERAS_CLASSES = {
    sch.ExponentialDecay: keras.optimizers.schedules.ExponentialDecay,
    sch.InverseTimeDecay: keras.optimizers.schedules.InverseTimeDecay,
    sch.PiecewiseConstantDecay: keras.optimizers.schedules.PiecewiseConstantDecay,
    sch.CyclicalLearningRate: keras_schedules.CyclicalLearningRate,
    sch.CosineDecay: keras.optimizers.schedules.CosineDecay,
    sch.CosineDecayRestarts: keras.optimizers.schedules.CosineDecayRestarts,
    sch.PolynomialDecay: keras.optimizers.schedules.PolynomialDecay,
}


def keras_values(schedule, steps):
    """Evaluate a Keras schedule step by step, as an optimizer does (int64 step)."""
    return np.array(
        [
            keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(int(s), "int64")))
            for s in steps
        ],
        dtype=np.float32,
    )


# --- numpy against Keras ---------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULES)
def test_numpy_schedule_equals_keras_for_1000_steps(name):
    schedule = SCHEDULES[name]
    keras_schedule = keras_schedules.to_keras(schedule)
    assert type(keras_schedule) is KERAS_CLASSES[type(schedule)]
    ours = schedule(STEPS)
    assert ours.dtype == np.float32
    assert ours.shape == STEPS.shape
    # Same float32 operations in the same order: identical values, not just close ones.
    np.testing.assert_array_equal(ours, keras_values(keras_schedule, STEPS))


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclical_numpy_equals_keras_class_built_directly(mode):
    arguments = {"initial_learning_rate": 2e-4, "maximal_learning_rate": 0.08, "step_size": 50}
    ours = sch.CyclicalLearningRate(**arguments, mode=mode, gamma=0.999)
    theirs = keras_schedules.CyclicalLearningRate(**arguments, mode=mode, gamma=0.999)
    np.testing.assert_array_equal(ours(STEPS), keras_values(theirs, STEPS))


@pytest.mark.parametrize("name", SCHEDULES)
def test_scalar_and_array_calls_agree(name):
    schedule = SCHEDULES[name]
    steps = np.array([[0, 1, 2], [99, 100, 101], [500, 999, 1000]])
    values = schedule(steps)
    assert values.shape == (3, 3)
    assert values.dtype == np.float32
    for step, value in zip(steps.ravel(), values.ravel()):
        scalar = schedule(int(step))
        assert type(scalar) is float
        assert scalar == float(value)
    assert schedule(np.int64(5)) == schedule(5)
    assert schedule([0, 1]).shape == (2,)


# --- closed forms ----------------------------------------------------------------------


def test_exponential_and_inverse_time_closed_forms():
    exponential = sch.ExponentialDecay(0.02, decay_steps=100, decay_rate=0.96)
    assert exponential(0) == pytest.approx(0.02, rel=1e-7)
    assert exponential(100) == pytest.approx(0.02 * 0.96, rel=1e-6)
    assert exponential(50) == pytest.approx(0.02 * math.sqrt(0.96), rel=1e-6)
    staircase = sch.ExponentialDecay(0.02, 100, 0.96, staircase=True)
    assert staircase(99) == pytest.approx(0.02, rel=1e-7)
    assert staircase(100) == pytest.approx(0.02 * 0.96, rel=1e-6)
    inverse = sch.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert inverse(10) == pytest.approx(0.1 / 1.5, rel=1e-6)
    assert inverse(5) == pytest.approx(0.1 / 1.25, rel=1e-6)
    assert sch.InverseTimeDecay(0.1, 10, 0.5, staircase=True)(19) == pytest.approx(0.1 / 1.5)


def test_piecewise_boundaries_belong_to_the_interval_below():
    schedule = sch.PiecewiseConstantDecay([100, 300], [0.1, 0.05, 0.01])
    expected = {0: 0.1, 100: 0.1, 101: 0.05, 300: 0.05, 301: 0.01, 10_000: 0.01}
    for step, value in expected.items():
        assert schedule(step) == pytest.approx(value, rel=1e-7)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclical_closed_form_values(mode):
    low, high, size, gamma = 1e-4, 0.1, 100, 0.99
    schedule = sch.CyclicalLearningRate(low, high, step_size=size, mode=mode, gamma=gamma)
    scale = {
        "triangular": lambda step, cycle: 1.0,
        "triangular2": lambda step, cycle: 0.5 ** (cycle - 1),
        # float32(0.99) ** 1000 differs from 0.99 ** 1000 by 1e-5 relative: use the former.
        "exp_range": lambda step, cycle: float(np.float32(gamma)) ** step,
    }[mode]

    def expected(step):
        cycle = math.floor(1 + step / (2 * size))
        x = abs(step / size - 2 * cycle + 1)
        return low + (high - low) * max(0.0, 1 - x) * scale(step, cycle)

    for step in [0, 1, 25, 50, 99, 100, 101, 150, 200, 250, 300, 399, 400, 1000]:
        assert schedule(step) == pytest.approx(expected(step), rel=2e-6), step
    # The landmarks of the cycle.
    assert schedule(0) == pytest.approx(low, rel=1e-6)
    assert schedule(2 * size) == pytest.approx(low, rel=1e-6)
    if mode == "triangular":
        assert schedule(size) == pytest.approx(high, rel=1e-6)
        assert schedule(3 * size) == pytest.approx(high, rel=1e-6)
        assert schedule(size // 2) == pytest.approx((low + high) / 2, rel=1e-6)
    elif mode == "triangular2":
        assert schedule(size) == pytest.approx(high, rel=1e-6)
        assert schedule(3 * size) == pytest.approx(low + (high - low) / 2, rel=1e-6)
        assert schedule(5 * size) == pytest.approx(low + (high - low) / 4, rel=1e-6)
    else:
        gamma32 = float(np.float32(gamma))
        assert schedule(size) == pytest.approx(low + (high - low) * gamma32**size, rel=1e-6)


def test_cyclical_stays_between_its_bounds():
    for mode in ["triangular", "triangular2", "exp_range"]:
        values = sch.CyclicalLearningRate(1e-4, 0.1, 100, mode, gamma=0.999)(STEPS)
        assert values.min() >= np.float32(1e-4)
        assert values.max() <= np.float32(0.1)


# --- cosine, restarts, polynomial: closed forms in float64 -----------------------------


def cosine_reference(step, initial, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    """Keras' CosineDecay docstring formulas, in float64."""
    if warmup_target is not None and step < warmup_steps:
        return initial + (warmup_target - initial) * step / warmup_steps
    start = initial if warmup_target is None else warmup_target
    step = min(step - (0 if warmup_target is None else warmup_steps), decay_steps)
    return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


def restarts_reference(step, initial, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    """SGDR (Loshchilov & Hutter 2017, eq. 5) by walking the periods one after another."""
    start, length, period = 0.0, float(first), 0
    while step >= start + length:
        start, length, period = start + length, length * t_mul, period + 1
    fraction = (step - start) / length
    peak = m_mul**period
    return initial * ((1 - alpha) * 0.5 * peak * (1 + math.cos(math.pi * fraction)) + alpha)


def polynomial_reference(step, initial, decay_steps, end=0.0001, power=1.0, cycle=False):
    """Keras' PolynomialDecay docstring formulas, in float64."""
    if cycle:
        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (initial - end) * (1 - step / decay_steps) ** power + end


CLOSED_FORMS = {
    "cosine": lambda s: cosine_reference(s, 0.1, 300),
    "cosine_alpha": lambda s: cosine_reference(s, 0.1, 300, alpha=0.1),
    "cosine_odd_decay_steps": lambda s: cosine_reference(s, 0.03, 37.5, alpha=0.3),
    "cosine_warmup_from_zero": lambda s: cosine_reference(s, 0.0, 500, 0.05, 0.2, 100),
    "cosine_warmup": lambda s: cosine_reference(s, 0.01, 250, 0.0, 0.1, 33),
    "cosine_zero_warmup_steps": lambda s: cosine_reference(s, 0.01, 400, 0.0, 0.05, 0),
    "restarts": lambda s: restarts_reference(s, 0.1, 50),
    "restarts_constant_period": lambda s: restarts_reference(s, 0.1, 30, 1.0, 0.8, 0.1),
    "restarts_odd": lambda s: restarts_reference(s, 0.05, 17, 1.5, 0.9, 0.01),
    "restarts_growing_peaks": lambda s: restarts_reference(s, 0.01, 20.5, 3.0, 1.2),
    "polynomial": lambda s: polynomial_reference(s, 0.1, 300),
    "polynomial_squared": lambda s: polynomial_reference(s, 0.1, 300, 0.001, 2.0),
    "polynomial_rising": lambda s: polynomial_reference(s, 0.001, 200, 0.1, 0.7),
    "polynomial_cycle": lambda s: polynomial_reference(s, 0.1, 70, 0.01, 0.5, cycle=True),
    "polynomial_cycle_cubic": lambda s: polynomial_reference(s, 0.1, 64, 0.0, 3, cycle=True),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_cosine_restarts_polynomial_follow_their_closed_forms(name):
    schedule, reference = SCHEDULES[name], CLOSED_FORMS[name]
    ours = schedule(STEPS).astype(np.float64)
    expected = np.array([reference(int(s)) for s in STEPS])
    # float32 arithmetic: a few units of 1e-7 relative to the largest rate.
    np.testing.assert_allclose(ours, expected, rtol=0, atol=2e-6 * expected.max())


def test_cosine_landmarks():
    schedule = sch.CosineDecay(0.1, decay_steps=300, alpha=0.1)
    assert schedule(0) == pytest.approx(0.1, rel=1e-7)
    assert schedule(150) == pytest.approx(0.1 * (1 + 0.1) / 2, rel=1e-6)
    assert schedule(300) == pytest.approx(0.1 * 0.1, rel=1e-6)
    assert schedule(10_000) == schedule(300)  # stays at the floor
    warm = sch.CosineDecay(0.0, 500, alpha=0.05, warmup_target=0.2, warmup_steps=100)
    assert warm(0) == 0.0
    assert warm(50) == pytest.approx(0.1, rel=1e-6)
    assert warm(100) == pytest.approx(0.2, rel=1e-7)  # the peak, where the decay starts
    assert warm(350) == pytest.approx(0.2 * (1 + 0.05) / 2, rel=1e-6)
    assert warm(600) == pytest.approx(0.2 * 0.05, rel=1e-6)
    assert warm(10_000) == warm(600)
    # warmup_steps=0 with a target: Keras decays from the target from step 0 on.
    assert sch.CosineDecay(0.01, 400, warmup_target=0.05)(0) == pytest.approx(0.05, rel=1e-7)


@pytest.mark.parametrize(
    ("t_mul", "m_mul", "starts"),
    [
        (2.0, 0.5, [0, 50, 150, 350, 750]),
        (1.0, 0.8, [0, 50, 100, 150, 200]),
        (3.0, 1.0, [0, 50, 200, 650]),
    ],
)
def test_restarts_jump_back_up_at_each_period_start(t_mul, m_mul, starts):
    schedule = sch.CosineDecayRestarts(0.1, first_decay_steps=50, t_mul=t_mul, m_mul=m_mul)
    for period, start in enumerate(starts):
        assert schedule(start) == pytest.approx(0.1 * m_mul**period, rel=1e-6), start
        if period:
            # The step before a restart is the end of the previous period: nearly 0.
            assert schedule(start - 1) < 0.01 * schedule(start)
            length = start - starts[period - 1]
            middle = starts[period - 1] + length / 2
            if middle == int(middle):
                expected = 0.1 * m_mul ** (period - 1) / 2
                assert schedule(int(middle)) == pytest.approx(expected, rel=1e-6)


def test_polynomial_landmarks():
    schedule = sch.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0)
    assert schedule(0) == pytest.approx(0.1, rel=1e-7)
    assert schedule(50) == pytest.approx(0.01 + 0.09 * 0.25, rel=1e-6)
    assert schedule(100) == pytest.approx(0.01, rel=1e-6)
    assert schedule(5000) == schedule(100)
    cycling = sch.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0, cycle=True)
    assert cycling(0) == pytest.approx(0.1, rel=1e-7)
    assert cycling(100) == pytest.approx(0.01, rel=1e-6)  # the end of the first cycle
    # Just after it the horizon doubles to 200 steps: (1 - 101/200)**2 of the way.
    assert cycling(101) == pytest.approx(0.01 + 0.09 * (99 / 200) ** 2, rel=1e-6)
    assert cycling(200) == pytest.approx(0.01, rel=1e-6)
    assert cycling(250) == pytest.approx(0.01 + 0.09 * (50 / 300) ** 2, rel=1e-6)


@pytest.mark.parametrize("name", [n for n in SCHEDULES if n.startswith(("cosine", "restarts"))])
def test_without_the_c_library_cos_and_log_stay_within_float32_round_off(name, monkeypatch):
    schedule = SCHEDULES[name]
    with_c_library = schedule(STEPS)
    monkeypatch.setattr(sch, "_c_float_function", lambda name: None)
    fallback = schedule(STEPS)
    np.testing.assert_allclose(
        fallback, with_c_library, rtol=1e-6, atol=1e-6 * with_c_library.max()
    )


def test_subnormal_rates_flush_to_zero_like_tensorflow():
    schedule = sch.ExponentialDecay(0.1, 1, 0.5)
    assert schedule(140) == 0.0
    assert schedule(100) > 0.0


# --- configs and serialisation ---------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULES)
def test_get_config_round_trip_and_keras_config(name):
    schedule = SCHEDULES[name]
    config = schedule.get_config()
    assert type(schedule).from_config(config) == schedule
    keras_config = keras_schedules.to_keras(schedule).get_config()
    keras_config.pop("name")
    assert keras_config == config
    # A Keras config (with its "name") is accepted too.
    assert type(schedule).from_config({**config, "name": "x"}) == schedule


def test_keras_cyclical_config_round_trip():
    schedule = keras_schedules.CyclicalLearningRate(1e-3, 0.01, 20, "triangular2", name="clr")
    config = schedule.get_config()
    assert config == {
        "initial_learning_rate": 1e-3,
        "maximal_learning_rate": 0.01,
        "step_size": 20.0,
        "mode": "triangular2",
        "gamma": 1.0,
        "name": "clr",
    }
    clone = keras_schedules.CyclicalLearningRate.from_config(config)
    assert clone.get_config() == config
    serialized = keras.optimizers.schedules.serialize(schedule)
    assert serialized["registered_name"] == "lecture_nn>CyclicalLearningRate"
    restored = keras.optimizers.schedules.deserialize(serialized)
    assert isinstance(restored, keras_schedules.CyclicalLearningRate)
    assert restored.get_config() == config


# Keras' own TensorFlow backend (keras/src/backend/tensorflow/core.py) calls np.array on a
# tensor while saving, which numpy 2 reports; the warning is Keras', not ours.
@pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
def test_model_with_cyclical_schedule_survives_save_and_load(tmp_path):
    schedule = keras_schedules.to_keras(
        sch.CyclicalLearningRate(1e-3, 0.05, step_size=3, mode="triangular2")
    )
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    y = rng.normal(size=(20, 1)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # 5 steps
    path = tmp_path / "m.keras"
    model.save(path)

    loaded = keras.models.load_model(path)
    config = loaded.optimizer.get_config()["learning_rate"]
    assert config["registered_name"] == "lecture_nn>CyclicalLearningRate"
    assert config["config"] == schedule.get_config()
    restored = keras.optimizers.schedules.deserialize(config)
    assert isinstance(restored, keras_schedules.CyclicalLearningRate)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 5
    assert float(loaded.optimizer.learning_rate) == float(model.optimizer.learning_rate)
    for step in [0, 3, 7, 11]:
        assert float(restored(step)) == float(schedule(step))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        (lambda: sch.ExponentialDecay(0.0, 10, 0.9), ValueError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay(-0.1, 10, 0.9), ValueError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay(math.nan, 10, 0.9), ValueError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay(math.inf, 10, 0.9), ValueError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay("0.1", 10, 0.9), TypeError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay(True, 10, 0.9), TypeError, "initial_learning_rate"),
        (lambda: sch.ExponentialDecay(0.1, 0, 0.9), ValueError, "decay_steps"),
        (lambda: sch.ExponentialDecay(0.1, 10, 0.0), ValueError, "decay_rate"),
        (lambda: sch.ExponentialDecay(0.1, 10, 0.9, staircase="yes"), TypeError, "staircase"),
        (lambda: sch.InverseTimeDecay(0.1, -1, 0.5), ValueError, "decay_steps"),
        (lambda: sch.InverseTimeDecay(0.1, 10, -0.5), ValueError, "decay_rate"),
        (lambda: sch.PiecewiseConstantDecay([10, 5], [0.1, 0.2, 0.3]), ValueError, "increasing"),
        (lambda: sch.PiecewiseConstantDecay([10, 10], [0.1, 0.2, 0.3]), ValueError, "increasing"),
        (lambda: sch.PiecewiseConstantDecay([10], [0.1]), ValueError, "one entry more"),
        (lambda: sch.PiecewiseConstantDecay([], [0.1]), ValueError, "at least one"),
        (lambda: sch.PiecewiseConstantDecay([10.5], [0.1, 0.2]), TypeError, "boundaries"),
        (lambda: sch.PiecewiseConstantDecay([10], [0.1, 0.0]), ValueError, r"values\[1\]"),
        (lambda: sch.PiecewiseConstantDecay(10, [0.1, 0.2]), TypeError, "boundaries"),
        (lambda: sch.CyclicalLearningRate(0.0, 0.1, 10), ValueError, "initial_learning_rate"),
        (lambda: sch.CyclicalLearningRate(0.1, 0.01, 10), ValueError, "maximal_learning_rate"),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 0), ValueError, "step_size"),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 10, "cosine"), ValueError, "triangular2"),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 10, gamma=0.0), ValueError, "gamma"),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 10, gamma=1.5), ValueError, "gamma"),
        (lambda: keras_schedules.CyclicalLearningRate(0.01, 0.1, -3), ValueError, "step_size"),
        (lambda: sch.CosineDecay(0.0, 100), ValueError, "initial_learning_rate"),
        (lambda: sch.CosineDecay(0.1, 0), ValueError, "decay_steps"),
        (lambda: sch.CosineDecay(0.1, 100, alpha=1.5), ValueError, "alpha"),
        (lambda: sch.CosineDecay(0.1, 100, alpha=-0.1), ValueError, "alpha"),
        (lambda: sch.CosineDecay(0.1, 100, alpha="0"), TypeError, "alpha"),
        (lambda: sch.CosineDecay(0.1, 100, warmup_steps=10), ValueError, "warmup_target"),
        (lambda: sch.CosineDecay(0.1, 100, warmup_target=0.0), ValueError, "warmup_target"),
        (lambda: sch.CosineDecay(-0.1, 100, warmup_target=0.2), ValueError, "initial_learning"),
        (
            lambda: sch.CosineDecay(0.0, 100, warmup_target=0.2, warmup_steps=-1),
            ValueError,
            "warmup_steps",
        ),
        (lambda: sch.CosineDecay(0.1, 100, 0.0, 0.2), TypeError, "positional"),
        (lambda: sch.CosineDecayRestarts(0.0, 10), ValueError, "initial_learning_rate"),
        (lambda: sch.CosineDecayRestarts(0.1, -10), ValueError, "first_decay_steps"),
        (lambda: sch.CosineDecayRestarts(0.1, 10, t_mul=0.5), ValueError, "t_mul"),
        (lambda: sch.CosineDecayRestarts(0.1, 10, m_mul=0.0), ValueError, "m_mul"),
        (lambda: sch.CosineDecayRestarts(0.1, 10, alpha=2.0), ValueError, "alpha"),
        (lambda: sch.CosineDecayRestarts(0.1, 10, t_mul=math.inf), ValueError, "t_mul"),
        (lambda: sch.PolynomialDecay(0.0, 10), ValueError, "initial_learning_rate"),
        (lambda: sch.PolynomialDecay(0.1, 0), ValueError, "decay_steps"),
        (lambda: sch.PolynomialDecay(0.1, 10, end_learning_rate=-0.1), ValueError, "end_learn"),
        (lambda: sch.PolynomialDecay(0.1, 10, power=0.0), ValueError, "power"),
        (lambda: sch.PolynomialDecay(0.1, 10, cycle=1), TypeError, "cycle"),
    ],
)
def test_bad_schedule_arguments(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


@pytest.mark.parametrize(
    ("step", "error"),
    [(-1, ValueError), (math.nan, ValueError), ([0, -2], ValueError), ("3", TypeError)],
)
def test_bad_steps(step, error):
    with pytest.raises(error, match="step"):
        SCHEDULES["exponential"](step)


def test_bool_step_is_rejected():
    with pytest.raises(TypeError, match="step"):
        SCHEDULES["piecewise"](True)


def test_schedules_are_immutable_and_hashable():
    schedule = SCHEDULES["piecewise"]
    with pytest.raises(AttributeError):
        schedule.values = (1.0,)
    assert hash(schedule) == hash(
        sch.PiecewiseConstantDecay([100, 300, 700], [0.1, 0.05, 0.01, 0.001])
    )


def test_numpy_modules_do_not_import_keras_or_tensorflow():
    code = (
        "import sys\n"
        "import lecture_nn.surfaces, lecture_nn.schedules, lecture_nn.optimizers\n"
        "lecture_nn.optimizers.simulate_zoo('beale', steps=5)\n"
        "print(','.join(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# --- no import cycle (issue 14) ---------------------------------------------------------


def _imported_package_modules(module_name: str) -> set[str]:
    """The lecture_nn modules that ``module_name`` imports anywhere, inside functions too."""
    import ast
    import importlib.util

    source = importlib.util.find_spec(module_name).origin
    with open(source, encoding="utf-8") as file:
        tree = ast.parse(file.read())
    package = module_name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                base = f"{package}.{base}".rstrip(".")
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if _is_package_module(name))
    return found - {module_name}


def _is_package_module(name: str) -> bool:
    """Whether ``name`` is a module of lecture_nn (not a function or class in one)."""
    import importlib.util

    if not name.startswith("lecture_nn."):
        return False
    try:
        return importlib.util.find_spec(name) is not None
    except (ModuleNotFoundError, AttributeError, ValueError):  # a name inside a module
        return False


@pytest.mark.parametrize(
    "module",
    [
        "lecture_nn.schedules",
        "lecture_nn.keras_schedules",
        "lecture_nn.optimizers",
        "lecture_nn.optimizer_plots",
        "lecture_nn.optimizer_experiments",
        "lecture_nn.surfaces",
        "lecture_nn.momentum",
    ],
)
def test_no_module_imports_a_module_that_imports_it_back(module):
    """Issue 14: schedules' CyclicalLearningRate.to_keras imported keras_schedules (lazily),
    and keras_schedules imports schedules: a cycle. No module here is on a cycle now."""
    seen, todo = set(), [module]
    while todo:  # every module reachable from `module` through imports
        current = todo.pop()
        for imported in _imported_package_modules(current):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    assert module not in seen


def test_schedules_module_imports_neither_keras_nor_its_keras_twin():
    assert "lecture_nn.keras_schedules" not in _imported_package_modules("lecture_nn.schedules")
    assert not hasattr(sch.CyclicalLearningRate, "to_keras")


def test_to_keras_builds_the_twin_and_refuses_other_objects():
    clr = sch.CyclicalLearningRate(1e-3, 0.05, step_size=3, mode="exp_range", gamma=0.99)
    twin = keras_schedules.to_keras(clr)
    assert type(twin) is keras_schedules.CyclicalLearningRate
    np.testing.assert_array_equal(keras_values(twin, STEPS[:50]), clr(STEPS[:50]))
    with pytest.raises(TypeError, match="schedule must be a schedule of lecture_nn.schedules"):
        keras_schedules.to_keras(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="schedule"):
        keras_schedules.to_keras(0.01)


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        # the shared rules: numpy integers are integers, bools are not numbers
        (lambda: sch.PiecewiseConstantDecay([np.int64(10)], [0.1, 0.2]), None, None),
        (lambda: sch.PiecewiseConstantDecay([True], [0.1, 0.2]), TypeError, r"boundaries\[0\]"),
        (lambda: sch.PolynomialDecay(0.1, 10, end_learning_rate=math.nan), ValueError, "end_"),
        (lambda: sch.InverseTimeDecay(0.1, 10, math.inf), ValueError, "decay_rate"),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 10, mode=3), TypeError, "mode"),
        # boundaries are steps: integers >= 0 (the probe's [-1, 2] was accepted)
        (lambda: sch.PiecewiseConstantDecay([-1, 2], [0.1, 0.2, 0.3]), ValueError, "boundar"),
        # the Keras twin's name is a string (the probe's name=3 was accepted)
        (lambda: keras_schedules.CyclicalLearningRate(0.01, 0.1, 10, name=3), TypeError, "name"),
        # a decay rate of 0 is a constant rate: allowed (non_negative)
        (lambda: sch.InverseTimeDecay(0.1, 10, 0), None, None),
        (lambda: sch.CyclicalLearningRate(0.01, 0.1, 10, gamma=math.nan), ValueError, "gamma"),
        (
            lambda: sch.CosineDecay(0.0, 100, warmup_target=0.2, warmup_steps=True),
            TypeError,
            "warmup_steps",
        ),
    ],
)
def test_schedule_arguments_follow_the_shared_rules(factory, error, match):
    if error is None:
        factory()
    else:
        with pytest.raises(error, match=match):
            factory()


def test_inverse_time_decay_with_decay_rate_zero_is_a_constant_rate():
    """The registry documents decay_rate=0 as valid: 0.1 / (1 + 0 * step / 10) = 0.1."""
    schedule = sch.InverseTimeDecay(0.1, 10, 0)
    assert [float(schedule(step)) for step in (0, 10, 10**6)] == pytest.approx([0.1] * 3)
