"""Claims register of notebook 03 (activations): one test per factual sentence.

Each test quotes its sentence in the docstring and recomputes it from the computation the
notebook uses, against an independent reference where there is one (TensorFlow's automatic
differentiation, finite differences, a closed form, the installed Keras). Sentences checked by
a strictly compared cell output (``nbval-check-output``) or by a citation are listed at the end.
"""

import ast
import inspect
import json

import numpy as np
import pytest

from lecture_nn import activations
from lecture_nn.activation_plots import plot_softmax
from lecture_nn.boundaries import MoonsActivationComparison
from lecture_nn.network import Network, train
from lecture_nn.tooling.paths import course_notebooks

NOTEBOOK = "03_activations.ipynb"


def notebook_cells() -> list[dict]:
    path = next(p for p in course_notebooks() if p.name == NOTEBOOK)
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown() -> str:
    """The notebook's markdown, lines joined so that a sentence can be searched for."""
    text = " ".join("".join(c["source"]) for c in notebook_cells() if c["cell_type"] == "markdown")
    return " ".join(text.split())


def notebook_widget(marker: str):
    """The InteractiveFigure the notebook's widget cell containing ``marker`` creates."""
    sources = ["".join(c["source"]) for c in notebook_cells() if c["cell_type"] == "code"]
    namespace: dict = {}
    exec(next(s for s in sources if "use_course_style()" in s), namespace)
    *body, last = ast.parse(next(s for s in sources if marker in s)).body
    exec(compile(ast.Module(body, []), NOTEBOOK, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), NOTEBOOK, "eval"), namespace)


def tf_gradient(function, z):
    """d function(z) / dz by TensorFlow's automatic differentiation (float64)."""
    import tensorflow as tf

    x = tf.constant(np.asarray(z, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = function(x)
    return tape.gradient(y, x).numpy()


@pytest.fixture(scope="module")
def moons():
    """The moons comparison exactly as the notebook builds it (all four depths)."""
    return MoonsActivationComparison().fit_all(range(1, 5), progress=False)


def test_tanh_is_a_rescaled_sigmoid():
    r""""$\tanh(z) = \dfrac{2}{1 + e^{-2z}} - 1 = 2\sigma(2z) - 1$, output in $(-1, 1)$." """
    z = np.linspace(-30, 30, 2001)
    np.testing.assert_allclose(activations.tanh(z), 2 * activations.sigmoid(2 * z) - 1, atol=1e-15)
    np.testing.assert_allclose(activations.tanh(z), np.tanh(z), atol=1e-15)
    inner = activations.tanh(np.linspace(-15, 15, 101))
    assert np.all(inner > -1)
    assert np.all(inner < 1)
    sig = activations.sigmoid(np.linspace(-30, 30, 101))
    assert np.all(sig > 0)
    assert np.all(sig < 1)


def test_relu_derivative_is_one_for_positive_inputs_and_tensorflow_uses_zero_at_the_kink():
    """"its derivative is 1 for every positive input ... TensorFlow, and so Keras on
    TensorFlow, uses the derivative 0 there." """
    import keras

    z = np.array([-3.0, -1e-9, 0.0, 1e-9, 2.0, 50.0])
    expected = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(tf_gradient(keras.activations.relu, z), expected)
    np.testing.assert_array_equal(activations.relu_derivative(z), expected)
    assert "It is not differentiable at 0; TensorFlow, and so Keras on TensorFlow, uses the " \
           "derivative 0 there." in markdown()


def test_leaky_relu_slope_of_maas_and_keras_defaults():
    """"Leaky ReLU z for z > 0, else 0.01 z (Maas, Hannun and Ng 2013) ... Keras'
    `keras.activations.leaky_relu` uses 0.2 by default, its `LeakyReLU` layer 0.3." """
    import keras

    assert activations.LEAKY_RELU_SLOPE == 0.01  # Maas et al. (2013), their leaky rectifier
    function_default = inspect.signature(keras.activations.leaky_relu).parameters
    assert function_default["negative_slope"].default == 0.2
    assert keras.layers.LeakyReLU().negative_slope == pytest.approx(0.3)
    z = np.array([-5.0, -1.0, 2.0])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(keras.activations.leaky_relu(z)), activations.leaky_relu(z, 0.2)
    )
    np.testing.assert_allclose(activations.leaky_relu(z), [-0.05, -0.01, 2.0])


def test_leaky_relu_derivative_at_the_kink_is_tensorflows():
    """Exercise 2: "(At $z = 0$ the function has a kink; either value is accepted there,
    TensorFlow uses 0.01.)" """
    import tensorflow as tf

    z = np.array([-2.0, 0.0, 3.0])
    got = tf_gradient(lambda x: tf.nn.leaky_relu(x, alpha=0.01), z)
    np.testing.assert_allclose(got, [0.01, 0.01, 1.0])
    np.testing.assert_allclose(activations.leaky_relu_derivative(z), got)


def test_leaky_relu_is_drawn_with_slope_one_tenth():
    """"(The leaky ReLU is drawn with slope 0.1 so that the leak is visible at this scale.)" """
    widget = notebook_widget("interactive_figure(hidden_activation")
    widget.update(function="leaky_relu", derivative=True)
    ax = widget.figure.axes[0]
    z, value = (np.asarray(v, dtype=float) for v in ax.lines[0].get_data())
    negative = z < 0
    np.testing.assert_allclose(value[negative], 0.1 * z[negative])
    _, slope = (np.asarray(v, dtype=float) for v in ax.lines[1].get_data())
    np.testing.assert_allclose(slope[:10], 0.1)


def test_sigmoid_derivative_is_at_most_a_quarter_and_shrinks_by_4_or_10_per_layer():
    """"The sigmoid's derivative is at most 0.25, so even in the best case ($z = 0$) the
    product shrinks by a factor 4 per layer; at $z = 2$ by a factor 10." """
    z = np.linspace(-10, 10, 200_001)
    h = 1e-5
    finite = (activations.sigmoid(z + h) - activations.sigmoid(z - h)) / (2 * h)
    assert finite.max() == pytest.approx(0.25, abs=1e-9)
    assert z[np.argmax(finite)] == pytest.approx(0.0, abs=1e-4)
    # closed form: sigma'(2) = e^-2 / (1 + e^-2)^2 = 0.105, one tenth up to 5 %
    assert 1 / activations.sigmoid_derivative(2.0) == pytest.approx(10, rel=0.05)
    assert np.exp(-2) / (1 + np.exp(-2)) ** 2 == pytest.approx(activations.sigmoid_derivative(2.0))


def test_tanh_derivative_is_one_at_zero_and_smaller_than_the_sigmoids_at_two():
    """"Tanh's derivative reaches 1 at $z = 0$, but at $z = 2$ it is 0.07, smaller than the
    sigmoid's." """
    h = 1e-6
    finite = lambda z: (np.tanh(z + h) - np.tanh(z - h)) / (2 * h)  # noqa: E731
    assert finite(0.0) == pytest.approx(1.0, abs=1e-9)
    assert round(finite(2.0), 2) == 0.07
    assert activations.tanh_derivative(2.0) < activations.sigmoid_derivative(2.0)
    assert activations.tanh_derivative(2.0) == pytest.approx(1 / np.cosh(2.0) ** 2)


def test_a_dead_relu_unit_never_changes_but_a_leaky_one_does():
    """"A unit whose weighted input is negative for *every* training example receives no
    gradient at all, so gradient descent never changes its weights again ... Leaky ReLU keeps
    a gradient of 0.01 there, so gradient descent still moves the weights of such units." """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float).reshape(-1, 1)
    moved = {}
    for activation in ("relu", "leaky_relu"):
        network = Network([2, 4, 1], [activation, "sigmoid"], loss="binary_crossentropy", seed=1)
        weights = [layer.weights.copy() for layer in network.layers]
        biases = [layer.bias.copy() for layer in network.layers]
        biases[0][0] = -100.0  # unit 0: weighted input < 0 for every example
        network.set_weights([weights[0], biases[0], weights[1], biases[1]])
        train(network, X, y, learning_rate=0.5, steps=100)
        moved[activation] = (
            np.abs(network.layers[0].weights[:, 0] - weights[0][:, 0]).max(),
            abs(network.layers[0].bias[0] - biases[0][0]),
            np.abs(network.layers[0].weights[:, 1:] - weights[0][:, 1:]).max(),
        )
    assert moved["relu"][0] == 0  # dead: not one change of its weights ...
    assert moved["relu"][1] == 0  # ... nor of its bias
    assert moved["relu"][2] > 0  # while the living units learn
    assert moved["leaky_relu"][0] > 1e-4
    assert moved["leaky_relu"][1] > 1e-4


def output_logit(model, X):
    """The network's output before its final sigmoid, from its weights (scikit-learn's MLP)."""
    hidden = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[model.activation]
    a = X
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        a = hidden(a @ W + b)
    return (a @ model.coefs_[-1] + model.intercepts_[-1])[:, 0]


def test_relu_boundaries_are_piecewise_linear_and_tanh_ones_smooth(moons):
    """"along any straight line through the input space, the output before the final sigmoid
    is made of straight segments ... Tanh networks compute smooth functions, so their
    boundaries are curves without corners." """
    rng = np.random.default_rng(0)
    for depth in range(1, 5):
        for activation in ("relu", "tanh"):
            model = moons.fit(activation, depth).model
            for _ in range(5):  # five random lines across the plotted area
                a, b = rng.uniform(-1.5, 2.5, size=(2, 2))
                corner = []
                for n in (401, 4001):
                    points = a + np.linspace(0.0, 1.0, n)[:, None] * (b - a)
                    logit = output_logit(model, points)
                    np.testing.assert_allclose(  # the same function the figure shades
                        model.predict_proba(points)[:, 1], 1 / (1 + np.exp(-logit)), atol=1e-12
                    )
                    second = np.abs(np.diff(logit, 2))
                    corner.append(second.max())
                    if activation == "relu" and n == 4001:
                        # Straight between kinks: the second difference is round-off, except
                        # where a unit switches on or off.
                        bent = second > 1e-9 * (1 + np.abs(logit).max())
                        assert bent.mean() < 0.02, (activation, depth)
                if activation == "tanh":
                    # No corner: the largest second difference shrinks with the step squared
                    # (a factor 100 for a 10 times finer step); at a corner only by 10.
                    assert corner[0] / corner[1] > 50, (activation, depth, corner)


def test_at_four_layers_the_tanh_boundary_is_a_third_longer(moons):
    """"at 4 hidden layers the tanh boundary below is about a third longer than the ReLU one,
    and winds more." """
    import contourpy

    def length(activation):
        grid = moons.grid(activation, 4)
        lines = contourpy.contour_generator(grid.xx, grid.yy, grid.scores).lines(0.5)
        return sum(np.linalg.norm(np.diff(line, axis=0), axis=1).sum() for line in lines)

    assert length("tanh") / length("relu") == pytest.approx(4 / 3, abs=0.05)


def test_moons_setup_75_training_25_test_points_10_units_lbfgs(moons):
    """"two multi-layer perceptrons (scikit-learn, 10 units per hidden layer, L-BFGS) learn
    the two-moons data from 75 points and are tested on 25 others" """
    assert len(moons.X_train) == 75
    assert len(moons.X_test) == 25
    for depth in range(1, 5):
        for activation in ("relu", "tanh"):
            model = moons.fit(activation, depth).model
            assert model.hidden_layer_sizes == [10] * depth
            assert model.solver == "lbfgs"
            assert model.activation == activation


def test_neither_activation_is_more_accurate_on_moons(moons):
    """"On this small data set neither activation is more accurate: both score between 0.84
    and 0.88 at every depth." """
    for depth in range(1, 5):
        accuracy = {a: moons.fit(a, depth).model.score(moons.X_test, moons.y_test)
                    for a in ("relu", "tanh")}
        assert all(0.84 <= value <= 0.88 for value in accuracy.values()), (depth, accuracy)
        assert abs(accuracy["relu"] - accuracy["tanh"]) <= 0.04 + 1e-12  # one test point


def test_moons_titles_give_accuracy_and_iterations(moons):
    """"The titles give the test accuracy and the number of L-BFGS iterations." """
    import matplotlib.pyplot as plt

    fig = plt.figure()
    for ax, activation in zip(moons.draw(fig, 3), ("relu", "tanh")):
        model = moons.fit(activation, 3).model
        assert ax.get_title() == (
            f"{activation}: test accuracy {model.score(moons.X_test, moons.y_test):.2f}, "
            f"{model.n_iter_} iterations"
        )
    plt.close(fig)


def test_softmax_outputs_sum_to_one_and_the_plot_holds_the_others_at_1_and_minus_1():
    """"**softmax** ... $k$ outputs that are positive and add up to 1" and "The softmax plot
    shows the three class probabilities as the first logit changes while the other two stay
    at 1 and -1." """
    import matplotlib.pyplot as plt

    z = np.random.default_rng(0).normal(scale=5, size=(50, 4))
    s = activations.softmax(z)
    assert np.all(s > 0)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    plot = plot_softmax()
    curves = [np.asarray(line.get_ydata()) for line in plot.lines.values()]
    assert len(curves) == 3
    z1 = np.asarray(plot.lines["class 1"].get_xdata())
    closed = np.exp(np.column_stack([z1, np.ones_like(z1), -np.ones_like(z1)]))
    np.testing.assert_allclose(np.column_stack(curves), closed / closed.sum(1, keepdims=True))
    plt.close(plot.ax.figure)


def test_exp_overflows_in_float64_above_709_78():
    """"Computed literally, $e^{z}$ overflows in float64 for logits above 709.78 (the logarithm
    of the largest float64), and the ratio becomes nan." """
    assert np.log(np.finfo(np.float64).max) == pytest.approx(709.78, abs=0.005)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isfinite(np.exp(709.78))
        assert np.isinf(np.exp(709.79))
        naive = np.exp(np.array([1000.0, 999.0])) / np.exp(np.array([1000.0, 999.0])).sum()
    assert np.all(np.isnan(naive))


def test_subtracting_the_largest_logit_changes_nothing():
    """"Subtracting the largest logit first changes nothing mathematically (the factor
    $e^{-\\max z}$ cancels)" """
    z = np.random.default_rng(1).normal(scale=3, size=(20, 5))
    naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(activations.softmax(z), naive, rtol=1e-13)
    np.testing.assert_allclose(activations.softmax(z + 700.0), naive, rtol=1e-12)


@pytest.mark.parametrize(("k", "alpha"), [(4, 0.1), (10, 0.2), (3, 0.5)])
def test_label_smoothing_is_what_keras_does(k, alpha):
    """"so the correct class gets $1 - \\alpha + \\alpha/k$ and every other class $\\alpha/k$.
    This is exactly what Keras does with `CategoricalCrossentropy(label_smoothing=alpha)`" """
    import keras

    rng = np.random.default_rng(k)
    y = np.eye(k)[rng.integers(0, k, size=6)]
    p = activations.softmax(rng.normal(size=(6, k)))
    smooth = (1 - alpha) * y + alpha / k
    assert np.allclose(smooth[y == 1], 1 - alpha + alpha / k)
    assert np.allclose(smooth[y == 0], alpha / k)
    ours = np.mean(-np.sum(smooth * np.log(p), axis=1))
    theirs = float(keras.losses.CategoricalCrossentropy(label_smoothing=alpha)(y, p))
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_the_table_of_derivative_products_is_what_the_notebook_prints():
    """The vanishing-gradient table (a strictly compared output) against closed forms."""
    for depth in (1, 5, 10, 20):
        assert (1 / 4) ** depth == pytest.approx(activations.sigmoid_derivative(0.0) ** depth)
        sigma2 = 1 / (1 + np.exp(-2.0))
        assert (sigma2 * (1 - sigma2)) ** depth == pytest.approx(
            activations.sigmoid_derivative(2.0) ** depth
        )
        assert (1 / np.cosh(2.0) ** 2) ** depth == pytest.approx(
            activations.tanh_derivative(2.0) ** depth
        )


# Checked elsewhere:
# - "largest derivative ...", the products over 1-20 layers, the dead-unit counts for biases
#   0, -2, -4, -6 and the leaky gradient 0.01 on them, naive softmax = nan, the smoothed
#   targets and "equal: True" for Keras' label smoothing: strictly compared cell outputs
#   (nbval-check-output) next to their sentences.
# - LeCun et al. (1998) on symmetric activations, Maas et al. (2013) for leaky ReLU,
#   Szegedy et al. (2016, section 7) for label smoothing: citations in the text.
