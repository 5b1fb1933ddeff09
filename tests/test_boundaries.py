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
        (np.full((5, 2), np.nan), None, "nan"),
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
    titles = [p.ax.get_title() for p in plots]
    assert titles[0].startswith("relu: test accuracy")
    assert titles[1].startswith("tanh: test accuracy")
    with pytest.raises(ValueError, match="n_hidden_layers"):
        comparison.fit("relu", 0)
    with pytest.raises(ValueError, match="activation must be one of"):
        comparison.fit("softmax", 1)
