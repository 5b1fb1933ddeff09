"""The numpy network: backpropagation against finite differences, the lecture's worked
example (with the sign fixed), SGD, the weights API, training histories and bad input.

Gradient check. Every dL/dW, dL/db and dL/dX from ``Network.gradients`` is compared with
a central finite difference of ``Network.loss_value`` in float64, on random architectures
drawn by hypothesis. The finite difference uses the 7-point stencil

    f'(x) ~ (f(x+3h) - 9 f(x+2h) + 45 f(x+h) - 45 f(x-h) + 9 f(x-2h) - f(x-3h)) / (60 h)

with h = 1e-3: its truncation error is O(h^6) and its round-off about 2 eps |L| / h,
around 1e-12 for losses of order 1. The relative error |a - b| / max(|a| + |b|, 1e-5)
must stay below 1e-6, so gradients smaller than 1e-5 must agree to 1e-11 absolutely
(a floor much below 1e-5 would only measure the float64 noise of the finite difference).

ReLU and leaky ReLU have a kink at 0 where the finite difference is meaningless. Examples
with some |z| < 1e-4 in such a layer are rejected with ``assume``, and so are the rare
ones where a finite-difference step (up to 3h) moves some z across 0. Cross-entropies
are only checked on predictions within [1e-4, 1 - 1e-4]: closer to 0 or 1 the loss,
computed from probabilities as in Keras, loses digits to cancellation in 1 - p.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lecture_nn.activations import HIDDEN_ACTIVATIONS
from lecture_nn.losses import loss_value
from lecture_nn.network import (
    DenseLayer,
    ForwardPass,
    Gradients,
    Network,
    TrainingRun,
    activation_backward,
    minibatch_indices,
    train,
)

# Hidden layers: the course's hidden activations plus the identity.
HIDDEN = (*HIDDEN_ACTIVATIONS, "linear")
# Output activation and loss pairs: the usual ones, plus the lecture's sigmoid with a
# squared error and a softmax with a squared error (which exercises the full softmax
# Jacobian, without the cross-entropy simplification).
OUTPUTS = (
    ("sigmoid", "binary_crossentropy"),
    ("softmax", "categorical_crossentropy"),
    ("linear", "mean_squared_error"),
    ("sigmoid", "mean_squared_error"),
    ("softmax", "mean_squared_error"),
)
KINKED = ("relu", "leaky_relu")
STEP = 1e-3
STENCIL = {3: 1.0, 2: -9.0, 1: 45.0, -1: -45.0, -2: 9.0, -3: -1.0}  # offset -> weight / 60h
FLOOR = 1e-5
RTOL = 1e-6
MIN_ARCHITECTURES = 100


# ---------------------------------------------------------------------------------------
# A session-level note of how many random networks were checked
# ---------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------
# Random problems and finite differences
# ---------------------------------------------------------------------------------------


def random_targets(rng, loss, batch, n_out):
    """Targets that suit the loss: 0/1 labels, one-hot rows or real numbers."""
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=(batch, n_out)).astype(float)
    if loss == "categorical_crossentropy":
        return np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    return rng.normal(size=(batch, n_out))


@st.composite
def problems(draw):
    """A random network (depth 1-4, widths 1-16), a batch of 1-8 inputs and targets."""
    depth = draw(st.integers(1, 4))
    output, loss = draw(st.sampled_from(OUTPUTS))
    # A softmax over a single unit is the constant 1, so give it at least two.
    n_out = draw(st.integers(2, 6) if output == "softmax" else st.integers(1, 4))
    widths = [draw(st.integers(1, 16)) for _ in range(depth)]
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    initializer = draw(
        st.sampled_from(["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"])
    )
    seed = draw(st.integers(0, 2**32 - 1))
    batch = draw(st.integers(1, 8))

    network = Network(
        [*widths, n_out], [*hidden, output], loss=loss, initializer=initializer, seed=seed
    )
    rng = np.random.default_rng(seed)
    # Non-zero biases, so that their role in z = a @ W + b is checked too.
    weights = network.get_weights()
    for i in range(1, len(weights), 2):
        weights[i] = rng.normal(0.0, 0.5, size=weights[i].shape)
    network.set_weights(weights)
    X = rng.normal(size=(batch, widths[0]))
    y = random_targets(rng, loss, batch, n_out)
    return network, X, y


def kink_pattern(forward, network):
    """Which side of 0 every z of the ReLU-type layers is on."""
    return [z > 0 for z, name in zip(forward.z, network.activations) if name in KINKED]


def finite_difference(network, X, y, array):
    """Central finite differences of the loss with respect to every entry of ``array``.

    ``array`` is one of the network's weight or bias arrays, or X itself; it is changed
    in place and restored. Returns the estimate and whether some step crossed a kink.
    """
    reference = kink_pattern(network.forward(X), network)
    estimate = np.zeros_like(array)
    crossed = False
    for index in np.ndindex(array.shape):
        original = array[index]
        total = 0.0
        for offset, weight in STENCIL.items():
            array[index] = original + offset * STEP
            forward = network.forward(X)
            total += weight * loss_value(network.loss, y, forward.output)
            pattern = kink_pattern(forward, network)
            crossed |= any(np.any(p != q) for p, q in zip(pattern, reference))
        array[index] = original
        estimate[index] = total / (60 * STEP)
    return estimate, crossed


def relative_error(a, b):
    """|a - b| / max(|a| + |b|, FLOOR), element-wise: relative, but robust to tiny values."""
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), FLOOR)


def test_gradients_match_finite_differences_on_random_architectures(report):
    checked = []

    @settings(max_examples=250, deadline=None)
    @given(problems())
    def check(problem):
        network, X, y = problem
        forward = network.forward(X)
        # Keep ReLU kinks away from the finite differences.
        for z, name in zip(forward.z, network.activations):
            if name in KINKED:
                assume(np.min(np.abs(z)) >= 1e-4)
        if network.loss != "mean_squared_error":
            assume(np.all((forward.output >= 1e-4) & (forward.output <= 1 - 1e-4)))

        grads = network.backward(forward, y)
        numeric = []
        for layer in network.layers:
            for array in (layer.weights, layer.bias):
                estimate, crossed = finite_difference(network, X, y, array)
                assume(not crossed)
                numeric.append(estimate)
        estimate, crossed = finite_difference(network, X, y, X)
        assume(not crossed)
        numeric.append(estimate)

        analytic = [*grads.as_list(), grads.activations[0]]
        names = [f"{kind}{i + 1}" for i in range(len(network.layers)) for kind in "Wb"]
        for name, a, b in zip([*names, "X"], analytic, numeric):
            error = np.max(relative_error(a, b))
            assert error < RTOL, f"{network}: dL/d{name} off by {error:.2e}\n{a}\n{b}"
        checked.append(tuple(network.layer_sizes) + tuple(network.activations))

    check()
    report.append(
        f"test_network: {len(checked)} random networks ({len(set(checked))} distinct "
        f"architectures) checked against finite differences"
    )
    assert len(checked) >= MIN_ARCHITECTURES


# ---------------------------------------------------------------------------------------
# The lecture's worked example, 2-3-1 with sigmoids and a squared error
# ---------------------------------------------------------------------------------------


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.fixture
def net_231():
    network = Network([2, 3, 1], ["sigmoid", "sigmoid"], loss="mean_squared_error", seed=3)
    weights = network.get_weights()
    weights[1] = np.array([0.1, -0.2, 0.3])
    weights[3] = np.array([-0.1])
    network.set_weights(weights)
    return network


def test_worked_example_last_layer_gradient_has_the_sign_yhat_minus_y(net_231):
    # One example: Keras' mean squared error is (y - yhat)^2 without the 1/2, so
    # dL/dw_i = 2 (yhat - y) sigma'(z) a_i; for the lecture's L = 1/2 (y - yhat)^2 it is
    # half of that, (yhat - y) sigma'(z) a_i, NOT (y - yhat) sigma'(z) a_i.
    X, y = np.array([[0.5, -1.0]]), np.array([[1.0]])
    forward = net_231.forward(X)
    W2, b2 = net_231.layers[1].weights[:, 0], net_231.layers[1].bias[0]
    a = [sigmoid(float(z)) for z in forward.z[0][0]]  # hidden activations a_1 .. a_3
    z = sum(w * a_i for w, a_i in zip(W2, a)) + b2
    yhat = sigmoid(z)
    sigma_prime = yhat * (1 - yhat)
    by_hand = [(yhat - 1.0) * sigma_prime * a_i for a_i in a]  # for 1/2 (y - yhat)^2

    grads = net_231.backward(forward, y)
    assert forward.output[0, 0] == pytest.approx(yhat, rel=1e-12)
    np.testing.assert_allclose(0.5 * grads.weights[1][:, 0], by_hand, rtol=1e-12)
    np.testing.assert_allclose(0.5 * grads.bias[1], [(yhat - 1.0) * sigma_prime], rtol=1e-12)
    # yhat < y = 1 and every a_i > 0: all gradients are negative, so gradient descent
    # raises the weights and with them yhat, towards y. The lecture's sign would not.
    assert yhat < 1.0
    assert np.all(grads.weights[1] < 0)
    before = net_231.loss_value(X, y)
    net_231.sgd_step(X, y, learning_rate=0.5)
    assert net_231.loss_value(X, y) < before


def test_worked_example_hidden_layer_gradient_follows_the_chain_rule(net_231):
    # Backpropagation (2): dL/dw_ij = [dL/dyhat sigma'(z_0) w_i] sigma'(z_i) x_j, with
    # dL/dyhat = 2 (yhat - y) for Keras' squared error of one example.
    X, y = np.array([[0.5, -1.0]]), np.array([[0.0]])
    forward = net_231.forward(X)
    W1, W2 = net_231.layers[0].weights, net_231.layers[1].weights[:, 0]
    yhat = forward.output[0, 0]
    upstream = 2 * (yhat - 0.0) * yhat * (1 - yhat)  # dL/dz_0 of the output unit
    by_hand = np.zeros_like(W1)
    for i in range(3):  # hidden unit i
        a_i = forward.a[1][0, i]
        for j in range(2):  # input j
            by_hand[j, i] = upstream * W2[i] * a_i * (1 - a_i) * X[0, j]
    grads = net_231.backward(forward, y)
    np.testing.assert_allclose(grads.weights[0], by_hand, rtol=1e-12)
    np.testing.assert_allclose(grads.z[1], [[upstream]], rtol=1e-12)


def test_batch_gradient_is_the_mean_of_the_per_example_gradients(net_231):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), rng.uniform(size=(5, 1))
    whole = net_231.gradients(X, y)
    single = [net_231.gradients(X[i : i + 1], y[i : i + 1]) for i in range(5)]
    for k in range(2):
        np.testing.assert_allclose(
            whole.weights[k], np.mean([g.weights[k] for g in single], axis=0), rtol=1e-12
        )
        np.testing.assert_allclose(
            whole.bias[k], np.mean([g.bias[k] for g in single], axis=0), rtol=1e-12
        )


def test_softmax_with_cross_entropy_gives_prediction_minus_target_over_batch():
    network = Network([4, 5, 3], ["tanh", "softmax"], loss="categorical_crossentropy", seed=1)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 4))
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    forward = network.forward(X)
    grads = network.backward(forward, y)
    np.testing.assert_allclose(grads.z[-1], (forward.output - y) / 6, rtol=1e-10, atol=1e-15)


def test_softmax_cross_entropy_shortcut_needs_targets_that_sum_to_one():
    """The docstring's qualifier: for targets summing to s the delta is (s * y_pred - y) / n."""
    network = Network([4, 3], ["softmax"], loss="categorical_crossentropy", seed=2)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 4))
    y = 0.5 * np.eye(3)[rng.integers(0, 3, size=5)]  # each row sums to 0.5
    forward = network.forward(X)
    delta = network.backward(forward, y).z[-1]
    np.testing.assert_allclose(delta, (0.5 * forward.output - y) / 5, rtol=1e-10, atol=1e-15)
    assert not np.allclose(delta, (forward.output - y) / 5)


def test_activation_backward_multiplies_by_the_derivative():
    z = np.array([[-2.0, 0.5, 3.0]])
    upstream = np.array([[1.0, -2.0, 0.5]])
    np.testing.assert_allclose(
        activation_backward("tanh", z, upstream), upstream * (1 - np.tanh(z) ** 2)
    )
    np.testing.assert_allclose(
        activation_backward("relu", z, upstream), upstream * np.array([[0.0, 1.0, 1.0]])
    )
    s = np.exp(z) / np.exp(z).sum()
    jacobian = np.diag(s[0]) - np.outer(s[0], s[0])
    np.testing.assert_allclose(activation_backward("softmax", z, upstream), upstream @ jacobian)


# ---------------------------------------------------------------------------------------
# Forward pass and data types
# ---------------------------------------------------------------------------------------


def test_forward_keeps_every_z_and_a_with_batch_by_units_shapes():
    network = Network([3, 4, 5, 2], ["relu", "tanh", "sigmoid"], seed=2)
    X = np.random.default_rng(2).normal(size=(7, 3))
    forward = network.forward(X)
    assert isinstance(forward, ForwardPass)
    assert [z.shape for z in forward.z] == [(7, 4), (7, 5), (7, 2)]
    assert [a.shape for a in forward.a] == [(7, 3), (7, 4), (7, 5), (7, 2)]
    np.testing.assert_array_equal(forward.a[0], X)
    np.testing.assert_allclose(forward.z[1], forward.a[1] @ network.layers[1].weights)
    np.testing.assert_array_equal(network.predict(X), forward.output)
    grads = network.gradients(X, np.ones((7, 2)))
    assert isinstance(grads, Gradients)
    assert [g.shape for g in grads.activations] == [(7, 3), (7, 4), (7, 5), (7, 2)]
    assert [g.shape for g in grads.z] == [(7, 4), (7, 5), (7, 2)]
    assert [g.shape for g in grads.as_list()] == [w.shape for w in network.get_weights()]


def test_layers_have_keras_orientation_and_zero_biases():
    network = Network([2, 3, 1], ["tanh", "sigmoid"], initializer="he_normal", seed=5)
    assert all(isinstance(layer, DenseLayer) for layer in network.layers)
    assert [layer.weights.shape for layer in network.layers] == [(2, 3), (3, 1)]
    assert [layer.activation for layer in network.layers] == ["tanh", "sigmoid"]
    assert all(not layer.bias.any() for layer in network.layers)
    assert (network.layers[0].n_in, network.layers[0].n_out) == (2, 3)
    # The same seed gives the same weights; another seed other weights.
    same = Network([2, 3, 1], ["tanh", "sigmoid"], initializer="he_normal", seed=5)
    other = Network([2, 3, 1], ["tanh", "sigmoid"], initializer="he_normal", seed=6)
    np.testing.assert_array_equal(network.layers[0].weights, same.layers[0].weights)
    assert not np.array_equal(network.layers[0].weights, other.layers[0].weights)


def test_float32_networks_compute_in_float32():
    network = Network(
        [2, 3, 2], ["relu", "softmax"], loss="categorical_crossentropy", dtype=np.float32
    )
    X = np.array([[1, 2], [3, -4]])  # integers are converted
    grads = network.gradients(X, np.eye(2))
    assert network.predict(X).dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.as_list())
    assert isinstance(network.sgd_step(X, np.eye(2), 0.1), float)
    assert all(w.dtype == np.float32 for w in network.get_weights())


def test_extreme_inputs_give_finite_losses_and_gradients_without_warnings():
    network = Network([2, 4, 1], ["sigmoid", "sigmoid"], seed=0)
    network.set_weights([w * 100 for w in network.get_weights()])
    X = np.array([[1000.0, -1000.0], [-1e6, 1e6]])
    y = np.array([[0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = network.loss_value(X, y)
        grads = network.gradients(X, y)
    assert math.isfinite(loss)
    assert all(np.all(np.isfinite(g)) for g in grads.as_list())


# ---------------------------------------------------------------------------------------
# SGD, weights and training histories
# ---------------------------------------------------------------------------------------


def moons_like(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


def test_sgd_step_returns_the_loss_before_and_lowers_it_for_a_small_learning_rate():
    X, y = moons_like()
    network = Network([2, 5, 1], ["tanh", "sigmoid"], seed=4)
    before = network.loss_value(X, y)
    grads = network.gradients(X, y)
    expected = [w - 0.01 * g for w, g in zip(network.get_weights(), grads.as_list())]
    assert network.sgd_step(X, y, learning_rate=0.01) == before
    for new, old in zip(network.get_weights(), expected):
        np.testing.assert_allclose(new, old, rtol=1e-12)
    assert network.loss_value(X, y) < before
    # A learning rate must be > 0 (the one rule for rates, lecture_nn._validation.positive).
    with pytest.raises(ValueError, match="learning_rate must be a number > 0, got 0.0"):
        network.sgd_step(X, y, learning_rate=0.0)
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        train(network, X, y, learning_rate=0)


def test_get_and_set_weights_round_trip_as_copies():
    network = Network([3, 4, 2], ["leaky_relu", "linear"], loss="mean_squared_error", seed=1)
    weights = network.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4, 2), (2,)]
    weights[0][0, 0] = 123.0  # changing the copy leaves the network alone
    assert network.layers[0].weights[0, 0] != 123.0
    new = [np.full(w.shape, float(i)) for i, w in enumerate(weights)]
    network.set_weights(new)
    new[0][0, 0] = -1.0  # the network keeps its own copy
    for i, w in enumerate(network.get_weights()):
        np.testing.assert_array_equal(w, np.full(w.shape, float(i)))


def test_set_weights_checks_the_count_and_shapes():
    network = Network([2, 3, 1], ["tanh", "sigmoid"])
    weights = network.get_weights()
    with pytest.raises(ValueError, match=r"4 arrays .* got 3"):
        network.set_weights(weights[:3])
    with pytest.raises(ValueError, match=r"weights\[2\] \(W2\) must have shape \(3, 1\)"):
        network.set_weights([weights[0], weights[1], np.zeros((1, 3)), weights[3]])
    with pytest.raises(ValueError, match=r"weights\[1\] \(b1\)"):
        network.set_weights([weights[0], np.zeros(2), weights[2], weights[3]])
    with pytest.raises(TypeError, match=r"weights\[0\]"):
        network.set_weights([np.array([["a"] * 3] * 2), *weights[1:]])


def test_copy_is_independent():
    X, y = moons_like()
    network = Network([2, 3, 1], ["tanh", "sigmoid"], seed=7)
    clone = network.copy()
    clone.sgd_step(X, y, 1.0)
    assert clone.loss_value(X, y) != network.loss_value(X, y)
    assert repr(clone) == repr(network)


def test_full_batch_training_records_a_replayable_history():
    X, y = moons_like()
    network = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    start = network.copy()
    run = train(network, X, y, learning_rate=0.5, steps=30)
    assert isinstance(run, TrainingRun)
    assert len(run.weights) == 31
    assert run.losses.shape == (31,)
    assert run.batch_losses.shape == (30,)
    # Full batch: the loss of each batch is the training loss before that update.
    np.testing.assert_allclose(run.batch_losses, run.losses[:-1], rtol=1e-12)
    assert run.losses[-1] < run.losses[0]
    # Replaying: every recorded set of weights gives its recorded loss.
    for k in (0, 10, 30):
        start.set_weights(run.weights[k])
        assert start.loss_value(X, y) == pytest.approx(run.losses[k], rel=1e-12)
    for w, final in zip(run.weights[-1], network.get_weights()):
        np.testing.assert_array_equal(w, final)  # the network was trained in place


def test_minibatch_training_shuffles_each_epoch_with_the_seed():
    batches = minibatch_indices(10, 4, steps=7, seed=3)
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2, 4]
    # Each epoch (3 batches) visits every example once, in a new order.
    first, second = np.concatenate(batches[:3]), np.concatenate(batches[3:6])
    assert sorted(first) == sorted(second) == list(range(10))
    assert not np.array_equal(first, second)

    X, y = moons_like(10)
    runs = [
        train(Network([2, 3, 1], ["relu", "sigmoid"], seed=1), X, y, steps=7, batch_size=4, seed=s)
        for s in (3, 3, 4)
    ]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    assert not np.array_equal(runs[0].losses, runs[2].losses)
    # The recorded batch losses are those of the batches minibatch_indices gives.
    network = Network([2, 3, 1], ["relu", "sigmoid"], seed=1)
    for k, batch in enumerate(batches):
        assert network.sgd_step(X[batch], y[batch], 0.1) == pytest.approx(
            runs[0].batch_losses[k], rel=1e-12
        )
    # A batch larger than the data is the whole data set.
    whole = train(Network([2, 3, 1], ["relu", "sigmoid"], seed=1), X, y, steps=2, batch_size=99)
    np.testing.assert_allclose(whole.batch_losses, whole.losses[:-1], rtol=1e-12)


def test_zero_steps_record_only_the_start():
    X, y = moons_like()
    run = train(Network([2, 2, 1], ["tanh", "sigmoid"]), X, y, steps=0)
    assert len(run.weights) == 1
    assert run.losses.shape == (1,)
    assert run.batch_losses.shape == (0,)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "activations", "error", "message"),
    [
        ([2, 0, 1], ["tanh", "sigmoid"], ValueError, r"layer_sizes\[1\] must be an integer >= 1"),
        ([2, -3, 1], ["tanh", "sigmoid"], ValueError, r"layer_sizes\[1\] must be an integer >= 1"),
        ([2], [], ValueError, "at least 2 size"),
        ([2, 2.5, 1], ["tanh", "sigmoid"], TypeError, r"layer_sizes\[1\] must be an integer"),
        ("231", ["tanh", "sigmoid"], TypeError, "layer_sizes must be a sequence"),
        ([2, 3, 1], ["tanh"], ValueError, r"one name per layer: 2 .* got 1"),
        ([2, 3, 1], ["tanh", "sigmoid", "relu"], ValueError, r"one name per layer: 2 .* got 3"),
        ([2, 1], "sigmoid", TypeError, "single string 'sigmoid'"),
        ([2, 3, 1], ["tahn", "sigmoid"], ValueError, r"activations\[0\] must be one of .*'tahn'"),
    ],
)
def test_bad_architectures_are_refused(sizes, activations, error, message):
    with pytest.raises(error, match=message):
        Network(sizes, activations)


def test_unknown_loss_initializer_and_dtype_are_refused_with_the_valid_names():
    with pytest.raises(ValueError, match=r"loss must be one of .*mean_squared_error.*got 'mse'"):
        Network([2, 1], ["sigmoid"], loss="mse")
    with pytest.raises(ValueError, match=r"initializer must be one of .*glorot_uniform.*'xavier'"):
        Network([2, 1], ["sigmoid"], initializer="xavier")
    with pytest.raises(ValueError, match="float32 or float64"):
        Network([2, 1], ["sigmoid"], dtype=np.int32)
    with pytest.raises(TypeError, match="seed must be an integer"):
        Network([2, 1], ["sigmoid"], seed=1.5)


def test_data_that_does_not_fit_the_network_is_refused():
    network = Network([2, 3, 2], ["tanh", "softmax"], loss="categorical_crossentropy")
    X, y = np.zeros((4, 2)), np.eye(2)[[0, 1, 0, 1]]
    with pytest.raises(ValueError, match=r"X must have shape \(batch, 2\).*got shape \(4, 3\)"):
        network.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"X must have shape \(batch, 2\).*got shape \(2,\)"):
        network.predict(np.zeros(2))
    with pytest.raises(ValueError, match=r"y must have shape \(4, 2\).*got shape \(4,\)"):
        network.loss_value(X, np.zeros(4))
    with pytest.raises(ValueError, match=r"y must have shape \(4, 2\).*got shape \(3, 2\)"):
        network.gradients(X, y[:3])
    with pytest.raises(TypeError, match="X must hold real numbers"):
        network.forward([["a", "b"]])
    with pytest.raises(ValueError, match="learning_rate"):
        network.sgd_step(X, y, learning_rate=-0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        network.sgd_step(X, y, learning_rate=float("nan"))
    with pytest.raises(TypeError, match="forward must be a ForwardPass"):
        network.backward(X, y)
    # One output: targets may come as (batch,) or (batch, 1), as in Keras.
    single = Network([2, 3, 1], ["tanh", "sigmoid"])
    assert single.loss_value(X, np.ones(4)) == single.loss_value(X, np.ones((4, 1)))


def test_train_refuses_bad_arguments():
    X, y = moons_like(8)
    network = Network([2, 2, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train(network, X, y, batch_size=0)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        train(network, X, y, steps=-1)
    with pytest.raises(TypeError, match="steps must be an integer"):
        train(network, X, y, steps=2.0)
    with pytest.raises(TypeError, match="network must be a Network"):
        train("net", X, y)
    with pytest.raises(ValueError, match=r"y must have shape \(8, 1\)"):
        train(network, X, y[:5])


def test_the_network_modules_do_not_import_tensorflow_or_keras():
    code = (
        "import sys\n"
        "import lecture_nn.network, lecture_nn.losses, lecture_nn.initializers\n"
        "from lecture_nn.network import Network, train\n"
        "net = Network([2, 3, 1], ['tanh', 'sigmoid'])\n"
        "train(net, [[0.0, 1.0], [1.0, 0.0]], [0, 1], steps=2)\n"
        "print(','.join(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# -- faults of issue 14 (each test failed on the code before the fix) ------------------


def _in_child(code: str, seconds: float = 60.0) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with a wall-time limit (a hang fails the test)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds
    )


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ("n_samples=0, batch_size=4, steps=3", ValueError, "n_samples must be an integer >= 1"),
        ("n_samples=-5, batch_size=4, steps=3", ValueError, "n_samples must be an integer >= 1"),
        ("n_samples=10, batch_size=-1, steps=3", ValueError, "batch_size must be an integer >= 1"),
        ("n_samples=10, batch_size=0, steps=3", ValueError, "batch_size must be an integer >= 1"),
        ("n_samples=10, batch_size=4, steps=math.inf", TypeError, "steps must be an integer"),
        ("n_samples=10, batch_size=4, steps=-1", ValueError, "steps must be an integer >= 0"),
        ("n_samples=10.0, batch_size=4, steps=3", TypeError, "n_samples must be an integer"),
    ],
)
def test_minibatch_indices_refuses_what_used_to_hang(arguments, error, message):
    # Before: n_samples <= 0, batch_size < 0 and steps=inf looped forever. The call runs
    # in a child with a time limit, so a hang fails here instead of stopping the run.
    code = (
        "import math\n"
        "from lecture_nn.network import minibatch_indices\n"
        "try:\n"
        f"    minibatch_indices({arguments}, seed=0)\n"
        "except (TypeError, ValueError) as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    result = _in_child(code, seconds=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(error.__name__), result.stdout
    assert message in result.stdout


def test_minibatch_indices_cover_each_epoch_once():
    batches = minibatch_indices(10, 4, 6, seed=0)
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    for epoch in (batches[:3], batches[3:]):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(10))
    np.testing.assert_array_equal(
        np.concatenate(minibatch_indices(10, np.int64(4), np.int64(3), seed=np.int64(0))),
        np.concatenate(batches[:3]),
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_set_weights_refuses_non_finite_values(bad):
    network = Network([2, 3, 1], ["tanh", "sigmoid"])
    weights = network.get_weights()
    before = network.get_weights()
    weights[2] = weights[2].copy()
    weights[2][1, 0] = bad
    with pytest.raises(ValueError, match=r"weights\[2\] must hold finite numbers"):
        network.set_weights(weights)
    for kept, original in zip(network.get_weights(), before):
        np.testing.assert_array_equal(kept, original)  # nothing was replaced


def test_set_weights_refuses_a_single_array_and_non_lists():
    network = Network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(TypeError, match="weights must be a list of arrays"):
        network.set_weights(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="weights must be a list of arrays"):
        network.set_weights(5)


def test_activation_backward_refuses_shapes_that_would_broadcast():
    z = np.ones((4, 3))
    for name in ("tanh", "relu", "softmax"):
        with pytest.raises(ValueError, match=r"grad_a must have the shape of z \(4, 3\)"):
            activation_backward(name, z, np.ones((1, 3)))
        with pytest.raises(ValueError, match=r"grad_a must have the shape of z"):
            activation_backward(name, z, np.ones(3))
    with pytest.raises(TypeError, match="grad_a must hold real numbers"):
        activation_backward("tanh", z, np.full((4, 3), "a"))
    with pytest.raises(TypeError, match="grad_a must hold real numbers"):
        activation_backward("tanh", z, np.ones((4, 3)) * 1j)
    # the element-wise product of matching shapes is unchanged
    grad = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(activation_backward("tanh", z, grad), grad * (1 - np.tanh(z) ** 2))


def test_network_sizes_follow_the_one_rule():
    cases = (([2, 3.0, 1], TypeError), ([2, True, 1], TypeError), ([2, 0, 1], ValueError))
    for bad, error in cases:
        with pytest.raises(error, match=r"layer_sizes\[1\]"):
            Network(bad, ["tanh", "sigmoid"])
    network = Network([np.int64(2), np.int32(3), 1], ["tanh", "sigmoid"], seed=np.int64(1))
    assert network.layer_sizes == [2, 3, 1]
    assert all(type(size) is int for size in network.layer_sizes)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        Network([2, 1], ["sigmoid"], seed=-1)
    with pytest.raises(ValueError, match=r"activations\[1\] must be one of"):
        Network([2, 3, 1], ["tanh", "sigmoidd"])
    with pytest.raises(ValueError, match="loss must be one of"):
        Network([2, 1], ["sigmoid"], loss="mse")
    with pytest.raises(ValueError, match="initializer must be one of"):
        Network([2, 1], ["sigmoid"], initializer="xavier")
