"""The training replay draws the recorded weights, the network's boundary and the losses."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_texts import drawn_texts
from matplotlib.figure import Figure
from sklearn.datasets import make_moons

from lecture_nn.network import Network, train
from lecture_nn.training_plots import TrainingReplay


@pytest.fixture(scope="module")
def recorded():
    points, labels = make_moons(n_samples=60, noise=0.2, random_state=0)
    network = Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    start = network.copy()
    run = train(network, points, labels.reshape(-1, 1), learning_rate=0.5, steps=40)
    return start, network, run, points, labels


def test_replay_shows_the_weights_boundary_and_loss_of_each_step(recorded):
    start, network, run, points, labels = recorded
    replay = TrainingReplay(network, run, points, labels, resolution=30)
    fig = Figure(figsize=(12, 4))
    for step in (0, 17, 40):
        artists = replay.draw(fig, step=step)
        kernels, biases = run.weights[step][0::2], run.weights[step][1::2]
        expected = np.concatenate([np.concatenate([k.ravel(), b]) for k, b in zip(kernels, biases)])
        np.testing.assert_allclose(artists.diagram.edge_values, expected)
        probe = start.copy()
        probe.set_weights(run.weights[step])
        x_min, x_max, y_min, y_max = replay.extent
        xx, yy = np.meshgrid(np.linspace(x_min, x_max, 30), np.linspace(y_min, y_max, 30))
        expected_image = probe.predict(np.column_stack([xx.ravel(), yy.ravel()])).reshape(30, 30)
        np.testing.assert_allclose(artists.image.get_array(), expected_image, rtol=1e-12)
        np.testing.assert_array_equal(artists.loss_line.get_ydata(), run.losses[: step + 1])
        accuracy = np.mean((probe.predict(points)[:, 0] > 0.5) == labels)
        assert artists.boundary_axes.get_title() == f"step {step}: accuracy {accuracy:.2f}"
    assert len(fig.axes) == 3  # updated in place, not stacked


def test_training_start_is_not_the_trained_network(recorded):
    start, network, run, *_ = recorded
    np.testing.assert_allclose(run.weights[0][0], start.get_weights()[0])
    np.testing.assert_allclose(run.weights[-1][0], network.get_weights()[0])
    assert run.losses[-1] < run.losses[0]


def test_replay_bad_input(recorded):
    _, network, run, points, labels = recorded
    replay = TrainingReplay(network, run, points, labels)
    with pytest.raises(ValueError, match="step must be between 0 and 40"):
        replay.draw(plt.figure(), step=41)
    with pytest.raises(TypeError, match="step must be an integer"):
        replay.draw(plt.figure(), step=1.5)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        TrainingReplay(network, run, points[:, :1], labels)
    with pytest.raises(ValueError, match="y must hold one label, 0 or 1, per row of X"):
        TrainingReplay(network, run, points, labels[:-1])
    with pytest.raises(TypeError, match="X must hold real numbers"):
        TrainingReplay(network, run, points + 1j, labels)
    with pytest.raises(ValueError, match="resolution"):
        TrainingReplay(network, run, points, labels, resolution=0)
    with pytest.raises(TypeError, match="run must be the TrainingRun"):
        TrainingReplay(network, run.weights, points, labels)
    wide = Network([3, 2, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="2 inputs"):
        TrainingReplay(wide, run, points, labels)


def test_replay_text_is_legible_and_inside_the_figure(recorded):
    """Issue 13: notebook 02's subplot titles were 8.3 pt ("small"); now >= 10 pt, all >= 8."""
    from lecture_nn.style import course_style
    from lecture_nn.widgets import interactive_figure

    _, network, run, points, labels = recorded
    replay = TrainingReplay(network, run, points, labels, resolution=30)
    with course_style("screen"):
        # as notebook 02 shows it
        widget = interactive_figure(
            replay.draw, step=(0, replay.steps, 1), figsize=(12, 4), layout=None, clear=False
        )
        for step in (0, replay.steps):
            widget.update(step=step)
            fig = widget.figure
            drawn = drawn_texts(fig)
            titles = [ax.title for ax in fig.axes]
            assert [t.get_text() for t in titles] == [
                "weights (red > 0, blue < 0)",
                f"step {step}: accuracy {titles[1].get_text().split()[-1]}",
                f"loss {run.losses[step]:.3f}",
            ]
            assert set(titles) <= {text for text, _ in drawn}
            assert min(t.get_fontsize() for t in titles) >= 10
            box = fig.bbox
            for text, extent in drawn:
                assert text.get_fontsize() >= 8, text.get_text()
                assert box.x0 <= extent.x0, text.get_text()
                assert extent.x1 <= box.x1, text.get_text()
                assert box.y0 <= extent.y0, text.get_text()
                assert extent.y1 <= box.y1, text.get_text()


def test_replay_draw_returns_a_drawing_that_describes_the_step(recorded):
    start, _, run, points, labels = recorded
    replay = TrainingReplay(start, run, points, labels, resolution=20)
    fig = Figure(figsize=(12, 4))
    drawing = replay.draw(fig, step=17)
    assert drawing.axes == tuple(fig.axes)
    probe = start.copy()
    probe.set_weights(run.weights[17])
    accuracy = np.mean((probe.predict(points)[:, 0] > 0.5) == labels)
    assert drawing.description == (
        f"Training replay of a 2-3-1 network at update 17 of 40: its weights, its decision "
        f"boundary on the 60 training points (accuracy {accuracy:.2f}) and the loss curve up "
        f"to the step (loss {run.losses[17]:.3f})."
    )
    assert drawing.loss_marker.get_ydata()[0] == run.losses[17]
