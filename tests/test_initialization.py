"""The initialisation experiment against the variance argument behind Glorot and He."""

import numpy as np
import pytest

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
