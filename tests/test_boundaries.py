"""Decision boundaries against a closed form, and the moons comparison."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from lecture_nn.boundaries import (
    MoonsActivationComparison,
    decision_grid,
    plot_decision_boundary,
)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1, 0.5, size=(30, 2)), rng.normal(1, 0.5, size=(30, 2))])
    y = np.repeat([0, 1], 30)
    return X, y


def test_grid_scores_are_the_logistic_closed_form(blobs):
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    grid = decision_grid(model, X, resolution=50)
    z = model.coef_[0, 0] * grid.xx + model.coef_[0, 1] * grid.yy + model.intercept_[0]
    np.testing.assert_allclose(grid.scores, 1 / (1 + np.exp(-z)), rtol=1e-10)
    assert grid.threshold == 0.5


def test_decision_function_models_use_threshold_zero(blobs):
    X, y = blobs
    model = LinearSVC().fit(X, y)
    grid = decision_grid(model, X, resolution=20)
    assert grid.threshold == 0.0
    expected = model.predict(np.column_stack([grid.xx.ravel(), grid.yy.ravel()]))
    np.testing.assert_array_equal((grid.scores > 0).ravel().astype(int), expected)


def test_plot_shades_regions_and_draws_points(blobs):
    X, y = blobs
    _, ax = plt.subplots()
    plot = plot_decision_boundary(LogisticRegression().fit(X, y), X, y, ax=ax)
    assert plot.ax is ax
    assert plot.points.get_offsets().shape == (60, 2)
    assert len(plot.boundary.allsegs[0]) >= 1  # the boundary line exists


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((5, 3)), None, r"shape \(n_samples, 2\)"),
        (np.full((5, 2), np.nan), None, "X must hold finite numbers"),
        (np.zeros((5, 2)), np.zeros(4), r"y must have shape \(5,\)"),
    ],
)
def test_bad_input(blobs, X, y, message):
    model = LogisticRegression().fit(*blobs)
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(model, X, y)


def test_not_a_classifier_is_a_type_error(blobs):
    with pytest.raises(TypeError, match="fitted classifier"):
        decision_grid(object(), blobs[0])


def test_moons_comparison_fits_once_and_reports_accuracy():
    comparison = MoonsActivationComparison()
    first = comparison.fit("relu", 2)
    assert comparison.fit("relu", 2) is first
    assert first.accuracy == pytest.approx(first.model.score(comparison.X_test, comparison.y_test))
    assert first.accuracy > 0.8
    fig = plt.figure()
    plots = comparison.draw(fig, n_hidden_layers=1)
    titles = [ax.get_title() for ax in plots]
    assert titles[0] == f"relu: test accuracy {comparison.fit('relu', 1).accuracy:.2f}, " + (
        f"{comparison.fit('relu', 1).model.n_iter_} iterations"
    )
    assert titles[1].startswith("tanh: test accuracy")
    with pytest.raises(ValueError, match="n_hidden_layers"):
        comparison.fit("relu", 0)
    with pytest.raises(ValueError, match="activation must be one of"):
        comparison.fit("softmax", 1)


def test_fit_all_precomputes_so_that_a_redraw_neither_fits_nor_predicts(monkeypatch):
    """Issue 13: the first view of a depth waited 1.2-3.6 s for two fits; now nothing waits."""
    from sklearn.neural_network import MLPClassifier

    from lecture_nn.widgets import interactive_figure

    comparison = MoonsActivationComparison().fit_all([1, 2], progress=False)
    assert set(comparison._fits) == {("relu", 1), ("tanh", 1), ("relu", 2), ("tanh", 2)}

    def refuse(*args, **kwargs):
        raise AssertionError("a redraw must not fit or predict")

    monkeypatch.setattr(MLPClassifier, "fit", refuse)
    monkeypatch.setattr(MLPClassifier, "predict_proba", refuse)
    widget = interactive_figure(comparison.draw, n_hidden_layers=(1, 2, 1), figsize=(9, 4),
                                clear=False, layout=None)
    axes = list(widget.figure.axes)
    for depth in (2, 1, 2):
        widget.update(n_hidden_layers=depth)
        assert widget.figure.axes == axes  # updated in place, not rebuilt
        grid = comparison.grid("tanh", depth)
        image = axes[1].get_images()[0]
        np.testing.assert_array_equal(image.get_array(), grid.scores > 0.5)
        # The boundary drawn is where the model's class changes: within one grid step of each
        # vertex, the model predicts both classes.
        segments = axes[1].collections[0].get_segments()
        assert segments
        model = comparison.fit("tanh", depth).model
        monkeypatch.undo()
        vertices = np.vstack(segments)
        step = np.array([grid.xx[0, 1] - grid.xx[0, 0], grid.yy[1, 0] - grid.yy[0, 0]])
        around = [model.predict(vertices + sign * step * axis)
                  for sign in (-1, 1) for axis in (np.array([1, 0]), np.array([0, 1]))]
        assert np.all(np.min(around, axis=0) != np.max(around, axis=0))
        monkeypatch.setattr(MLPClassifier, "fit", refuse)
        monkeypatch.setattr(MLPClassifier, "predict_proba", refuse)


def test_fit_all_needs_depths():
    with pytest.raises(ValueError, match="depths must hold at least 1"):
        MoonsActivationComparison().fit_all([])
    with pytest.raises(TypeError, match="progress must be True or False"):
        MoonsActivationComparison().fit_all([1], progress="False")
    with pytest.raises(TypeError, match=r"depths\[0\] must be an integer"):
        MoonsActivationComparison().fit_all([1.5])


# -- issue 14: numpy integers are integers; one result shape with a description ----------


def test_decision_grid_accepts_numpy_integers(blobs):
    # Before: resolution=np.int64(50) was refused ("must be an integer >= 2").
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    grid = decision_grid(model, X, resolution=np.int64(50))
    assert grid.xx.shape == grid.scores.shape == (50, 50)
    np.testing.assert_array_equal(grid.scores, decision_grid(model, X, resolution=50).scores)
    with pytest.raises(TypeError, match="resolution must be an integer"):
        decision_grid(model, X, resolution=50.0)
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        decision_grid(model, X, resolution=1)
    with pytest.raises(ValueError, match="margin must be a number >= 0"):
        decision_grid(model, X, margin=-1.0)


def test_plot_decision_boundary_checks_ax_alpha_and_labels(blobs):
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    for bad in ("ax", plt.figure()):
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            plot_decision_boundary(model, X, y, ax=bad)
    with pytest.raises(TypeError):
        plot_decision_boundary(model, X, y, plt.subplots()[1])  # positional ax: refused
    with pytest.raises(ValueError, match=r"alpha must be a number in \[0, 1\]"):
        plot_decision_boundary(model, X, y, alpha=2.0)
    with pytest.raises(ValueError, match="y must hold the labels 0 and 1"):
        plot_decision_boundary(model, X, y + 1)


def test_boundary_description_counts_the_grid_and_the_points(blobs):
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    plot = plot_decision_boundary(model, X, y, resolution=40, margin=0.5)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], 40), np.linspace(low[1], high[1], 40))
    share = np.mean(model.predict(np.column_stack([xx.ravel(), yy.ravel()])) == 1)
    assert plot.description == (
        f"Decision regions of a binary classifier on a 40 x 40 grid over x1 from "
        f"{low[0]:.3g} to {high[0]:.3g} and x2 from {low[1]:.3g} to {high[1]:.3g}: "
        f"{share:.0%} of the grid is predicted class 1; 60 points, 30 of them of class 1."
    )
    assert plot.grid.scores.shape == (40, 40)
    assert plot["fill"] is plot.fill
