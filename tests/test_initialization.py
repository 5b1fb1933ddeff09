"""The initialisation experiment against the variance argument behind Glorot and He."""

import numpy as np
import pytest
from figure_texts import drawn_texts

from lecture_nn.initialization import (
    SCHEMES,
    SignalPropagationExplorer,
    plot_signal_propagation,
    signal_propagation,
)


def ratio_per_layer(stats):
    """Geometric mean factor by which the activation std changes from one layer to the next."""
    std = stats.activation_std
    return (std[-1] / std[0]) ** (1 / (len(std) - 1))


def test_relu_he_keeps_the_signal_and_glorot_shrinks_it_by_sqrt2():
    he = signal_propagation("relu", "He (normal)", depth=10, width=100)
    glorot = signal_propagation("relu", "Glorot (normal)", depth=10, width=100)
    # Var(z) = fan_in Var(w) E[a^2]; with ReLU E[a^2] = Var(z_prev) / 2:
    # He (Var(w) = 2 / fan_in) keeps it, Glorot (1 / fan_in here) halves the variance.
    assert 0.85 < ratio_per_layer(he) < 1.15
    assert 0.6 < ratio_per_layer(glorot) < 0.8
    assert abs(ratio_per_layer(glorot) - 1 / np.sqrt(2)) < 0.08


def test_tanh_too_small_vanishes_too_large_saturates():
    small = signal_propagation("tanh", "too small (normal, std 0.01)", depth=10, width=100)
    # near 0 tanh is the identity: each layer multiplies the std by sqrt(100) * 0.01 = 0.1
    assert 0.05 < ratio_per_layer(small) < 0.2
    assert small.gradient_std[0] < 1e-9
    large = signal_propagation("tanh", "too large (normal, std 1)", depth=10, width=100)
    assert np.all(large.activation_std > 0.9)  # saturated at +-1
    glorot = signal_propagation("tanh", "Glorot (normal)", depth=10, width=100)
    assert 0.1 < glorot.activation_std[-1] < 0.7


def test_statistics_shapes_and_plot():
    stats = signal_propagation("sigmoid", "He (normal)", depth=4, width=20, n_samples=50)
    assert len(stats.activations) == len(stats.gradients) == 4
    assert stats.activations[0].shape == (50 * 20,)
    assert stats.gradients[0].shape == (20 * 20,)
    drawing = plot_signal_propagation(stats)
    left, right = drawing.axes
    assert len(left.patches) == 4
    assert len(right.patches) == 4
    assert [t.get_text() for t in left.get_yticklabels()] == ["1", "2", "3", "4"]
    # each row is the layer's histogram, its highest bar 0.9 above the row's baseline
    counts, _ = np.histogram(stats.activations[2], bins=np.linspace(-0.05, 1.05, 61))
    values, edges, baseline = drawing.activation_stairs[2].get_data()
    assert baseline == 2
    np.testing.assert_allclose(values, 2 + counts / counts.max() * 0.9)
    assert [t.get_text() for t in drawing.gradient_labels] == [
        f"std {s:.1e}" for s in np.std(stats.gradients, axis=1)
    ]
    assert drawing.description == (
        "Activations and weight gradients of 4 hidden layers (sigmoid, He (normal)): the "
        f"activations' std goes from {np.std(stats.activations[0]):.2g} in layer 1 to "
        f"{np.std(stats.activations[3]):.2g} in layer 4, the gradients' from "
        f"{np.std(stats.gradients[0]):.1e} to {np.std(stats.gradients[3]):.1e}."
    )


def test_plot_takes_its_axes_by_keyword_only():
    import matplotlib.pyplot as plt

    stats = signal_propagation("tanh", depth=2, width=8, n_samples=16)
    axes = plt.subplots(1, 2)[1]
    with pytest.raises(TypeError):
        plot_signal_propagation(stats, axes)
    assert plot_signal_propagation(stats, axes=axes).axes == tuple(axes)
    with pytest.raises(TypeError, match="stats must be the SignalStatistics"):
        plot_signal_propagation(stats.activation_std, axes=axes)
    plt.close("all")


def pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_explorer_redraws_in_place_the_figure_plot_draws_afresh():
    """The widget updates its artists instead of rebuilding the axes; the image is the same."""
    from matplotlib.figure import Figure

    from lecture_nn.style import course_style
    from lecture_nn.widgets import agg_png, interactive_figure

    explorer = SignalPropagationExplorer(width=30, n_samples=64)
    settings = [
        {"activation": "relu"},
        {"depth": 12},  # more rows, two-digit labels: laid out again
        {"scheme": "too small (normal, std 0.01)"},
        {"depth": 3},  # fewer rows
        {"activation": "sigmoid", "depth": 12},  # back to a layout seen before
        {"activation": "tanh"},
    ]
    with course_style("screen"):
        widget = interactive_figure(
            explorer.draw,
            activation=["tanh", "relu", "sigmoid"],
            scheme=list(SCHEMES),
            depth=(2, 20, 1),
            figsize=(11, 5),
            clear=False,
            cache=False,
        )
        axes = tuple(widget.figure.axes)
        for values in settings:
            shown = widget.update(**values)
            assert tuple(widget.figure.axes) == axes  # the same axes, updated
            reference = Figure(figsize=widget.figure.get_size_inches(), layout="constrained")
            stats = signal_propagation(**widget.values, width=30, n_samples=64)
            plot_signal_propagation(stats, axes=reference.subplots(1, 2))
            np.testing.assert_array_equal(pixels(shown), pixels(agg_png(reference)), str(values))


def test_explorer_computes_each_setting_once(monkeypatch):
    from matplotlib.figure import Figure

    from lecture_nn import initialization

    calls = []
    original = initialization.signal_propagation

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(initialization, "signal_propagation", counted)
    explorer = SignalPropagationExplorer(width=10, n_samples=16)
    fig = Figure()
    for activation in ("tanh", "relu", "tanh", "relu"):
        drawing = explorer.draw(fig, activation=activation, depth=3)
    assert calls == [("tanh", "Glorot (normal)"), ("relu", "Glorot (normal)")]
    assert drawing.description.startswith("Activations and weight gradients of 3 hidden layers")


def test_bad_input():
    with pytest.raises(ValueError, match="scheme must be one of"):
        signal_propagation("tanh", "orthogonal")
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        signal_propagation("tanh", depth=0)
    with pytest.raises(ValueError, match="activation must be one of sigmoid, tanh, relu"):
        signal_propagation("", depth=2)
    with pytest.raises(TypeError, match="width must be an integer"):
        signal_propagation("tanh", width="3")
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        SignalPropagationExplorer(n_samples=2.5)
    assert len(SCHEMES) == 4


# --- The widget of notebook 04, as the notebook builds it -----------------------------------

MIN_FONT_POINTS = 8.0  # legible at the figure's own size (the size JupyterLab shows it)


def notebook_widget(notebook: str, marker: str):
    """Run the import cell and the widget cell (the one containing ``marker``) of a notebook.

    Returns the InteractiveFigure the cell's last expression creates, with the notebook's own
    draw function, controls and figure size.
    """
    import ast
    import json

    from lecture_nn.tooling.paths import course_notebooks

    path = next(p for p in course_notebooks() if p.name == notebook)
    cells = [
        c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"
    ]
    sources = ["".join(c["source"]) for c in cells]
    namespace: dict = {}
    exec(next(s for s in sources if "use_course_style()" in s), namespace)
    tree = ast.parse(next(s for s in sources if marker in s))
    *body, last = tree.body
    exec(compile(ast.Module(body, []), notebook, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), notebook, "eval"), namespace)


def illegible_texts(fig, min_points: float = MIN_FONT_POINTS) -> list[str]:
    """Texts drawn on ``fig`` that leave the figure or are smaller than ``min_points``.

    Only the texts a draw really renders count (matplotlib keeps tick labels outside the
    view limits as artists, but does not draw them).
    """
    drawn = drawn_texts(fig)
    box = fig.bbox
    problems = []
    for text, extent in drawn:
        inside = (
            extent.x0 >= box.x0 - 0.5
            and extent.x1 <= box.x1 + 0.5
            and extent.y0 >= box.y0 - 0.5
            and extent.y1 <= box.y1 + 0.5
        )
        if not inside:
            problems.append(f"{text.get_text()!r} leaves the figure: {extent} not in {box}")
        if text.get_fontsize() < min_points:
            problems.append(f"{text.get_text()!r} is {text.get_fontsize():.1f} pt")
    assert drawn, "nothing was drawn"
    return problems


def test_deep_network_widget_text_is_legible_and_inside_the_figure():
    """Issue 13: the "std 0.22" labels were 6.9 pt; every text is now >= 8 pt and on the canvas."""
    from lecture_nn.style import course_style

    with course_style("screen"):
        widget = notebook_widget("04_initialization.ipynb", "interactive_figure(signals.draw")
        # The default, the widest numbers ("std 2.6e+16") and the most rows.
        cases = [{}, {"activation": "relu", "scheme": "too large (normal, std 1)", "depth": 20}]
        for values in cases:
            widget.update(**{**widget.defaults, **values})
            labels = [t.get_text() for t in widget.figure.findobj(lambda a: hasattr(a, "get_text"))]
            assert any(label.startswith("std ") for label in labels)  # the labels are there
            assert illegible_texts(widget.figure) == [], values


def test_transfer_learning_progress_counts_the_epochs_of_each_training():
    """Issue 13: the transfer-learning cell trained three models silently."""
    import keras

    from lecture_nn.initialization import TRANSFER_TRAININGS, _progress_callback

    class Recorder:
        def __init__(self):
            self.lines = []

        def update(self, text):
            self.lines.append(text)

    status = Recorder()
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    callback = _progress_callback(status, "transferred", 2, 3)
    model.fit(np.zeros((4, 2)), np.zeros(4), epochs=3, verbose=0, callbacks=[callback])
    assert list(TRANSFER_TRAININGS) == ["digit network", "transferred", "from scratch"]
    assert status.lines[0] == "Training 2 of 3 (transferred): epoch 1 of 3"
    assert status.lines[-1] == "Training 2 of 3 (transferred): epoch 3 of 3"


def test_transfer_learning_refuses_bad_arguments():
    from lecture_nn.initialization import transfer_learning

    with pytest.raises(ValueError, match="n_labelled must be an integer >= 4"):
        transfer_learning(n_labelled=2)
    with pytest.raises(ValueError, match="n_labelled must be an integer <= 400"):
        transfer_learning(n_labelled=401)
    with pytest.raises(TypeError, match="seed must be an integer"):
        transfer_learning(seed=0.5)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        transfer_learning(seed=-1)
    with pytest.raises(TypeError, match="progress must be True or False"):
        transfer_learning(progress="False")
