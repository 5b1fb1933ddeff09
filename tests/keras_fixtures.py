"""The small compiled Keras classifier the Keras tests fit, and what they record of a fit.

A support module (not collected by pytest). Several tests (the callbacks' and the claims
registers of notebooks 06 and 07) fit a tiny softmax classifier on a few separable points
to watch a callback work: :func:`separable_data` makes the points, :func:`small_classifier`
the seeded, compiled model, and :func:`fit_with_snapshots` fits it while keeping a copy of
the weights after every epoch (to compare with what a callback restores).
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["WeightSnapshots", "fit_with_snapshots", "separable_data", "small_classifier"]


def separable_data(n: int = 120, n_features: int = 8, *, seed: int = 3, noise: float = 0.5):
    """Points ``x`` (n, n_features) float32 and labels ``y`` (n,) int32: 1 where x_0 + noise > 0."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype("float32")
    y = (x[:, 0] + noise * rng.normal(size=n) > 0).astype("int32")
    return x, y


def small_classifier(
    n_features: int = 8,
    n_classes: int = 2,
    *,
    hidden: tuple[int, ...] = (),
    learning_rate: float = 0.5,
    metrics=("accuracy",),
    seed: int | None = 0,
) -> keras.Model:
    """A compiled softmax classifier ``n_features -> hidden (ReLU)... -> n_classes``.

    ``keras.utils.set_random_seed(seed)`` runs first (None: leave the global seed as it is),
    so the same arguments give the same initial weights. SGD with ``learning_rate``, sparse
    categorical cross-entropy, ``metrics`` (empty: loss only). ``hidden=()`` is a logistic
    regression.
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(n_features,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=list(metrics),
    )
    return model


class WeightSnapshots(keras.callbacks.Callback):
    """Keep a copy of the model's weights at the end of every epoch, in ``snapshots``."""

    def __init__(self):
        super().__init__()
        self.snapshots: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch, logs=None):
        """Copy the weights."""
        self.snapshots.append([np.array(w, copy=True) for w in self.model.get_weights()])


def fit_with_snapshots(model, x, y, *, callbacks=(), **fit_options):
    """Fit ``model`` (verbose 0) recording the weights after each epoch, before ``callbacks``.

    Returns ``(history, snapshots)``: Keras's ``History.history`` and one list of weight
    arrays per epoch run.
    """
    record = WeightSnapshots()
    fit_options.setdefault("verbose", 0)
    history = model.fit(x, y, callbacks=[record, *callbacks], **fit_options).history
    return history, record.snapshots
