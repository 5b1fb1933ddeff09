"""The simulator flushes float32 subnormals to zero where TensorFlow does (issue 12).

TensorFlow's CPU kernels read subnormal inputs (0 < |v| < 2**-126 ~ 1.2e-38) as 0 and
write subnormal results as 0; numpy does not. Paths that come close to 0 (a coordinate of
~1e-37, or a running product that decays for hundreds of steps) used to part ways from
Keras. Each case runs the real Keras optimizer step by step (``keras_path`` of
tests/test_optimizers_vs_keras.py) and demands the same float32 points, bit for bit on
the TensorFlow backend (the tests' default), which the simulator models; other backends
fuse operations differently and get the float32 round-off tolerance of the other tests.
"""

import dataclasses

import numpy as np
import pytest
from test_optimizers_vs_keras import ATOL, RTOL, keras_path

from lecture_nn.optimizers import _FlushToZero, make_optimizer, simulate
from lecture_nn.surfaces import get_surface

keras = pytest.importorskip("keras")

TINY = np.finfo(np.float32).tiny


def assert_same_path(ours, theirs, err_msg=""):
    """Bit for bit on TensorFlow; to float32 round-off (RTOL, ATOL) on other backends."""
    if keras.backend.backend() == "tensorflow":
        np.testing.assert_array_equal(ours, theirs, err_msg=err_msg)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=err_msg)


def keras_points(config, surface_name, steps, start):
    with np.errstate(all="ignore"):
        points, _, _ = keras_path(config, get_surface(surface_name), steps, start=start)
    return points


def test_adam_from_a_tiny_y_keeps_y_like_keras():
    """Issue 12: Adam(0.1) from (1, 1e-37) on the quadratic; numpy gave y = 0.041 at step 8.

    The y-gradient 5e-37 squared underflows, so v_y = 0 and Adam's step m_y * alpha is
    subnormal: TensorFlow flushes it to 0 and y never moves.
    """
    config = make_optimizer("adam", 0.1)
    path = simulate(config, "quadratic", start=(1.0, 1e-37), steps=40)
    points = keras_points(config, "quadratic", 40, (1.0, 1e-37))
    assert_same_path(path.points, points)
    assert path.points[8, 1] == np.float32(1e-37)
    assert np.all(path.points[:, 1] == np.float32(1e-37))
    assert path.points[-1, 0] < 0.5  # x still converges


def test_nadam_long_path_on_the_quadratic_matches_keras_past_step_183():
    """Issue 12: this Nadam parted from Keras at step 183, when y fell below 1e-37."""
    config = make_optimizer("nadam", 0.01372, beta_1=0.5185, beta_2=0.965, epsilon=5.89e-07)
    path = simulate(config, "quadratic", start=(-2.06, 0.2866), steps=250)
    points = keras_points(config, "quadratic", 250, (-2.06, 0.2866))
    assert path.n_steps == 250
    assert_same_path(path.points, points)
    assert 0 < abs(path.points[182, 1]) < 1e-37  # the path really reached the range


@pytest.mark.parametrize(
    ("kind", "learning_rate", "options"),
    [
        ("sgd", 0.1, {}),
        ("sgd", 0.05, {"momentum": 0.5}),
        ("adagrad", 0.3, {}),
        ("rmsprop", 0.03, {"centered": True}),
        ("adam", 0.1, {"amsgrad": True}),
        ("adamax", 0.3, {}),
        ("adamw", 0.1, {"weight_decay": 0.5}),
    ],
)
def test_paths_into_the_subnormal_range_match_keras(kind, learning_rate, options):
    """Start at a subnormal y (1e-39) and next to 0 (3e-38, -2e-38): numpy alone differs."""
    config = make_optimizer(kind, learning_rate, **options)
    for start in [(1.0, 1e-39), (3e-38, -2e-38)]:
        path = simulate(config, "quadratic", start=start, steps=40)
        points = keras_points(config, "quadratic", 40, start)
        assert_same_path(path.points, points, err_msg=f"start {start}")


def test_sgd_decaying_to_zero_matches_keras_through_the_subnormal_range():
    """SGD halves y every step on the quadratic (lr 0.1, curvature 5) until y reaches the
    smallest normal float32 (2**-126, step 126); its step is then subnormal, flushed to
    0 in TensorFlow, and y stays there."""
    config = make_optimizer("sgd", 0.1)
    path = simulate(config, "quadratic", start=(1.0, 1.0), steps=160)
    points = keras_points(config, "quadratic", 160, (1.0, 1.0))
    assert_same_path(path.points, points)
    assert np.all(path.points[126:, 1] == TINY)
    assert path.points[125, 1] == 2 * TINY
    assert not np.any((path.points != 0) & (np.abs(path.points) < TINY))


def test_flush_to_zero_arithmetic_is_that_of_tensorflow():
    """Every numpy operation on a _FlushToZero array against the same TensorFlow op."""
    import tensorflow as tf

    a = np.float32([1e-20, 3e-39, 2.0, -1e-30])
    b = np.float32([1e-19, 1.0, 1e-39, 1e-9])
    ours = {
        "multiply": a.view(_FlushToZero) * b,
        "add": a.view(_FlushToZero) + b,
        "divide": a.view(_FlushToZero) / np.float32(1e5),
        "sqrt": np.sqrt(np.abs(b.view(_FlushToZero))),
        "maximum": np.maximum(a.view(_FlushToZero), b),
    }
    theirs = {
        "multiply": tf.multiply(a, b),
        "add": tf.add(a, b),
        "divide": tf.divide(a, np.float32(1e5)),
        "sqrt": tf.sqrt(tf.abs(b)),
        "maximum": tf.maximum(a, b),
    }
    for name, value in ours.items():
        assert type(value) is _FlushToZero
        np.testing.assert_array_equal(np.asarray(value), theirs[name].numpy(), err_msg=name)
    assert np.asarray(ours["multiply"])[0] == 0.0  # 1e-39: subnormal, flushed
    assert np.asarray(ours["add"])[1] == 1.0


def test_a_surface_whose_own_numpy_arithmetic_underflows_still_runs():
    """The simulator watches numpy underflows in its own steps only, not in a surface."""
    bowl = get_surface("quadratic")

    def gradient(x, y):
        bump = np.exp(-1000.0 * (x * x + y * y))  # underflows to 0 away from the origin
        return 2000.0 * x * bump + 0.2 * x, 2000.0 * y * bump + 5.0 * y

    surface = dataclasses.replace(bowl, name="bowl with a bump", gradient=gradient)
    path = simulate(make_optimizer("sgd", 0.1), surface, steps=5)
    reference = simulate(make_optimizer("sgd", 0.1), bowl, steps=5)
    np.testing.assert_array_equal(path.points, reference.points)
