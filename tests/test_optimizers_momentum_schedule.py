"""SGD with a momentum that changes during training (issue 12; Sutskever et al. 2013).

Keras' SGD takes a constant momentum, so there is no Keras path to compare with: the
simulator meets a plain-Python float64 loop of the momentum formula
v_t = mu_t v_{t-1} - lr g_t, w_t = w_{t-1} + v_t (Nesterov: w_t = w_{t-1} + mu_t v_t - lr g_t,
Keras' form), and a constant schedule must reproduce the float-momentum path (which
tests/test_optimizers_vs_keras.py checks against Keras) bit for bit.
"""

import math

import numpy as np
import pytest

from lecture_nn import schedules as sch
from lecture_nn.optimizers import make_optimizer, simulate
from lecture_nn.surfaces import get_surface

SURFACES = {"beale": 1e-3, "rosenbrock": 3e-4, "quadratic": 0.03, "himmelblau": 3e-4}


def sutskever(step):
    """Sutskever et al. (2013)'s schedule for their deep autoencoders,
    mu_t = min(1 - 2**(-1 - log2(floor(t / 250) + 1)), mu_max), with mu_max = 0.99 and
    250 shortened to 10 steps to fit 100-step paths: 0.5, 0.75, 0.83, 0.875, ..."""
    return min(1 - 2 ** (-1 - math.log2(step // 10 + 1)), 0.99)


def momentum_reference(gradient, start, steps, learning_rate, momentum, nesterov):
    """The momentum formula in float64, with momentum(step) for step = 0, 1, ..."""
    point = np.array(start, dtype=np.float64)
    velocity = np.zeros(2)
    points = [point.copy()]
    for step in range(steps):
        g = np.array(gradient(*point))
        mu = momentum(step)
        velocity = mu * velocity - learning_rate * g
        point = point + (mu * velocity - learning_rate * g if nesterov else velocity)
        points.append(point.copy())
    return np.array(points)


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize(
    "schedule",
    [
        sutskever,
        sch.PiecewiseConstantDecay([30, 60], [0.5, 0.8, 0.95]),
        lambda step: 0.5 + 0.45 * step / 99,
    ],
    ids=["sutskever", "piecewise", "linear"],
)
def test_scheduled_momentum_follows_the_formula(surface, nesterov, schedule):
    surface = get_surface(surface)
    learning_rate = SURFACES[surface.name]
    config = make_optimizer("sgd", learning_rate, momentum=schedule, nesterov=nesterov)
    path = simulate(config, surface)
    assert path.n_steps == 100
    assert not path.diverged
    expected = momentum_reference(
        surface.gradient, surface.start, 100, learning_rate, schedule, nesterov
    )
    np.testing.assert_allclose(path.points, expected, rtol=1e-4, atol=1e-5)
    mus = np.array([schedule(step) for step in range(100)], dtype=np.float32)
    np.testing.assert_array_equal(path.details["momentum"], mus)
    assert len(np.unique(mus)) > 1


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("momentum", [0.9, 0.5, 0.0])
def test_constant_schedule_equals_the_float_momentum_path(momentum, nesterov):
    beale = get_surface("beale")
    fixed = simulate(make_optimizer("sgd", 1e-3, momentum=momentum, nesterov=nesterov), beale)
    schedules = [lambda step: momentum]
    if momentum > 0:  # lecture_nn schedules take values > 0
        schedules.append(sch.PiecewiseConstantDecay([50], [momentum] * 2))
    for schedule in schedules:
        config = make_optimizer("sgd", 1e-3, momentum=schedule, nesterov=nesterov)
        scheduled = simulate(config, beale)
        np.testing.assert_array_equal(scheduled.points, fixed.points)
        if momentum > 0:
            np.testing.assert_array_equal(scheduled.details["velocity"], fixed.details["velocity"])


def test_increasing_momentum_changes_the_path_and_its_speed():
    """Starting at 0.5 and rising to 0.99, the path first moves like low momentum."""
    beale = get_surface("beale")
    low = simulate(make_optimizer("sgd", 1e-3, momentum=0.5), beale)
    rising = simulate(make_optimizer("sgd", 1e-3, momentum=sutskever), beale)
    np.testing.assert_array_equal(rising.points[:11], low.points[:11])  # mu = 0.5 for 10 steps
    assert not np.array_equal(rising.points[11:], low.points[11:])
    assert rising.losses[-1] < low.losses[-1]


def test_scheduled_momentum_label_and_schedule_with_learning_rate_schedule():
    config = make_optimizer("sgd", 0.01, momentum=sutskever)
    assert config.label == "Momentum + momentum schedule"
    nesterov = make_optimizer("sgd", 0.01, momentum=sutskever, nesterov=True)
    assert nesterov.label == "Nesterov momentum + momentum schedule"
    decayed = make_optimizer("sgd", sch.ExponentialDecay(1e-3, 20, 0.9), momentum=lambda step: 0.9)
    fixed = make_optimizer("sgd", sch.ExponentialDecay(1e-3, 20, 0.9), momentum=0.9)
    np.testing.assert_array_equal(
        simulate(decayed, "beale").points, simulate(fixed, "beale").points
    )


def test_to_keras_refuses_a_momentum_schedule():
    config = make_optimizer("sgd", 0.01, momentum=sutskever)
    with pytest.raises(ValueError, match="constant momentum"):
        config.to_keras()


@pytest.mark.parametrize(
    ("schedule", "error", "match"),
    [
        (
            lambda step: 1.5 if step == 7 else 0.9,
            ValueError,
            r"momentum\(7\) must be a number in \[0, 1\), got 1.5",
        ),
        (lambda step: -0.1, ValueError, r"momentum\(0\) must be a number in \[0, 1\), got -0.1"),
        (lambda step: math.nan, ValueError, "momentum"),
        (lambda step: "0.9", TypeError, "momentum"),
        (lambda step: [0.9], TypeError, "momentum"),
        (
            sch.ExponentialDecay(0.9, 10, 1.5),
            ValueError,
            r"momentum\(\d+\) must be a number in \[0, 1\)",
        ),
    ],
)
def test_bad_momentum_schedules_name_the_step(schedule, error, match):
    config = make_optimizer("sgd", 0.01, momentum=schedule)
    with pytest.raises(error, match=match):
        simulate(config, "beale", steps=20)


def test_momentum_schedule_is_for_sgd_only():
    with pytest.raises(TypeError, match="momentum"):
        make_optimizer("rmsprop", momentum=sutskever)
