"""Network diagrams: counts against Keras, real weights, layout, dropout, and bad input."""

import itertools
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_texts import drawn_texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.collections import EllipseCollection, LineCollection
from matplotlib.text import Text

from lecture_nn.diagrams import MAX_LAYER_SIZE, MAX_NODES_DRAWN, count_parameters, draw_network
from lecture_nn.network import Network

keras = pytest.importorskip("keras")

RATE = r"dropped must be a number in \[0, 1\)"


def keras_dense_model(layer_sizes, use_bias=True):
    """The dense network with these layer sizes, built in Keras."""
    layers = [keras.layers.Dense(n, use_bias=use_bias) for n in layer_sizes[1:]]
    return keras.Sequential([keras.Input(shape=(layer_sizes[0],)), *layers])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layer_sizes=st.lists(st.integers(1, 40), min_size=2, max_size=6),
    use_bias=st.booleans(),
)
def test_printed_counts_equal_keras_count_params(layer_sizes, use_bias):
    model = keras_dense_model(layer_sizes, use_bias)
    fig, ax = plt.subplots()
    drawing = draw_network(layer_sizes, ax=ax, counts=True, use_bias=use_bias)
    assert drawing.n_weights + drawing.n_biases == model.count_params()
    n_kernel = sum(int(np.prod(layer.kernel.shape)) for layer in model.layers)
    assert drawing.n_weights == n_kernel
    printed = [t.get_text() for t in drawing.texts if "weights" in t.get_text()]
    assert printed == [f"{n_kernel:,} weights, {model.count_params() - n_kernel:,} biases"]
    plt.close(fig)


def test_lecture_examples_counts():
    assert count_parameters([4, 1]) == (4, 1)  # logistic regression: w_1..w_4 and w_0
    assert count_parameters([2, 3, 1]) == (9, 4)
    assert count_parameters([784, 512, 512, 10]) == (784 * 512 + 512 * 512 + 5120, 1034)
    assert sum(count_parameters([784, 512, 512, 10])) == 669_706  # the Keras notebook's model
    assert count_parameters([3, 2], use_bias=False) == (6, 0)


def test_edges_are_one_collection_with_one_segment_per_weight():
    _fig, ax = plt.subplots()
    sizes = [5, 12, 12, 5]
    drawing = draw_network(sizes, ax=ax)
    line_collections = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert line_collections == [drawing.edges]
    assert len(drawing.edges.get_segments()) == 5 * 12 + 12 * 12 + 12 * 5
    assert len(ax.lines) == 0  # no artist per edge
    assert isinstance(drawing.nodes, EllipseCollection)
    assert len(drawing.nodes.get_offsets()) == sum(sizes)


def test_bias_nodes_and_their_edges():
    _fig, ax = plt.subplots()
    drawing = draw_network([2, 3, 1], ax=ax, draw_bias=True, labels=True)
    # 9 weight edges + 3 + 1 bias edges; 6 nodes + 2 bias nodes
    assert len(drawing.edges.get_segments()) == 13
    assert len(drawing.nodes.get_offsets()) == 8
    texts = {t.get_text() for t in drawing.texts}
    assert {"$1$", "$x_{1}$", "$h_{3}$", "$o_{1}$", "$w_{0,1}$", "$w_{2,3}$", "$w_{0}$"} <= texts
    assert {"input", "hidden", "output"} <= texts


def test_logistic_regression_neuron_labels_match_the_formula():
    _fig, ax = plt.subplots()
    drawing = draw_network(
        [4, 1],
        ax=ax,
        draw_bias=True,
        labels=True,
        activation_symbols=True,
        output_activation="sigmoid",
    )
    texts = {t.get_text() for t in drawing.texts}
    # y_hat = sigmoid(w_0 + w_1 x_1 + ... + w_4 x_4)
    assert {f"$w_{{{i}}}$" for i in range(5)} <= texts
    assert {f"$x_{{{i}}}$" for i in range(1, 5)} <= texts
    assert r"$z\,|\,\sigma$" in texts


def test_softmax_output_is_marked():
    _fig, ax = plt.subplots()
    drawing = draw_network([3, 4, 3], ax=ax, activation_symbols=True, output_activation="softmax")
    assert "softmax" in {t.get_text() for t in drawing.texts}
    assert len(ax.patches) == 1


def test_real_weights_colour_by_sign_and_width_by_magnitude():
    rng = np.random.default_rng(0)
    kernels = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    _fig, ax = plt.subplots()
    drawing = draw_network([3, 4, 2], ax=ax, weights=kernels)
    values = np.concatenate([k.ravel() for k in kernels])
    np.testing.assert_array_equal(drawing.edge_values, values)
    colors = drawing.edges.get_colors()
    red, blue = colors[:, 0], colors[:, 2]
    assert np.all(red[values > 0.2] > blue[values > 0.2])  # RdBu_r: positive is red
    assert np.all(blue[values < -0.2] > red[values < -0.2])
    widths = np.asarray(drawing.edges.get_linewidths())
    order = np.argsort(np.abs(values))
    assert np.all(np.diff(widths[order]) >= 0)
    assert drawing.colorbar is not None
    low, high = drawing.colorbar.mappable.get_clim()
    assert high == pytest.approx(np.abs(values).max())
    assert low == pytest.approx(-high)


def test_keras_kernel_orientation_edge_goes_from_input_i_to_output_j():
    keras.utils.set_random_seed(1)
    model = keras_dense_model([3, 2])
    kernel, bias = model.get_weights()
    _fig, ax = plt.subplots()
    drawing = draw_network([3, 2], ax=ax, weights=[kernel], biases=[bias], draw_bias=True)
    sources, targets = drawing.node_positions
    segments = drawing.edges.get_segments()
    for i in range(3):
        for j in range(2):
            k = i * 2 + j
            np.testing.assert_allclose(segments[k], [sources[i], targets[j]])
            assert drawing.edge_values[k] == pytest.approx(kernel[i, j])
    np.testing.assert_allclose(drawing.edge_values[6:], bias)


def test_random_weights_are_seeded():
    _fig, (a, b, c) = plt.subplots(1, 3)
    first = draw_network([3, 4, 2], ax=a, weights="random", seed=5)
    again = draw_network([3, 4, 2], ax=b, weights="random", seed=5)
    other = draw_network([3, 4, 2], ax=c, weights="random", seed=6)
    np.testing.assert_array_equal(first.edge_values, again.edge_values)
    assert not np.array_equal(first.edge_values, other.edge_values)
    assert first.colorbar is None


def test_wide_layers_are_drawn_with_an_ellipsis():
    _fig, ax = plt.subplots()
    drawing = draw_network([784, 512, 10], ax=ax, counts=True)
    drawn = [len(p) for p in drawing.node_positions]
    assert drawn == [MAX_NODES_DRAWN - 1, MAX_NODES_DRAWN - 1, 10]
    assert drawing.node_indices[0][-1] == 783
    texts = {t.get_text() for t in drawing.texts}
    assert {"784 nodes", "512 nodes", r"$\vdots$"} <= texts
    assert drawing.n_weights == 784 * 512 + 512 * 10


def test_draws_into_given_axes_and_creates_a_figure_only_without_one():
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    assert draw_network([2, 2], ax=ax).ax is ax
    assert plt.get_fignums() == before
    drawing = draw_network([2, 2])
    assert len(plt.get_fignums()) == len(before) + 1
    assert drawing.ax.figure is not fig


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"layer_sizes": []}, ValueError, r"at least 2 size"),
        ({"layer_sizes": [3]}, ValueError, r"at least 2 size"),
        ({"layer_sizes": [3, 0]}, ValueError, r"layer_sizes\[1\] must be an integer >= 1"),
        ({"layer_sizes": [-2, 3]}, ValueError, r"layer_sizes\[0\] must be an integer >= 1"),
        ({"layer_sizes": [2.5, 3]}, TypeError, r"layer_sizes\[0\] must be an integer"),
        ({"layer_sizes": [2, True]}, TypeError, r"layer_sizes\[1\] must be an integer"),
        ({"layer_sizes": "23"}, TypeError, "layer_sizes must be a sequence"),
        ({"layer_sizes": 5}, TypeError, "layer_sizes must be a sequence"),
        ({"layer_sizes": [2, 3], "weights": [np.ones((3, 2))]}, ValueError, r"shape \(2, 3\)"),
        ({"layer_sizes": [2, 3, 1], "weights": [np.ones((2, 3))]}, ValueError, "one array per"),
        ({"layer_sizes": [2, 3], "weights": "ones"}, ValueError, "'random'"),
        ({"layer_sizes": [2, 3], "weights": [np.full((2, 3), np.nan)]}, ValueError, "finite"),
        ({"layer_sizes": [2, 3], "draw_bias": True, "use_bias": False}, ValueError, "draw_bias"),
        ({"layer_sizes": [2, 3], "output_activation": "relu"}, ValueError, "output_activation"),
        ({"layer_sizes": [2, 3, 1], "activations": ["relu"]}, ValueError, "one name per"),
        ({"layer_sizes": [2, 3], "biases": [np.ones(3)]}, ValueError, "together with"),
        ({"layer_sizes": [2, 3], "max_nodes": 1}, ValueError, "max_nodes must be an integer >= 3"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        draw_network(**kwargs)
    assert plt.get_fignums() == []  # nothing half-drawn was left behind


def test_numpy_ints_are_accepted_and_float_sizes_refused_as_by_network():
    # Before: draw_network accepted a layer of 2.0 units while Network refused it. One
    # rule now (lecture_nn._validation.sizes): integers, numpy integers included.
    drawing = draw_network(np.array([2, 3, 1]))
    assert (drawing.n_weights, drawing.n_biases) == (9, 4)
    assert draw_network([np.int64(2), np.int32(3)]).n_weights == 6
    for call in (lambda: draw_network([2.0, 3.0]), lambda: Network([2.0, 3], ["sigmoid"])):
        with pytest.raises(TypeError, match=r"layer_sizes\[0\] must be an integer, got 2.0"):
            call()
    assert count_parameters([np.int64(3), 2]) == (6, 2)


def test_update_weights_recolours_the_same_edges():
    rng = np.random.default_rng(2)
    first = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    second = [-k for k in first]
    _, ax = plt.subplots()
    drawing = draw_network([2, 3, 1], ax=ax, weights=first, weight_limit=5.0)
    edges = drawing.edges
    before = edges.get_colors().copy()
    drawing.update_weights(second)
    assert drawing.edges is edges  # nothing redrawn
    np.testing.assert_array_equal(drawing.edge_values, np.concatenate([k.ravel() for k in second]))
    assert not np.allclose(edges.get_colors(), before)
    # the fixed scale: the same colours as a fresh drawing of the new weights on that scale
    _, ax2 = plt.subplots()
    fresh = draw_network([2, 3, 1], ax=ax2, weights=second, weight_limit=5.0)
    np.testing.assert_allclose(edges.get_colors(), fresh.edges.get_colors())
    np.testing.assert_allclose(edges.get_linewidths(), fresh.edges.get_linewidths())
    with pytest.raises(ValueError, match=r"weights\[0\] has shape"):
        drawing.update_weights([np.ones((3, 2)), np.ones((3, 1))])
    with pytest.raises(ValueError, match="weight_limit must be a number > 0"):
        draw_network([2, 1], weights=[np.ones((2, 1))], weight_limit=0)
    with pytest.raises(ValueError, match="needs a drawing made with real weights"):
        draw_network([2, 1]).update_weights([np.ones((2, 1))])


# --- dropout on the diagram ---------------------------------------------------------------


def kept_edge_count(layer_sizes, masks, draw_bias):
    """Closed form: sum over links of kept(l) * kept(l + 1), plus one bias edge per kept target."""
    kept = [size - int(np.sum(mask)) for size, mask in zip(layer_sizes, masks)]
    count = sum(a * b for a, b in itertools.pairwise(kept))
    return count + (sum(kept[1:]) if draw_bias else 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), layer_sizes=st.lists(st.integers(1, 8), min_size=3, max_size=5))
def test_dropped_units_lose_exactly_their_edges(data, layer_sizes):
    draw_bias = data.draw(st.booleans())
    hidden_masks = [
        np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool)
        for size in layer_sizes[1:-1]
    ]
    masks = [np.zeros(layer_sizes[0], bool), *hidden_masks, np.zeros(layer_sizes[-1], bool)]
    fig, ax = plt.subplots()
    drawing = draw_network(layer_sizes, ax=ax, dropped=hidden_masks, draw_bias=draw_bias)
    segments = drawing.edges.get_segments()
    assert len(segments) == kept_edge_count(layer_sizes, masks, draw_bias)
    # every drawn edge joins two kept nodes (or the bias node and a kept node), and every
    # pair of kept nodes in neighbouring layers is joined
    kept_points = {
        tuple(p) for layer, mask in enumerate(masks) for p in drawing.node_positions[layer][~mask]
    }
    dropped_points = {
        tuple(p) for layer, mask in enumerate(masks) for p in drawing.node_positions[layer][mask]
    }
    ends = {tuple(point) for segment in segments for point in segment}
    assert not ends & dropped_points
    expected_pairs = {
        (tuple(a), tuple(b))
        for link in range(len(layer_sizes) - 1)
        for a in drawing.node_positions[link][~masks[link]]
        for b in drawing.node_positions[link + 1][~masks[link + 1]]
    }
    assert expected_pairs <= {(tuple(s[0]), tuple(s[1])) for s in segments}
    assert kept_points  # the input and output layers are never dropped
    n_dropped = int(sum(m.sum() for m in hidden_masks))
    crosses = drawing.crosses
    assert (0 if crosses is None else len(crosses.get_segments())) == 2 * n_dropped
    for layer, mask in enumerate(masks):
        np.testing.assert_array_equal(drawing.dropped[layer], mask)
    plt.close(fig)


def test_dropout_on_the_lecture_network_counts_edges_between_kept_units():
    _fig, ax = plt.subplots()
    # 784-512-512-10 drawn truncated: only the drawn kept nodes are joined
    sizes = [6, 5, 4, 3]
    masks = [np.array([True, False, False, True, False]), np.array([False, True, False, False])]
    drawing = draw_network(sizes, ax=ax, dropped=masks)
    # kept: 6, 3, 3, 3 -> 6*3 + 3*3 + 3*3 = 36 edges
    assert len(drawing.edges.get_segments()) == 36
    assert drawing.n_weights == 6 * 5 + 5 * 4 + 4 * 3  # the model still has all its weights


def test_dropout_on_a_truncated_layer_uses_the_drawn_nodes():
    _fig, ax = plt.subplots()
    mask = np.zeros(100, dtype=bool)
    mask[[0, 1, 99, 50]] = True  # unit 50 is hidden behind the ellipsis
    drawing = draw_network([3, 100, 2], ax=ax, dropped=[mask], max_nodes=10)
    drawn = drawing.node_indices[1]
    kept_drawn = int(np.sum(~mask[drawn]))
    assert kept_drawn == len(drawn) - 3
    assert len(drawing.edges.get_segments()) == 3 * kept_drawn + kept_drawn * 2
    assert len(drawing.crosses.get_segments()) == 2 * 3


def test_dropout_rate_is_seeded_and_drops_each_unit_with_that_probability():
    sizes = [3, 4000, 4000, 2]
    first = draw_network(sizes, dropped=0.3, seed=4, max_nodes=10)
    again = draw_network(sizes, dropped=0.3, seed=4, max_nodes=10)
    other = draw_network(sizes, dropped=0.3, seed=5, max_nodes=10)
    for a, b in zip(first.dropped, again.dropped):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.dropped[1], other.dropped[1])
    assert not first.dropped[0].any()
    assert not first.dropped[-1].any()
    # Bernoulli(0.3) per unit: the dropped fraction of 8000 units lies within 5 standard errors
    fraction = np.mean(np.concatenate(first.dropped[1:3]))
    assert abs(fraction - 0.3) < 5 * np.sqrt(0.3 * 0.7 / 8000)
    # the two hidden layers get independent masks
    assert not np.array_equal(first.dropped[1], first.dropped[2])
    assert not draw_network(sizes, dropped=0.0, max_nodes=10).crosses


def test_dropout_rate_matches_keras_dropout_frequency():
    """Keras' Dropout(rate) in a training step zeroes each unit with probability rate."""
    rate, units = 0.4, 20000
    zeroed = np.asarray(keras.layers.Dropout(rate, seed=1)(np.ones((1, units)), training=True)) == 0
    drawing = draw_network([2, units, 1], dropped=rate, seed=1, max_nodes=10)
    bound = 5 * np.sqrt(rate * (1 - rate) / units)
    assert abs(zeroed.mean() - rate) < bound
    assert abs(drawing.dropped[1].mean() - rate) < bound


def test_dropout_with_real_weights_keeps_the_kept_weights():
    rng = np.random.default_rng(3)
    kernels = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    biases = [rng.normal(size=3), rng.normal(size=1)]
    mask = np.array([False, True, False])
    _fig, ax = plt.subplots()
    drawing = draw_network(
        [2, 3, 1], ax=ax, weights=kernels, biases=biases, draw_bias=True, dropped=[mask]
    )
    kept = [0, 2]
    expected = np.concatenate(
        [kernels[0][:, kept].ravel(), biases[0][kept], kernels[1][kept, 0], biases[1]]
    )
    np.testing.assert_array_equal(drawing.edge_values, expected)
    drawing.update_weights([-k for k in kernels], [-b for b in biases])
    np.testing.assert_array_equal(drawing.edge_values, -expected)
    assert len(drawing.edges.get_colors()) == len(expected)


def test_dropped_units_have_no_weight_labels():
    _fig, ax = plt.subplots()
    drawing = draw_network(
        [2, 3, 1], ax=ax, draw_bias=True, labels=True, dropped=[np.array([False, True, False])]
    )
    texts = {t.get_text() for t in drawing.texts}
    assert {"$w_{1,1}$", "$w_{0,3}$", "$w_{1}$", "$w_{3}$"} <= texts
    assert not {"$w_{1,2}$", "$w_{2,2}$", "$w_{0,2}$", "$w_{2}$"} & texts
    assert "$h_{2}$" in texts  # the dropped unit is still there, crossed out


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"layer_sizes": [2, 3, 1], "dropped": True}, TypeError, "dropout rate in"),
        ({"layer_sizes": [2, 3, 1], "dropped": "half"}, TypeError, "dropout rate in"),
        ({"layer_sizes": [2, 3, 1], "dropped": {1: [True]}}, TypeError, "dropped must be"),
        (
            {"layer_sizes": [2, 3, 1], "dropped": 1.0},
            ValueError,
            r"dropped must be a number in \[0, 1\)",
        ),
        (
            {"layer_sizes": [2, 3, 1], "dropped": -0.1},
            ValueError,
            r"dropped must be a number in \[0, 1\)",
        ),
        (
            {"layer_sizes": [2, 3, 1], "dropped": float("nan")},
            ValueError,
            r"dropped must be a finite number",
        ),
        ({"layer_sizes": [2, 1], "dropped": 0.5}, ValueError, "has none"),
        ({"layer_sizes": [2, 3, 3, 1], "dropped": [None]}, ValueError, r"per hidden layer \(2"),
        ({"layer_sizes": [2, 3, 1], "dropped": [[0, 1, 0]]}, TypeError, "boolean mask"),
        ({"layer_sizes": [2, 3, 1], "dropped": [[True, False]]}, ValueError, r"shape \(3,\)"),
    ],
)
def test_bad_dropped_is_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        draw_network(**kwargs)
    assert plt.get_fignums() == []


# --- text layout: no overlaps, nothing off the canvas (issue 13) --------------------------


def layout_problems(fig, texts=None):
    """Pairs of overlapping texts and texts outside ``fig`` (all drawn texts, or ``texts``)."""
    drawn = drawn_texts(fig)
    if texts is not None:
        drawn = [(t, e) for t, e in drawn if t in texts]
    assert drawn, "nothing was drawn"
    box = fig.bbox
    problems = [
        f"{a.get_text()!r} overlaps {b.get_text()!r}"
        for (a, ea), (b, eb) in itertools.combinations(drawn, 2)
        if ea.overlaps(eb)
    ]
    problems += [
        f"{t.get_text()!r} leaves the figure"
        for t, e in drawn
        if not (e.x0 >= box.x0 and e.x1 <= box.x1 and e.y0 >= box.y0 and e.y1 <= box.y1)
    ]
    return problems


def notebook_cell_namespace(notebook: str, marker: str) -> dict:
    """Run a notebook's import cell, then its code cell containing ``marker``; the names."""
    import json

    from lecture_nn.tooling.paths import course_notebooks

    path = next(p for p in course_notebooks() if p.name == notebook)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    namespace: dict = {}
    exec(next(s for s in sources if "use_course_style()" in s), namespace)
    exec(next(s for s in sources if marker in s), namespace)
    return namespace


def test_notebook_01_two_diagrams_have_no_overlapping_text():
    """Issue 13: the edge labels of notebook 01's 2-3-1 diagrams (labels=True) overlapped."""
    from lecture_nn.style import course_style

    with course_style("screen"):
        marker = "draw_network([2, 3, 1], ax=left"
        namespace = notebook_cell_namespace("01_architecture.ipynb", marker)
        fig = namespace["fig"]
        assert layout_problems(fig) == []
        weight_labels = [t for t in fig.findobj(Text) if t.get_text().startswith("$w_")]
        assert len(weight_labels) == 2 * 13  # all 9 weights and 4 biases, in both diagrams
        assert min(t.get_fontsize() for t in weight_labels) >= 8.0
        # every label still sits on its own edge, between its two nodes
        drawing = draw_network([2, 3, 1], draw_bias=True, labels=True)
        segments = drawing.edges.get_segments()
        for text in drawing.texts:
            name = text.get_text()
            if not name.startswith("$w_"):
                continue
            x, y = text.get_position()
            on_edge = [
                s
                for s in segments
                if abs((s[1][0] - s[0][0]) * (y - s[0][1]) - (s[1][1] - s[0][1]) * (x - s[0][0]))
                < 1e-9
                and min(s[0][0], s[1][0]) < x < max(s[0][0], s[1][0])
            ]
            assert on_edge, name


@pytest.mark.parametrize(
    ("layer_sizes", "kwargs"),
    [
        (
            [4, 1],
            {
                "draw_bias": True,
                "labels": True,
                "activation_symbols": True,
                "output_activation": "sigmoid",
            },
        ),
        ([2, 3, 1], {"labels": True}),
        (
            [3, 4, 3],
            {
                "labels": True,
                "draw_bias": True,
                "output_labels": True,
                "activation_symbols": True,
                "output_activation": "softmax",
            },
        ),
        ([2, 3, 3, 1], {"labels": True, "draw_bias": True, "output_labels": True, "counts": True}),
        (
            [2, 4, 1],
            {
                "labels": True,
                "draw_bias": True,
                "weights": "random",
                "weight_labels": True,
                "activations": ["tanh", "sigmoid"],
            },
        ),
        ([2, 3, 2], {"labels": True, "draw_bias": True, "dropped": [np.array([0, 1, 0], bool)]}),
    ],
)
def test_labelled_diagrams_have_no_overlapping_text(layer_sizes, kwargs):
    fig, ax = plt.subplots(figsize=(6, 4))
    drawing = draw_network(layer_sizes, ax=ax, **kwargs)
    assert layout_problems(fig, drawing.texts) == []


# --- faults of issue 14 (each test failed on the code before the fix) ---------------------


def test_random_weights_of_wide_layers_cost_only_the_drawn_edges():
    # Before: weights="random" drew all 400 million weights of [20000, 20000] (3.2 GB for
    # the kernel, 6 GB in all) to colour 361 edges. The child runs under a 1.5 GB address
    # space limit and measures the peak of Python's allocations with tracemalloc.
    code = (
        "import resource, tracemalloc\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "from lecture_nn.diagrams import draw_network\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))\n"
        "_, ax = plt.subplots()\n"
        "tracemalloc.start()\n"
        "d = draw_network([20000, 20000], ax=ax, weights='random')\n"
        "peak = tracemalloc.get_traced_memory()[1]\n"
        "print(len(d.edges.get_segments()), len(d.edge_values), peak)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    segments, values, peak = (int(v) for v in result.stdout.split())
    assert segments == values == 19 * 19  # the drawn nodes' edges only
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB"


def test_random_weights_of_a_network_drawn_whole_are_the_seeded_standard_normals():
    # Drawing only the drawn edges' weights leaves untruncated networks as they were:
    # kernels first, then biases, from one generator seeded with ``seed``.
    sizes = [3, 4, 2]
    rng = np.random.default_rng(11)
    kernels = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    biases = [rng.standard_normal(4), rng.standard_normal(2)]
    drawing = draw_network(sizes, weights="random", seed=11, draw_bias=True)
    expected = np.concatenate([kernels[0].ravel(), biases[0], kernels[1].ravel(), biases[1]])
    np.testing.assert_array_equal(drawing.edge_values, expected)


def test_layers_wider_than_the_documented_limit_are_refused():
    with pytest.raises(
        ValueError, match=rf"layer_sizes\[1\] must be an integer <= {MAX_LAYER_SIZE}"
    ):
        draw_network([2, MAX_LAYER_SIZE + 1])
    assert count_parameters([2, MAX_LAYER_SIZE + 1]) == (
        2 * (MAX_LAYER_SIZE + 1),
        MAX_LAYER_SIZE + 1,
    )


_FLAGS = ("draw_bias", "use_bias", "labels", "weight_labels", "activation_symbols",
          "output_labels", "counts", "colorbar")  # fmt: skip
_OPTIONAL_FLAGS = ("weight_labels", "colorbar")  # None means "choose for me" (documented)


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        (name, bad)
        for name in _FLAGS
        for bad in ("False", 0, 1.0, None)
        if not (bad is None and name in _OPTIONAL_FLAGS)
    ],
)
def test_yes_no_parameters_accept_only_booleans(name, bad):
    # Before: draw_bias="False" drew the bias nodes (a non-empty string is true).
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        draw_network([2, 3, 1], **{name: bad})
    assert plt.get_fignums() == []


def test_count_parameters_use_bias_accepts_only_booleans():
    # Before: use_bias="False" counted the biases (a non-empty string is true).
    with pytest.raises(TypeError, match="use_bias must be True or False"):
        count_parameters([2, 3, 1], use_bias="False")
    assert count_parameters([2, 3, 1], use_bias=np.bool_(False)) == (9, 0)


@pytest.mark.parametrize("bad", ["ax", 3, "figure"])
def test_a_bad_ax_is_a_clear_type_error(bad):
    value = plt.figure() if bad == "figure" else bad
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_network([2, 1], ax=value)


def test_ax_is_keyword_only():
    _fig, ax = plt.subplots()
    with pytest.raises(TypeError):
        draw_network([2, 1], ax)  # positional ax: refused


@pytest.mark.parametrize(
    ("sizes", "kwargs", "expected"),
    [
        ([2, 3, 1], {}, "2 inputs, one hidden layer of 3 units, 1 output; 9 weights and 4 biases"),
        ([5, 10, 10, 10, 10, 10, 10, 5], {},
         "5 inputs, 6 hidden layers of 10 units, 5 outputs; 600 weights and 65 biases"),
        ([784, 512, 256, 10], {"max_nodes": 12},
         "784 inputs, 2 hidden layers of 512 and 256 units, 10 outputs; 535,040 weights and "
         "778 biases; layers of more than 12 units show their first 6 and last 5 nodes, with "
         "an ellipsis between"),
        ([4, 1], {"use_bias": False},
         "4 inputs, no hidden layer, 1 output; 4 weights and no biases"),
        ([1, 1], {}, "1 input, no hidden layer, 1 output; 1 weight and 1 bias"),
    ],
)  # fmt: skip
def test_description_counts_the_layers_weights_and_biases(sizes, kwargs, expected):
    drawing = draw_network(sizes, **kwargs)
    assert drawing.description == f"Network diagram: {expected}."
    # the numbers, recomputed from the sizes
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    biases = sum(sizes[1:]) if kwargs.get("use_bias", True) else 0
    assert f"{weights:,} weight" in drawing.description
    assert (f"{biases:,} bias" if biases else "no biases") in drawing.description


def test_description_names_coloured_weights_and_dropped_units():
    masks = [np.array([True, False, True, False]), np.array([False, False, True])]
    drawing = draw_network([3, 4, 3, 2], weights="random", dropped=masks)
    assert "coloured by the sign of each weight" in drawing.description
    assert drawing.description.endswith("dropout removes 3 of 7 hidden units.")
    assert "dropout" not in draw_network([3, 4, 3, 2]).description
