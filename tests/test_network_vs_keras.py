"""The numpy network against Keras with the same weights: forward pass, gradients
(TensorFlow autodiff of the Keras loss), SGD training step by step, and from_keras.

A Keras model is built from a Network with ``keras_model``: one Dense layer per layer, the
course's leaky ReLU (slope 0.01) as a linear Dense followed by ``LeakyReLU(0.01)``, since
Keras' own ``"leaky_relu"`` activation has slope 0.2.
"""

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_nn.network import Network, minibatch_indices, train

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = (
    ("sigmoid", "binary_crossentropy"),
    ("softmax", "categorical_crossentropy"),
    ("linear", "mean_squared_error"),
    ("sigmoid", "mean_squared_error"),
    ("softmax", "mean_squared_error"),
)
MIN_ARCHITECTURES = 15
# TensorFlow's LeakyRelu op stores its slope as float32: 0.01 becomes 0.0099999998.
LEAKY_RTOL = 1e-6


@contextmanager
def keras_precision(dtype):
    """Let Keras build its layers and compute in ``dtype`` inside the ``with`` block.

    Both settings are needed: once Keras has built a layer, it keeps the global dtype
    policy it derived from floatx at that time.
    """
    previous_floatx, previous_policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(previous_floatx)
        keras.config.set_dtype_policy(previous_policy)


@pytest.fixture
def float64_keras():
    with keras_precision("float64"):
        yield


def keras_model(network):
    """A Keras Sequential model with the network's architecture and weights."""
    layers = [keras.Input((network.n_inputs,))]
    for layer in network.layers:
        if layer.activation == "leaky_relu":
            layers.append(keras.layers.Dense(layer.n_out, activation="linear"))
            layers.append(keras.layers.LeakyReLU(negative_slope=0.01))
        else:
            layers.append(keras.layers.Dense(layer.n_out, activation=layer.activation))
    model = keras.Sequential(layers)
    model.set_weights(network.get_weights())
    return model


def keras_gradients(model, loss, X, y):
    """Keras' loss of the model's output and its gradients [dW1, db1, ...] by autodiff."""
    with tf.GradientTape() as tape:
        value = keras.losses.get(loss)(y, model(X))
        value = tf.reduce_mean(value)  # the functional losses are per example
    return float(value), [g.numpy() for g in tape.gradient(value, model.trainable_weights)]


@st.composite
def problems(draw):
    depth = draw(st.integers(1, 4))
    output, loss = draw(st.sampled_from(OUTPUTS))
    n_out = draw(st.integers(2, 5) if output == "softmax" else st.integers(1, 4))
    widths = [draw(st.integers(1, 16)) for _ in range(depth)]
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    seed = draw(st.integers(0, 2**32 - 1))
    batch = draw(st.integers(1, 8))
    network = Network([*widths, n_out], [*hidden, output], loss=loss, seed=seed)
    rng = np.random.default_rng(seed)
    # Weights that float32 represents exactly, so both sides start from the same numbers.
    weights = network.get_weights()
    for i in range(1, len(weights), 2):
        weights[i] = rng.normal(0.0, 0.3, size=weights[i].shape)
    network.set_weights([w.astype(np.float32) for w in weights])
    X = rng.normal(size=(batch, widths[0])).astype(np.float32)
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(batch, n_out)).astype(np.float32)
    elif loss == "categorical_crossentropy":
        y = np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, size=batch)]
    else:
        y = rng.normal(size=(batch, n_out)).astype(np.float32)
    return network, X, y


def test_forward_and_gradients_match_keras_on_random_architectures(report):
    checked = []

    @settings(max_examples=40, deadline=None)
    @given(problems())
    def check(problem):
        network, X, y = problem
        grads = network.gradients(X, y)

        # Keras' default float32: relative 1e-4, with a floor for entries far below the
        # largest one (float32 round-off, e.g. in yhat - y, does not shrink with them).
        model = keras_model(network)
        np.testing.assert_allclose(network.predict(X), np.asarray(model(X)), rtol=1e-5, atol=1e-6)
        value, expected = keras_gradients(model, network.loss, X, y)
        assert network.loss_value(X, y) == pytest.approx(value, rel=1e-5, abs=1e-6)
        for ours, theirs in zip(grads.as_list(), expected):
            scale = max(np.abs(theirs).max(), 1e-2)
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4 * scale)

        # Keras in float64: the same numbers up to float64 round-off, except that
        # TensorFlow keeps the leaky ReLU slope as a float32 attribute (0.0099999998),
        # which moves every gradient by up to ~1e-8 of the largest one.
        leaky = "leaky_relu" in network.activations
        rtol = LEAKY_RTOL if leaky else 1e-9
        with keras_precision("float64"):
            model = keras_model(network)
            value, expected = keras_gradients(model, network.loss, X, y)
        assert network.loss_value(X, y) == pytest.approx(value, rel=rtol, abs=1e-14)
        for ours, theirs in zip(grads.as_list(), expected):
            atol = 1e-7 * np.abs(theirs).max() if leaky else 1e-12
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
        checked.append(tuple(network.layer_sizes) + tuple(network.activations))

    check()
    report.append(
        f"test_network_vs_keras: {len(checked)} random networks checked against Keras autodiff"
    )
    assert len(checked) >= MIN_ARCHITECTURES


def two_moons(n=64, seed=0):
    """Two interleaving half circles with a little noise (as sklearn's make_moons)."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=0.15, random_state=seed)
    return X, y.astype(float)


def test_full_batch_sgd_training_matches_keras_step_by_step(float64_keras):
    X, y = two_moons()
    network = Network([2, 3, 1], ["tanh", "sigmoid"], loss="binary_crossentropy", seed=0)
    model = keras_model(network)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    run = train(network, X, y, learning_rate=0.5, steps=50)

    keras_losses = [float(model.train_on_batch(X, y)) for _ in range(50)]
    # train_on_batch reports the loss of the batch before its update.
    np.testing.assert_allclose(run.batch_losses, keras_losses, rtol=1e-10)
    for ours, theirs in zip(network.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert run.losses[-1] < 0.8 * run.losses[0]  # and it did learn something


def test_minibatch_sgd_matches_keras_on_the_same_batches(float64_keras):
    X, y = two_moons(seed=1)
    network = Network([2, 4, 3, 1], ["relu", "leaky_relu", "sigmoid"], seed=2)
    model = keras_model(network)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.3), loss="binary_crossentropy")
    run = train(network, X, y, learning_rate=0.3, steps=12, batch_size=16, seed=5)

    batches = minibatch_indices(len(X), 16, steps=12, seed=5)
    keras_losses = [float(model.train_on_batch(X[b], y[b])) for b in batches]
    # Not bit-for-bit: TensorFlow's leaky ReLU slope is float32(0.01).
    np.testing.assert_allclose(run.batch_losses, keras_losses, rtol=LEAKY_RTOL)
    for ours, theirs in zip(network.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=LEAKY_RTOL, atol=1e-10)


def test_float32_training_matches_keras_default_precision():
    X, y = two_moons()
    network = Network([2, 3, 1], ["tanh", "sigmoid"], seed=0, dtype=np.float32)
    model = keras_model(network)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    run = train(network, X, y, learning_rate=0.5, steps=50)
    keras_losses = [float(model.train_on_batch(X, y)) for _ in range(50)]
    np.testing.assert_allclose(run.batch_losses, keras_losses, rtol=1e-4)


def test_from_keras_round_trip():
    rng = np.random.default_rng(0)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(4),
            keras.layers.LeakyReLU(negative_slope=0.01),
            keras.layers.Dense(2),
            keras.layers.Activation("softmax"),
        ]
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    network = Network.from_keras(model)
    assert network.layer_sizes == [3, 5, 4, 2]
    assert network.activations == ["tanh", "leaky_relu", "softmax"]
    assert network.loss == "categorical_crossentropy"
    assert network.dtype is np.float32
    for ours, theirs in zip(network.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    X = rng.normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_allclose(network.predict(X), np.asarray(model(X)), rtol=1e-5, atol=1e-7)

    # Back again: a trained Network's weights go into the Keras model.
    network.sgd_step(X, np.eye(2)[[0, 1, 0, 1, 0, 1]], 0.5)
    model.set_weights(network.get_weights())
    np.testing.assert_allclose(network.predict(X), np.asarray(model(X)), rtol=1e-5, atol=1e-7)

    explicit = Network.from_keras(model, loss="mean_squared_error", dtype=np.float64)
    assert explicit.loss == "mean_squared_error"
    assert explicit.dtype is np.float64


def test_from_keras_refuses_what_it_cannot_represent():
    leaky = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="leaky_relu")])
    with pytest.raises(ValueError, match="slope 0.2"):
        Network.from_keras(leaky)
    dropout = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dropout(0.5)]
    )
    with pytest.raises(ValueError, match=r"Dropout\) is not supported"):
        Network.from_keras(dropout)
    elu = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="elu")])
    with pytest.raises(ValueError, match=r"unsupported activation 'elu'.*sigmoid, tanh"):
        Network.from_keras(elu)
    compiled = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    compiled.compile(optimizer="sgd", loss="huber")
    with pytest.raises(ValueError, match="pass loss="):
        Network.from_keras(compiled)
    assert Network.from_keras(compiled, loss="mean_squared_error").layer_sizes == [2, 1]
    compiled.compile(optimizer="sgd", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match="from_logits"):
        Network.from_keras(compiled)
    compiled.compile(optimizer="sgd", loss=keras.losses.MeanSquaredError())
    assert Network.from_keras(compiled).loss == "mean_squared_error"
