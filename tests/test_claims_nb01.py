"""Claims register of notebook 01 (architecture): one test per factual sentence.

Each test is named after its claim and quotes the sentence in its docstring. It recomputes
the claim from the computation the notebook's cell or figure uses, and checks it against an
independent reference where there is one (Keras' ``count_params``, a linear programme,
a closed-form gradient). Sentences checked by a strictly compared cell output
(``nbval-check-output``) or backed by a citation are listed at the end of this file.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from lecture_nn.activations import sigmoid
from lecture_nn.diagrams import count_parameters, draw_network
from lecture_nn.exercises import nb01 as exercises

keras = pytest.importorskip("keras")


def keras_dense(layer_sizes):
    """The dense network with these layer sizes in Keras (biases on)."""
    layers = [keras.layers.Dense(n) for n in layer_sizes[1:]]
    return keras.Sequential([keras.Input(shape=(layer_sizes[0],)), *layers])


def notebook_logistic_regression():
    """The data and fitted model of the notebook's first code cell (seed 0)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X @ [1.5, -2.0, 0.5, 1.0] + rng.normal(scale=0.5, size=200) > 0).astype(int)
    return X, y, LogisticRegression().fit(X, y)


def notebook_xor():
    """The XOR data and the two models of the notebook's "Why layers?" cell."""
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    linear = LogisticRegression().fit(X, y)
    network = MLPClassifier(
        hidden_layer_sizes=[4],
        activation="tanh",
        solver="lbfgs",
        alpha=0.1,
        max_iter=2000,
        random_state=0,
    ).fit(X, y)
    return X, y, linear, network


# --- Logistic regression is a neuron -------------------------------------------------------


def test_sklearn_logistic_regression_minimises_l2_penalised_log_loss_with_lbfgs():
    """ "scikit-learn's `LogisticRegression`, used below, adds a penalty on large weights (L2,
    `C=1.0`) and minimises with L-BFGS by default"."""
    params = LogisticRegression().get_params()
    assert params["C"] == 1.0
    assert params["solver"] == "lbfgs"
    assert params.get("penalty", "l2") in ("l2", "deprecated")
    assert params.get("l1_ratio") in (None, 0.0)
    X, y, model = notebook_logistic_regression()
    tight = LogisticRegression(tol=1e-12, max_iter=10_000).fit(X, y)
    for fitted, tolerance in ((model, 5e-3), (tight, 1e-6)):  # default tol=1e-4, then tight
        w0, w = fitted.intercept_[0], fitted.coef_[0]
        # closed-form gradient of  C * sum(log loss) + |w|^2 / 2  (intercept not penalised)
        residual = sigmoid(w0 + X @ w) - y
        penalised = np.append(params["C"] * X.T @ residual + w, params["C"] * residual.sum())
        unpenalised = X.T @ residual
        assert np.abs(penalised).max() < tolerance  # the fitted weights are its minimum
        assert np.abs(unpenalised).max() > 1.0  # but not the minimum of the plain log loss


def test_neuron_with_fitted_weights_equals_predict_proba():
    """ "A neuron with the weights of a fitted scikit-learn `LogisticRegression` gives the
    model's probabilities, equal to within round-off (a relative 1e-12)"."""
    X, _, model = notebook_logistic_regression()
    neuron = sigmoid(model.intercept_[0] + X @ model.coef_[0])
    np.testing.assert_allclose(neuron, model.predict_proba(X)[:, 1], rtol=1e-12)
    np.testing.assert_allclose(1 - neuron, model.predict_proba(X)[:, 0], rtol=1e-12, atol=1e-15)


def test_logistic_regression_drawing_has_a_bias_input_of_1_and_sums_then_applies_sigma():
    """ "Drawn as a network, each input is a node, each weight an edge, and the bias $w_0$ is
    the weight on an extra input that is always 1. The output node first sums ($z$), then
    applies $\\sigma$"."""
    drawing = draw_network(
        [4, 1], draw_bias=True, labels=True, activation_symbols=True, output_activation="sigmoid"
    )
    texts = [t.get_text() for t in drawing.texts]
    assert len(drawing.edges.get_segments()) == 4 + 1  # w_1..w_4 and the bias edge
    assert sorted(t for t in texts if t.startswith("$w_")) == [f"$w_{{{i}}}$" for i in range(5)]
    assert texts.count("$1$") == 1  # the constant input
    assert r"$z\,|\,\sigma$" in texts
    assert len(drawing.nodes.get_offsets()) == 4 + 1 + 1  # inputs, bias node, output


# --- A hidden layer --------------------------------------------------------------------------


def test_keras_kernel_is_inputs_by_outputs_and_dense_computes_xW_plus_b():
    """ "Keras stores the same numbers as a *kernel* of shape (inputs, outputs) and computes
    $\\mathbf{x}\\mathbf{W} + \\mathbf{b}$ for a row of inputs" (keras/src/layers/core/dense.py:
    ``ops.matmul(inputs, self.kernel)``, then the bias)."""
    keras.utils.set_random_seed(0)
    layer = keras.layers.Dense(3)
    x = np.array([[0.5, -2.0]], dtype="float32")
    out = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (2, 3)
    layer.set_weights([kernel, np.array([0.1, -0.2, 0.3], dtype="float32")])
    np.testing.assert_allclose(
        np.asarray(layer(x)), x @ kernel + [0.1, -0.2, 0.3], rtol=1e-6, atol=1e-7
    )
    np.testing.assert_array_equal(bias, 0.0)  # biases start at 0
    np.testing.assert_allclose(out, x @ kernel, rtol=1e-6, atol=1e-7)


def test_2_3_1_network_has_9_weights_and_4_biases_like_keras():
    """ "For the 2-3-1 network that is $2\\cdot3 + 3\\cdot1 = 9$ weights and $3 + 1 = 4$
    biases. Keras agrees" (and the figure prints "9 weights, 4 biases")."""
    model = keras_dense([2, 3, 1])
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in model.layers)
    assert (kernels, model.count_params() - kernels) == (9, 4)
    assert count_parameters([2, 3, 1]) == (9, 4)
    drawing = draw_network([2, 3, 1], draw_bias=True, labels=True, counts=True)
    assert "9 weights, 4 biases" in [t.get_text() for t in drawing.texts]
    assert len(drawing.edges.get_segments()) == 9 + 4  # one edge per weight and bias


# --- More layers -----------------------------------------------------------------------------


def test_bias_nodes_are_not_drawn_but_still_counted():
    """ "From here on the bias nodes are not drawn, but they are still there and still
    counted" (the sliders' figure, at its default of 6 hidden layers of 10 nodes)."""
    sizes = [5] + [10] * 6 + [5]
    drawing = draw_network(sizes, counts=True)  # as the notebook's more_layers draws it
    assert len(drawing.nodes.get_offsets()) == sum(sizes)  # no bias node
    assert "$1$" not in [t.get_text() for t in drawing.texts]
    model = keras_dense(sizes)
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in model.layers)
    printed = f"{kernels:,} weights, {model.count_params() - kernels:,} biases"
    assert printed in [t.get_text() for t in drawing.texts]


@pytest.mark.parametrize(
    "layer_sizes", [[5, 5], [5, 10, 5], [5, 10, 10, 10, 10, 10, 10, 5], [784, 512, 512, 10]]
)
def test_parameter_table_agrees_with_keras_count_params(layer_sizes):
    """ "The counts grow quickly. For a few architectures ...": the printed table."""
    weights, biases = count_parameters(layer_sizes)
    assert weights + biases == keras_dense(layer_sizes).count_params()


def test_784_512_512_10_is_the_network_notebook_6_trains():
    """ "including the 784-512-512-10 network we train on Fashion-MNIST in notebook 6"."""
    import json

    from lecture_nn.keras_models import lecture_model
    from lecture_nn.tooling.paths import course_notebooks

    path = next(p for p in course_notebooks() if p.name.startswith("06_"))
    sources = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert any('lecture_model("baseline")' in s for s in sources)
    model = lecture_model("baseline")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [dense[0].kernel.shape[0]] + [layer.units for layer in dense] == [784, 512, 512, 10]
    assert model.count_params() == 669_706 == sum(count_parameters([784, 512, 512, 10]))


def test_wide_layers_are_drawn_with_an_ellipsis_first_and_last_nodes_and_how_many():
    """ "Wide layers are drawn with an ellipsis: the first and last nodes, and how many there
    are"."""
    drawing = draw_network([784, 512, 512, 10], counts=True, max_nodes=12)
    texts = [t.get_text() for t in drawing.texts]
    assert {"784 nodes", "512 nodes"} <= set(texts)
    assert texts.count(r"$\vdots$") == 3
    first = drawing.node_indices[0]
    assert list(first[:6]) == list(range(6))
    assert list(first[6:]) == list(range(779, 784))
    assert len(drawing.node_indices[-1]) == 10  # the 10 outputs are all drawn


def test_every_drawing_says_in_words_what_it_shows_and_the_site_uses_it_as_alt_text():
    """ "Every drawing also says in words what it shows, computed from the same layer sizes:
    the course site gives this sentence to readers who cannot see the figure, as its
    alternative text." (The site's template is checked in tests/test_descriptions.py.)"""
    from matplotlib.figure import Figure

    from lecture_nn._descriptions import described_png

    sizes = [784, 512, 512, 10]
    figure = Figure()
    drawing = draw_network(sizes, counts=True, max_nodes=12, ax=figure.subplots())
    weights = 784 * 512 + 512 * 512 + 512 * 10
    assert weights + 512 + 512 + 10 == keras_dense(sizes).count_params()
    assert f"{weights:,} weights and {512 + 512 + 10:,} biases" in drawing.description
    # what a kernel shows: the PNG, with the sentence as its alt text
    _, metadata = described_png(figure)
    assert metadata["alt"] == drawing.description


# --- Why layers? -----------------------------------------------------------------------------


def test_one_neuron_output_is_above_one_half_exactly_on_one_side_of_a_line():
    """ "One neuron draws one straight line (a hyperplane) through the input space: its output
    is above 0.5 exactly where $w_0 + \\mathbf{w}^\\top \\mathbf{x} > 0$"."""
    rng = np.random.default_rng(5)
    X = rng.uniform(-3, 3, size=(5000, 2))
    w0, w = 0.4, np.array([1.5, -0.7])
    z = w0 + X @ w
    keep = np.abs(z) > 1e-12
    np.testing.assert_array_equal((sigmoid(z) > 0.5)[keep], (z > 0)[keep])


def test_xor_corners_cannot_be_separated_by_any_line():
    """ "Problems such as XOR, where the classes sit in opposite corners, cannot be separated
    by any single line": the linear programme y_i (w . x_i + b) >= 1 has no solution."""
    from scipy.optimize import linprog

    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    signs = np.array([1, 1, -1, -1], dtype=float)
    # variables (w1, w2, b); constraints -y_i (x_i . w + b) <= -1
    A = -signs[:, None] * np.column_stack([corners, np.ones(4)])
    xor = linprog(np.zeros(3), A_ub=A, b_ub=-np.ones(4), bounds=[(None, None)] * 3)
    assert xor.status == 2  # infeasible
    # the same programme does find a line for AND, so the test can tell the difference
    and_signs = np.array([1, -1, -1, -1], dtype=float)
    A_and = -and_signs[:, None] * np.column_stack([corners, np.ones(4)])
    assert linprog(np.zeros(3), A_ub=A_and, b_ub=-np.ones(4), bounds=[(None, None)] * 3).success


def test_xor_data_is_400_uniform_points_labelled_by_the_sign_of_x1_x2():
    """ "400 points drawn uniformly from the square $[-1, 1]^2$, labelled 1 where $x_1 x_2 > 0$
    (the same sign) and 0 otherwise"."""
    X, y, _, network = notebook_xor()
    assert X.shape == (400, 2)
    assert X.min() >= -1
    assert X.max() <= 1
    same_sign = np.sign(X[:, 0]) == np.sign(X[:, 1])
    np.testing.assert_array_equal(y, same_sign.astype(int))
    assert network.activation == "tanh"
    assert network.hidden_layer_sizes == [4]


def test_logistic_regression_fails_on_xor_and_one_hidden_layer_of_four_solves_it():
    """The printed accuracies (0.68 and 0.99): "Problems such as XOR ... cannot be separated
    by any single line. A hidden layer lets the network first compute new features ... and
    then combine them"."""
    X, y, linear, network = notebook_xor()
    assert round(linear.score(X, y), 2) == 0.68
    assert round(network.score(X, y), 2) == 0.99
    assert len(network.coefs_) == 2  # one hidden layer


def test_xor_figure_draws_the_learned_weights_red_positive_blue_negative_thicker_larger():
    """ "The network's real learned weights are drawn, coloured by sign (red positive, blue
    negative) and thicker where they are larger in magnitude"."""
    _, _, _, network = notebook_xor()
    drawing = draw_network(
        [2, 4, 1],
        weights=network.coefs_,
        biases=network.intercepts_,
        draw_bias=True,
        labels=True,
        activations=["tanh", "sigmoid"],
    )
    values = np.concatenate(
        [np.concatenate([k.ravel(), b]) for k, b in zip(network.coefs_, network.intercepts_)]
    )
    np.testing.assert_array_equal(drawing.edge_values, values)
    colors = drawing.edges.get_colors()
    strong = np.abs(values) > 0.1 * np.abs(values).max()
    red, blue = colors[:, 0], colors[:, 2]
    assert np.all(red[strong & (values > 0)] > blue[strong & (values > 0)])
    assert np.all(blue[strong & (values < 0)] > red[strong & (values < 0)])
    widths = np.asarray(drawing.edges.get_linewidths())
    order = np.argsort(np.abs(values))
    assert np.all(np.diff(widths[order]) >= 0)
    # the labels under the layers name the model's activations
    assert network.out_activation_ == "logistic"  # scikit-learn's name for the sigmoid
    assert {"tanh", "sigmoid"} <= {t.get_text() for t in drawing.texts}


# --- Exercises -------------------------------------------------------------------------------


def test_exercise_count_parameters_784_inputs_are_a_28_by_28_image_and_counts_match_keras():
    """ "784 inputs (a 28 × 28 image), hidden layers of 128 and 64 units and 10 outputs. How
    many **weights** and how many **biases** does it have?" (the reference answer)."""
    assert 28 * 28 == exercises.LAYER_SIZES[0] == 784
    model = keras_dense(exercises.LAYER_SIZES)
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in model.layers)
    assert exercises.count_parameters.reference == (kernels, model.count_params() - kernels)
    namespace: dict = {}
    exec(exercises.count_parameters.solution_code, namespace)
    assert namespace["parameter_counts"] == exercises.count_parameters.reference


def test_exercise_predict_proba_naive_sigmoid_overflows_and_the_solution_does_not():
    """ "for $z = \\pm 1000$ it should return 1 and 0 without overflowing (no `RuntimeWarning`)";
    hint: "1 / (1 + np.exp(-z)) is right on paper, but np.exp(-z) overflows for z = -1000"."""
    X, w, b = np.array([[1000.0], [-1000.0], [0.0]]), np.array([1.0]), 0.0
    with pytest.warns(RuntimeWarning, match="overflow"):
        1.0 / (1.0 + np.exp(-(X @ w + b)))
    namespace = {"np": np}
    exec(exercises.predict_proba.solution_code, namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = namespace["predict_proba"](X, w, b)
    np.testing.assert_array_equal(result, [1.0, 0.0, 0.5])


# --- Checked elsewhere -----------------------------------------------------------------------
# (a) strictly compared cell outputs: "neuron output == predict_proba: True"; "9 weights +
#     4 biases = 13; Keras counts 13"; the parameter table; the two XOR accuracies.
# (c) citations: Rosenblatt 1958 (the perceptron); Cybenko 1989 and Hornik 1991 (one hidden
#     layer approximates any continuous function); Zeiler & Fergus 2014 (what the layers of an
#     image network respond to); the table of architectures (LeCun et al. 1989, Elman 1990,
#     Vaswani et al. 2017, Hinton & Salakhutdinov 2006, Goodfellow et al. 2014, Ho et al. 2020).
