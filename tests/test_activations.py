"""Activation functions against Keras, TensorFlow autodiff, finite differences and closed forms."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lecture_nn import activations as act

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
# Keras stores leaky ReLU's slope as a float32 constant (0.01 -> 0.009999999776), so its
# float64 result differs from the exact one in the 8th digit; all others agree to 1e-12.
RTOL = {"leaky_relu": 1e-7}
WIDE = np.concatenate([np.linspace(-1000, 1000, 2001), np.linspace(-10, 10, 2001), [0.0]])


def keras_activation(name, z, axis=-1):
    """The same activation computed by Keras, in float64."""
    x = keras.ops.convert_to_tensor(z, dtype="float64")
    if name == "leaky_relu":
        y = keras.activations.leaky_relu(x, negative_slope=act.LEAKY_RELU_SLOPE)
    elif name == "softmax":
        y = keras.activations.softmax(x, axis=axis)
    else:
        y = getattr(keras.activations, name)(x)
    return keras.ops.convert_to_numpy(y)


def quietly(function, *args):
    """Call ``function`` turning every numpy floating-point problem and warning into an error."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        return function(*args)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_matches_keras_on_wide_range_without_warnings(name):
    ours = quietly(act.get_activation(name), WIDE)
    assert np.all(np.isfinite(ours))
    expected = keras_activation(name, WIDE)
    np.testing.assert_allclose(ours, expected, rtol=RTOL.get(name, 1e-12), atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_tensorflow_autodiff(name):
    z = tf.constant(WIDE, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        total = tf.reduce_sum(keras_activation_tf(name, z))
    expected = tape.gradient(total, z).numpy()
    ours = quietly(act.get_activation(name).derivative, WIDE)
    # Derivatives lie in [0, 1]; where they underflow towards 0 (saturated sigmoid/tanh) the
    # two float64 computations may differ by a few units of 1e-16 in absolute terms.
    np.testing.assert_allclose(ours, expected, rtol=RTOL.get(name, 1e-12), atol=1e-14)


def keras_activation_tf(name, z):
    if name == "leaky_relu":
        return keras.activations.leaky_relu(z, negative_slope=act.LEAKY_RELU_SLOPE)
    return getattr(keras.activations, name)(z)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_finite_differences(name):
    z = np.linspace(-8, 8, 1601)
    z = z[np.abs(z) > 1e-3]  # ReLU and leaky ReLU have a kink at 0
    h = 1e-6
    function = act.get_activation(name).function
    numeric = (function(z + h) - function(z - h)) / (2 * h)
    np.testing.assert_allclose(act.get_activation(name).derivative(z), numeric, atol=1e-8)


def test_kinks_follow_tensorflow_convention():
    assert act.relu_derivative(0.0) == 0.0
    assert act.leaky_relu_derivative(0.0) == pytest.approx(0.01)
    assert act.leaky_relu_derivative(0.0, negative_slope=0.2) == pytest.approx(0.2)


def test_linear_derivative_is_one_everywhere_including_zero():
    z = np.array([-1000.0, -1.0, 0.0, 1e-300, 1.0, 1000.0])
    np.testing.assert_array_equal(act.linear_derivative(z), np.ones_like(z))


def test_leaky_relu_slope_matches_keras_for_other_slopes():
    z = np.linspace(-5, 5, 101)
    expected = keras.ops.convert_to_numpy(
        keras.activations.leaky_relu(keras.ops.convert_to_tensor(z), negative_slope=0.2)
    )
    np.testing.assert_allclose(act.leaky_relu(z, negative_slope=0.2), expected, rtol=1e-6)


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-700, 700)))
def test_tanh_formula_of_the_lecture_holds(z):
    # The course writes tanh(z) = 2 / (1 + exp(-2z)) - 1 = 2 sigmoid(2z) - 1.
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-12)


def test_float32_stays_float32_and_ints_become_float():
    assert act.sigmoid(np.float32([1000, -1000])).dtype == np.float32
    assert act.relu_derivative(np.float32([1.0])).dtype == np.float32
    assert act.relu(np.array([-2, 3])).dtype == np.float64


def test_softmax_matches_keras_along_last_axis_for_huge_logits():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 5)) * 300
    z[0] = [1000, 1000, -1000, 0, 999]
    ours = quietly(act.softmax, z)
    np.testing.assert_allclose(ours, keras_activation("softmax", z), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ours.sum(axis=-1), 1.0)
    np.testing.assert_allclose(ours[0, :2], [0.5 / (1 + np.exp(-1) / 2)] * 2, rtol=1e-12)


def test_softmax_other_axis_matches_keras():
    z = np.random.default_rng(1).normal(size=(3, 4))
    np.testing.assert_allclose(act.softmax(z, axis=0), keras_activation("softmax", z, axis=0))


def test_softmax_jacobian_matches_tensorflow():
    z = tf.constant(np.random.default_rng(2).normal(size=(4, 5)) * 3, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        s = keras.activations.softmax(z, axis=-1)
    expected = tape.batch_jacobian(s, z).numpy()
    np.testing.assert_allclose(act.softmax_jacobian(z.numpy()), expected, atol=1e-12)


def test_softmax_vjp_matches_tensorflow_gradient():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(7, 4)) * 5
    upstream = rng.normal(size=(7, 4))
    z = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = tf.reduce_sum(keras.activations.softmax(z) * upstream)
    np.testing.assert_allclose(
        act.softmax_vjp(logits, upstream), tape.gradient(loss, z).numpy(), atol=1e-12
    )


def test_get_activation_lists_valid_names():
    with pytest.raises(ValueError, match="name must be one of .*'sigmoid'.*'softmax'.*'relu6'"):
        act.get_activation("relu6")
    with pytest.raises(TypeError, match="name must be one of"):
        act.get_activation(3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: act.sigmoid("abc"), TypeError, "z must hold real numbers"),
        (lambda: act.relu([[1, 2], [3]]), ValueError, "z must be an array of numbers"),
        (lambda: act.relu(np.array([1 + 2j])), TypeError, "z must hold real numbers"),
        (lambda: act.softmax([[1.0, 2.0]], axis=2), ValueError, "axis must be an integer <= 1"),
        (lambda: act.softmax([[1.0, 2.0]], axis=1.0), TypeError, "axis must be an integer"),
        (lambda: act.leaky_relu([1.0], negative_slope=-0.1), ValueError, "negative_slope"),
        (lambda: act.leaky_relu([1.0], negative_slope="x"), TypeError, "negative_slope"),
        (lambda: act.softmax(3.0), ValueError, "at least one axis"),
        (lambda: act.softmax_vjp([1.0, 2.0], [1.0]), ValueError, "upstream must have the shape"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@settings(max_examples=50)
@given(arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e6, 1e6)))
def test_outputs_are_finite_and_in_range(z):
    s = quietly(act.sigmoid, z)
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.abs(quietly(act.tanh, z)) <= 1)
    p = quietly(act.softmax, z)
    assert np.all(np.isfinite(p))
    assert abs(p.sum() - 1) < 1e-9


@pytest.mark.parametrize("function", [act.softmax, act.softmax_jacobian])
def test_softmax_of_no_logits_names_z(function):
    with pytest.raises(ValueError, match=r"\bz\b needs at least one logit"):
        function(np.zeros(0))


def test_softmax_vjp_of_no_logits_names_z():
    with pytest.raises(ValueError, match=r"\bz\b needs at least one logit"):
        act.softmax_vjp(np.zeros(0), np.zeros(0))


def test_softmax_of_an_empty_batch_is_an_empty_batch():
    """No rows, three logits each: nothing to compute, nothing to refuse."""
    assert act.softmax(np.zeros((0, 3))).shape == (0, 3)
