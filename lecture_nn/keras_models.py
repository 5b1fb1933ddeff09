"""The lecture's dense Fashion-MNIST classifiers, built and compiled by name (imports Keras).

:func:`build_dense` builds a ``keras.Sequential`` multi-layer perceptron with optional
weight regularisation, batch normalisation and dropout; :func:`compile_classifier`
compiles it for classification; :data:`LECTURE_MODELS` holds the configurations the
lecture "Neural networks in practice" trains, and :func:`lecture_model` builds one::

    model = compile_classifier(lecture_model("baseline", seed=0))
    model.fit(x_train, y_train, epochs=25, batch_size=512, validation_split=1 / 6)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import keras

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LECTURE_MODELS",
    "OPTIMIZERS",
    "build_dense",
    "compile_classifier",
    "lecture_model",
]

#: Hidden-layer activations ``build_dense`` accepts by name (Keras's names).
ACTIVATIONS = (
    "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish", "relu6",
    "tanh", "sigmoid", "hard_sigmoid", "softplus", "softsign", "exponential", "linear",
)  # fmt: skip

#: Kernel initializers ``build_dense`` accepts by name (Keras's names).
INITIALIZERS = (
    "he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "lecun_normal",
    "lecun_uniform", "random_normal", "random_uniform", "truncated_normal", "orthogonal",
    "zeros", "ones",
)  # fmt: skip

#: Optimizers ``compile_classifier`` accepts by name (Keras's names).
OPTIMIZERS = (
    "sgd", "rmsprop", "adam", "adamw", "nadam", "adamax", "adagrad", "adadelta", "ftrl", "lion",
)  # fmt: skip

#: The networks of the lecture, as ``build_dense`` keyword arguments plus a description.
#: Where the lecture's code gives no initializer the Keras default (Glorot uniform) is kept,
#: as the lecture's figures were made with it.
LECTURE_MODELS: dict[str, dict] = {
    "baseline": {
        "description": "784-512-512-10 ReLU, He-normal init: the lecture's first network",
        "hidden": (512, 512),
        "kernel_initializer": "he_normal",
    },
    "small": {
        "description": "784-256-32-10 ReLU, He-normal: far fewer parameters, similar accuracy",
        "hidden": (256, 32),
        "kernel_initializer": "he_normal",
    },
    # The lecture's bottleneck is ReLU; two ReLU units can both die in the first epoch
    # (zero output for every image, so zero gradient: the model stays at chance), as they
    # did after keras.utils.set_random_seed(0) (issue 12). A linear bottleneck passes a
    # gradient for every input, so it cannot die; its 2-D codes are drawn the same way.
    "bottleneck": {
        "description": "784-256-2-10, ReLU then a linear 2-unit bottleneck that loses information",
        "hidden": (256, 2),
        "activation": ("relu", "linear"),
        "kernel_initializer": "he_normal",
    },
    "l2": {
        "description": "784-256-32-10 ReLU with L2 weight decay 0.001 on every hidden kernel",
        "hidden": (256, 32),
        "kernel_initializer": "glorot_uniform",
        "l2": 0.001,
    },
    # The lecture shows L1 only in words; same network and strength as its L2 example.
    "l1": {
        "description": "784-256-32-10 ReLU with L1 weight decay 0.001 (sparse weights)",
        "hidden": (256, 32),
        "kernel_initializer": "glorot_uniform",
        "l1": 0.001,
    },
    "dropout": {
        "description": "784-256-32-10 ReLU with dropout 0.3 after each hidden layer",
        "hidden": (256, 32),
        "kernel_initializer": "glorot_uniform",
        "dropout": 0.3,
    },
    # The lecture's code reads 265 units, a typo for 256; it puts batch normalisation after
    # the activation, build_dense before it (see there).
    "batchnorm_dropout": {
        "description": "784-256-64-32-10 ReLU, batch normalisation and dropout 0.5 per layer",
        "hidden": (256, 64, 32),
        "kernel_initializer": "glorot_uniform",
        "batch_norm": True,
        "dropout": 0.5,
    },
}


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_size(value, argument: str, minimum: int = 1) -> int:
    """Validate a layer size (a positive int)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{argument} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{argument} must be >= {minimum}, got {value!r}")
    return int(value)


def _check_hidden(hidden) -> tuple[int, ...]:
    """Validate the hidden layer sizes: a sequence of positive ints (may be empty)."""
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(
            f"hidden must be a sequence of layer sizes such as (512, 512), got {hidden!r}"
        )
    return tuple(_check_size(units, f"hidden[{i}]") for i, units in enumerate(hidden))


def _check_strength(value, argument: str) -> float:
    """Validate a regularisation strength: a finite number >= 0."""
    if not _is_real(value):
        raise TypeError(f"{argument} must be a number >= 0, got {value!r}")
    if not (0 <= value < math.inf):
        raise ValueError(f"{argument} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_dropout(rate) -> float:
    """Validate a dropout rate in [0, 1)."""
    if not _is_real(rate):
        raise TypeError(f"dropout must be a rate in [0, 1), got {rate!r}")
    if not 0 <= rate < 1:
        raise ValueError(
            f"dropout must be a rate in [0, 1) (fraction of units zeroed), got {rate!r}"
        )
    return float(rate)


def _check_activation(activation, argument: str = "activation"):
    """Return the activation name or callable; unknown names raise listing valid ones."""
    if callable(activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{argument} must be one of {ACTIVATIONS} or a callable, got {activation!r}"
        )
    return activation


def _check_activations(activation, n_hidden: int) -> tuple:
    """One activation per hidden layer: a single one for all, or a sequence of n_hidden."""
    if isinstance(activation, (str, bytes)) or callable(activation):
        return (_check_activation(activation),) * n_hidden
    if not isinstance(activation, Sequence):
        raise TypeError(
            f"activation must be a name, a callable or one per hidden layer, got {activation!r}"
        )
    if len(activation) != n_hidden:
        raise ValueError(
            f"activation must give one activation per hidden layer ({n_hidden}), "
            f"got {len(activation)}: {activation!r}"
        )
    return tuple(_check_activation(a, f"activation[{i}]") for i, a in enumerate(activation))


def _initializer(kernel_initializer, seed: int | None):
    """Return a kernel initializer, seeded with ``seed`` when it draws random numbers."""
    if isinstance(kernel_initializer, keras.initializers.Initializer):
        return kernel_initializer
    if kernel_initializer not in INITIALIZERS:
        raise ValueError(
            f"kernel_initializer must be one of {INITIALIZERS} or a keras.initializers."
            f"Initializer, got {kernel_initializer!r}"
        )
    initializer = keras.initializers.get(kernel_initializer)
    config = initializer.get_config()
    if seed is None or "seed" not in config:
        return initializer
    return type(initializer).from_config({**config, "seed": seed})


def _regularizer(l1: float, l2: float):
    """Return the kernel regularizer for the strengths, or None when both are 0."""
    if l1 > 0 and l2 > 0:
        return keras.regularizers.L1L2(l1=l1, l2=l2)
    if l1 > 0:
        return keras.regularizers.L1(l1)
    if l2 > 0:
        return keras.regularizers.L2(l2)
    return None


def _layer_seed(seed: int | None, index: int) -> int | None:
    """A distinct seed per layer: one seed for all would give same-shaped layers equal weights."""
    return None if seed is None else seed + index


def _hidden_block(units, index, *, activation, initializer, regularizer, dropout, batch_norm, seed):
    """Return hidden layer ``index`` (1-based): Dense [+ BN + activation] [+ Dropout]."""
    if batch_norm:
        # Normalise the pre-activations, as Ioffe & Szegedy (2015) do: ReLU then sees inputs
        # centred on zero with unit spread, so about half its units stay active. The bias is
        # dropped because the normalisation subtracts it again; BN's beta takes its place.
        # (The lecture's code puts BN after the activation; both train, this is the usual.)
        layers = [
            keras.layers.Dense(
                units,
                use_bias=False,
                kernel_initializer=initializer,
                kernel_regularizer=regularizer,
                name=f"dense_{index}",
            ),
            keras.layers.BatchNormalization(name=f"batch_norm_{index}"),
            keras.layers.Activation(activation, name=f"activation_{index}"),
        ]
    else:
        layers = [
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=initializer,
                kernel_regularizer=regularizer,
                name=f"dense_{index}",
            )
        ]
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, seed=seed, name=f"dropout_{index}"))
    return layers


def build_dense(
    hidden: Sequence[int] = (512, 512),
    *,
    n_inputs: int = 784,
    n_classes: int = 10,
    activation="relu",
    kernel_initializer="he_normal",
    dropout: float = 0.0,
    l1: float = 0.0,
    l2: float = 0.0,
    batch_norm: bool = False,
    seed: int | None = None,
    name: str | None = None,
) -> keras.Model:
    """Build a dense classifier ``n_inputs -> hidden... -> n_classes`` (softmax output).

    Parameters
    ----------
    hidden
        Units of each hidden layer, e.g. ``(512, 512)``; ``()`` gives softmax regression.
    n_inputs
        Length of an input vector (784 for a flattened 28 x 28 image); inputs (batch, n_inputs).
    n_classes
        Output units, one probability per class (>= 2); outputs (batch, n_classes).
    activation
        Hidden-layer activation: a name from :data:`ACTIVATIONS` or a callable, for every
        hidden layer, or a sequence of them, one per hidden layer (e.g. ``("relu",
        "linear")``).
    kernel_initializer
        Hidden-layer weight initializer: a name from :data:`INITIALIZERS` or an
        ``Initializer``. The output layer keeps Keras's default, Glorot uniform, as in the
        lecture.
    dropout
        Dropout rate in [0, 1) after every hidden layer (0: no Dropout layers).
    l1, l2
        Weight-decay strengths >= 0 added to the loss for every hidden kernel
        (``l1 * sum|w|``, ``l2 * sum w**2``); biases and the output layer are not penalised.
    batch_norm
        Put ``BatchNormalization`` between each hidden Dense layer (then without bias) and
        its activation.
    seed
        Seed of the initializers and dropout masks (each layer gets ``seed + index``);
        None: Keras's global seed (``keras.utils.set_random_seed``).
    name
        Model name; None: Keras's default.
    """
    hidden = _check_hidden(hidden)
    n_inputs = _check_size(n_inputs, "n_inputs")
    n_classes = _check_size(n_classes, "n_classes", minimum=2)
    activations = _check_activations(activation, len(hidden))
    dropout = _check_dropout(dropout)
    regularizer_strengths = (_check_strength(l1, "l1"), _check_strength(l2, "l2"))
    if not isinstance(batch_norm, bool):
        raise TypeError(f"batch_norm must be True or False, got {batch_norm!r}")
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)):
        raise TypeError(f"seed must be None or an int, got {seed!r}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be None or a str, got {name!r}")
    _initializer(kernel_initializer, None)  # validate once, before building anything

    layers = [keras.Input(shape=(n_inputs,), name="pixels")]
    for index, (units, layer_activation) in enumerate(zip(hidden, activations), start=1):
        layers += _hidden_block(
            units,
            index,
            activation=layer_activation,
            initializer=_initializer(kernel_initializer, _layer_seed(seed, index)),
            regularizer=_regularizer(*regularizer_strengths),
            dropout=dropout,
            batch_norm=batch_norm,
            seed=_layer_seed(seed, index),
        )
    output_init = _initializer("glorot_uniform", _layer_seed(seed, len(hidden) + 1))
    layers.append(
        keras.layers.Dense(
            n_classes, activation="softmax", kernel_initializer=output_init, name="output"
        )
    )
    return keras.Sequential(layers, name=name)


def _make_optimizer(optimizer, learning_rate):
    """Return an optimizer instance from a name (with ``learning_rate``) or an instance."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if learning_rate is not None:
            raise ValueError(
                "learning_rate is for an optimizer given by name; pass it to the optimizer "
                f"you constructed instead ({type(optimizer).__name__}(learning_rate=...))"
            )
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {OPTIMIZERS} or a keras.optimizers.Optimizer, "
            f"got {optimizer!r}"
        )
    if learning_rate is None:
        return keras.optimizers.get(optimizer)
    schedule = isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule)
    if not schedule and not (_is_real(learning_rate) and 0 < learning_rate < math.inf):
        raise ValueError(
            f"learning_rate must be a positive number or a LearningRateSchedule, "
            f"got {learning_rate!r}"
        )
    optimizer_class = type(keras.optimizers.get(optimizer))
    return optimizer_class(learning_rate=learning_rate)


def _make_loss(sparse: bool, label_smoothing: float):
    """Return the cross-entropy for integer labels (sparse) or one-hot labels."""
    if not isinstance(sparse, bool):
        raise TypeError(f"sparse must be True (integer labels) or False (one-hot), got {sparse!r}")
    if not _is_real(label_smoothing):
        raise TypeError(f"label_smoothing must be a number in [0, 1), got {label_smoothing!r}")
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}")
    if not sparse:
        return keras.losses.CategoricalCrossentropy(label_smoothing=float(label_smoothing))
    if label_smoothing > 0:
        raise ValueError(
            "label_smoothing needs one-hot labels: Keras 3's SparseCategoricalCrossentropy has "
            "no label smoothing. Use sparse=False and one-hot labels, e.g. "
            "keras.utils.to_categorical(y, num_classes)"
        )
    return keras.losses.SparseCategoricalCrossentropy()


def compile_classifier(
    model: keras.Model,
    *,
    optimizer="rmsprop",
    learning_rate: float | None = None,
    label_smoothing: float = 0.0,
    sparse: bool = True,
    steps_per_execution: int = 1,
    metrics: Sequence = ("accuracy",),
) -> keras.Model:
    """Compile ``model`` in place for classification with cross-entropy; return it.

    Parameters
    ----------
    model
        A Keras model with softmax outputs (batch, n_classes).
    optimizer
        A name from :data:`OPTIMIZERS` or a ``keras.optimizers.Optimizer`` instance.
    learning_rate
        Step size (or a ``LearningRateSchedule``) for an optimizer given by name;
        None: that optimizer's default (0.001 for RMSprop).
    label_smoothing
        In [0, 1): the one-hot targets become ``(1 - s) * onehot + s / n_classes``.
        Needs ``sparse=False``.
    sparse
        True: labels are class indices (batch,), SparseCategoricalCrossentropy. False:
        one-hot labels (batch, n_classes), CategoricalCrossentropy.
    steps_per_execution
        Batches run per call of the compiled training step (> 1 cuts Python overhead).
    metrics
        Metric names or objects, e.g. ``("accuracy",)``.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    steps_per_execution = _check_size(steps_per_execution, "steps_per_execution")
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a sequence such as ('accuracy',), got {metrics!r}")
    model.compile(
        optimizer=_make_optimizer(optimizer, learning_rate),
        loss=_make_loss(sparse, label_smoothing),
        metrics=list(metrics),
        steps_per_execution=steps_per_execution,
    )
    return model


def lecture_model(name: str, /, **overrides) -> keras.Model:
    """Build the lecture's network ``name`` (a key of :data:`LECTURE_MODELS`), uncompiled.

    ``overrides`` replace its :func:`build_dense` arguments, e.g. ``seed=0`` or
    ``dropout=0.2``; the model is named after the configuration unless ``name`` is given.
    """
    if name not in LECTURE_MODELS:
        raise ValueError(f"unknown lecture model {name!r}; choose one of {list(LECTURE_MODELS)}")
    if "description" in overrides:
        raise TypeError("description is not a build_dense argument and cannot be overridden")
    arguments = {key: value for key, value in LECTURE_MODELS[name].items() if key != "description"}
    arguments.setdefault("name", name)
    arguments.update(overrides)
    return build_dense(**arguments)
