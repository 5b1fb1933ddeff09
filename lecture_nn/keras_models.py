"""The lecture's dense Fashion-MNIST classifiers, built and compiled by name (imports Keras).

:func:`build_dense` builds a ``keras.Sequential`` multi-layer perceptron with optional
weight regularisation, batch normalisation and dropout; :func:`compile_classifier`
compiles it for classification; :data:`LECTURE_MODELS` holds the configurations the
lecture "Neural networks in practice" trains, and :func:`lecture_model` builds one::

    model = compile_classifier(lecture_model("baseline", seed=0))
    model.fit(x_train, y_train, epochs=25, batch_size=512, validation_split=1 / 6)
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from lecture_nn import _validation as check

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LECTURE_MODELS",
    "MAX_PARAMETERS",
    "OPTIMIZERS",
    "build_dense",
    "compile_classifier",
    "count_dense_parameters",
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


#: Most parameters (weights, biases and batch-normalisation statistics) a network of
#: :func:`build_dense` may have: 20 million, 80 MB of float32 weights (and about four times
#: that with an optimizer's state), 30 times the lecture's largest network (669,706). A
#: larger request is refused before Keras allocates anything: ``hidden=[10**6, 10**6]``
#: would need 4 TB.
MAX_PARAMETERS = 20_000_000


def count_dense_parameters(
    hidden: Sequence[int] = (512, 512),
    *,
    n_inputs: int = 784,
    n_classes: int = 10,
    batch_norm: bool = False,
) -> int:
    """Count the parameters of the :func:`build_dense` network, without building it.

    Each hidden Dense layer of ``units`` units has ``n_in * units`` weights and ``units``
    biases; with ``batch_norm`` it has no bias, and its ``BatchNormalization`` holds
    ``4 * units`` values (scale, offset, moving mean and moving variance), as Keras's
    ``count_params`` counts them. The softmax output adds ``n_in * n_classes + n_classes``.

    Parameters
    ----------
    hidden : sequence of int
        Units of each hidden layer (each >= 1); may be empty.
    n_inputs : int
        Length of an input vector (>= 1).
    n_classes : int
        Output units (>= 2).
    batch_norm : bool
        Whether each hidden layer is batch-normalised.

    Returns
    -------
    int
        The number of parameters, what ``model.count_params()`` reports once built.

    Raises
    ------
    TypeError, ValueError
        For a size that is not an integer >= 1 (``n_classes`` >= 2) or a non-bool
        ``batch_norm``.
    """
    hidden = check.sizes(hidden, "hidden", minimum_length=0)
    n_inputs = check.positive_int(n_inputs, "n_inputs")
    n_classes = check.integer(n_classes, "n_classes", minimum=2)
    batch_norm = check.boolean(batch_norm, "batch_norm")
    total, fan_in = 0, n_inputs
    for units in hidden:
        total += fan_in * units + (4 * units if batch_norm else units)
        fan_in = units
    return total + fan_in * n_classes + n_classes


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
    """Return a distinct seed per layer (one seed for all: same-shaped layers, same weights)."""
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
    hidden : sequence of int
        Units of each hidden layer, e.g. ``(512, 512)``; ``()`` gives softmax regression.
    n_inputs : int
        Length of an input vector (784 for a flattened 28 x 28 image); inputs (batch, n_inputs).
    n_classes : int
        Output units, one probability per class (>= 2); outputs (batch, n_classes).
    activation : str, callable or sequence of them
        Hidden-layer activation: a name from :data:`ACTIVATIONS` or a callable, for every
        hidden layer, or a sequence of them, one per hidden layer (e.g. ``("relu",
        "linear")``).
    kernel_initializer : str or keras.initializers.Initializer
        Hidden-layer weight initializer: a name from :data:`INITIALIZERS` or an
        ``Initializer``. The output layer keeps Keras's default, Glorot uniform, as in the
        lecture.
    dropout : float
        Dropout rate in [0, 1) after every hidden layer (0: no Dropout layers).
    l1, l2 : float
        Weight-decay strengths >= 0 added to the loss for every hidden kernel
        (``l1 * sum|w|``, ``l2 * sum w**2``); biases and the output layer are not penalised.
    batch_norm : bool
        Put ``BatchNormalization`` between each hidden Dense layer (then without bias) and
        its activation.
    seed : int or None
        Seed of the initializers and dropout masks (each layer gets ``seed + index``);
        None: Keras's global seed (``keras.utils.set_random_seed``).
    name : str or None
        Model name; None: Keras's default.

    Returns
    -------
    keras.Sequential
        The uncompiled model: inputs (batch, n_inputs), softmax outputs (batch, n_classes).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value (the message names it), and for a
        network of more than :data:`MAX_PARAMETERS` parameters, before Keras allocates
        anything.
    """
    hidden = tuple(check.sizes(hidden, "hidden", minimum_length=0))
    dropout = check.probability(dropout, "dropout", include_one=False)
    regularizer_strengths = (check.non_negative(l1, "l1"), check.non_negative(l2, "l2"))
    if seed is not None:
        seed = check.seed(seed)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be None or a str, got {name!r}")
    parameters = count_dense_parameters(
        hidden, n_inputs=n_inputs, n_classes=n_classes, batch_norm=batch_norm
    )
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"hidden={tuple(hidden)!r} with n_inputs={n_inputs} and n_classes={n_classes} "
            f"needs {parameters:,} parameters, more than MAX_PARAMETERS={MAX_PARAMETERS:,}: "
            "use fewer or smaller layers"
        )
    activations = _check_activations(activation, len(hidden))
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
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = check.positive(learning_rate, "learning_rate")
    optimizer_class = type(keras.optimizers.get(optimizer))
    return optimizer_class(learning_rate=learning_rate)


def _make_loss(sparse: bool, label_smoothing: float):
    """Return the cross-entropy for integer labels (sparse) or one-hot labels."""
    sparse = check.boolean(sparse, "sparse")
    label_smoothing = check.probability(label_smoothing, "label_smoothing", include_one=False)
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
    model : keras.Model
        A Keras model with softmax outputs (batch, n_classes).
    optimizer : str or keras.optimizers.Optimizer
        A name from :data:`OPTIMIZERS` or a ``keras.optimizers.Optimizer`` instance.
    learning_rate : float, keras.optimizers.schedules.LearningRateSchedule or None
        Step size (or a ``LearningRateSchedule``) for an optimizer given by name;
        None: that optimizer's default (0.001 for RMSprop).
    label_smoothing : float
        In [0, 1): the one-hot targets become ``(1 - s) * onehot + s / n_classes``.
        Needs ``sparse=False``.
    sparse : bool
        True: labels are class indices (batch,), SparseCategoricalCrossentropy. False:
        one-hot labels (batch, n_classes), CategoricalCrossentropy.
    steps_per_execution : int
        Batches run per call of the compiled training step (> 1 cuts Python overhead).
    metrics : sequence of str or keras.metrics.Metric
        Metric names or objects, e.g. ``("accuracy",)``.

    Returns
    -------
    keras.Model
        ``model`` itself, compiled.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value (the message names it), and for
        ``label_smoothing`` > 0 with ``sparse=True`` (Keras 3 cannot smooth integer labels).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    steps_per_execution = check.positive_int(steps_per_execution, "steps_per_execution")
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a sequence such as ('accuracy',), got {metrics!r}")
    for i, metric in enumerate(metrics):
        if not (isinstance(metric, str) and metric) and not callable(metric):
            raise TypeError(
                f"metrics[{i}] must be a metric name, a keras.metrics.Metric or a function, "
                f"got {metric!r}"
            )
    model.compile(
        optimizer=_make_optimizer(optimizer, learning_rate),
        loss=_make_loss(sparse, label_smoothing),
        metrics=list(metrics),
        steps_per_execution=steps_per_execution,
    )
    return model


def lecture_model(name: str, /, **overrides) -> keras.Model:
    """Build the lecture's network ``name`` (a key of :data:`LECTURE_MODELS`), uncompiled.

    Parameters
    ----------
    name : str
        A key of :data:`LECTURE_MODELS`, e.g. ``"baseline"``.
    **overrides
        Replace its :func:`build_dense` arguments, e.g. ``seed=0`` or ``dropout=0.2``; the
        model is named after the configuration unless ``name`` is given among them.

    Returns
    -------
    keras.Sequential
        The uncompiled model.

    Raises
    ------
    TypeError, ValueError
        For an unknown ``name``, an override of ``description``, or a bad
        :func:`build_dense` argument.
    """
    check.choice(name, "name", LECTURE_MODELS)
    if "description" in overrides:
        raise TypeError("description is not a build_dense argument and cannot be overridden")
    arguments = {key: value for key, value in LECTURE_MODELS[name].items() if key != "description"}
    arguments.setdefault("name", name)
    arguments.update(overrides)
    return build_dense(**arguments)
