"""Adadelta and Lion in the simulator: the papers' formulas, and what the zoo's entries do.

The step-for-step comparison with keras.optimizers.Adadelta and keras.optimizers.Lion is
in tests/test_optimizers_vs_keras.py (CASES, every surface). Here the simulator meets
plain-Python float64 loops written from the papers (Zeiler 2012, Algorithm 1; Chen et al.
2023, Algorithm 2), and the ZOO entries' paths on Beale are checked for what
lecture_nn/optimizers.py says about them.
"""

import math

import numpy as np
import pytest

from lecture_nn.optimizers import ZOO, make_optimizer, simulate
from lecture_nn.surfaces import get_surface

BEALE = get_surface("beale")
MINIMUM = np.array(BEALE.minima[0])


def adadelta_reference(gradient, start, steps, learning_rate, rho, epsilon):
    """Zeiler (2012), Algorithm 1, per coordinate, times Keras' learning rate; float64."""
    point = list(start)
    mean_square, delta_square = [0.0, 0.0], [0.0, 0.0]
    points = [tuple(point)]
    for _ in range(steps):
        g = gradient(*point)
        for k in range(2):
            mean_square[k] = rho * mean_square[k] + (1 - rho) * g[k] ** 2
            delta = -math.sqrt(delta_square[k] + epsilon) / math.sqrt(mean_square[k] + epsilon)
            delta *= g[k]
            delta_square[k] = rho * delta_square[k] + (1 - rho) * delta**2
            point[k] += learning_rate * delta
        points.append(tuple(point))
    return np.array(points)


def lion_reference(gradient, start, steps, learning_rate, beta_1, beta_2):
    """Chen et al. (2023), Algorithm 2 (without weight decay); float64."""
    point = list(start)
    m = [0.0, 0.0]
    points = [tuple(point)]
    for _ in range(steps):
        g = gradient(*point)
        for k in range(2):
            c = beta_1 * m[k] + (1 - beta_1) * g[k]
            point[k] -= learning_rate * ((c > 0) - (c < 0))
            m[k] = beta_2 * m[k] + (1 - beta_2) * g[k]
        points.append(tuple(point))
    return np.array(points)


@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "quadratic", "himmelblau"])
@pytest.mark.parametrize(
    ("learning_rate", "rho", "epsilon"), [(1.0, 0.95, 1e-6), (0.5, 0.9, 1e-7), (2.0, 0.99, 1e-5)]
)
def test_adadelta_is_zeilers_algorithm(surface, learning_rate, rho, epsilon):
    surface = get_surface(surface)
    config = make_optimizer("adadelta", learning_rate, rho=rho, epsilon=epsilon)
    path = simulate(config, surface, steps=100)
    assert not path.diverged
    expected = adadelta_reference(surface.gradient, surface.start, 100, learning_rate, rho, epsilon)
    # float32 against float64: the paths agree to float32 round-off, amplified a little.
    np.testing.assert_allclose(path.points, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "quadratic", "himmelblau"])
@pytest.mark.parametrize(
    ("learning_rate", "beta_1", "beta_2"), [(0.01, 0.9, 0.99), (0.003, 0.95, 0.98)]
)
def test_lion_is_the_papers_algorithm(surface, learning_rate, beta_1, beta_2):
    surface = get_surface(surface)
    config = make_optimizer("lion", learning_rate, beta_1=beta_1, beta_2=beta_2)
    path = simulate(config, surface, steps=100)
    expected = lion_reference(surface.gradient, surface.start, 100, learning_rate, beta_1, beta_2)
    np.testing.assert_allclose(path.points, expected, rtol=1e-5, atol=1e-5)


def test_lion_moves_every_coordinate_by_the_learning_rate():
    """Sign update: |dw| = lr per coordinate per step, however large the gradient."""
    path = simulate(ZOO["lion"], BEALE)
    steps = np.abs(np.diff(path.points.astype(np.float64), axis=0))
    np.testing.assert_allclose(steps, 0.04, rtol=1e-5)
    gradient_norms = np.linalg.norm(path.details["gradient"], axis=1)
    assert gradient_norms.max() > 20 * gradient_norms.min()  # while the gradient varies


def test_zoo_lion_on_beale_ends_near_the_minimum():
    path = simulate(ZOO["lion"], BEALE)
    assert path.n_steps == 100
    assert not path.diverged
    assert np.all(np.isfinite(path.points))
    start_distance = np.linalg.norm(path.points[0] - MINIMUM)
    end_distance = np.linalg.norm(path.points[-1] - MINIMUM)
    assert end_distance < 0.3 * start_distance  # 2.46 -> 0.67
    assert path.losses[-1] < 0.02 * path.losses[0]  # 42.2 -> 0.68


def test_lion_with_adams_learning_rate_cannot_settle():
    """At Adam's rate (0.2) Lion's fixed-size steps hop around the minimum, never closer
    than 0.2 to it in the last 50 steps, where every coordinate still moves by 0.2."""
    path = simulate(make_optimizer("lion", ZOO["adam"].learning_rate), BEALE)
    assert not path.diverged
    tail = path.points[-51:].astype(np.float64)
    np.testing.assert_allclose(np.abs(np.diff(tail, axis=0)), 0.2, rtol=1e-5)
    assert np.linalg.norm(tail - MINIMUM, axis=1).min() > 0.2
    np.testing.assert_array_equal(tail[-1], tail[-3])  # it ends in a 2-cycle


def test_zoo_adadelta_on_beale_is_slow_and_slides_down_the_valley_wall():
    """The comment on ZOO["adadelta"]: first steps ~ sqrt(epsilon / (1 - rho)) per
    coordinate; loss 42 -> 20 in 100 steps; the path ends farther from the minimum."""
    config = ZOO["adadelta"]
    path = simulate(config, BEALE)
    assert path.n_steps == 100
    assert not path.diverged
    assert np.all(np.isfinite(path.points))
    first_step = np.abs(path.points[1] - path.points[0])
    scale = math.sqrt(config.options["epsilon"] / (1 - config.options["rho"]))  # 0.0045
    np.testing.assert_allclose(first_step, scale, rtol=0.01)
    step_lengths = np.linalg.norm(np.diff(path.points, axis=0), axis=1)
    assert step_lengths.max() < 2 * step_lengths[0]  # no speeding up within 100 steps
    assert path.losses[0] == pytest.approx(42.18, abs=0.01)
    assert 19.5 < path.losses[-1] < 20.5
    assert np.all(np.diff(path.losses) < 0)  # downhill at every step
    start_distance = np.linalg.norm(path.points[0] - MINIMUM)
    assert np.linalg.norm(path.points[-1] - MINIMUM) > start_distance
    # With ten times as many steps it does arrive: loss ~0.03.
    assert simulate(config, BEALE, steps=1000).losses[-1] < 0.05


def test_adadelta_with_the_keras_default_learning_rate_hardly_moves():
    path = simulate(make_optimizer("adadelta"), BEALE)
    assert np.linalg.norm(path.points[-1] - path.points[0]) < 1e-3
