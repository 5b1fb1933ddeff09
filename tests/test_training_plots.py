"""The training replay draws the recorded weights, the network's boundary and the losses."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
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
    wide = Network([3, 2, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="2 inputs"):
        TrainingReplay(wide, run, points, labels)
