"""The lecture's dense classifiers: sizes, layer order, regularisers, compilation, bad input."""

import inspect
import itertools
import re
from pathlib import Path

import keras
import numpy as np
import pytest

from lecture_nn import keras_models
from lecture_nn.keras_models import (
    ACTIVATIONS,
    INITIALIZERS,
    LECTURE_MODELS,
    MAX_PARAMETERS,
    OPTIMIZERS,
    build_dense,
    compile_classifier,
    count_dense_parameters,
    lecture_model,
)


def closed_form_counts(hidden, n_inputs=784, n_classes=10, batch_norm=False, **_):
    """(total, trainable) parameters: a Dense layer has n_in*n_out weights + n_out biases;
    with batch norm the bias goes and BN adds gamma, beta (trainable), mean, variance."""
    total = trainable = 0
    sizes = [n_inputs, *hidden]
    for n_in, n_out in itertools.pairwise(sizes):
        if batch_norm:
            total += n_in * n_out + 4 * n_out
            trainable += n_in * n_out + 2 * n_out
        else:
            total += n_in * n_out + n_out
            trainable += n_in * n_out + n_out
    output = sizes[-1] * n_classes + n_classes
    return total + output, trainable + output


def trainable_count(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


def test_baseline_has_the_lectures_669706_parameters():
    model = lecture_model("baseline")
    assert model.count_params() == 669_706
    assert trainable_count(model) == 669_706
    assert [layer.units for layer in model.layers] == [512, 512, 10]


@pytest.mark.parametrize("name", list(LECTURE_MODELS))
def test_lecture_models_match_the_closed_form_parameter_count(name):
    config = LECTURE_MODELS[name]
    model = lecture_model(name)
    total, trainable = closed_form_counts(**config)
    assert model.count_params() == total
    assert trainable_count(model) == trainable
    assert model.name == name


def test_lecture_model_configurations_are_build_dense_arguments_with_a_description():
    parameters = set(inspect.signature(build_dense).parameters)
    for name, config in LECTURE_MODELS.items():
        description = config["description"]
        assert isinstance(description, str), name
        assert description, name
        assert "\n" not in description, name
        assert set(config) - {"description"} <= parameters, name
    assert LECTURE_MODELS["dropout"]["dropout"] == 0.3
    assert LECTURE_MODELS["batchnorm_dropout"]["dropout"] == 0.5
    assert LECTURE_MODELS["l2"]["l2"] == 0.001
    assert LECTURE_MODELS["bottleneck"]["hidden"] == (256, 2)
    assert LECTURE_MODELS["bottleneck"]["activation"] == ("relu", "linear")
    assert LECTURE_MODELS["small"]["hidden"] == (256, 32)


def test_batch_norm_sits_between_a_bias_free_dense_layer_and_its_activation():
    model = lecture_model("batchnorm_dropout")
    kinds = [type(layer).__name__ for layer in model.layers]
    block = ["Dense", "BatchNormalization", "Activation", "Dropout"]
    assert kinds == block * 3 + ["Dense"]
    hidden_dense = [layer for layer in model.layers[:-1] if isinstance(layer, keras.layers.Dense)]
    assert [layer.use_bias for layer in hidden_dense] == [False, False, False]
    assert all(layer.get_config()["activation"] == "linear" for layer in hidden_dense)
    activations = [layer for layer in model.layers if isinstance(layer, keras.layers.Activation)]
    assert [layer.get_config()["activation"] for layer in activations] == ["relu"] * 3
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [layer.rate for layer in dropouts] == [0.5] * 3
    assert model.layers[-1].get_config()["activation"] == "softmax"


def test_dropout_follows_every_hidden_layer_and_adds_no_parameters():
    plain, dropped = lecture_model("small"), lecture_model("dropout")
    kinds = [type(layer).__name__ for layer in dropped.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [layer.rate for layer in dropped.layers if hasattr(layer, "rate")] == [0.3, 0.3]
    assert dropped.count_params() == plain.count_params()
    assert [type(layer).__name__ for layer in build_dense((4, 4), dropout=0.0).layers] == [
        "Dense",
        "Dense",
        "Dense",
    ]


@pytest.mark.parametrize(
    ("l1", "l2", "kind", "config"),
    [
        (0.001, 0.0, keras.regularizers.L1, {"l1": 0.001}),
        (0.0, 0.001, keras.regularizers.L2, {"l2": 0.001}),
        (0.002, 0.003, keras.regularizers.L1L2, {"l1": 0.002, "l2": 0.003}),
    ],
)
def test_weight_decay_is_set_on_every_hidden_kernel_and_only_there(l1, l2, kind, config):
    model = build_dense((6, 5), n_inputs=4, n_classes=3, l1=l1, l2=l2, seed=0)
    *hidden, output = model.layers
    for layer in hidden:
        assert isinstance(layer.kernel_regularizer, kind)
        assert layer.kernel_regularizer.get_config() == pytest.approx(config)
    assert output.kernel_regularizer is None
    assert all(layer.bias_regularizer is None for layer in model.layers)
    # The penalty that enters the loss is l1 * sum|w| + l2 * sum w**2 over the hidden kernels.
    model(np.ones((1, 4), dtype="float32"))
    kernels = [np.asarray(layer.kernel) for layer in hidden]
    expected = sum(l1 * np.abs(k).sum() + l2 * np.square(k).sum() for k in kernels)
    assert float(sum(np.asarray(loss) for loss in model.losses)) == pytest.approx(
        expected, rel=1e-5
    )


def test_lecture_regularised_models_use_the_lectures_strengths():
    for name, key in (("l2", "l2"), ("l1", "l1")):
        model = lecture_model(name)
        hidden = model.layers[:-1]
        assert [layer.kernel_regularizer.get_config()[key] for layer in hidden] == pytest.approx(
            [0.001, 0.001]
        )
    assert all(layer.kernel_regularizer is None for layer in lecture_model("baseline").layers)


def test_initializers_and_seeds():
    model = lecture_model("baseline")
    assert all(
        isinstance(layer.kernel_initializer, keras.initializers.HeNormal)
        for layer in model.layers[:-1]
    )
    assert isinstance(model.layers[-1].kernel_initializer, keras.initializers.GlorotUniform)
    first, again, other = (build_dense((8, 8, 8), n_inputs=8, seed=s) for s in (0, 0, 1))
    for a, b in zip(first.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])
    # Same-shaped layers must not share their initial weights.
    assert not np.array_equal(first.layers[1].get_weights()[0], first.layers[2].get_weights()[0])


def test_he_normal_spread_matches_fan_in():
    kernel = np.asarray(build_dense((2000,), n_inputs=500, seed=3).layers[0].kernel)
    # He normal: truncated normal with std sqrt(2 / fan_in).
    assert kernel.std() == pytest.approx(np.sqrt(2 / 500), rel=0.03)


def test_lecture_model_overrides_and_unknown_names():
    model = lecture_model("baseline", hidden=(64,), name="tiny", seed=0)
    assert model.name == "tiny"
    assert [layer.units for layer in model.layers] == [64, 10]
    with pytest.raises(ValueError, match=r"name must be one of .*baseline.*dropout.*got 'huge'"):
        lecture_model("huge")
    with pytest.raises(TypeError, match="description"):
        lecture_model("small", description="x")


def test_named_choices_are_known_to_keras():
    for name in ACTIVATIONS:
        assert callable(keras.activations.get(name)), name
    for name in INITIALIZERS:
        assert isinstance(keras.initializers.get(name), keras.initializers.Initializer), name
    for name in OPTIMIZERS:
        assert isinstance(keras.optimizers.get(name), keras.optimizers.Optimizer), name


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"hidden": (512, 0)}, ValueError, r"hidden\[1\] must be an integer >= 1"),
        ({"hidden": (512, -3)}, ValueError, r"hidden\[1\]"),
        ({"hidden": "512"}, TypeError, "hidden must be a sequence"),
        ({"hidden": (2.5,)}, TypeError, r"hidden\[0\] must be an integer"),
        ({"hidden": (2.0,)}, TypeError, r"hidden\[0\] must be an integer"),
        ({"n_inputs": 0}, ValueError, "n_inputs must be an integer >= 1"),
        ({"n_classes": 1}, ValueError, "n_classes must be an integer >= 2"),
        ({"dropout": 1.0}, ValueError, r"dropout must be a number in \[0, 1\)"),
        ({"dropout": -0.1}, ValueError, "dropout"),
        ({"l1": -0.001}, ValueError, "l1 must be a number >= 0"),
        ({"l2": float("nan")}, ValueError, "l2"),
        ({"activation": "relu2"}, ValueError, r"activation must be one of .*'relu'.*'tanh'"),
        ({"activation": ("relu",)}, ValueError, r"one activation per hidden layer \(2\)"),
        ({"activation": ("relu", "relu2")}, ValueError, r"activation\[1\] must be one of"),
        ({"activation": 3}, TypeError, "activation must be a name"),
        (
            {"kernel_initializer": "he"},
            ValueError,
            r"kernel_initializer must be one of .*he_normal",
        ),
        ({"batch_norm": 1}, TypeError, "batch_norm must be True or False"),
        ({"batch_norm": "False"}, TypeError, "batch_norm must be True or False"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_build_dense_rejects_bad_input(arguments, error, message):
    with pytest.raises(error, match=message):
        build_dense(**arguments)


def test_compile_sparse_and_one_hot_losses():
    model = compile_classifier(build_dense((4,), n_inputs=5, n_classes=3, seed=0))
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
    model = compile_classifier(
        build_dense((4,), n_inputs=5, n_classes=3, seed=0), sparse=False, label_smoothing=0.1
    )
    assert isinstance(model.loss, keras.losses.CategoricalCrossentropy)
    assert model.loss.get_config()["label_smoothing"] == pytest.approx(0.1)


def test_label_smoothing_gives_the_smoothed_cross_entropy():
    model = compile_classifier(
        build_dense((4,), n_inputs=5, n_classes=3, seed=0),
        sparse=False,
        label_smoothing=0.2,
        metrics=(),
    )
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    labels = np.arange(8) % 3
    one_hot = np.eye(3, dtype="float32")[labels]
    probabilities = np.asarray(model.predict(x, verbose=0), dtype=float)
    targets = 0.8 * one_hot + 0.2 / 3
    expected = -np.mean(np.sum(targets * np.log(probabilities), axis=1))
    assert model.evaluate(x, one_hot, verbose=0) == pytest.approx(expected, rel=1e-4)


def test_compile_optimizer_learning_rate_and_steps_per_execution():
    model = compile_classifier(
        build_dense((4,), n_inputs=5, n_classes=3),
        optimizer="adam",
        learning_rate=0.01,
        steps_per_execution=8,
        metrics=("accuracy", "sparse_top_k_categorical_accuracy"),
    )
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert model.steps_per_execution == 8
    sgd = keras.optimizers.SGD(learning_rate=0.5)
    assert compile_classifier(build_dense((4,), n_inputs=5), optimizer=sgd).optimizer is sgd


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"label_smoothing": 0.1}, ValueError, "sparse=False and one-hot labels"),
        (
            {"label_smoothing": 1.0, "sparse": False},
            ValueError,
            r"label_smoothing must be a number in \[0, 1\)",
        ),
        ({"optimizer": "adamm"}, ValueError, r"optimizer must be one of .*'rmsprop'"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be a number > 0"),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate must be a finite number"),
        ({"optimizer": keras.optimizers.SGD(), "learning_rate": 0.1}, ValueError, "SGD"),
        ({"steps_per_execution": 0}, ValueError, "steps_per_execution must be an integer >= 1"),
        ({"metrics": "accuracy"}, TypeError, "metrics must be a sequence"),
        ({"sparse": "yes"}, TypeError, "sparse must be True"),
        ({"sparse": "False"}, TypeError, "sparse must be True or False"),
        ({"metrics": [3]}, TypeError, r"metrics\[0\] must be a metric name"),
    ],
)
def test_compile_classifier_rejects_bad_input(arguments, error, message):
    with pytest.raises(error, match=message):
        compile_classifier(build_dense((4,), n_inputs=5), **arguments)


def test_compile_classifier_needs_a_model():
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        compile_classifier("baseline")


def test_module_is_backend_neutral():
    source = Path(keras_models.__file__).read_text()
    assert "tensorflow" not in source
    assert not re.search(r"\btf\.", source)


def test_one_activation_per_hidden_layer_and_the_linear_bottleneck():
    model = lecture_model("bottleneck", seed=0)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [256, 2, 10]
    assert [layer.get_config()["activation"] for layer in dense] == ["relu", "linear", "softmax"]
    # A linear unit's output can be negative, unlike a ReLU's, and is never stuck at zero.
    encoder = keras.Model(model.inputs[0], model.layers[1].output)
    codes = keras.ops.convert_to_numpy(encoder(np.random.default_rng(0).random((200, 784))))
    assert (codes < 0).any()
    assert (codes > 0).any()
    same = build_dense((8, 4), n_inputs=3, activation="tanh")
    activations = [layer.get_config()["activation"] for layer in same.layers]
    assert activations == ["tanh", "tanh", "softmax"]


@pytest.mark.parametrize(
    "arguments",
    [
        {"hidden": (512, 512)},
        {"hidden": (256, 64, 32), "batch_norm": True},
        {"hidden": (), "n_inputs": 5, "n_classes": 3},
        {"hidden": (7, 5, 3), "n_inputs": 11, "n_classes": 4, "batch_norm": True},
    ],
)
def test_count_dense_parameters_matches_keras(arguments):
    """The count made before building equals Keras's count_params of the built model."""
    assert count_dense_parameters(**arguments) == build_dense(**arguments).count_params()


def test_build_dense_refuses_a_network_beyond_max_parameters_before_allocating():
    """``build_dense(hidden=[10**6, 10**6])`` grew past 4 GB before; now a ValueError at once.

    784 * 10**6 + 10**6 + 10**12 + 10**6 + 10**7 + 10 = 1,000,796,000,010 parameters.
    """
    import resource
    import time

    start, peak = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError, match=r"needs 1,000,796,000,010 parameters.*MAX_PARAMETERS"):
        build_dense(hidden=[10**6, 10**6])
    assert time.perf_counter() - start < 5
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    assert grown_kib < 100_000  # under 100 MB more than before
    # The limit is about parameters, so the lecture's largest network is far below it ...
    assert count_dense_parameters((512, 512)) == 669_706 < MAX_PARAMETERS // 20
    # ... and one parameter over the limit is refused, one at it is built (counted only).
    n_inputs = (MAX_PARAMETERS - 2) // 2  # n_inputs * 2 + 2 = the limit (softmax regression)
    assert count_dense_parameters((), n_inputs=n_inputs, n_classes=2) == MAX_PARAMETERS
    with pytest.raises(ValueError, match="MAX_PARAMETERS"):
        build_dense((), n_inputs=n_inputs + 1, n_classes=2)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batch_norm": "False"}, TypeError, "batch_norm must be True or False"),
        ({"batch_norm": np.bool_(True)}, None, None),
        ({"hidden": (np.int64(4),)}, None, None),
        ({"n_classes": 1}, ValueError, "n_classes must be an integer >= 2"),
        ({"hidden": [0]}, ValueError, r"hidden\[0\] must be an integer >= 1"),
    ],
)
def test_count_dense_parameters_checks_its_arguments(arguments, error, message):
    if error is None:
        assert count_dense_parameters(**arguments) > 0
        return
    with pytest.raises(error, match=message):
        count_dense_parameters(**arguments)
