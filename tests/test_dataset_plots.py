"""Example grids draw the chosen images with their own class names."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_nn.dataset_plots import confusion_facts, plot_examples, plot_examples_per_class

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
    assert grid.axes_grid.shape == (2, 5)
    assert list(grid.axes) == list(grid.axes_grid.ravel())
    for ax, index in zip(grid.axes, grid.indices):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[index])
        assert ax.get_title() == NAMES[labels[index]]
    again = plot_examples(images, labels, NAMES, rows=2, columns=5, seed=1)
    np.testing.assert_array_equal(grid.indices, again.indices)
    assert len(set(grid.indices)) == 10


def test_flattened_images_and_given_axes(toy):
    images, labels = toy
    fig, axes = plt.subplots(1, 3)
    grid = plot_examples(images.reshape(80, 784), labels, NAMES, rows=1, columns=3, axes=axes)
    assert grid.axes_grid[0, 0] is axes[0]
    assert len(plt.get_fignums()) == 1
    assert grid.axes_grid[0, 0].images[0].get_array().shape == (28, 28)


def test_one_row_per_class(toy):
    images, labels = toy
    grid = plot_examples_per_class(images, labels, NAMES, per_class=4)
    assert grid.axes_grid.shape == (10, 4)
    for row in range(10):
        for ax, index in zip(grid.axes_grid[row], grid.indices[row * 4 : (row + 1) * 4]):
            assert labels[index] == row
            np.testing.assert_array_equal(ax.images[0].get_array(), images[index])
        assert grid.axes_grid[row, 0].texts[0].get_text() == NAMES[row]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda i, y: plot_examples(i[:, :5, 0], y, NAMES), r"shape \(n, height, width\)"),
        (lambda i, y: plot_examples(i, y[:5], NAMES), "labels must have shape"),
        (lambda i, y: plot_examples(i, y + 5, NAMES), r"labels must lie in 0\.\.9"),
        (lambda i, y: plot_examples(i, y, NAMES, rows=20, columns=20), "rows x columns"),
        (lambda i, y: plot_examples_per_class(i, y, NAMES, per_class=9), "fewer than per_class"),
        (
            lambda i, y: plot_examples_per_class(i, y, NAMES, per_class=0),
            "per_class must be an integer >= 1",
        ),
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


# -- issue 14: class names are a list of strings; one rule per check; descriptions ---------


@pytest.mark.parametrize("bad", ["abcdefghij", b"abcdefghij", 10, None])
def test_class_names_must_be_a_list_of_names_not_a_string(toy, bad):
    # Before: class_names="abcdefghij" titled the images with single letters.
    images, labels = toy
    for call in (
        lambda: plot_examples(images, labels, bad),
        lambda: plot_examples_per_class(images, labels, bad),
        lambda: confusion_facts(labels, labels, bad),
    ):
        with pytest.raises(TypeError, match="class_names must be a list of class names"):
            call()
    assert plt.get_fignums() == []
    with pytest.raises(TypeError, match=r"class_names\[3\] must be a string"):
        plot_examples(images, labels, (*NAMES[:3], 3, *NAMES[4:]))


def test_sizes_seeds_and_axes_follow_the_one_rule(toy):
    images, labels = toy
    grid = plot_examples(images, labels, NAMES, rows=np.int64(1), columns=np.int32(2),
                         seed=np.uint8(4))  # fmt: skip
    assert grid.axes_grid.shape == (1, 2)
    with pytest.raises(TypeError, match="rows must be an integer"):
        plot_examples(images, labels, NAMES, rows=2.0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        plot_examples(images, labels, NAMES, seed=-1)
    with pytest.raises(TypeError, match=r"axes\[0\] must be a matplotlib Axes"):
        plot_examples(images, labels, NAMES, rows=1, columns=2, axes=["a", "b"])
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        plot_examples(images, labels, NAMES, rows=1, columns=2, axes=plt.subplots(1, 3)[1])
    with pytest.raises(TypeError, match="labels must hold integer class numbers"):
        plot_examples(images, labels + 0.5, NAMES)
    bad = images.astype(float)
    bad[:] = np.nan
    with pytest.raises(ValueError, match="images must hold finite numbers"):
        plot_examples(bad, labels, NAMES)


def test_descriptions_count_the_images_and_classes(toy):
    images, labels = toy
    grid = plot_examples(images, labels, NAMES, rows=2, columns=3, seed=2)
    shown = len(set(labels[grid.indices].tolist()))
    titles = [ax.get_title() for ax in grid.axes]  # what each image is titled with
    assert grid.description == (
        f"6 randomly chosen example images (2 rows of 3), each titled with its class; "
        f"{shown} of the 10 classes appear. Row by row: {', '.join(titles)}."
    )
    per_class = plot_examples_per_class(images, labels, NAMES, per_class=2)
    assert per_class.description == (
        "2 example images of each of the 10 classes, one row per class, from class 0 to class 9."
    )
