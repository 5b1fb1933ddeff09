"""Grids of example images with their class names, and what a confusion matrix says about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lecture_nn import _plotting
from lecture_nn import _validation as check
from lecture_nn._plotting import Drawing

__all__ = [
    "ConfusionFacts",
    "ExampleGrid",
    "confusion_facts",
    "plot_examples",
    "plot_examples_per_class",
]

#: What the example grids return (their former name): a :class:`Drawing` whose ``axes``
#: are the grid's axes row by row, with the artists ``axes_grid`` (the same axes as an
#: array of shape (rows, columns)), ``indices`` (the images drawn, in the same order) and
#: ``images`` (the AxesImage of each).
ExampleGrid = Drawing


def _class_names(class_names, argument: str = "class_names") -> tuple[str, ...]:
    """Check ``class_names``: one or more names (strings), one per class; not a single string.

    A string is a sequence too, but ``"abcdefghij"`` would name ten classes by its letters.
    """
    if isinstance(class_names, (str, bytes)) or not isinstance(class_names, Sequence | np.ndarray):
        raise TypeError(
            f"{argument} must be a list of class names (strings), one per class, "
            f"got {class_names!r}"
        )
    names = tuple(class_names)
    if not names:
        raise ValueError(f"{argument} must name at least one class")
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(f"{argument}[{i}] must be a string, got {name!r}")
    return names


def _labels(labels, argument: str, n_classes: int) -> np.ndarray:
    """Integer class numbers in 0 .. n_classes - 1, as a 1-D int64 array."""
    array = np.asarray(labels)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{argument} must hold integer class numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{argument} must be a 1-D array, got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(
            f"{argument} must lie in 0..{n_classes - 1} to name their classes "
            f"(class_names holds {n_classes} name{'s' if n_classes != 1 else ''})"
        )
    return array.astype(np.int64)


def _check_images(images, labels, class_names) -> tuple[np.ndarray, np.ndarray]:
    # Not check.as_array: that copies, and the training set is 60,000 images. The images
    # drawn are checked for finite values in _draw.
    try:
        images = np.asarray(images)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise ValueError(f"images must be an array of numbers: {error}") from None
    if images.dtype.kind not in "biuf":
        raise TypeError(f"images must hold real numbers, got an array of dtype {images.dtype}")
    if images.ndim not in (2, 3):
        raise ValueError(
            f"images must have shape (n, height, width) or (n, 784), got {images.shape}"
        )
    if len(images) == 0:
        raise ValueError(f"images must hold at least one image, got shape {images.shape}")
    if images.ndim == 2:
        if images.shape[1] != 784:
            raise ValueError(
                f"images must have shape (n, height, width) or (n, 784), got {images.shape}"
            )
        images = images.reshape(-1, 28, 28)
    labels = _labels(labels, "labels", len(class_names))
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},), got {labels.shape}")
    return images, labels


def _draw(axes, images, labels, class_names, indices, titles: bool) -> list:
    if not np.all(np.isfinite(images[indices])):
        raise ValueError("images must hold finite numbers only (no NaN or infinity)")
    drawn = []
    for ax, index in zip(axes, indices):
        drawn.append(ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=images.max() or 1))
        if titles:
            ax.set_title(class_names[labels[index]], fontsize="small")
        ax.set_axis_off()
    return drawn


def plot_examples(
    images,
    labels,
    class_names: Sequence[str],
    *,
    rows: int = 2,
    columns: int = 8,
    seed: int = 0,
    axes=None,
) -> Drawing:
    """Draw ``rows * columns`` randomly chosen images (seeded) titled with their class names.

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (n, 784)
        Grey-scale images (finite values; 784 columns are 28 x 28 images).
    labels : array_like of int, shape (n,)
        The class number of each image, in 0 .. len(class_names) - 1.
    class_names : sequence of str
        One name per class (a list or tuple; a single string is refused).
    rows, columns : int
        The grid, each >= 1, with rows * columns <= n.
    seed : int
        Seed of the choice of images, in [0, 2**32 - 1].
    axes : sequence of matplotlib.axes.Axes, optional
        Exactly ``rows * columns`` axes (any nesting) to draw on; a new figure when None.

    Returns
    -------
    Drawing
        ``axes`` (row by row), ``axes_grid`` (rows, columns), ``indices`` (rows * columns,)
        of the images drawn (sorted), ``images`` (their AxesImage artists).

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    class_names = _class_names(class_names)
    images, labels = _check_images(images, labels, class_names)
    rows = check.positive_int(rows, "rows")
    columns = check.positive_int(columns, "columns")
    seed = check.seed(seed)
    count = rows * columns
    if count > len(images):
        raise ValueError(f"rows x columns must be between 1 and {len(images)}, got {count}")
    indices = np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))
    flat = _plotting.axes_grid_or_new(axes, (rows, columns), (columns * 1.2 + 1.2, rows * 1.45))
    drawn = _draw(flat, images, labels, class_names, indices, titles=True)
    shown = len(set(labels[indices].tolist()))
    titles = ", ".join(class_names[label] for label in labels[indices])
    description = (
        f"{count} randomly chosen example images ({rows} rows of {columns}), each titled with "
        f"its class; {shown} of the {len(class_names)} classes appear. Row by row: {titles}."
    )
    artists = {
        "axes_grid": np.array(flat, dtype=object).reshape(rows, columns),
        "indices": indices,
        "images": drawn,
    }
    return Drawing(axes=flat, artists=artists, description=description)


def plot_examples_per_class(
    images,
    labels,
    class_names: Sequence[str],
    *,
    per_class: int = 6,
    seed: int = 0,
    axes=None,
) -> Drawing:
    """Draw ``per_class`` random examples of every class, one row per class (seeded).

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (n, 784)
        Grey-scale images (finite values).
    labels : array_like of int, shape (n,)
        The class number of each image, in 0 .. len(class_names) - 1.
    class_names : sequence of str
        One name per class; each row starts with its class's name.
    per_class : int
        Images per class (columns), >= 1; every class needs that many.
    seed : int
        Seed of the choice of images, in [0, 2**32 - 1].
    axes : sequence of matplotlib.axes.Axes, optional
        Exactly ``len(class_names) * per_class`` axes; a new figure when None.

    Returns
    -------
    Drawing
        ``axes`` (row by row), ``axes_grid`` (classes, per_class), ``indices`` of the images
        drawn (class by class), ``images`` (their AxesImage artists).

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above, or a class has fewer than ``per_class``
        images.
    """
    class_names = _class_names(class_names)
    images, labels = _check_images(images, labels, class_names)
    per_class = check.positive_int(per_class, "per_class")
    rng = np.random.default_rng(check.seed(seed))
    rows = []
    for label in range(len(class_names)):
        members = np.flatnonzero(labels == label)
        if len(members) < per_class:
            raise ValueError(
                f"class {label} ({class_names[label]}) has {len(members)} images, "
                f"fewer than per_class={per_class}"
            )
        rows.append(np.sort(rng.choice(members, per_class, replace=False)))
    indices = np.concatenate(rows)
    n_classes = len(class_names)
    flat = _plotting.axes_grid_or_new(
        axes, (n_classes, per_class), (per_class * 1.0 + 1.2, n_classes * 1.25)
    )
    drawn = _draw(flat, images, labels, class_names, indices, titles=False)
    grid = np.array(flat, dtype=object).reshape(n_classes, per_class)
    for row, name in zip(grid[:, 0], class_names):
        row.text(-0.1, 0.5, name, transform=row.transAxes, ha="right", va="center")
    description = (
        f"{per_class} example images of each of the {n_classes} classes, one row per class, "
        f"from {class_names[0]} to {class_names[-1]}."
    )
    artists = {"axes_grid": grid, "indices": indices, "images": drawn}
    return Drawing(axes=flat, artists=artists, description=description)


@dataclass
class ConfusionFacts:
    """What a confusion matrix says about the classes: recall per class and main confusions.

    ``matrix`` (k, k) counts true classes (rows) against predicted ones (columns);
    ``recall`` (k,) is the share of each true class predicted right (NaN for an absent class).
    """

    matrix: np.ndarray
    class_names: tuple[str, ...]

    @property
    def recall(self) -> np.ndarray:
        """Diagonal over row sums: per true class, the share predicted right."""
        totals = self.matrix.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, np.diag(self.matrix) / np.maximum(totals, 1), np.nan)

    def ranked(self) -> np.ndarray:
        """Return the class indices from the lowest recall to the highest (ties: lower first)."""
        recall = np.nan_to_num(self.recall, nan=np.inf)
        return np.argsort(recall, kind="stable")

    @property
    def hardest(self) -> int:
        """Index of the class with the lowest recall."""
        return int(self.ranked()[0])

    def easiest(self, count: int = 3) -> list[int]:
        """Return the indices of the ``count`` classes with the highest recall, best first."""
        count = check.count(count, "count")
        recall = np.nan_to_num(self.recall, nan=-np.inf)
        return [int(k) for k in np.argsort(-recall, kind="stable")[:count]]

    def mistaken_for(self, label: int, count: int = 3) -> list[int]:
        """Return the ``count`` classes most often predicted for true class ``label``.

        The class itself is left out, and so are classes it was never taken for.
        """
        label = check.integer(label, "label", minimum=0, maximum=len(self.matrix) - 1)
        count = check.count(count, "count")
        row = self.matrix[label].astype(float)
        row[label] = -1
        order = np.argsort(-row, kind="stable")
        return [int(k) for k in order[:count] if row[k] > 0]

    def describe(self, count: int = 3) -> str:
        """Return two lines: the hardest class and what it is taken for; the easiest classes."""
        names, recall, hard = self.class_names, self.recall, self.hardest
        confusions = ", ".join(
            f"{names[k]} ({self.matrix[hard, k]})" for k in self.mistaken_for(hard, count)
        )
        easy = ", ".join(f"{names[k]} ({recall[k]:.0%})" for k in self.easiest(count))
        return (
            f"hardest class: {names[hard]}, {recall[hard]:.0%} right; most often taken for "
            f"{confusions or 'nothing'}\n"
            f"easiest classes: {easy}"
        )


def confusion_facts(y_true, y_pred, class_names: Sequence[str]) -> ConfusionFacts:
    """Count the confusion matrix of integer labels ``y_true`` and predictions ``y_pred``.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted class numbers, in 0 .. len(class_names) - 1.
    class_names : sequence of str
        One name per class (a single string is refused).

    Returns
    -------
    ConfusionFacts
        The (k, k) matrix, true classes in rows, and what it says about the classes.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    class_names = _class_names(class_names)
    k = len(class_names)
    y_true = _labels(y_true, "y_true", k)
    y_pred = _labels(y_pred, "y_pred", k)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D arrays of the same length, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    matrix = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    return ConfusionFacts(matrix, class_names)
