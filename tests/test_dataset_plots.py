"""Example grids draw the chosen images with their own class names."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_nn.dataset_plots import plot_examples, plot_examples_per_class

NAMES = tuple(f"class {k}" for k in range(10))


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 8)
    images = rng.integers(0, 256, size=(80, 28, 28), dtype=np.uint8)
    return images, labels


def test_random_examples_show_their_image_and_class(toy):
    images, labels = toy
    grid = plot_examples(images, labels, NAMES, rows=2, columns=5, seed=1)
    assert grid.axes.shape == (2, 5)
    for ax, index in zip(grid.axes.ravel(), grid.indices):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[index])
        assert ax.get_title() == NAMES[labels[index]]
    again = plot_examples(images, labels, NAMES, rows=2, columns=5, seed=1)
    np.testing.assert_array_equal(grid.indices, again.indices)
    assert len(set(grid.indices)) == 10


def test_flattened_images_and_given_axes(toy):
    images, labels = toy
    fig, axes = plt.subplots(1, 3)
    grid = plot_examples(images.reshape(80, 784), labels, NAMES, rows=1, columns=3, axes=axes)
    assert grid.axes[0, 0] is axes[0]
    assert len(plt.get_fignums()) == 1
    assert grid.axes[0, 0].images[0].get_array().shape == (28, 28)


def test_one_row_per_class(toy):
    images, labels = toy
    grid = plot_examples_per_class(images, labels, NAMES, per_class=4)
    assert grid.axes.shape == (10, 4)
    for row in range(10):
        for ax, index in zip(grid.axes[row], grid.indices[row * 4 : (row + 1) * 4]):
            assert labels[index] == row
            np.testing.assert_array_equal(ax.images[0].get_array(), images[index])
        assert grid.axes[row, 0].texts[0].get_text() == NAMES[row]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda i, y: plot_examples(i[:, :5, 0], y, NAMES), r"shape \(n, height, width\)"),
        (lambda i, y: plot_examples(i, y[:5], NAMES), "labels must have shape"),
        (lambda i, y: plot_examples(i, y + 5, NAMES), r"labels must lie in 0\.\.9"),
        (lambda i, y: plot_examples(i, y, NAMES, rows=20, columns=20), "rows x columns"),
        (lambda i, y: plot_examples_per_class(i, y, NAMES, per_class=9), "fewer than per_class"),
        (lambda i, y: plot_examples_per_class(i, y, NAMES, per_class=0), "at least 1"),
    ],
)
def test_bad_input(toy, call, message):
    with pytest.raises(ValueError, match=message):
        call(*toy)


# --- confusion facts -------------------------------------------------------------------------

FOUR = ("a", "b", "c", "d")


def _labels(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 4, size=n)
    y_pred = np.where(rng.uniform(size=n) < 0.6, y_true, rng.integers(0, 4, size=n))
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(4))
def test_confusion_facts_match_scikit_learn(seed):
    from sklearn.metrics import confusion_matrix, recall_score

    from lecture_nn.dataset_plots import confusion_facts

    y_true, y_pred = _labels(seed)
    facts = confusion_facts(y_true, y_pred, FOUR)
    np.testing.assert_array_equal(facts.matrix, confusion_matrix(y_true, y_pred, labels=range(4)))
    np.testing.assert_allclose(facts.recall, recall_score(y_true, y_pred, average=None))
    assert facts.hardest == int(np.argmin(facts.recall))
    assert facts.easiest(2) == [int(k) for k in np.argsort(-facts.recall)[:2]]


def test_confusion_facts_by_hand():
    from lecture_nn.dataset_plots import confusion_facts

    # class 0: 3 of 5 right, taken for 2 twice; class 1: 4 of 4; class 2: 1 of 3 (twice 0)
    y_true = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3])
    y_pred = np.array([0, 0, 0, 2, 2, 1, 1, 1, 1, 2, 0, 0, 3])
    facts = confusion_facts(y_true, y_pred, FOUR)
    assert facts.hardest == 2
    assert facts.mistaken_for(2) == [0]
    assert facts.mistaken_for(0) == [2]
    assert facts.easiest(2) == [1, 3]  # both 100 %: the lower index first
    assert facts.describe(2) == (
        "hardest class: c, 33% right; most often taken for a (2)\n"
        "easiest classes: b (100%), d (100%)"
    )


def test_confusion_facts_reject_bad_labels():
    from lecture_nn.dataset_plots import confusion_facts

    with pytest.raises(ValueError, match="same length"):
        confusion_facts([0, 1], [0], FOUR)
    with pytest.raises(ValueError, match=r"y_pred must lie in 0..3"):
        confusion_facts([0, 1], [0, 4], FOUR)
    with pytest.raises(TypeError, match="integer class numbers"):
        confusion_facts([0.0, 1.0], [0, 1], FOUR)
