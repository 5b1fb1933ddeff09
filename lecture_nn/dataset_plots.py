"""Grids of example images with their class names, and what a confusion matrix says about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lecture_nn import style


@dataclass
class ExampleGrid:
    """What an example grid drew: its axes (rows x columns) and the indices of the images."""

    axes: np.ndarray
    indices: np.ndarray


def _check_images(images, labels, class_names) -> tuple[np.ndarray, np.ndarray]:
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(
            f"images must have shape (n, height, width) or (n, 784), got {images.shape}"
        )
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},), got {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(class_names)):
        raise ValueError(f"labels must lie in 0..{len(class_names) - 1} to name their classes")
    return images, labels


def _grid_axes(rows: int, columns: int, axes, size_per_image: float) -> np.ndarray:
    if axes is None:
        import matplotlib.pyplot as plt

        width, height = style.figsize(
            columns * size_per_image + 1.2, rows * (size_per_image + 0.25)
        )
        _, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False)
    axes = np.asarray(axes, dtype=object).reshape(rows, columns)
    return axes


def _draw(axes: np.ndarray, images, labels, class_names, indices, titles: bool) -> None:
    for ax, index in zip(axes.ravel(), indices):
        ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=images.max() or 1)
        if titles:
            ax.set_title(class_names[labels[index]], fontsize="small")
        ax.set_axis_off()


def plot_examples(
    images,
    labels,
    class_names: Sequence[str],
    *,
    rows: int = 2,
    columns: int = 8,
    seed: int = 0,
    axes=None,
) -> ExampleGrid:
    """Draw ``rows * columns`` randomly chosen images (seeded) titled with their class names.

    ``images`` has shape (n, 28, 28) or (n, 784), ``labels`` shape (n,); ``axes`` is None
    (a new figure) or an array of at least ``rows * columns`` axes.
    """
    images, labels = _check_images(images, labels, class_names)
    count = rows * columns
    if rows < 1 or columns < 1 or count > len(images):
        raise ValueError(f"rows x columns must be between 1 and {len(images)}, got {count}")
    indices = np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))
    axes = _grid_axes(rows, columns, axes, 1.2)
    _draw(axes, images, labels, class_names, indices, titles=True)
    return ExampleGrid(axes, indices)


def plot_examples_per_class(
    images,
    labels,
    class_names: Sequence[str],
    *,
    per_class: int = 6,
    seed: int = 0,
    axes=None,
) -> ExampleGrid:
    """Draw ``per_class`` random examples of every class, one row per class (seeded)."""
    images, labels = _check_images(images, labels, class_names)
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    rng = np.random.default_rng(seed)
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
    axes = _grid_axes(len(class_names), per_class, axes, 1.0)
    _draw(axes, images, labels, class_names, indices, titles=False)
    for row, name in zip(axes[:, 0], class_names):
        row.text(-0.1, 0.5, name, transform=row.transAxes, ha="right", va="center")
    return ExampleGrid(axes, indices)


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
        """Class indices from the lowest recall to the highest (ties: lower index first)."""
        recall = np.nan_to_num(self.recall, nan=np.inf)
        return np.argsort(recall, kind="stable")

    @property
    def hardest(self) -> int:
        """Index of the class with the lowest recall."""
        return int(self.ranked()[0])

    def easiest(self, count: int = 3) -> list[int]:
        """Indices of the ``count`` classes with the highest recall, best first."""
        recall = np.nan_to_num(self.recall, nan=-np.inf)
        return [int(k) for k in np.argsort(-recall, kind="stable")[:count]]

    def mistaken_for(self, label: int, count: int = 3) -> list[int]:
        """The ``count`` classes most often predicted for true class ``label`` (not itself)."""
        row = self.matrix[label].astype(float)
        row[label] = -1
        order = np.argsort(-row, kind="stable")
        return [int(k) for k in order[:count] if row[k] > 0]

    def describe(self, count: int = 3) -> str:
        """Two lines: the hardest class and what it is taken for; the easiest classes."""
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
    """Count the confusion matrix of integer labels ``y_true`` and predictions ``y_pred`` (n,)."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    k = len(class_names)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D arrays of the same length, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class numbers, got dtype {labels.dtype}")
        if len(labels) and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"{name} must lie in 0..{k - 1} to name their classes")
    matrix = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    return ConfusionFacts(matrix, tuple(class_names))
