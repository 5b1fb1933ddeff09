"""Figures described in words (alternative text): the sentences against the data they describe.

Each description is checked against numbers recomputed independently from the inputs (layer
sizes multiplied out, the simulator's points, a forward pass written out in numpy, the
fitted models' own predictions), after every redraw of the widgets that update their
figures in place, at the control values the notebooks use. Then the chain to the reader:
the kernel's PNG outputs carry the description as ``alt`` metadata (a real kernel, through
nbclient), and the course site writes it into the ``<img alt>`` (with the full text under
the image when it is long).
"""

from __future__ import annotations

import base64
import html.parser
import itertools
import json
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from notebook_files import save_notebook

from lecture_nn._descriptions import describe_axes, described_png, figure_description
from lecture_nn._plotting import record_description
from lecture_nn.diagrams import draw_network

matplotlib.use("Agg")

#: nbconvert's text for an image without alt text.
PLACEHOLDER = "No description has been provided for this image"
#: Point "(x, y)" in a description: two decimals, as the descriptions round them.
POINT = r"\((-?\d+\.\d\d), (-?\d+\.\d\d)\)"


def numbers(text: str) -> list[float]:
    """Every number written in ``text`` (thousands separators dropped)."""
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?", text)]


# --- Network diagrams -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes", [[5, 5], [5, 1, 5], [5, 10, 10, 10, 10, 10, 10, 5], [4, 6, 6, 3], [784, 512, 512, 10]]
)
def test_network_description_counts_weights_and_biases_from_the_sizes(sizes):
    fig = Figure()
    drawing = draw_network(sizes, ax=fig.subplots(), max_nodes=12)
    text = figure_description(fig)
    assert text == drawing.description
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    biases = sum(sizes[1:])
    assert f"{weights:,} weights and {biases:,} biases" in text
    assert text.startswith(f"Network diagram: {sizes[0]:,} inputs, ")
    assert f", {sizes[-1]:,} outputs;" in text
    hidden = sizes[1:-1]
    if not hidden:
        assert "no hidden layer" in text
    elif len(set(hidden)) == 1:
        layers = "one hidden layer" if len(hidden) == 1 else f"{len(hidden)} hidden layers"
        unit = "unit" if hidden[0] == 1 else "units"
        assert f"{layers} of {hidden[0]:,} {unit}" in text
    # a layer wider than 12 nodes is cut: the description says which nodes are drawn
    cut = [len(nodes) for nodes, size in zip(drawing.node_indices, sizes) if size > 12]
    if cut:
        assert set(cut) == {11}
        assert "show their first 6 and last 5 nodes, with an ellipsis between" in text
    else:
        assert "ellipsis" not in text


def test_two_diagrams_side_by_side_are_both_described_in_axes_order():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    draw_network([4, 6, 6, 3], ax=left)
    masks = [np.array([1, 0, 1, 0, 0, 1], bool), np.array([0, 0, 1, 1, 0, 0], bool)]
    draw_network([4, 6, 6, 3], ax=right, dropped=masks)
    first, second = figure_description(fig).split(". Network diagram")
    assert "dropout" not in first
    assert second.endswith(
        f"dropout removes {int(sum(m.sum() for m in masks))} of 12 hidden units."
    )


# --- Widgets that redraw in place -------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    from lecture_nn.optimizer_plots import PathsExplorer
    from lecture_nn.optimizers import simulate_zoo
    from lecture_nn.surfaces import SURFACES

    return PathsExplorer({name: list(simulate_zoo(name).values()) for name in SURFACES})


def test_paths_explorer_frames_say_where_each_simulated_path_is(explorer):
    """After every redraw (surfaces revisited, iterations back and forth), the figure's text
    gives each path's point after that many updates, as the simulator computed it."""
    from lecture_nn.optimizers import ZOO, simulate
    from lecture_nn.surfaces import get_surface

    fig = Figure(figsize=(8, 4.5))
    for surface, iterations in [
        ("beale", 100), ("beale", 1), ("rosenbrock", 50), ("beale", 7),
        ("himmelblau", 100), ("quadratic", 30), ("rosenbrock", 2),
    ]:  # fmt: skip
        explorer.draw(fig, surface, iterations)
        text = figure_description(fig)
        name = "quadratic bowl" if surface == "quadratic" else f"{surface.capitalize()} surface"
        update = "update" if iterations == 1 else "updates"
        assert text.startswith(f"Optimizer paths on the {name} after {iterations} {update}: ")
        for config in ZOO.values():
            path = simulate(config, surface)  # recomputed, not the explorer's copy
            last = min(iterations, path.n_steps)
            match = re.search(re.escape(path.name) + r" (?:ends at|at|diverged after \d+ updates? "
                              r"\(last point) " + POINT, text)  # fmt: skip
            assert match, (path.name, text)
            x, y = (float(v) for v in match.groups())
            assert (x, y) == pytest.approx(tuple(path.points[last].astype(float)), abs=0.0051)
            ended = path.diverged and last == path.n_steps
            assert (f"{path.name} diverged after" in text) == ended
        minima = get_surface(surface).minima
        assert all(f"({m[0]:.2f}, {m[1]:.2f})" in text for m in minima)
        # the hidden axes of the other surfaces are not described
        assert text.count("Optimizer paths on") == 1


@pytest.fixture(scope="module")
def moons():
    from lecture_nn.boundaries import MoonsActivationComparison

    return MoonsActivationComparison().fit_all(range(1, 3), progress=False)


def test_moons_comparison_describes_each_depth_after_in_place_redraws(moons):
    fig = Figure(figsize=(9, 4))
    for depth in (1, 2, 1):
        moons.draw(fig, depth)
        text = figure_description(fig)
        layers = "1 hidden layer" if depth == 1 else f"{depth} hidden layers"
        assert text.startswith(
            f"Decision boundaries of two-moons classifiers with {layers} of 10 units, on "
            f"{len(moons.X_train)} training points: "
        )
        for activation in ("relu", "tanh"):
            model = moons.fit(activation, depth).model
            accuracy = np.mean(model.predict(moons.X_test) == moons.y_test)
            grid = moons.grid(activation, depth)
            points = np.column_stack([grid.xx.ravel(), grid.yy.ravel()])
            share = np.mean(model.predict_proba(points)[:, 1] > 0.5)
            assert (
                f"{activation} has test accuracy {accuracy:.2f} after {model.n_iter_} L-BFGS "
                f"iterations and predicts class 1 on {share:.0%} of the plane shown"
            ) in text


def forward_by_hand(weights, X):
    """Output of the moons network (tanh, tanh, sigmoid) for ``X``, written out in numpy."""
    a = X
    kernels, biases = weights[0::2], weights[1::2]
    for index, (W, b) in enumerate(zip(kernels, biases)):
        z = a @ W + b
        a = 1 / (1 + np.exp(-z)) if index == len(kernels) - 1 else np.tanh(z)
    return a[:, 0]


def test_training_replay_describes_the_step_shown_after_every_redraw():
    from sklearn.datasets import make_moons

    from lecture_nn.network import Network, train
    from lecture_nn.training_plots import TrainingReplay

    points, labels = make_moons(n_samples=200, noise=0.2, random_state=0)
    network = Network([2, 4, 4, 1], ["tanh", "tanh", "sigmoid"], loss="binary_crossentropy", seed=0)
    run = train(network, points, labels.reshape(-1, 1), learning_rate=0.3, steps=60)
    replay = TrainingReplay(network, run, points, labels, resolution=20)
    fig = Figure(figsize=(12, 4))
    for step in (0, 30, 60, 5):
        replay.draw(fig, step=step)
        text = figure_description(fig)
        accuracy = np.mean((forward_by_hand(run.weights[step], points) > 0.5) == labels)
        assert text == (
            f"Training replay of a 2-4-4-1 network at update {step} of 60: its weights, its "
            f"decision boundary on the 200 training points (accuracy {accuracy:.2f}) and the "
            f"loss curve up to the step (loss {run.losses[step]:.3f})."
        )


def test_signal_explorer_describes_the_setting_shown_after_every_redraw():
    from lecture_nn.initialization import SignalPropagationExplorer

    explorer = SignalPropagationExplorer(width=20, n_samples=64)
    fig = Figure(figsize=(11, 5), layout="constrained")
    for activation, scheme, depth in [
        ("tanh", "Glorot (normal)", 10), ("relu", "He (normal)", 4), ("tanh", "Glorot (normal)", 2),
    ]:  # fmt: skip
        explorer.draw(fig, activation, scheme, depth)
        stats, _ = explorer.statistics(activation, scheme, depth)
        text = figure_description(fig)
        first = np.std(stats.activations[0])
        last = np.std(stats.activations[-1])
        assert text.startswith(
            f"Activations and weight gradients of {depth} hidden layers ({activation}, {scheme}): "
            f"the activations' std goes from {first:.2g} in layer 1 to {last:.2g} in layer {depth}"
        )
        assert text.count("Activations and weight gradients") == 1


def test_widget_images_carry_the_description_of_the_values_shown(monkeypatch):
    """The widget's PNG goes out with its values' description as alt, also when cached."""
    from lecture_nn import widgets

    shown = []

    class Handle:
        def update(self, image):
            shown.append(image.metadata)

    def draw(fig, sizes=2):
        draw_network([3, sizes, 1], ax=fig.subplots())

    widget = widgets.interactive_figure(draw, sizes=(1, 4, 1), layout=None)
    widget._handle = Handle()
    for sizes in (3, 4, 3, 2):  # 3 and 2 come back from the cache the second time
        widget.update(sizes=sizes)
        weights, biases = 3 * sizes + sizes, sizes + 1
        expected = f"{weights} weights and {biases} biases"
        assert expected in shown[-1]["alt"], (sizes, shown[-1])
        assert widget.description == shown[-1]["alt"]


# --- Plots a notebook changes after drawing ---------------------------------------------------


def test_relabelled_rate_plot_names_its_new_quantity():
    from lecture_nn.optimizer_plots import plot_learning_rates

    fig = Figure()
    ax = fig.subplots()
    rising = np.linspace(0.5, 0.9, 100)
    plot_learning_rates({"constant": lambda s: np.full(len(s), 0.9), "rising": lambda s: rising},
                        steps=100, ax=ax)  # fmt: skip
    assert figure_description(fig).startswith("Learning rate against update step 0 to 99, 2")
    ax.set_ylabel("momentum $\\mu$")
    assert figure_description(fig) == (
        "Momentum mu against update step 0 to 99, 2 curves: constant from 0.9 to 0.9; rising "
        "from 0.5 to 0.9."
    )


def test_a_cleared_axes_forgets_its_description_and_is_described_from_what_it_shows():
    fig = Figure()
    ax = fig.subplots()
    draw_network([2, 3, 1], ax=ax)
    ax.clear()
    ax.plot([1, 2, 3, 4], [0.9, 0.5, 0.7, 0.6], label="validation loss")
    ax.set_xlabel("epoch")
    assert figure_description(fig) == (
        "Panel with x axis \u201cepoch\u201d: validation loss: 4 points, x from 1 to 4, y from "
        "0.5 to 0.9, lowest at x = 2."
    )


def test_record_description_refuses_bad_arguments():
    fig = Figure()
    with pytest.raises(ValueError, match="text"):
        record_description(fig.subplots(), "")
    with pytest.raises(TypeError, match="text"):
        record_description(fig.axes[0], 3)
    with pytest.raises(TypeError, match="axes"):
        record_description(["not an axes"], "text")
    with pytest.raises(TypeError, match="figure"):
        figure_description("figure")


# --- Figures a notebook draws with matplotlib alone -------------------------------------------

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]  # fmt: skip


def test_bar_chart_names_its_tallest_bar_by_its_category():
    probabilities = np.random.default_rng(0).dirichlet(np.ones(10))
    fig = Figure()
    image_ax, bars_ax = fig.subplots(1, 2)
    image_ax.imshow(np.arange(784).reshape(28, 28) / 783, cmap="gray_r")
    image_ax.set_title("true: Bag\npredicted: Bag")
    image_ax.set_axis_off()
    bars_ax.bar(range(10), probabilities)
    bars_ax.set_xticks(range(10), CLASSES, rotation=45)
    bars_ax.set_ylabel("probability")
    text = figure_description(fig)
    assert text.startswith(
        "Panel \u201ctrue: Bag predicted: Bag\u201d: a 28 x 28 image of values from 0 to 1. "
    )
    tallest = CLASSES[int(np.argmax(probabilities))]
    low, high = probabilities.min(), probabilities.max()
    assert text.endswith(
        f"y axis \u201cprobability\u201d: 10 bars of heights from {low:.3g} to {high:.3g}, the "
        f"tallest at {tallest}."
    )


def test_confusion_matrix_gives_the_share_on_its_diagonal():
    from sklearn.metrics import ConfusionMatrixDisplay

    rng = np.random.default_rng(1)
    true = rng.integers(0, 10, 400)
    predicted = np.where(rng.random(400) < 0.7, true, rng.integers(0, 10, 400))
    fig = Figure()
    ConfusionMatrixDisplay.from_predictions(true, predicted, display_labels=CLASSES,
                                            colorbar=False, ax=fig.subplots())  # fmt: skip
    text = describe_axes(fig.axes[0])
    share = np.mean(true == predicted)
    assert f"{share:.0%} of their sum on the diagonal" in text
    assert text.count("Ankle boot") == 2  # both axes name the classes


def test_scatter_groups_and_histogram_outlines_are_counted():
    rng = np.random.default_rng(2)
    fig = Figure()
    ax = fig.subplots()
    for k, n in enumerate((30, 50, 20)):
        ax.scatter(*rng.normal(size=(2, n)), label=CLASSES[k])
    assert (
        describe_axes(ax)
        == "Panel: 100 points in 3 groups (T-shirt/top 30, Trouser 50, Pullover 20)."
    )
    fig = Figure()
    ax = fig.subplots()
    weights = rng.normal(scale=0.05, size=500)
    ax.hist(weights, bins=np.linspace(-0.15, 0.15, 31), histtype="step", label="L2")
    ax.set_xlabel("weight")
    assert describe_axes(ax) == (
        "Panel with x axis \u201cweight\u201d: L2 (an outline over x from -0.15 to 0.15)."
    )


def test_colour_bars_and_hidden_axes_are_left_out():
    fig = Figure()
    left, hidden = fig.subplots(1, 2)
    drawing = draw_network([3, 4, 2], ax=left, weights="random", colorbar=True)
    hidden.plot([0, 1], [1, 0], label="not shown")
    hidden.set_visible(False)
    assert len(fig.axes) == 3  # the diagram, the hidden axes, the colour bar
    assert figure_description(fig) == drawing.description


def test_an_empty_figure_has_no_description():
    fig = Figure()
    fig.subplots()
    assert figure_description(fig) == ""


# --- The learning curves of Keras fits ---------------------------------------------------------


def test_training_plot_description_gives_each_curves_ends_and_best(monkeypatch):
    keras_callbacks = pytest.importorskip("lecture_nn.keras_callbacks")
    plot = keras_callbacks.TrainingPlot(live=False)
    history = {
        "loss": [0.9, 0.6, 0.5, 0.45],
        "accuracy": [0.6, 0.7, 0.8, 0.82],
        "val_loss": [0.8, 0.55, 0.6, 0.62],
        "val_accuracy": [0.65, 0.79, 0.78, 0.77],
    }
    plot.on_train_begin()
    for epoch in range(4):
        plot.on_epoch_end(epoch, {key: values[epoch] for key, values in history.items()})
    plot.on_train_end()
    expected = []
    for quantity, best in (("loss", np.argmin), ("accuracy", np.argmax)):
        curves = []
        for key in (quantity, "val_" + quantity):
            values = history[key]
            which = "lowest" if best is np.argmin else "highest"
            index = int(best(values))
            name = ("validation " if key.startswith("val_") else "training ") + quantity
            curves.append(
                f"{name} from {values[0]:.3g} to {values[-1]:.3g} ({which} {values[index]:.3g}, "
                f"epoch {index + 1})"
            )
        expected.append(", ".join(curves))
    best_epoch = int(np.argmax(history["val_accuracy"])) + 1
    text = (
        f"Learning curves over epochs 1 to 4: {'; '.join(expected)}; best validation accuracy "
        f"{max(history['val_accuracy']):.4f} at epoch {best_epoch}."
    )
    assert plot.description() == text
    assert figure_description(plot.figure) == text


# --- In the kernel: PNG outputs carry their description as alt ---------------------------------


def test_described_png_is_the_inline_png_with_the_description_as_alt():
    from IPython.core.pylabtools import print_figure

    fig = Figure(figsize=(3, 2))
    draw_network([3, 2], ax=fig.subplots())
    data, metadata = described_png(fig)
    assert metadata == {"alt": figure_description(fig)}
    assert data == print_figure(fig, fmt="png", base64=True, bbox_inches="tight")
    assert described_png(Figure()) is None  # an empty figure shows nothing, as in IPython


KERNEL_CELLS = [
    # a figure drawn with pyplot before the style: the inline backend is set up already
    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2], label='loss');",
    "from lecture_nn.diagrams import draw_network\nfrom lecture_nn.style import use_course_style\n"
    "use_course_style()",
    "draw_network([5, 10, 5]);",
    "fig, ax = plt.subplots()\nax.bar(range(3), [0.2, 0.5, 0.3])\n"
    "ax.set_xticks(range(3), ['a', 'b', 'c']);",
    "%matplotlib inline\ndraw_network([3, 2]);",
    "%config InlineBackend.figure_formats = ['retina']\nuse_course_style()\ndraw_network([2, 2]);",
]


@pytest.fixture(scope="module")
def kernel_outputs():
    """The display outputs of :data:`KERNEL_CELLS` run in a kernel, per cell."""
    import nbclient

    notebook = new_notebook(cells=[new_code_cell(source) for source in KERNEL_CELLS])
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MPLBACKEND", raising=False)  # a student's kernel: the inline backend
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    return [
        [output for output in cell.outputs if output.output_type == "display_data"]
        for cell in notebook.cells
    ]


def test_kernel_shows_course_figures_with_their_description_as_alt(kernel_outputs):
    before_style, _, network, bars, again, retina = kernel_outputs
    # before use_course_style: IPython's own formatter, no description
    assert "alt" not in before_style[0].metadata.get("image/png", {})
    [output] = network
    assert output.metadata["image/png"]["alt"] == (
        f"Network diagram: 5 inputs, one hidden layer of 10 units, 5 outputs; {5 * 10 + 10 * 5} "
        f"weights and {10 + 5} biases."
    )
    # a figure of matplotlib alone, described from what it shows
    assert bars[0].metadata["image/png"]["alt"] == (
        "Panel with x axis (a, b, c): 3 bars of heights from 0.2 to 0.5, the tallest at b."
    )
    # %matplotlib inline again keeps the formatter
    assert again[0].metadata["image/png"]["alt"].startswith("Network diagram: 3 inputs")
    # retina PNGs: pixel-doubled, half size in the metadata, still described
    metadata = retina[0].metadata["image/png"]
    assert metadata["alt"].startswith("Network diagram: 2 inputs")
    png = base64.b64decode(retina[0].data["image/png"])
    width = int.from_bytes(png[16:20], "big")
    assert metadata["width"] == width // 2


# --- On the course site: the description is the image's alt ----------------------------------


def png_output(alt: str | None):
    fig = Figure(figsize=(1, 1))
    fig.subplots().plot([0, 1])
    data, _ = described_png(fig)
    output = new_output("display_data", data={"image/png": data, "text/plain": "<Figure>"})
    if alt is not None:
        output.metadata = {"image/png": {"alt": alt}}
    return output


class Images(html.parser.HTMLParser):
    """Every <img>'s attributes, and the text of every element with an id."""

    def __init__(self):
        super().__init__()
        self.images, self.texts, self._open = [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        self._open.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            if element:
                self.texts[element] = self.texts.get(element, "") + data


def page_images(page_html: str) -> Images:
    parser = Images()
    parser.feed(page_html)
    return parser


def test_site_images_take_their_alt_from_the_description(tmp_path):
    from lecture_nn.tooling.site import build_site

    short = 'Panel: a <b> & "c" line: 2 points.'
    long = (
        "Optimizer paths on the Beale surface after 100 updates: "
        + ", ".join(f"Optimizer {k} ends at ({k}.00, 0.50)" for k in range(20))
        + "; the minimum is at (3.00, 0.50)."
    )
    unbroken = "Panel with x axis " + " ".join(f"class{k}" for k in range(60)) + "."
    outputs = [png_output(short), png_output(long), png_output(None), png_output(unbroken)]
    cell = new_code_cell("figures()", outputs=outputs)
    path = save_notebook(
        tmp_path / "01_figures.ipynb", [new_markdown_cell("# 1. Figures\n\nText."), cell]
    )
    build = build_site(tmp_path / "site", [path], execute=False)
    page = (build.output_dir / build.pages[0].href).read_text(encoding="utf-8")
    first, second, third, fourth = page_images(page).images
    assert first["alt"] == short  # escaped in the HTML, the same text once parsed
    assert (
        'alt="Panel: a &lt;b&gt; &amp; &quot;c&quot;' in page or "alt='Panel: a &lt;b&gt;" in page
    )
    assert "aria-describedby" not in first
    assert second["alt"] == (
        "Optimizer paths on the Beale surface after 100 updates "
        "(described in full below the figure)"
    )
    described = page_images(page).texts[second["aria-describedby"]]
    assert described == long
    assert third["alt"] == PLACEHOLDER  # no description: nbconvert's text, as before
    # one long clause: cut at a space, at most 210 characters, then the full text below
    head = fourth["alt"].removesuffix(" \u2026 (described in full below the figure)")
    assert len(head) <= 210
    assert unbroken.startswith(head + " ")
    assert page_images(page).texts[fourth["aria-describedby"]] == unbroken
    assert fourth["aria-describedby"] != second["aria-describedby"]


# --- The executed course: every figure described ------------------------------------------------

#: Alt texts that describe nothing.
GENERIC = {"", "figure", "image", "plot", "chart", "graph", PLACEHOLDER.lower()}


def test_every_image_of_the_executed_course_has_a_real_description(executed_course):
    problems = []
    for name, result in executed_course.items():
        notebook = json.loads(result.output_path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            for output in cell.get("outputs", []):
                if "image/png" not in output.get("data", {}):
                    continue
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                # a description names something: a number or a quoted label, and a few words
                if (
                    alt.strip().lower() in GENERIC
                    or len(alt.split()) < 5
                    or not (numbers(alt) or "\u201c" in alt)
                ):
                    problems.append(f"{name} cell {index}: {alt!r}")
    assert problems == []


def test_no_image_of_the_course_site_has_a_generic_alt(course_site):
    problems = []
    for page in course_site.pages:
        for image in page_images((course_site.output_dir / page.href).read_text("utf-8")).images:
            alt = (image.get("alt") or "").strip()
            if alt.lower() in GENERIC or len(alt.split()) < 5:
                problems.append(f"{page.href}: {alt!r}")
    assert problems == []


def test_in_place_widgets_describe_each_frame_as_a_fresh_drawing_would(explorer, moons):
    """Through the widget itself (``clear=False``, as the notebooks use them; cached frames
    shown again), the text after any sequence of control changes is the text of the same
    values drawn on a new figure by a second, separate drawer (or, for the drawers that
    have one, their ``describe``)."""
    from lecture_nn.initialization import SignalPropagationExplorer, describe_signal
    from lecture_nn.widgets import interactive_figure

    signals = SignalPropagationExplorer(width=20, n_samples=64)
    separate = SignalPropagationExplorer(width=20, n_samples=64)

    def signals_text(**values):
        fresh = Figure(figsize=(11, 5))
        separate.draw(fresh, **values)
        text = figure_description(fresh)
        assert text == describe_signal(separate.statistics(**values)[0])
        return text

    cases = [
        (explorer.draw, lambda **values: explorer.describe(**values),
         {"surface": ["beale", "rosenbrock"], "iterations": (1, 100, 1)}, (8, 4.5),
         [{"surface": "rosenbrock", "iterations": 3}, {"surface": "beale", "iterations": 100},
          {"surface": "rosenbrock", "iterations": 100}, {"iterations": 1},
          {"surface": "rosenbrock", "iterations": 3}]),
        (moons.draw, lambda **values: moons.describe(**values), {"n_hidden_layers": (1, 2, 1)},
         (9, 4), [{"n_hidden_layers": 1}, {"n_hidden_layers": 2}, {"n_hidden_layers": 1}]),
        (signals.draw, signals_text, {"activation": ["tanh", "relu"], "depth": (2, 12, 1)},
         (11, 5), [{"depth": 12}, {"activation": "relu"}, {"depth": 2}, {"activation": "tanh"},
                   {"depth": 12}]),
    ]  # fmt: skip
    for draw, expected, controls, figsize, changes in cases:
        widget = interactive_figure(draw, figsize=figsize, clear=False, layout=None, **controls)
        for change in changes:
            widget.update(**change)
            assert figure_description(widget.figure) == expected(**widget.values), change
