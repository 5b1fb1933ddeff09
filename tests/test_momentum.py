"""The parts of one momentum update: checked against finite differences and the rules."""

import math

import numpy as np
import pytest

from lecture_nn.momentum import MomentumStep, momentum_step_parts
from lecture_nn.surfaces import get_surface


def numeric_gradient(function, x, y, h=1e-6):
    """Central finite differences of f at (x, y): an independent reference."""
    return np.array(
        [
            (function(x + h, y) - function(x - h, y)) / (2 * h),
            (function(x, y + h) - function(x, y - h)) / (2 * h),
        ]
    )


@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "himmelblau"])
def test_parts_follow_polyak_and_nesterov(surface):
    f = get_surface(surface).function
    point, velocity, lr, mu = np.array([0.7, 0.4]), np.array([0.05, -0.03]), 0.01, 0.9
    parts = momentum_step_parts(surface, point, velocity, lr, mu)
    assert isinstance(parts, MomentumStep)
    np.testing.assert_allclose(parts.momentum_step, mu * velocity)
    np.testing.assert_allclose(
        parts.gradient_step, -lr * numeric_gradient(f, *point), rtol=1e-5, atol=1e-9
    )
    ahead = point + mu * velocity
    np.testing.assert_allclose(
        parts.lookahead_gradient_step, -lr * numeric_gradient(f, *ahead), rtol=1e-5, atol=1e-9
    )
    np.testing.assert_allclose(parts.classical, parts.momentum_step + parts.gradient_step)
    np.testing.assert_allclose(parts.nesterov, parts.momentum_step + parts.lookahead_gradient_step)


def test_zero_momentum_is_plain_gradient_descent():
    parts = momentum_step_parts("quadratic", [2.0, 1.0], [0.3, 0.3], 0.1, 0)
    # f = 0.1 x^2 + 2.5 y^2, gradient (0.4, 5): the step is -0.1 times it
    np.testing.assert_allclose(parts.classical, [-0.04, -0.5])
    np.testing.assert_allclose(parts.nesterov, parts.classical)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        # Issue 14's probe: both were accepted and returned steps that go uphill / grow.
        ({"learning_rate": -1}, ValueError, "learning_rate must be a number > 0"),
        ({"momentum": 1.5}, ValueError, r"momentum must be a number in \[0, 1\)"),
        ({"learning_rate": -1, "momentum": 1.5}, ValueError, "learning_rate"),
        ({"momentum": 1.0}, ValueError, "momentum"),  # never decays: [0, 1) only
        ({"momentum": -0.1}, ValueError, "momentum"),
        ({"momentum": math.nan}, ValueError, "momentum"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"learning_rate": math.inf}, ValueError, "learning_rate"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate"),
        ({"momentum": True}, TypeError, "momentum"),
        ({"point": [1.0, 2.0, 3.0]}, ValueError, "point must hold 2 numbers"),
        ({"point": [1.0, math.nan]}, ValueError, "point"),
        ({"velocity": [[0.1, 0.1]]}, ValueError, "velocity"),
        ({"velocity": ["a", "b"]}, TypeError, "velocity"),
        ({"surface": "nowhere"}, ValueError, "unknown surface"),
    ],
)
def test_bad_arguments_are_refused_with_their_name(arguments, error, match):
    call = {
        "surface": "beale",
        "point": [1.0, 1.0],
        "velocity": [0.1, 0.1],
        "learning_rate": 0.01,
        "momentum": 0.9,
    }
    with pytest.raises(error, match=match):
        momentum_step_parts(**{**call, **arguments})


def test_numpy_numbers_are_numbers():
    parts = momentum_step_parts(
        "beale", np.float32([1, 1]), np.array([0.1, 0.1]), np.float64(0.01), np.float32(0.5)
    )
    np.testing.assert_allclose(parts.momentum_step, [0.05, 0.05])
