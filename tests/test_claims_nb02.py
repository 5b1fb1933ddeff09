"""Claims register of notebook 02 (training): one test per factual sentence.

Each test is named after its claim and quotes the sentence in its docstring. It recomputes
the claim from the computation the notebook's cell or figure uses, and checks it against an
independent reference where there is one: central finite differences of the loss,
TensorFlow's automatic differentiation of Keras' own loss, Keras' loss functions. Sentences
checked by a strictly compared cell output (``nbval-check-output``) or backed by a citation
are listed at the end of this file.
"""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from lecture_nn.activations import sigmoid, sigmoid_derivative, softmax, tanh_derivative
from lecture_nn.exercises import nb02 as exercises
from lecture_nn.network import Network, train
from lecture_nn.style import BINARY_CMAP
from lecture_nn.training_plots import TrainingReplay

keras = pytest.importorskip("keras")


def moons():
    """The notebook's two-moons data (200 points, noise 0.2, seed 0)."""
    return make_moons(n_samples=200, noise=0.2, random_state=0)


def central_differences(network, X, y, h=1e-6):
    """dL/d(every weight and bias) of ``network.loss_value`` by central differences."""
    estimates = []
    for layer in network.layers:
        for array in (layer.weights, layer.bias):
            estimate = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                original = array[index]
                array[index] = original + h
                up = network.loss_value(X, y)
                array[index] = original - h
                down = network.loss_value(X, y)
                array[index] = original
                estimate[index] = (up - down) / (2 * h)
            estimates.append(estimate)
    return estimates


def one_step_network():
    """The 2-4-1 network and batch of 8 of the notebook's "one step, in numbers" cell."""
    points, labels = moons()
    network = Network([2, 4, 1], ["tanh", "sigmoid"], loss="binary_crossentropy", seed=1)
    return network, points[:8], labels[:8].reshape(-1, 1)


def worked():
    """The worked 2-3-1 example: tanh hidden layer, sigmoid output, one point."""
    network = Network([2, 3, 1], ["tanh", "sigmoid"], loss="mean_squared_error", seed=3)
    return network, np.array([[0.5, -1.0]]), np.array([[1.0]])


def half_squared_error(network, x, y):
    return 0.5 * (network.predict(x)[0, 0] - y[0, 0]) ** 2


# --- Introduction and tensors ----------------------------------------------------------------


def test_gradients_are_checked_against_finite_differences_and_keras():
    """ "Its gradients are checked in the test suite against finite differences and against
    Keras" (here for the notebook's 2-4-1 network and batch)."""
    tf = pytest.importorskip("tensorflow")
    network, X, y = one_step_network()
    ours = network.gradients(X, y).as_list()
    for mine, estimate in zip(ours, central_differences(network, X, y)):
        np.testing.assert_allclose(mine, estimate, rtol=1e-6, atol=1e-9)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.set_weights(network.get_weights())
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(X.astype("float32")))
    theirs = [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    assert float(loss) == pytest.approx(network.loss_value(X, y), rel=1e-5)
    for mine, keras_gradient in zip(ours, theirs):
        np.testing.assert_allclose(mine, keras_gradient, rtol=1e-4, atol=1e-6)


def test_the_next_notebooks_cover_activations_initialisation_and_optimizers():
    """ "an architecture with activation functions (notebooks 1 and 3), a way to initialise
    the weights (notebook 4), ... and an optimizer that updates the weights (notebook 5)"."""
    import json

    from lecture_nn.tooling.paths import course_notebooks

    titles = {}
    for path in course_notebooks():
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
        titles[path.name[:2]] = "".join(first["source"]).splitlines()[0]
    assert titles["01"].startswith("# 1. Architecture")
    assert titles["03"].startswith("# 3. Activation functions")
    assert titles["04"].startswith("# 4.")
    assert "nitiali" in titles["04"]
    assert titles["05"].startswith("# 5.")
    assert "ptimi" in titles["05"]


def test_keras_sequences_and_videos_have_samples_first_and_features_or_channels_last():
    """ "3-D | (samples, timesteps, features) | time series, text" and "5-D | (samples,
    frames, height, width, channels) | video": the layouts Keras' recurrent and 3-D
    convolution layers read."""
    sequences = np.zeros((2, 7, 3), dtype="float32")  # 2 samples, 7 timesteps, 3 features
    assert tuple(keras.layers.SimpleRNN(4)(sequences).shape) == (2, 4)
    video = np.zeros((1, 10, 16, 12, 3), dtype="float32")
    assert tuple(keras.layers.Conv3D(5, 3)(video).shape) == (1, 8, 14, 10, 5)


def test_keras_images_are_samples_height_width_channels():
    """ "4-D | (samples, height, width, channels) | colour images": Keras' default image data
    format is channels-last."""
    assert keras.config.image_data_format() == "channels_last"
    images = np.zeros((2, 28, 20, 3), dtype="float32")
    conv = keras.layers.Conv2D(5, 3)  # 3 input channels are read from the last axis
    assert tuple(conv(images).shape) == (2, 26, 18, 5)


def test_broadcasting_adds_the_bias_to_every_row():
    """ "numpy *broadcasts* it, repeating it along the missing axis, so every row gets the same
    bias"."""
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    b = np.array([0.5, -0.5])
    np.testing.assert_array_equal(X @ W + b, X @ W + np.tile(b, (4, 1)))
    assert (X @ W + b).shape == (4, 2)


def test_softmax_couples_the_outputs_and_sigmoid_does_not():
    """ "Element-wise functions (addition, and activations such as the sigmoid and tanh) apply
    to each entry on its own; softmax, which couples the outputs of a layer, is the
    exception"."""
    z = np.array([[0.3, -1.0, 2.0]])
    nudged = z + np.array([[1.0, 0.0, 0.0]])
    for function in (sigmoid, np.tanh):
        np.testing.assert_array_equal(function(nudged)[0, 1:], function(z)[0, 1:])
    assert np.all(softmax(nudged)[0, 1:] < softmax(z)[0, 1:])


# --- Mini-batch SGD ------------------------------------------------------------------------


def test_loss_is_the_mean_over_the_batch_as_in_keras():
    """ "compute the **loss** $\\mathcal{L}(\\mathbf{y}, \\hat{\\mathbf{y}})$, the mean over the
    batch" (Keras' losses reduce with "sum_over_batch_size", a mean)."""
    network, X, y = one_step_network()
    y_hat = network.predict(X)
    per_example = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert network.loss_value(X, y) == pytest.approx(per_example.mean(), rel=1e-12)
    keras_loss = float(keras.losses.BinaryCrossentropy()(y, y_hat))
    assert keras_loss == pytest.approx(per_example.mean(), rel=1e-5)


def test_one_sgd_step_on_the_batch_of_8_lowers_its_loss():
    """ "One step, in numbers, for a 2-4-1 network on a batch of 8 points": the printed loss
    falls from 1.0939 to 0.8838 after W <- W - 0.5 dL/dW, with the gradient of the output
    weights [-0.0627 -0.352 0.3425 -0.3525] (central finite differences)."""
    network, X, y = one_step_network()
    before = network.loss_value(X, y)
    estimates = central_differences(network, X, y)
    np.testing.assert_allclose(
        estimates[2].ravel().round(4), [-0.0627, -0.352, 0.3425, -0.3525], atol=1e-4
    )
    for layer, dW, db in zip(network.layers, estimates[0::2], estimates[1::2]):
        layer.weights -= 0.5 * dW
        layer.bias -= 0.5 * db
    assert round(before, 4) == 1.0939
    assert round(network.loss_value(X, y), 4) == 0.8838


# --- Backpropagation, worked by hand ----------------------------------------------------------


def test_last_layer_gradient_is_yhat_minus_y_times_sigma_prime_times_a():
    """ "$\\partial \\mathcal{L}/\\partial w_i = (\\hat y - y)\\, \\sigma'(z_o)\\, a_i$" against
    central differences of $\\frac{1}{2}(\\hat y - y)^2$, for every output weight."""
    network, x, y = worked()
    forward = network.forward(x)
    y_hat, z_o, a = forward.a[2][0, 0], forward.z[1][0, 0], forward.a[1][0]
    for i in range(3):
        by_hand = (y_hat - y[0, 0]) * sigmoid_derivative(z_o) * a[i]

        def loss(h, i=i):
            nudged = network.copy()
            nudged.layers[1].weights[i, 0] += h
            return half_squared_error(nudged, x, y)

        assert by_hand == pytest.approx((loss(1e-6) - loss(-1e-6)) / 2e-6, rel=1e-6)


def test_too_high_prediction_with_positive_activation_gives_positive_gradient_and_lower_weight():
    """ "if the prediction is too high ($\\hat y > y$) and $a_i > 0$, the gradient is positive
    and the update ... lowers the weight, which lowers the prediction"."""
    network, x, _ = worked()
    y = np.array([[0.0]])  # the prediction 0.459 is too high for this target
    forward = network.forward(x)
    assert forward.output[0, 0] > y[0, 0]
    i = int(np.argmax(forward.a[1][0]))
    assert forward.a[1][0, i] > 0
    gradient = network.gradients(x, y).weights[1][i, 0]
    assert gradient > 0
    before = network.predict(x)[0, 0]
    network.layers[1].weights[i, 0] -= 0.1 * gradient
    assert network.predict(x)[0, 0] < before


def test_writing_y_minus_yhat_makes_gradient_descent_climb():
    """ "Writing $(y - \\hat y)$ here ... gives the gradient of $-\\mathcal{L}$: gradient
    descent would then climb"."""
    network, x, y = worked()
    forward = network.forward(x)
    y_hat, z_o, a = forward.a[2][0, 0], forward.z[1][0, 0], forward.a[1][0]
    wrong = (y[0, 0] - y_hat) * sigmoid_derivative(z_o) * a
    before = half_squared_error(network, x, y)
    network.layers[1].weights[:, 0] -= 0.5 * wrong
    assert half_squared_error(network, x, y) > before


def test_hidden_weight_gradient_reuses_the_output_factors_times_tanh_prime_times_x():
    """ "$\\partial \\mathcal{L}/\\partial w_{ji} = [(\\hat y - y)\\, \\sigma'(z_o)\\, w_i]\\,
    \\tanh'(z_i)\\, x_j$", and "then checks both against the network's backward pass and a
    central finite difference": every hidden weight against central differences."""
    network, x, y = worked()
    forward = network.forward(x)
    y_hat, z_o, z_h = forward.a[2][0, 0], forward.z[1][0, 0], forward.z[0][0]
    w_out = network.layers[1].weights[:, 0]
    backprop = network.gradients(x, y).weights[0] / 2  # Keras' MSE has no 1/2
    for j in range(2):
        for i in range(3):
            by_hand = (
                (y_hat - y[0, 0]) * sigmoid_derivative(z_o) * w_out[i] * tanh_derivative(z_h[i])
            ) * x[0, j]

            def loss(h, i=i, j=j):
                nudged = network.copy()
                nudged.layers[0].weights[j, i] += h
                return half_squared_error(nudged, x, y)

            assert by_hand == pytest.approx((loss(1e-6) - loss(-1e-6)) / 2e-6, rel=1e-6)
            assert by_hand == pytest.approx(backprop[j, i], rel=1e-10)


def test_keras_mean_squared_error_has_no_half_so_its_gradients_are_twice_ours():
    """ "Keras' mean squared error is (y - y_hat)^2 without the 1/2, so its gradients are twice
    ours" (keras/src/losses/losses.py: ``mean(square(y_true - y_pred))``)."""
    y, y_hat = np.array([[1.0]]), np.array([[0.459]])
    assert float(keras.losses.MeanSquaredError()(y, y_hat)) == pytest.approx(
        (1 - 0.459) ** 2, rel=1e-6
    )
    network, x, y = worked()
    mse_gradient = network.gradients(x, y).weights[1][0, 0]

    def loss(h):
        nudged = network.copy()
        nudged.layers[1].weights[0, 0] += h
        return half_squared_error(nudged, x, y)

    assert mse_gradient == pytest.approx(2 * (loss(1e-6) - loss(-1e-6)) / 2e-6, rel=1e-6)


def test_matrix_form_of_backpropagation_matches_finite_differences_on_a_batch():
    """ "$\\boldsymbol{\\delta}^{(l)} = (\\boldsymbol{\\delta}^{(l+1)}
    \\mathbf{W}^{(l+1)\\top}) \\odot f'(\\mathbf{Z}^{(l)})$, $\\partial\\mathcal{L}/\\partial
    \\mathbf{W}^{(l)} = \\mathbf{A}^{(l-1)\\top} \\boldsymbol{\\delta}^{(l)}$,
    $\\partial\\mathcal{L}/\\partial\\mathbf{b}^{(l)} = \\sum_\\text{batch}
    \\boldsymbol{\\delta}^{(l)}$", with "With several outputs, the loss is a sum (or mean) over
    them": written out for a 2-3-3-2 tanh network, sigmoid outputs, mean squared error."""
    rng = np.random.default_rng(7)
    network = Network([2, 3, 3, 2], ["tanh", "tanh", "sigmoid"], loss="mean_squared_error")
    network.set_weights([rng.normal(size=w.shape) for w in network.get_weights()])
    X, Y = rng.normal(size=(5, 2)), rng.uniform(size=(5, 2))
    Ws = [layer.weights for layer in network.layers]
    bs = [layer.bias for layer in network.layers]
    A, Z = [X], []
    for W, b, f in zip(Ws, bs, (np.tanh, np.tanh, sigmoid)):
        Z.append(A[-1] @ W + b)
        A.append(f(Z[-1]))
    # L = mean over the batch and the 2 outputs of (y_hat - y)^2
    delta = 2 * (A[-1] - Y) / Y.size * sigmoid_derivative(Z[-1])
    deltas = [delta]
    for layer in (1, 0):
        delta = (delta @ Ws[layer + 1].T) * tanh_derivative(Z[layer])
        deltas.insert(0, delta)
    by_formula = [g for k in range(3) for g in (A[k].T @ deltas[k], deltas[k].sum(axis=0))]
    for formula, estimate in zip(by_formula, central_differences(network, X, Y)):
        np.testing.assert_allclose(formula, estimate, rtol=1e-6, atol=1e-9)


def test_batch_gradient_is_the_average_of_the_examples_gradients():
    """ "With a batch, the gradients of all examples are averaged (the loss is a mean over the
    batch)"."""
    network, X, y = one_step_network()
    batch = network.gradients(X, y).as_list()
    single = [network.gradients(X[k : k + 1], y[k : k + 1]).as_list() for k in range(8)]
    for position, gradient in enumerate(batch):
        np.testing.assert_allclose(
            gradient, np.mean([g[position] for g in single], axis=0), rtol=1e-12, atol=1e-15
        )


# --- Watch it learn -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def watched():
    points, labels = moons()
    network = Network([2, 4, 4, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    start = network.copy()
    run = train(network, points, labels.reshape(-1, 1), learning_rate=0.3, steps=300)
    return start, network, run, points, labels


def test_watch_it_learn_is_full_batch_gradient_descent_at_0_3_for_300_updates(watched):
    """ "A 2-4-4-1 network (tanh hidden layers, sigmoid output) learns the two moons with
    full-batch gradient descent (learning rate 0.3, 300 updates)", and the printed loss
    0.758 -> 0.149 and accuracy 0.27 -> 0.95: replayed here with W <- W - 0.3 dL/dW on all
    200 points, the gradients checked by central differences every 50 steps."""
    start, _, run, points, labels = watched
    y = labels.reshape(-1, 1)
    probe = start.copy()
    for step in range(300):
        np.testing.assert_allclose(
            np.concatenate([w.ravel() for w in probe.get_weights()]),
            np.concatenate([w.ravel() for w in run.weights[step]]),
            rtol=1e-9,
            atol=1e-12,
        )
        gradients = probe.gradients(points, y).as_list()
        if step % 50 == 0:  # the gradient of the loss on all 200 points
            for gradient, estimate in zip(gradients, central_differences(probe, points, y)):
                np.testing.assert_allclose(gradient, estimate, rtol=1e-5, atol=1e-9)
        probe.set_weights([w - 0.3 * g for w, g in zip(probe.get_weights(), gradients)])
    assert len(run.weights) == 301
    assert (round(run.losses[0], 3), round(run.losses[-1], 3)) == (0.758, 0.149)
    replay = TrainingReplay(start, run, points, labels)
    assert (round(replay.accuracy(0), 2), round(replay.accuracy(300), 2)) == (0.27, 0.95)


def test_replay_diagram_shows_the_actual_weights_on_one_colour_scale(watched):
    """ "Left: the network with its *actual* weights at that step (red positive, blue
    negative, thicker for larger magnitudes, the same colour scale for the whole run)"."""
    from matplotlib.figure import Figure

    start, _, run, points, labels = watched
    replay = TrainingReplay(start, run, points, labels, resolution=20)
    fig = Figure(figsize=(12, 4))
    limit = max(np.abs(w).max() for weights in run.weights for w in weights)
    for step in (0, 150, 300):
        artists = replay.draw(fig, step=step)
        diagram = artists.diagram
        expected = np.concatenate(
            [
                np.concatenate([k.ravel(), b])
                for k, b in zip(run.weights[step][0::2], run.weights[step][1::2])
            ]
        )
        np.testing.assert_array_equal(diagram.edge_values, expected)
        assert diagram.mappable.get_clim() == pytest.approx((-limit, limit))
        colors = diagram.edges.get_colors()
        strong = np.abs(expected) > 0.2 * limit
        assert np.all(colors[strong & (expected > 0), 0] > colors[strong & (expected > 0), 2])
        assert np.all(colors[strong & (expected < 0), 2] > colors[strong & (expected < 0), 0])
        widths = np.asarray(diagram.edges.get_linewidths())
        order = np.argsort(np.abs(expected))
        assert np.all(np.diff(widths[order]) >= 0)


def test_replay_middle_panel_is_the_probability_of_the_orange_class(watched):
    """ "middle: the probability the network assigns to the orange class, with the data"."""
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    start, _, run, points, labels = watched
    replay = TrainingReplay(start, run, points, labels, resolution=20)
    artists = replay.draw(Figure(figsize=(12, 4)), step=300)
    probe = start.copy()
    probe.set_weights(run.weights[300])
    x0, x1, y0, y1 = replay.extent
    xx, yy = np.meshgrid(np.linspace(x0, x1, 20), np.linspace(y0, y1, 20))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    np.testing.assert_allclose(
        artists.image.get_array(), probe.predict(grid)[:, 0].reshape(20, 20), rtol=1e-12
    )
    # the points of class 1 (the network's output is P(class 1)) are drawn orange
    scatter = artists.boundary_axes.collections[0]
    np.testing.assert_array_equal(scatter.get_array(), labels)
    orange = np.array(scatter.to_rgba(1.0))
    np.testing.assert_allclose(orange, to_rgba(BINARY_CMAP(1.0)))
    red, green, blue, _ = orange
    assert red > green > blue  # an orange (Okabe-Ito's vermillion)
    assert not np.allclose(scatter.to_rgba(0.0), orange)


# --- Exercises -------------------------------------------------------------------------------


def test_exercise_dense_backward_solution_matches_finite_differences():
    """ "dW = X.T @ dZ, db = dZ summed over the batch axis (axis 0), dX = dZ @ W.T. No
    division by n: dZ already holds the 1/n of the mean loss": against central differences
    of L = sum(dZ * (X W + b)), whose gradient with respect to Z is dZ."""
    rng = np.random.default_rng(3)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dZ = rng.normal(size=(4, 2)) / 4
    namespace = {"np": np}
    exec(exercises.dense_backward.solution_code, namespace)
    solution = namespace["dense_backward"](X, W, b, dZ)

    def loss(X, W, b):
        return float(np.sum(dZ * (X @ W + b)))

    for position, array in enumerate((W, b, X)):
        estimate = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            args = [X.copy(), W.copy(), b.copy()]
            target = {0: 1, 1: 2, 2: 0}[position]
            args[target][index] += 1e-6
            up = loss(*args)
            args[target][index] -= 2e-6
            estimate[index] = (up - loss(*args)) / 2e-6
        np.testing.assert_allclose(solution[position], estimate, rtol=1e-6, atol=1e-9)


def test_exercise_backprop_by_hand_reference_matches_a_finite_difference():
    """ "compute $\\partial \\mathcal{L} / \\partial w_{13}$, the gradient of the weight from
    input $x_1$ to hidden unit 3 (`hidden.weights[0, 2]`)", for $\\frac{1}{2}(\\hat y - y)^2$."""
    network, x, y = worked()

    def loss(h):
        nudged = network.copy()
        nudged.layers[0].weights[0, 2] += h
        return half_squared_error(nudged, x, y)

    estimate = (loss(1e-6) - loss(-1e-6)) / 2e-6
    assert exercises.backprop_by_hand.reference == pytest.approx(estimate, rel=1e-6)
    namespace = dict(exercises.worked_example())
    exec(exercises.backprop_by_hand.solution_code, namespace)
    assert namespace["dL_dw13"] == pytest.approx(estimate, rel=1e-6)


# --- Checked elsewhere -----------------------------------------------------------------------
# (a) strictly compared cell outputs: the shapes of the five example tensors; broadcasting
#     and the dense layer's shapes; the one SGD step (predictions, losses, gradient); the
#     worked example's factors, "backward pass agrees: True True" and "finite difference
#     agrees: True True"; the loss and accuracy before and after the 300 updates.
# (c) citation: Rumelhart, Hinton & Williams 1986 (backpropagation trains hidden layers).
