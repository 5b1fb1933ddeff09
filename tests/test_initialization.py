"""The initialisation experiment against the variance argument behind Glorot and He."""

import numpy as np
import pytest
from figure_texts import drawn_texts

from lecture_nn.initialization import SCHEMES, plot_signal_propagation, signal_propagation


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
    left, right = plot_signal_propagation(stats)
    assert len(left.patches) == 4
    assert len(right.patches) == 4
    assert [t.get_text() for t in left.get_yticklabels()] == ["1", "2", "3", "4"]


def test_bad_input():
    with pytest.raises(ValueError, match="scheme must be one of"):
        signal_propagation("tanh", "orthogonal")
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        signal_propagation("tanh", depth=0)
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
        widget = notebook_widget("04_initialization.ipynb", "interactive_figure(deep_network")
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

    with pytest.raises(ValueError, match="n_labelled must be an integer from 4 to 400"):
        transfer_learning(n_labelled=2)
    with pytest.raises(TypeError, match="seed must be an integer"):
        transfer_learning(seed=0.5)
