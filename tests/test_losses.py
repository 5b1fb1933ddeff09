"""The numpy losses against keras.losses: values, gradients (TensorFlow autodiff of the
Keras loss), the clipping of probabilities at 0 and 1, shapes and bad input."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_nn.losses import EPSILON, LOSSES, loss_gradient, loss_value

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

KERAS_LOSS = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "mean_squared_error": "MeanSquaredError",
}


def keras_loss(name, dtype="float64"):
    """The Keras loss object, computing in ``dtype`` (float64 for tight comparisons)."""
    return getattr(keras.losses, KERAS_LOSS[name])(dtype=dtype)


def keras_value_and_gradient(name, y_true, y_pred, dtype="float64"):
    """Keras' batch loss and its gradient with respect to y_pred by TensorFlow autodiff."""
    prediction = tf.Variable(np.asarray(y_pred, dtype=dtype))
    with tf.GradientTape() as tape:
        value = keras_loss(name, dtype)(np.asarray(y_true, dtype=dtype), prediction)
    return float(value), tape.gradient(value, prediction).numpy()


def random_case(name, rng, batch, k):
    """Targets and predictions that suit the loss; probabilities for the cross-entropies."""
    if name == "binary_crossentropy":
        return rng.integers(0, 2, size=(batch, k)).astype(float), rng.uniform(
            0.01, 0.99, (batch, k)
        )
    if name == "categorical_crossentropy":
        logits = rng.normal(size=(batch, k))
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return np.eye(k)[rng.integers(0, k, size=batch)], p
    return rng.normal(size=(batch, k)), rng.normal(size=(batch, k))


@pytest.mark.parametrize("name", LOSSES)
def test_values_and_gradients_match_keras(name):
    rng = np.random.default_rng(0)
    y_true, y_pred = random_case(name, rng, batch=7, k=3)
    value, gradient = keras_value_and_gradient(name, y_true, y_pred)
    assert loss_value(name, y_true, y_pred) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(loss_gradient(name, y_true, y_pred), gradient, rtol=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(LOSSES),
    batch=st.integers(1, 8),
    k=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_batches_match_keras(name, batch, k, seed):
    if name == "categorical_crossentropy":
        k = max(k, 2)  # a single class is always right (Keras warns about it)
    y_true, y_pred = random_case(name, np.random.default_rng(seed), batch, k)
    value, gradient = keras_value_and_gradient(name, y_true, y_pred)
    assert loss_value(name, y_true, y_pred) == pytest.approx(value, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(
        loss_gradient(name, y_true, y_pred), gradient, rtol=1e-10, atol=1e-15
    )


def test_keras_default_float32_gives_the_same_values():
    rng = np.random.default_rng(1)
    for name in LOSSES:
        y_true, y_pred = random_case(name, rng, batch=5, k=4)
        expected = float(getattr(keras.losses, KERAS_LOSS[name])()(y_true, y_pred))
        assert loss_value(name, y_true, y_pred) == pytest.approx(expected, rel=1e-6)
        # float32 predictions are computed in float32, like Keras does.
        value32 = loss_value(name, y_true.astype(np.float32), y_pred.astype(np.float32))
        assert value32 == pytest.approx(expected, rel=1e-6)
        assert loss_gradient(name, y_true, y_pred.astype(np.float32)).dtype == np.float32


def test_categorical_crossentropy_on_a_batch_of_several_rows():
    y_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]])
    y_pred = np.array([[0.9, 0.05, 0.05], [0.05, 0.89, 0.06], [0.05, 0.01, 0.94], [0.2, 0.3, 0.5]])
    by_hand = -np.mean(np.log([0.9, 0.89, 0.94, 0.3]))
    assert loss_value("categorical_crossentropy", y_true, y_pred) == pytest.approx(by_hand)
    value, gradient = keras_value_and_gradient("categorical_crossentropy", y_true, y_pred)
    assert by_hand == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(
        loss_gradient("categorical_crossentropy", y_true, y_pred), gradient, rtol=1e-10
    )


def test_categorical_crossentropy_normalizes_rows_like_keras():
    # Rows that do not sum to 1 (and soft targets) are divided by their sum first.
    y_true = np.array([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    y_pred = np.array([[2.0, 1.0, 1.0], [0.1, 0.1, 0.3]])
    value, gradient = keras_value_and_gradient("categorical_crossentropy", y_true, y_pred)
    assert loss_value("categorical_crossentropy", y_true, y_pred) == pytest.approx(value)
    np.testing.assert_allclose(
        loss_gradient("categorical_crossentropy", y_true, y_pred), gradient, rtol=1e-10
    )


def test_mean_squared_error_has_no_one_half():
    # Keras: mean of (y - p)^2; the lecture's 1/2 (y - p)^2 is half of it.
    assert loss_value("mean_squared_error", [[1.0]], [[0.25]]) == pytest.approx(0.5625)
    np.testing.assert_allclose(loss_gradient("mean_squared_error", [[1.0]], [[0.25]]), [[-1.5]])


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_predictions_of_exactly_0_and_1_are_clipped_like_keras(name, dtype):
    if name == "binary_crossentropy":
        y_true = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
        y_pred = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.5], [0.0, 1e-9]])
    else:
        y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        y_pred = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.2, 0.5]])
    y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log(0), no division by zero
        value = loss_value(name, y_true, y_pred)
        gradient = loss_gradient(name, y_true, y_pred)
    expected_value, expected_gradient = keras_value_and_gradient(name, y_true, y_pred, dtype)
    assert math.isfinite(value)
    assert np.all(np.isfinite(gradient))
    assert value == pytest.approx(expected_value, rel=1e-6)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-6, atol=1e-12)
    # A prediction of 0 for the true class costs -log(1e-7) and gets no gradient: the
    # clipped loss does not depend on it any more.
    assert value >= -math.log(EPSILON) / y_pred.size - 1e-6
    assert gradient[0, 0] == 0


def test_single_output_targets_may_omit_their_axis():
    y_pred = np.array([[0.2], [0.7], [0.9]])
    for name in ("binary_crossentropy", "mean_squared_error"):
        assert loss_value(name, [0, 1, 1], y_pred) == loss_value(name, [[0], [1], [1]], y_pred)
        assert loss_gradient(name, [0, 1, 1], y_pred).shape == (3, 1)
        expected = float(getattr(keras.losses, KERAS_LOSS[name])()(np.array([0, 1, 1]), y_pred))
        assert loss_value(name, [0, 1, 1], y_pred) == pytest.approx(expected, rel=1e-6)


def test_bad_input_is_refused_with_clear_messages():
    with pytest.raises(ValueError, match=r"name must be one of .*binary_crossentropy.*'mse'"):
        loss_value("mse", [1.0], [0.5])
    with pytest.raises(TypeError, match="name must be one of"):
        loss_gradient(None, [1.0], [0.5])
    with pytest.raises(
        ValueError, match=r"y_true has shape \(2, 3\) but y_pred has shape \(2, 2\)"
    ):
        loss_value("mean_squared_error", np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="y_pred must hold real numbers"):
        loss_value("mean_squared_error", [1.0], ["a"])
    with pytest.raises(ValueError, match="y_pred must hold at least one prediction"):
        loss_value("mean_squared_error", np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="positive sum"):
        loss_value("categorical_crossentropy", [[1.0, 0.0]], [[0.0, 0.0]])


@pytest.mark.parametrize(
    ("argument", "error"), [(3, TypeError), (b"loss", TypeError), ("", ValueError)]
)
def test_check_loss_name_checks_the_argument_name(argument, error):
    from lecture_nn.losses import check_loss_name

    with pytest.raises(error, match=r"\bargument\b"):
        check_loss_name("mean_squared_error", argument)


def test_check_loss_name_names_the_callers_parameter():
    from lecture_nn.losses import check_loss_name

    with pytest.raises(ValueError, match=r"^loss must be one of"):
        check_loss_name("mse", "loss")
