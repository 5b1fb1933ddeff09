"""Loss functions and their gradients, in numpy, with the definitions Keras uses.

Shapes: ``y_pred`` is (batch, outputs); ``y_true`` has the same shape, or (batch,) when
there is a single output (Keras accepts that too). Every loss is averaged over the batch,
like ``keras.losses.<Loss>()(y_true, y_pred)`` with its default reduction:

* ``binary_crossentropy``: the mean over all entries of
  -(y log p + (1 - y) log(1 - p)).
* ``categorical_crossentropy``: for each row, -sum_k y_k log p_k, then the mean over rows.
  Keras first divides each row of predictions by its sum, so that it is a distribution.
* ``mean_squared_error``: the mean over all entries of (y - p)**2. There is no 1/2 in
  front: the gradient is 2 (p - y) / (number of entries).

Like Keras, both cross-entropies clip the probabilities to [1e-7, 1 - 1e-7] before taking
the logarithm (``keras.config.epsilon()`` is 1e-7), so predictions of exactly 0 or 1 give
a large but finite loss instead of ``inf``. Where a probability was clipped, the loss no
longer depends on it, so its gradient is 0 there (as in TensorFlow's ``clip_by_value``).

One difference from a Keras model on the TensorFlow backend: when the prediction comes
straight out of a Keras ``sigmoid`` or ``softmax`` activation, that backend computes the
cross-entropy from the logits instead and never clips (``_get_logits`` in
``keras/src/backend/tensorflow/nn.py``); the JAX backend divides and clips as above. Both
give the same numbers as long as the predictions stay inside [1e-7, 1 - 1e-7]; only fully
saturated outputs differ.
"""

from __future__ import annotations

import numpy as np

from lecture_nn import _validation as check

__all__ = ["EPSILON", "LOSSES", "check_loss_name", "loss_gradient", "loss_value"]

#: The loss names, spelled as in ``keras.losses``.
LOSSES = ("binary_crossentropy", "categorical_crossentropy", "mean_squared_error")

#: Keras' fuzz factor ``keras.config.epsilon()``: probabilities are clipped to
#: [EPSILON, 1 - EPSILON] inside the cross-entropies.
EPSILON = 1e-7


def check_loss_name(name, argument: str = "name") -> str:
    """Return ``name`` if it is one of :data:`LOSSES`.

    Parameters
    ----------
    name : str
        A loss name, spelled as in ``keras.losses``.
    argument : str
        The caller's parameter name, for the error message.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    TypeError
        If ``name`` or ``argument`` is not a string.
    ValueError
        If ``name`` is not one of :data:`LOSSES` (the message lists them), or ``argument``
        is empty.
    """
    argument = check.text(argument, "argument")
    return check.choice(name, argument, LOSSES)


def _as_float(values, argument: str, dtype=None) -> np.ndarray:
    """``values`` as a float array: float dtypes kept (or ``dtype``), ints and bools to float64.

    NaN and infinities pass: the loss of a diverged prediction is NaN, as in Keras.
    """
    if dtype is None:
        dtype = getattr(values, "dtype", None)
        if dtype is None or np.dtype(dtype).kind != "f":
            dtype = np.float64
    return check.as_array(values, argument, finite=False, dtype=dtype)


def _prepare(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert the arguments: both float arrays of y_pred's shape and dtype."""
    y_pred = _as_float(y_pred, "y_pred")
    if y_pred.ndim == 0 or y_pred.size == 0:
        raise ValueError(
            f"y_pred must hold at least one prediction (batch, outputs), got shape {y_pred.shape}"
        )
    y_true = _as_float(y_true, "y_true", dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        # Keras lines up (batch,) with (batch, 1): a single output, with or without its axis.
        if (*y_true.shape, 1) == y_pred.shape or y_true.shape == (*y_pred.shape, 1):
            y_true = y_true.reshape(y_pred.shape)
        else:
            raise ValueError(
                f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
                "they must match (batch, outputs)"
            )
    return y_true, y_pred


def _clip(p: np.ndarray) -> np.ndarray:
    """Clip probabilities to [EPSILON, 1 - EPSILON], computed in p's dtype like Keras."""
    low = np.asarray(EPSILON, dtype=p.dtype)
    high = np.asarray(1.0 - EPSILON, dtype=p.dtype)
    return np.clip(p, low, high)


def _inside_clip_range(p: np.ndarray) -> np.ndarray:
    """Return True where clipping leaves p unchanged (the boundaries included, as in TensorFlow)."""
    return (p >= np.asarray(EPSILON, dtype=p.dtype)) & (p <= np.asarray(1.0 - EPSILON, p.dtype))


def _normalized_rows(y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divide each row by its sum (Keras does this in the categorical cross-entropy)."""
    row_sums = np.sum(y_pred, axis=-1, keepdims=True)
    if np.any(row_sums <= 0):
        raise ValueError(
            "categorical_crossentropy needs predicted probabilities with a positive sum "
            "in every row of y_pred"
        )
    return y_pred / row_sums, row_sums


def _rows(y_pred: np.ndarray) -> int:
    """Count the examples: all axes but the last one (a 1-D y_pred is one example)."""
    return y_pred.size // y_pred.shape[-1]


def loss_value(name: str, y_true, y_pred) -> float:
    """Compute the loss ``name`` averaged over the batch, as Keras' ``<Loss>()(y_true, y_pred)``.

    See the module docstring for the formulas and the clipping of probabilities in the
    cross-entropies.

    Parameters
    ----------
    name : str
        One of :data:`LOSSES`.
    y_true : array_like, shape (batch, outputs) or (batch,) for one output
        Targets (NaN gives NaN).
    y_pred : array_like, shape (batch, outputs)
        Predictions: probabilities for the cross-entropies.

    Returns
    -------
    float
        The batch-mean loss.

    Raises
    ------
    TypeError, ValueError
        If ``name`` is unknown, an array is not real, or the shapes do not match.
    """
    check_loss_name(name)
    y_true, y_pred = _prepare(y_true, y_pred)
    if name == "mean_squared_error":
        return float(np.mean((y_true - y_pred) ** 2))
    if name == "binary_crossentropy":
        p = _clip(y_pred)
        # Clipping keeps both logarithms finite for predictions of exactly 0 or 1.
        per_entry = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        return float(np.mean(per_entry))
    q, _ = _normalized_rows(y_pred)
    per_row = -np.sum(y_true * np.log(_clip(q)), axis=-1)
    return float(np.mean(per_row))


def loss_gradient(name: str, y_true, y_pred) -> np.ndarray:
    """dL/dy_pred of the batch-mean loss ``name``, same shape and dtype as ``y_pred``.

    Because the loss is a mean over the batch, every entry carries a factor 1 / batch
    (1 / (batch * outputs) for the two element-wise means). Backpropagation can therefore
    *sum* the per-example contributions to the weight gradients.

    Parameters
    ----------
    name : str
        One of :data:`LOSSES`.
    y_true : array_like, shape (batch, outputs) or (batch,) for one output
        Targets.
    y_pred : array_like, shape (batch, outputs)
        Predictions.

    Returns
    -------
    numpy.ndarray
        dL/dy_pred, shape and dtype of ``y_pred``.

    Raises
    ------
    TypeError, ValueError
        If ``name`` is unknown, an array is not real, or the shapes do not match.
    """
    check_loss_name(name)
    y_true, y_pred = _prepare(y_true, y_pred)
    if name == "mean_squared_error":
        # d/dp mean((y - p)^2) = 2 (p - y) / (number of entries): no 1/2 in Keras' MSE.
        return 2.0 * (y_pred - y_true) / y_pred.size
    if name == "binary_crossentropy":
        p = _clip(y_pred)
        per_entry = (p - y_true) / (p * (1 - p))  # = -y/p + (1 - y)/(1 - p)
        # A clipped prediction does not change the loss, so it gets no gradient.
        return np.where(_inside_clip_range(y_pred), per_entry, 0).astype(y_pred.dtype) / (
            y_pred.size
        )
    return _categorical_crossentropy_gradient(y_true, y_pred)


def _categorical_crossentropy_gradient(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """dL/dy_pred for Keras' categorical cross-entropy, including its row normalization.

    With q = p / sum(p) and L_row = -sum_k y_k log q_k:
    dL/dq_k = -y_k / q_k (0 where q_k was clipped), and the chain rule through the
    normalization gives dL/dp_j = (dL/dq_j - sum_k dL/dq_k q_k) / sum(p).
    For predictions that already sum to 1 this is -y_j / p_j + sum_k y_k.
    """
    q, row_sums = _normalized_rows(y_pred)
    q_clipped = _clip(q)
    grad_q = np.where(_inside_clip_range(q), -y_true / q_clipped, 0).astype(y_pred.dtype)
    grad_p = (grad_q - np.sum(grad_q * q, axis=-1, keepdims=True)) / row_sums
    return grad_p / _rows(y_pred)
