"""A small dense neural network in numpy: forward pass, backpropagation and mini-batch SGD.

The notation follows the lecture. Layer l (l = 1 .. L) has weights W[l] of shape
(n_{l-1}, n_l), Keras' kernel orientation, and a bias b[l] of shape (n_l,). A batch of
inputs X of shape (batch, n_0) goes through

    a[0] = X
    z[l] = a[l-1] @ W[l] + b[l]          pre-activations, (batch, n_l)
    a[l] = f_l(z[l])                     activations, (batch, n_l)

and the prediction is yhat = a[L]. Backpropagation applies the chain rule from the
output back to the input, one layer at a time:

    dL/da[L] = loss gradient at yhat
    dL/dz[l] = dL/da[l] * f_l'(z[l])     (element-wise; softmax needs its Jacobian)
    dL/dW[l] = a[l-1].T @ dL/dz[l]       (summed over the batch)
    dL/db[l] = sum over the batch of dL/dz[l]
    dL/da[l-1] = dL/dz[l] @ W[l].T       (what the layer before needs)

In Python lists the layers are numbered from 0: ``layers[0]`` holds W[1] and b[1], while
``forward.a[0]`` is the input X. ``forward.z[l]`` and ``gradients.z[l]`` belong to
``layers[l]``.

No TensorFlow here: Keras is only imported inside :meth:`Network.from_keras`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lecture_nn import _validation as check
from lecture_nn.activations import ACTIVATIONS, _as_float_array, get_activation, softmax_vjp
from lecture_nn.initializers import check_initializer_name, initialize
from lecture_nn.losses import LOSSES, check_loss_name, loss_gradient, loss_value

__all__ = [
    "DTYPES",
    "DenseLayer",
    "ForwardPass",
    "Gradients",
    "Network",
    "TrainingRun",
    "activation_backward",
    "minibatch_indices",
    "train",
]

#: The data types a network can compute in.
DTYPES = (np.float32, np.float64)


@dataclass
class DenseLayer:
    """One fully connected layer: z = a_prev @ weights + bias, a = activation(z).

    ``weights`` has shape (n_in, n_out) and ``bias`` shape (n_out,), as Keras' kernel and
    bias of a ``Dense`` layer.
    """

    weights: np.ndarray
    bias: np.ndarray
    activation: str

    @property
    def n_in(self) -> int:
        """Number of inputs of the layer."""
        return self.weights.shape[0]

    @property
    def n_out(self) -> int:
        """Number of units of the layer."""
        return self.weights.shape[1]


@dataclass
class ForwardPass:
    """Everything the forward pass computed, kept for the backward pass.

    ``inputs`` is X, (batch, n_0). ``z[l]`` is the pre-activation of ``layers[l]`` and
    ``a[l + 1]`` its activation, both (batch, n_{l+1}); ``a[0]`` is X, so ``a`` has one
    entry more than ``z``.
    """

    inputs: np.ndarray
    z: list[np.ndarray]
    a: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        """The prediction yhat = a[-1], (batch, n_L)."""
        return self.a[-1]


@dataclass
class Gradients:
    """Gradients of the batch-mean loss with respect to every quantity of the network.

    ``weights[l]`` and ``bias[l]`` have the shapes of ``layers[l]``'s weights and bias.
    ``activations[l]`` is dL/da[l] (``activations[0]`` is the gradient with respect to the
    inputs X), (batch, n_l). ``z[l]`` is dL/dz for ``layers[l]``, the "delta" of the layer.
    """

    weights: list[np.ndarray]
    bias: list[np.ndarray]
    activations: list[np.ndarray]
    z: list[np.ndarray]

    def as_list(self) -> list[np.ndarray]:
        """Return the weight gradients in Keras order [dW1, db1, dW2, db2, ...]."""
        return [g for pair in zip(self.weights, self.bias) for g in pair]


# ---------------------------------------------------------------------------------------
# Checking the arguments
# ---------------------------------------------------------------------------------------


def _check_activations(activations, n_layers: int) -> list[str]:
    if isinstance(activations, str):
        raise TypeError(
            f"activations must be a list with one name per layer ({n_layers}), "
            f"got the single string {activations!r}"
        )
    if not isinstance(activations, Sequence):
        raise TypeError(f"activations must be a list of names, got {type(activations).__name__}")
    names = list(activations)
    if len(names) != n_layers:
        raise ValueError(
            f"activations needs one name per layer: {n_layers} for layer_sizes with "
            f"{n_layers + 1} entries, got {len(names)} ({names})"
        )
    for i, name in enumerate(names):
        check.choice(name, f"activations[{i}]", ACTIVATIONS)
    return names


def _check_dtype(dtype) -> type:
    try:
        resolved = np.dtype(dtype).type
    except TypeError as error:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from error
    if resolved not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {np.dtype(resolved).name}")
    return resolved


def _numeric_array(values, argument: str, dtype) -> np.ndarray:
    """``values`` as a finite real array in ``dtype`` (the one array rule, then the cast)."""
    return check.as_array(values, argument).astype(dtype, copy=False)


# ---------------------------------------------------------------------------------------
# The chain rule through one activation
# ---------------------------------------------------------------------------------------


def activation_backward(name: str, z: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    """dL/dz from dL/da for a = f(z): one step of the chain rule.

    For the element-wise activations a_i depends only on z_i, so dL/dz_i = dL/da_i f'(z_i).
    Each softmax output depends on all logits of its row, so the chain rule needs the
    whole Jacobian: dL/dz = dL/da @ J, which ``softmax_vjp`` computes without forming J.

    (With categorical cross-entropy on a softmax output the two steps together simplify
    to dL/dz = (y_pred - y_true) / batch for targets that sum to 1, such as one-hot
    labels; we keep the general product here, so the same
    code also covers softmax with mean squared error.)

    Parameters
    ----------
    name : str
        An activation of :data:`lecture_nn.activations.ACTIVATIONS`.
    z : array_like, shape (batch, n)
        The pre-activations the forward pass computed (real numbers; NaN gives NaN).
    grad_a : array_like, shape (batch, n)
        dL/da, the gradient of the loss with respect to the activations (real numbers).

    Returns
    -------
    numpy.ndarray, shape (batch, n)
        dL/dz.

    Raises
    ------
    ValueError
        If ``name`` is unknown, or ``grad_a`` does not have the shape of ``z`` (a
        broadcast would silently sum or repeat gradients).
    """
    activation = check.choice(name, "name", ACTIVATIONS)
    z = _as_float_array(z, "z")
    grad_a = _as_float_array(grad_a, "grad_a")
    z_shape, grad_shape = z.shape, grad_a.shape
    if z_shape != grad_shape:
        raise ValueError(f"grad_a must have the shape of z {z_shape}, got {grad_shape}")
    if name == "softmax":
        return softmax_vjp(z, grad_a)
    return grad_a * get_activation(activation).derivative(z)


# ---------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------


class Network:
    """A fully connected network trained with the chain rule and mini-batch SGD.

    ``layer_sizes`` such as [2, 3, 1] gives the number of inputs, the width of every
    hidden layer and the number of outputs. ``activations`` names one activation per
    layer after the input (so ``len(layer_sizes) - 1`` names), from
    ``lecture_nn.activations``. Weights are drawn with ``initializer`` from one random
    generator seeded with ``seed``; biases start at 0, as in Keras.
    """

    def __init__(
        self,
        layer_sizes,
        activations,
        *,
        loss: str = "binary_crossentropy",
        initializer: str = "glorot_uniform",
        seed: int = 0,
        dtype=np.float64,
    ):
        self.layer_sizes = check.sizes(layer_sizes, "layer_sizes", minimum_length=2)
        self.activations = _check_activations(activations, len(self.layer_sizes) - 1)
        self.loss = check_loss_name(loss, "loss")
        self.initializer = check_initializer_name(initializer, "initializer")
        self.seed = check.seed(seed)
        self.dtype = _check_dtype(dtype)
        rng = np.random.default_rng(self.seed)
        self.layers = [
            DenseLayer(
                weights=initialize(initializer, n_in, n_out, rng=rng).astype(self.dtype),
                bias=np.zeros(n_out, dtype=self.dtype),
                activation=name,
            )
            for n_in, n_out, name in zip(
                self.layer_sizes[:-1], self.layer_sizes[1:], self.activations
            )
        ]

    def __repr__(self) -> str:
        """Show the architecture, loss and dtype."""
        return (
            f"Network({self.layer_sizes}, activations={self.activations}, "
            f"loss={self.loss!r}, dtype={np.dtype(self.dtype).name})"
        )

    @property
    def n_inputs(self) -> int:
        """Number of input features n_0."""
        return self.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        """Number of outputs n_L."""
        return self.layer_sizes[-1]

    # -- checking data ----------------------------------------------------------------

    def _check_X(self, X) -> np.ndarray:
        X = _numeric_array(X, "X", self.dtype)
        if X.ndim != 2 or X.shape[1] != self.n_inputs or X.shape[0] == 0:
            raise ValueError(
                f"X must have shape (batch, {self.n_inputs}) with batch >= 1 for this network "
                f"with {self.n_inputs} inputs, got shape {X.shape}"
            )
        return X

    def _check_y(self, y, batch: int) -> np.ndarray:
        y = _numeric_array(y, "y", self.dtype)
        if y.shape == (batch,) and self.n_outputs == 1:
            y = y.reshape(batch, 1)  # a single output may come without its axis, as in Keras
        if y.shape != (batch, self.n_outputs):
            raise ValueError(
                f"y must have shape ({batch}, {self.n_outputs}) to match X's {batch} rows and "
                f"the network's {self.n_outputs} outputs, got shape {y.shape}"
            )
        return y

    # -- forward --------------------------------------------------------------------

    def forward(self, X) -> ForwardPass:
        """Run X (batch, n_0) through every layer, keeping each z and a for backpropagation."""
        X = self._check_X(X)
        zs, activations = [], [X]
        for layer in self.layers:
            z = activations[-1] @ layer.weights + layer.bias  # bias broadcasts over the batch
            zs.append(z)
            activations.append(get_activation(layer.activation).function(z))
        return ForwardPass(inputs=X, z=zs, a=activations)

    def predict(self, X) -> np.ndarray:
        """Return the network's output yhat for X, (batch, n_L)."""
        return self.forward(X).output

    def loss_value(self, X, y) -> float:
        """Compute the loss of the predictions for X against y, averaged over the batch."""
        forward = self.forward(X)
        y = self._check_y(y, forward.inputs.shape[0])
        return loss_value(self.loss, y, forward.output)

    # -- backward -------------------------------------------------------------------

    def backward(self, forward: ForwardPass, y) -> Gradients:
        """Backpropagation: the chain rule applied layer by layer, from the output back.

        ``forward`` is the result of :meth:`forward` for a batch X and ``y`` the targets,
        (batch, n_L). Returns the gradients of the batch-mean loss.
        """
        if not isinstance(forward, ForwardPass):
            raise TypeError(f"forward must be a ForwardPass, got {type(forward).__name__}")
        if len(forward.z) != len(self.layers) or forward.output.shape[1:] != (self.n_outputs,):
            raise ValueError("forward does not come from this network (layers do not match)")
        y = self._check_y(y, forward.inputs.shape[0])

        n = len(self.layers)
        grad_W, grad_b, grad_z = [None] * n, [None] * n, [None] * n
        grad_a = [None] * (n + 1)
        # Start at the output: how the loss changes with the prediction yhat = a[L].
        # The loss is a batch mean, so this already carries the factor 1 / batch.
        grad_a[n] = loss_gradient(self.loss, y, forward.output)
        for i in reversed(range(n)):
            layer = self.layers[i]
            # Through the activation: dL/dz = dL/da * da/dz.
            grad_z[i] = activation_backward(layer.activation, forward.z[i], grad_a[i + 1])
            # z = a_prev @ W + b, so dz/dW brings in a_prev and dz/db is 1. The matrix
            # product sums the contributions of the examples in the batch.
            grad_W[i] = forward.a[i].T @ grad_z[i]
            grad_b[i] = grad_z[i].sum(axis=0)
            # Every unit of the previous layer feeds all units of this one through W.
            grad_a[i] = grad_z[i] @ layer.weights.T
        return Gradients(weights=grad_W, bias=grad_b, activations=grad_a, z=grad_z)

    def gradients(self, X, y) -> Gradients:
        """Forward pass for X, then backpropagation against the targets y."""
        return self.backward(self.forward(X), y)

    # -- training -------------------------------------------------------------------

    def sgd_step(self, X, y, learning_rate: float) -> float:
        """One SGD update W <- W - learning_rate * dL/dW on the batch (X, y).

        Returns the batch loss *before* the update, as Keras' ``train_on_batch`` does.
        """
        learning_rate = check.positive(learning_rate, "learning_rate")
        forward = self.forward(X)
        y = self._check_y(y, forward.inputs.shape[0])
        loss_before = loss_value(self.loss, y, forward.output)
        grads = self.backward(forward, y)
        for layer, dW, db in zip(self.layers, grads.weights, grads.bias):
            layer.weights -= learning_rate * dW
            layer.bias -= learning_rate * db
        return loss_before

    # -- weights --------------------------------------------------------------------

    def get_weights(self) -> list[np.ndarray]:
        """Return copies of the weights in Keras order [W1, b1, W2, b2, ...]."""
        return [array.copy() for layer in self.layers for array in (layer.weights, layer.bias)]

    def set_weights(self, weights) -> None:
        """Replace the weights by ``weights`` in Keras order [W1, b1, W2, b2, ...] (copied).

        Parameters
        ----------
        weights : sequence of array_like
            ``[W1, b1, W2, b2, ...]``: ``W[l]`` of shape (n_{l-1}, n_l), ``b[l]`` of shape
            (n_l,), exactly the shapes of the network; the values are cast to its dtype.

        Raises
        ------
        TypeError
            If ``weights`` is not a list of real arrays.
        ValueError
            If the number of arrays or a shape does not match, or a value is NaN or
            infinite (a network with a NaN weight predicts NaN for every input).
        """
        if isinstance(weights, (str, bytes, np.ndarray)) or not isinstance(weights, Sequence):
            raise TypeError(
                "weights must be a list of arrays [W1, b1, W2, b2, ...], "
                f"got {type(weights).__name__}"
            )
        weights = list(weights)
        expected = [
            shape for layer in self.layers for shape in (layer.weights.shape, layer.bias.shape)
        ]
        if len(weights) != len(expected):
            raise ValueError(
                f"weights must hold {len(expected)} arrays [W1, b1, W2, b2, ...] for "
                f"{len(self.layers)} layers, got {len(weights)}"
            )
        arrays = []
        for i, (values, shape) in enumerate(zip(weights, expected)):
            array = _numeric_array(values, f"weights[{i}]", self.dtype)
            if array.shape != shape:
                kind = "W" if i % 2 == 0 else "b"
                raise ValueError(
                    f"weights[{i}] ({kind}{i // 2 + 1}) must have shape {shape}, got {array.shape}"
                )
            arrays.append(array.copy())
        for layer, W, b in zip(self.layers, arrays[0::2], arrays[1::2]):
            layer.weights, layer.bias = W, b

    def copy(self) -> Network:
        """Return an independent copy: training the copy leaves this network unchanged."""
        return copy.deepcopy(self)

    # -- Keras ----------------------------------------------------------------------

    @classmethod
    def from_keras(cls, model, loss: str | None = None, *, dtype=None) -> Network:
        """Build a Network with the architecture and weights of a Keras model of Dense layers.

        Supported: ``Dense`` layers with bias and one of the activations sigmoid, tanh,
        relu, linear or softmax; a linear ``Dense`` may be followed by an ``Activation``
        layer or by ``LeakyReLU(negative_slope=0.01)`` (the course's leaky ReLU; Keras'
        own ``"leaky_relu"`` activation has slope 0.2 and is refused). ``loss`` defaults
        to the loss the model was compiled with, or binary cross-entropy if it was not
        compiled. ``dtype`` defaults to the dtype of the model's weights.
        """
        import keras  # only here: building a Network never needs TensorFlow

        dense_layers, activations = _dense_layers_of(keras, model)
        if loss is None:
            loss = _compiled_loss_name(model)
        kernels = [np.asarray(layer.kernel) for layer in dense_layers]
        sizes = [kernels[0].shape[0]] + [kernel.shape[1] for kernel in kernels]
        network = cls(
            sizes,
            activations,
            loss=loss,
            initializer="zeros",
            dtype=kernels[0].dtype if dtype is None else dtype,
        )
        network.set_weights(
            [array for layer in dense_layers for array in (layer.kernel, layer.bias)]
        )
        return network


def _dense_layers_of(keras, model) -> tuple[list, list[str]]:
    """Return the Dense layers of a Keras model and the activation that follows each one."""
    supported_dense = ("sigmoid", "tanh", "relu", "linear", "softmax")
    dense_layers, activations = [], []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Dense):
            if not layer.use_bias:
                raise ValueError(
                    f"layer {layer.name!r}: Dense layers without bias are not supported"
                )
            name = getattr(layer.activation, "__name__", repr(layer.activation))
            if name == "leaky_relu":
                raise ValueError(
                    f"layer {layer.name!r}: Keras' 'leaky_relu' activation has slope 0.2, the "
                    "course's 0.01; use a linear Dense followed by LeakyReLU(negative_slope=0.01)"
                )
            if name not in supported_dense:
                raise ValueError(
                    f"layer {layer.name!r}: unsupported activation {name!r}; "
                    f"choose one of {', '.join(supported_dense)}"
                )
            dense_layers.append(layer)
            activations.append(name)
            continue
        # An activation layer replaces the 'linear' of the Dense layer right before it.
        if isinstance(layer, keras.layers.LeakyReLU):
            if not math.isclose(float(layer.negative_slope), 0.01, rel_tol=1e-6):
                raise ValueError(
                    f"layer {layer.name!r}: LeakyReLU needs negative_slope=0.01 (the course's "
                    f"leaky_relu), got {layer.negative_slope}"
                )
            name = "leaky_relu"
        elif isinstance(layer, keras.layers.Activation):
            name = getattr(layer.activation, "__name__", repr(layer.activation))
            if name not in ACTIVATIONS or name == "leaky_relu":
                raise ValueError(
                    f"layer {layer.name!r}: unsupported activation {name!r}; choose one of "
                    f"{', '.join(supported_dense)} (or LeakyReLU(negative_slope=0.01))"
                )
        else:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) is not supported; only Dense, "
                "Activation and LeakyReLU layers are"
            )
        if not dense_layers or activations[-1] != "linear":
            raise ValueError(
                f"layer {layer.name!r} must follow a Dense layer with a linear activation"
            )
        activations[-1] = name
    if not dense_layers:
        raise ValueError("the model has no Dense layers")
    return dense_layers, activations


def _compiled_loss_name(model) -> str:
    """Return the name of the loss a Keras model was compiled with (default: binary)."""
    loss = getattr(model, "loss", None)
    if loss is None:
        return "binary_crossentropy"
    if isinstance(loss, str):
        name = {"mse": "mean_squared_error"}.get(loss, loss)
    else:  # a keras.losses.Loss object such as BinaryCrossentropy()
        name = getattr(getattr(loss, "fn", None), "__name__", type(loss).__name__)
        config = loss.get_config() if hasattr(loss, "get_config") else {}
        if config.get("from_logits") or config.get("label_smoothing"):
            raise ValueError(
                "the model's loss uses from_logits or label_smoothing, but Network computes "
                "its losses from the output probabilities; end the model with a sigmoid or "
                f"softmax and compile it without them, or pass loss= explicitly (got {config})"
            )
    if name not in LOSSES:
        raise ValueError(
            f"the model's loss {loss!r} is not supported; pass loss= one of {', '.join(LOSSES)}"
        )
    return name


# ---------------------------------------------------------------------------------------
# Training with a recorded history
# ---------------------------------------------------------------------------------------


@dataclass
class TrainingRun:
    """The history of :func:`train`, enough for a widget to replay every step.

    ``weights[k]`` is ``get_weights()`` after k updates (k = 0 .. steps); ``losses[k]``
    the loss on all training data at that point, (steps + 1,); ``batch_losses[k]`` the
    loss of the mini-batch used for update k + 1, measured before it, (steps,).
    """

    weights: list[list[np.ndarray]]
    losses: np.ndarray
    batch_losses: np.ndarray


def minibatch_indices(n_samples: int, batch_size: int, steps: int, seed: int) -> list[np.ndarray]:
    """Return the example indices of ``steps`` mini-batches, like Keras' fit(shuffle=True).

    Every epoch visits the examples in a new random order, cut into batches of
    ``batch_size``; the last batch of an epoch holds the remainder and may be smaller.

    Parameters
    ----------
    n_samples : int
        Number of training examples, >= 1.
    batch_size : int
        Examples per batch, >= 1 (a batch larger than ``n_samples`` holds all of them).
    steps : int
        Number of batches (updates), >= 0.
    seed : int
        Seed of the shuffling, in [0, 2**32 - 1].

    Returns
    -------
    list of numpy.ndarray
        ``steps`` integer arrays of example indices, each of shape (<= batch_size,).

    Raises
    ------
    TypeError
        If an argument is not an integer (``steps=math.inf`` included).
    ValueError
        If ``n_samples`` or ``batch_size`` is below 1 or ``steps`` below 0.
    """
    n_samples = check.positive_int(n_samples, "n_samples")
    batch_size = check.positive_int(batch_size, "batch_size")
    steps = check.count(steps, "steps")
    rng = np.random.default_rng(check.seed(seed))
    batches: list[np.ndarray] = []
    while len(batches) < steps:
        order = rng.permutation(n_samples)
        batches.extend(
            order[start : start + batch_size] for start in range(0, n_samples, batch_size)
        )
    return batches[:steps]


def train(
    network: Network,
    X,
    y,
    *,
    learning_rate: float = 0.1,
    steps: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
) -> TrainingRun:
    """Train ``network`` in place with ``steps`` mini-batch SGD updates and record them.

    ``batch_size=None`` uses all of X and y in every step (full-batch gradient descent).
    Otherwise the data are reshuffled each epoch with ``seed``, as Keras'
    ``fit(shuffle=True)`` does. Use ``network.copy()`` first to keep the start.

    Parameters
    ----------
    network : Network
        The network to train (changed in place).
    X : array_like, shape (n_samples, n_0)
        Inputs, finite.
    y : array_like, shape (n_samples, n_L) or (n_samples,) for one output
        Targets, finite.
    learning_rate : float
        Step size, a finite number > 0 (the one rule for learning rates).
    steps : int
        Number of updates, >= 0.
    batch_size : int or None
        Examples per update, >= 1 (capped at n_samples); None for the full batch.
    seed : int
        Seed of the shuffling, in [0, 2**32 - 1].

    Returns
    -------
    TrainingRun
        The weights after every update, the loss on all of X at every step and the loss
        of every mini-batch.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    learning_rate = check.positive(learning_rate, "learning_rate")
    steps = check.count(steps, "steps")
    X = network._check_X(X)
    y = network._check_y(y, X.shape[0])
    n_samples = X.shape[0]
    seed = check.seed(seed)
    if batch_size is None:
        # Full batch: every step sees all the data in their original order.
        batches = [np.arange(n_samples)] * steps
    else:
        batch_size = min(check.positive_int(batch_size, "batch_size"), n_samples)
        batches = minibatch_indices(n_samples, batch_size, steps, seed)

    history = [network.get_weights()]
    losses = [network.loss_value(X, y)]
    batch_losses = []
    for batch in batches:
        batch_losses.append(network.sgd_step(X[batch], y[batch], learning_rate))
        history.append(network.get_weights())
        losses.append(network.loss_value(X, y))
    return TrainingRun(
        weights=history,
        losses=np.array(losses),
        batch_losses=np.array(batch_losses, dtype=float),
    )
