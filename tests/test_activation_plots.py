"""Activation plots draw the closed-form curves."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_nn.activation_plots import (
    plot_activation,
    plot_activation_grid,
    plot_output_activation,
    plot_softmax,
)


def test_sigmoid_curve_and_derivative_are_the_closed_forms():
    _, ax = plt.subplots()
    plot = plot_activation("sigmoid", ax=ax, derivative=True)
    assert plot.ax is ax
    z = plot.lines["function"].get_xdata()
    expected = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(plot.lines["function"].get_ydata(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        plot.lines["derivative"].get_ydata(), expected * (1 - expected), rtol=1e-12
    )


def test_relu_derivative_has_a_gap_at_the_kink():
    plot = plot_activation("relu", derivative=True)
    z = plot.lines["derivative"].get_xdata()
    y = plot.lines["derivative"].get_ydata()
    assert np.isnan(z).sum() == 1
    gap = int(np.flatnonzero(np.isnan(z))[0])
    assert z[gap - 1] == 0.0  # the jump is after the value at the kink, never drawn as a line
    assert y[gap - 1] == 0.0
    assert y[gap + 1] == 1.0
    np.testing.assert_array_equal(y[z < 0], 0.0)
    np.testing.assert_array_equal(y[z > 0], 1.0)


def test_leaky_relu_slope_is_drawn():
    plot = plot_activation("leaky_relu", negative_slope=0.1, z_range=(-4, 4))
    assert plot.lines["function"].get_ydata()[0] == pytest.approx(-0.4)


def test_softmax_curves_sum_to_one_and_match_closed_form():
    plot = plot_softmax(other_logits=(1.0, -1.0))
    z = plot.lines["class 1"].get_xdata()
    curves = np.array([plot.lines[f"class {k}"].get_ydata() for k in (1, 2, 3)])
    np.testing.assert_allclose(curves.sum(axis=0), 1.0)
    expected = np.exp(z) / (np.exp(z) + np.e + np.exp(-1))
    np.testing.assert_allclose(curves[0], expected, rtol=1e-12)


def test_output_activation_and_grid():
    assert set(plot_output_activation("softmax").lines) == {"class 1", "class 2", "class 3"}
    plots = plot_activation_grid(["sigmoid", "softmax", "linear"])
    assert [p.ax.get_title() for p in plots] == ["sigmoid", "softmax", "linear"]
    assert len(plt.get_fignums()) == 2


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_activation("swish"), ValueError, "unknown activation"),
        (lambda: plot_activation("softmax"), ValueError, "plot_softmax"),
        (lambda: plot_activation("relu", z_range=(3, -3)), ValueError, "low < high"),
        (lambda: plot_activation("relu", z_range=5), TypeError, "pair of numbers"),
        (lambda: plot_output_activation("tanh"), ValueError, "output activation"),
        (lambda: plot_softmax(other_logits=[]), ValueError, "other_logits"),
        (lambda: plot_activation_grid([]), ValueError, "at least one"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
