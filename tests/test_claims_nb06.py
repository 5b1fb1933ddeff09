"""Claims register of notebook 06 (Keras on Fashion-MNIST): one test per claim in its text.

Each test quotes its sentence in the docstring. Claims about what Keras does are checked
against Keras itself; claims about this run's results are recomputed from the notebook's
own computation: the fixture ``nb06`` executes a copy of the notebook in quick mode with
one extra cell at the end that saves the notebook's variables (predictions, histories,
measurements) to JSON, and the tests recompute each claim from those with independent
code (scikit-learn's confusion matrix, closed forms, numpy).
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
import re
import shutil

import numpy as np
import pytest
from keras_fixtures import fit_with_snapshots, small_classifier

from lecture_nn.tooling.paths import course_notebooks

NAME = "06_keras_fashion_mnist"

DUMP = r"""
import json as _json
_state = {
    "mode": data.mode,
    "n_train": len(data.x_train),
    "n_small": len(small_data.x_train),
    "n_val": len(data.y_val),
    "epochs": epochs,
    "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    "best_epoch": int(best_weights.best_epoch),
    "y_test": data.y_test.tolist(),
    "predicted": predicted.tolist(),
    "sample": int(sample),
    "probabilities": probabilities.tolist(),
    "class_names": list(data.class_names),
    "noise": {"batch_sizes": noise.batch_sizes.tolist(), "spread": noise.spread.tolist(),
              "expected": noise.expected.tolist(), "slope": noise.slope()},
    "runs": [{"batch_size": r.batch_size, "updates": r.updates, "train": r.train_accuracy,
              "val": r.val_accuracy, "epochs": r.epochs} for r in runs],
    "decay": {"updates": decay.updates, "val": decay.history["val_accuracy"],
              "lr": decay.learning_rates, "batch": decay.batch_sizes},
    "growth": {"updates": growth.updates, "val": growth.history["val_accuracy"],
               "lr": growth.learning_rates, "batch": growth.batch_sizes},
}
with open(STATE_PATH, "w") as _f:
    _json.dump(_state, _f)
"""


def _notebook_path():
    return next(path for path in course_notebooks() if path.stem == NAME)


@pytest.fixture(scope="module")
def nb06(tmp_path_factory):
    """Notebook 06 executed in quick mode: (executed notebook as JSON, saved variables)."""
    import nbformat

    from lecture_nn.tooling.notebook_runner import execute_notebook

    folder = tmp_path_factory.mktemp("nb06")
    state_path = folder / "state.json"
    notebook = nbformat.read(_notebook_path(), as_version=4)
    code = DUMP.replace("STATE_PATH", repr(str(state_path)))
    notebook.cells.append(nbformat.v4.new_code_cell(code))
    copy = folder / "in" / f"{NAME}.ipynb"
    copy.parent.mkdir()
    nbformat.write(notebook, copy)
    for extra in _notebook_path().parent.iterdir():  # anything the notebook reads beside it
        if extra.is_dir() and not extra.name.startswith("."):
            shutil.copytree(extra, copy.parent / extra.name, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LECTURE_NN_QUICK", "1")
        result = execute_notebook(copy, folder / "out")
    assert result.ok, f"notebook 06 failed: {result.error_name}: {result.error_message}"
    executed = json.loads(result.output_path.read_text())
    return executed, json.loads(state_path.read_text())


def _markdown(executed=None) -> str:
    notebook = executed or json.loads(_notebook_path().read_text())
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def _output_of(executed, needle: str) -> str:
    """The stream output of the one code cell whose source contains ``needle``."""
    cells = [
        c for c in executed["cells"] if c["cell_type"] == "code" and needle in "".join(c["source"])
    ]
    assert len(cells) == 1, needle
    return "".join(
        "".join(o["text"]) for o in cells[0]["outputs"] if o.get("output_type") == "stream"
    )


def _in_text(sentence: str) -> None:
    """The quoted sentence is in the notebook (whitespace-insensitive), so the test is current."""
    text = " ".join(_markdown().split())
    assert " ".join(sentence.split()) in text, f"not in notebook 06 any more: {sentence!r}"


# --- what Keras does ------------------------------------------------------------------------


def test_early_stopping_restores_the_best_weights_at_the_end_of_training_without_stopping():
    """Claim: "Keras' `EarlyStopping` callback with `restore_best_weights=True` keeps a copy of the
    weights whenever the monitored validation accuracy beats its best so far, and sets that
    copy back into the model when training ends, whether it stopped early or ran all its
    epochs" and "With a patience as long as the run it never stops early here"."""
    _in_text("sets that copy back into the model when training ends, whether it stopped early")
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = small_classifier(5, learning_rate=0.5, seed=0)
    # noisy validation labels make the validation accuracy go up and down
    x_val = rng.normal(size=(40, 5)).astype("float32")
    y_val = rng.integers(0, 2, size=40)
    epochs = 12
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=epochs, restore_best_weights=True
    )
    history, snapshots = fit_with_snapshots(
        model, x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=8,
        callbacks=[stopper],
    )  # fmt: skip
    accuracy = history["val_accuracy"]
    assert len(accuracy) == epochs  # ran every epoch
    assert stopper.stopped_epoch == 0
    best = int(np.argmax(accuracy))  # the first epoch with the highest value
    assert best != epochs - 1, "the test needs a best epoch before the last one"
    assert stopper.best_epoch == best
    for restored, kept in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(restored, kept)


def test_notebook_runs_every_epoch_and_restores_the_best_validation_epoch(nb06):
    """Claim: "it only hands back, at the end, the weights of the epoch with the best validation
    accuracy (printed below)"."""
    _in_text("the weights of the epoch with the best validation accuracy (printed below)")
    executed, state = nb06
    accuracy = state["history"]["val_accuracy"]
    assert len(accuracy) == state["epochs"]
    assert state["best_epoch"] == int(np.argmax(accuracy))
    printed = _output_of(executed, "history = model.fit(")
    assert f"weights restored from epoch {int(np.argmax(accuracy)) + 1}" in printed


def test_dense_layers_default_to_glorot_uniform():
    """Claim: "without it Keras would use Glorot uniform, the default of `Dense` in
    `keras/src/layers/core/dense.py`"."""
    _in_text("without it Keras would use Glorot uniform, the default of `Dense`")
    import keras

    default = inspect.signature(keras.layers.Dense).parameters["kernel_initializer"].default
    assert default == "glorot_uniform"
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    assert isinstance(layer.kernel_initializer, keras.initializers.GlorotUniform)


def test_he_normal_has_standard_deviation_sqrt_2_over_fan_in():
    """Claim: "`kernel_initializer="he_normal"`: weights of standard deviation
    $\\sqrt{2/n_\\text{in}}$"."""
    _in_text("weights of standard deviation $\\sqrt{2/n_\\text{in}}$")
    import keras

    weights = np.asarray(keras.initializers.HeNormal(seed=0)((784, 512)))
    assert weights.std() == pytest.approx(math.sqrt(2 / 784), rel=0.01)
    assert abs(weights.mean()) < 0.01 * math.sqrt(2 / 784) * 10


def test_lecture_model_baseline_builds_exactly_the_network_in_the_text():
    """Claim: "`lecture_model("baseline")` builds exactly this network." (the code above)"""
    _in_text('`lecture_model("baseline")` builds exactly this network.')
    import keras

    from lecture_nn.keras_models import lecture_model

    block = re.search(r"```python\n(model = keras\.Sequential\(\[.*?\]\))\n```", _markdown(), re.S)
    names = {"keras": keras}
    exec(block.group(1), names)
    shown, built = names["model"], lecture_model("baseline")

    def summary(model):
        return [
            (
                layer.units,
                layer.get_config()["activation"],
                type(layer.kernel_initializer).__name__,
                layer.use_bias,
            )
            for layer in model.layers
        ]

    assert summary(shown) == summary(built)
    assert shown.input_shape == built.input_shape == (None, 784)
    assert shown.count_params() == built.count_params()


def test_sparse_labels_with_the_sparse_loss_equal_one_hot_labels_with_categorical():
    """Claim: "With labels given as class numbers (0-9) use `sparse_categorical_crossentropy`; with
    one-hot labels `categorical_crossentropy`" (the two give the same loss)."""
    _in_text("With labels given as class numbers (0-9) use")
    import keras

    rng = np.random.default_rng(1)
    probabilities = rng.dirichlet(np.ones(10), size=6).astype("float32")
    labels = rng.integers(0, 10, size=6)
    sparse = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    dense = keras.losses.categorical_crossentropy(np.eye(10)[labels], probabilities)
    np.testing.assert_allclose(np.asarray(sparse), np.asarray(dense), rtol=1e-6)
    reference = -np.log(probabilities[np.arange(6), labels])
    np.testing.assert_allclose(np.asarray(sparse), reference, rtol=1e-5)


def test_label_smoothing_is_an_option_of_categorical_crossentropy_only():
    """Claim: "Label smoothing (notebook 3) is an option of `CategoricalCrossentropy`, not of the
    sparse version."""
    _in_text("is an option of `CategoricalCrossentropy`, not of the sparse version")
    import keras

    assert "label_smoothing" in inspect.signature(keras.losses.CategoricalCrossentropy).parameters
    sparse = inspect.signature(keras.losses.SparseCategoricalCrossentropy).parameters
    assert "label_smoothing" not in sparse


def test_steps_per_execution_is_documented_in_the_trainer_compile_docstring():
    """Claim: "`steps_per_execution` lets Keras run several batches per call of its compiled
    training function (the `compile` docstring in `keras/src/trainers/trainer.py`)"."""
    _in_text("the `compile` docstring in `keras/src/trainers/trainer.py`")
    from keras.src.trainers import trainer

    doc = " ".join(trainer.Trainer.compile.__doc__.split())
    assert "steps_per_execution: Int. The number of batches to run" in doc


def test_predict_gives_ten_probabilities_that_sum_to_one_and_the_class_is_the_most_probable(nb06):
    """Claim: "`predict` returns, for every input, the 10 softmax probabilities (they sum to 1); the
    predicted class is the most probable one."""
    _in_text("the 10 softmax probabilities (they sum to 1)")
    _, state = nb06
    probabilities = np.array(state["probabilities"])
    assert probabilities.shape == (10,)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.all(probabilities >= 0)
    assert state["predicted"][state["sample"]] == int(np.argmax(probabilities))


# --- the data ----------------------------------------------------------------------------------


def test_fashion_mnist_has_70000_images_of_28_by_28_pixels_in_ten_classes():
    """Claim: "70,000 grey-scale images of 28 × 28 pixels showing ten kinds of clothing" and "the
    official split (60,000 training and 10,000 test images ...)"."""
    _in_text("70,000 grey-scale images of 28 × 28 pixels showing ten kinds of clothing")
    from lecture_nn.datasets.loader import load_fashion_mnist

    data = load_fashion_mnist()
    assert data.x_train.shape == (60_000, 28, 28)
    assert data.x_test.shape == (10_000, 28, 28)
    assert data.x_train.dtype == np.uint8  # one grey value per pixel
    assert len(data.class_names) == 10
    assert sorted(set(data.y_train.tolist())) == list(range(10))


def test_validation_set_is_the_last_10000_training_images():
    """Claim: "keeps the last 10,000 training images aside for validation"."""
    _in_text("keeps the last 10,000 training images aside for validation")
    from lecture_nn.datasets.loader import load_fashion_mnist
    from lecture_nn.experiments import course_data

    full = load_fashion_mnist(flatten=True, scale=True)
    data = course_data("full")
    np.testing.assert_array_equal(data.x_val, full.x_train[-10_000:])
    np.testing.assert_array_equal(data.y_val, full.y_train[-10_000:])
    assert len(data.x_train) == 50_000
    assert len(data.x_test) == 10_000


def test_quick_mode_has_a_tenth_of_the_training_images_and_a_fifth_of_the_epochs():
    """Claim: "in quick mode, with a tenth of the training images and a fifth of the epochs, the
    floor is only 0.70"."""
    _in_text("with a tenth of the training images and a fifth of the epochs")
    from lecture_nn.experiments import QUICK_TRAIN, epochs_for

    assert QUICK_TRAIN * 10 == 60_000
    assert epochs_for(25, "quick") * 5 == epochs_for(25, "full") == 25


# --- the confusion matrix ----------------------------------------------------------------------


def test_confusion_printout_names_the_hardest_class_its_confusions_and_the_easiest(nb06):
    """Claim: "The printout below reads the matrix: the class with the lowest share of right
    predictions (its recall), the classes it is most often taken for, and the three classes
    with the highest recall."""
    _in_text("the class with the lowest share of right predictions (its recall)")
    from sklearn.metrics import confusion_matrix

    executed, state = nb06
    names = state["class_names"]
    matrix = confusion_matrix(state["y_test"], state["predicted"], labels=range(10))
    recall = np.diag(matrix) / matrix.sum(axis=1)
    hardest = int(np.argmin(recall))
    off = matrix[hardest].copy()
    off[hardest] = -1
    taken_for = [names[k] for k in np.argsort(-off, kind="stable")[:3] if off[k] > 0]
    easiest = [names[k] for k in np.argsort(-recall, kind="stable")[:3]]
    printed = _output_of(executed, "facts = confusion_facts(")
    first, second = printed.strip().splitlines()
    assert first.startswith(f"hardest class: {names[hardest]}, {recall[hardest]:.0%} right")
    assert [part.split(" (")[0] for part in first.split("taken for ")[1].split("), ")] == taken_for
    assert [part.split(" (")[0] for part in second.split(": ")[1].split("), ")] == easiest


# --- batch size and learning rate --------------------------------------------------------------


def test_one_epoch_takes_ceil_n_over_b_updates(nb06):
    """Claim: "One epoch over $N$ training images takes $\\lceil N/B \\rceil$ updates with
    batches of $B$ images" (Keras' count: test_batch_size.py, test_keras_makes_updates_...)."""
    _in_text("takes $\\lceil N/B \\rceil$ updates with batches of $B$ images")
    executed, state = nb06
    printed = _output_of(executed, "batch_size.updates_per_epoch(n, size)")
    n = state["n_train"]
    for size in (32, 512, 4096):
        assert f"batch {size:>4}: {math.ceil(n / size):>5,} updates per epoch" in printed


def test_every_measured_gradient_spread_lies_within_20_percent_of_the_closed_form(nb06):
    """Claim: "checks here that every measured spread lies within 20 % of the closed form"."""
    _in_text("every measured spread lies within 20 % of the closed form")
    _, state = nb06
    spread = np.array(state["noise"]["spread"])
    expected = np.array(state["noise"]["expected"])
    np.testing.assert_allclose(spread, expected, rtol=0.2)


def test_gradient_noise_halves_when_the_batch_grows_fourfold(nb06):
    """Claim: "While $B \\ll N$ the noise ... falls like $1/\\sqrt{B}$: four times the batch, half
    the noise." (measured: sizes 4 to 64 of N = 1,000; each ratio within 0.5 ± 0.1)"""
    _in_text("four times the batch, half the noise")
    _, state = nb06
    spread = np.array(state["noise"]["spread"])[:3]  # B = 4, 16, 64
    ratios = spread[1:] / spread[:-1]
    np.testing.assert_allclose(ratios, 0.5, atol=0.1)


def test_larger_batches_make_fewer_updates_lower_training_accuracy_smaller_gap(nb06):
    """Claim: "The larger batches make fewer updates in those epochs." and "whether, in this
    run, the training accuracy falls as the batch grows and the smallest batch has the largest
    gap; the test suite checks both"."""
    _in_text("The larger batches make fewer updates in those epochs.")
    _in_text("the test suite checks both.")
    executed, state = nb06
    runs = state["runs"]
    updates = [run["updates"] for run in runs]
    n = state["n_small"]
    assert updates == [run["epochs"] * math.ceil(n / run["batch_size"]) for run in runs]
    assert updates == sorted(updates, reverse=True)
    assert len(set(updates)) == len(updates)
    train = [run["train"] for run in runs]
    gaps = [run["train"] - run["val"] for run in runs]
    assert all(later < first for first, later in itertools.pairwise(train))
    assert gaps[0] == max(gaps)
    printed = _output_of(executed, "runs = batch_size.batch_size_runs(")
    assert "training accuracy falls as the batch grows: True" in printed
    assert "the smallest batch has the largest gap: True" in printed


def test_both_runs_have_the_same_learning_rate_over_batch_size_in_every_epoch(nb06):
    """Claim: "Learning rate / batch size is the same in every epoch of both runs"."""
    _in_text("Learning rate / batch size is the same in every epoch of both runs")
    _, state = nb06
    decay, growth = state["decay"], state["growth"]
    np.testing.assert_allclose(
        np.divide(decay["lr"], decay["batch"]), np.divide(growth["lr"], growth["batch"])
    )
    assert sorted(set(growth["batch"])) == [32, 160, 800]
    assert sorted(set(decay["lr"]), reverse=True) == pytest.approx([0.1, 0.02, 0.004])


def test_decay_and_growth_validation_curves_differ_by_less_than_0_05_per_epoch(nb06):
    """Claim: "Per epoch (left) the two validation curves stay close: the test suite checks
    that they differ by less than 0.05 in every epoch."""
    _in_text("that they differ by less than 0.05 in every epoch")
    _, state = nb06
    difference = np.abs(np.subtract(state["decay"]["val"], state["growth"]["val"]))
    assert difference.max() < 0.05


def test_growing_batch_makes_about_41_percent_of_the_updates(nb06):
    """Claim: "with three phases and a factor of 5 it makes
    $(1 + 1/5 + 1/25)/3 \\approx 41\\,\\%$ of the other run's updates
    (up to the rounding of $\\lceil N/B \\rceil$)."""
    _in_text("(1 + 1/5 + 1/25)/3 \\approx 41\\,\\%")
    _, state = nb06
    n, per_phase = state["n_small"], len(state["decay"]["val"]) // 3
    decay_updates = 3 * per_phase * math.ceil(n / 32)
    growth_updates = per_phase * sum(math.ceil(n / b) for b in (32, 160, 800))
    assert state["decay"]["updates"][-1] == decay_updates
    assert state["growth"]["updates"][-1] == growth_updates
    assert growth_updates / decay_updates == pytest.approx((1 + 1 / 5 + 1 / 25) / 3, abs=0.01)
    assert round((1 + 1 / 5 + 1 / 25) / 3, 2) == 0.41


# --- exercises: texts, hints and solutions -------------------------------------------------------


def test_to_categorical_with_num_classes_equals_rows_of_the_identity():
    """Hint: "np.eye(10)[labels] encodes all labels at once (keras.utils.to_categorical(labels,
    num_classes=10) does the same)"."""
    import keras

    from lecture_nn.exercises import nb06

    assert "num_classes=10) does the same" in " ".join(nb06.preprocess.hints[2].split())
    labels = np.array([3, 0, 9, 3])
    np.testing.assert_array_equal(
        keras.utils.to_categorical(labels, num_classes=10), np.eye(10)[labels]
    )


def test_to_categorical_without_num_classes_drops_missing_top_classes():
    """Diagnosis: "keras.utils.to_categorical(labels) without num_classes: a batch without a 9
    then gets fewer than 10 columns"."""
    import keras

    assert keras.utils.to_categorical(np.array([0, 4, 2])).shape == (3, 5)


def test_batch_normalisation_has_four_parameters_per_unit_two_trainable():
    """Prompt and hint: batch normalisation keeps "a learned scale $\\gamma$ and shift $\\beta$,
    and a moving mean and a moving variance"; "count_params() counts them"; the moving
    statistics are "non-trainable"."""
    import keras

    layer = keras.layers.BatchNormalization()
    layer.build((None, 32))
    assert layer.count_params() == 4 * 32
    assert sorted(w.name for w in layer.trainable_weights) == ["beta", "gamma"]
    assert sorted(w.name for w in layer.non_trainable_weights) == ["moving_mean", "moving_variance"]


def test_keras_computes_in_float32_by_default():
    """Final check: "float32, the float type Keras computes in (float64 takes twice the memory
    for nothing)"."""
    import keras

    assert keras.config.floatx() == "float32"
    assert np.dtype("float64").itemsize == 2 * np.dtype("float32").itemsize


def test_numpy_transpose_without_axes_reverses_all_three_axes():
    """Diagnosis: "images.T (np.transpose without axes) reverses all three axes and moves the
    examples to the last one"."""
    images = np.zeros((5, 28, 27))
    assert images.T.shape == (27, 28, 5)


def test_only_dense_and_batch_normalisation_layers_have_parameters():
    """Hint: "Only Dense and BatchNormalization have parameters; the Input only declares the
    shape, Dropout and Activation compute without any."""
    from lecture_nn.exercises import nb06

    assert "Dropout and Activation compute without any" in nb06.keras_parameters.hints[0]
    model = nb06.build_model()
    counts = [(type(layer).__name__, layer.count_params()) for layer in model.layers]
    assert [count for name, count in counts if name in ("Dropout", "Activation")] == [0, 0]
    assert sum(count for _, count in counts) == model.count_params()  # nothing in the Input
    assert {name for name, count in counts if count} == {"Dense", "BatchNormalization"}


def test_reshape_keeps_the_examples_and_flattens_each_image_row_by_row():
    """Hint: "images.reshape(len(images), 784) keeps the first axis (the examples) and
    flattens each image row by row"."""
    from lecture_nn.exercises import nb06

    assert "flattens each image row by row" in " ".join(nb06.preprocess.hints[1].split())
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28)
    flat = images.reshape(len(images), 784)
    for k in range(2):
        np.testing.assert_array_equal(flat[k], np.concatenate(list(images[k])))


def test_batch_size_experiments_use_the_quick_subset_in_both_modes(nb06):
    """Claim: "This experiment and the next one use the same data in both modes, the quick
    mode's 5,000 training and 1,000 validation images, and a fixed number of epochs;
    `bench/bench_batch_size.py --mode full` runs both on all 50,000 training images, for 20
    and 3 × 10 epochs."."""
    from pathlib import Path

    from lecture_nn.experiments import QUICK_TRAIN, VALIDATION_SIZE, epochs_for

    _in_text("the quick\nmode's 5,000 training and\n1,000 validation images")
    _in_text("for 20 and 3 × 10 epochs")
    executed, state = nb06
    assert (QUICK_TRAIN - VALIDATION_SIZE["quick"], VALIDATION_SIZE["quick"]) == (5_000, 1_000)
    assert state["n_small"] == 5_000
    for marker in ("runs = batch_size.batch_size_runs(", "decay, growth = batch_size"):
        source = next(c["source"] for c in executed["cells"] if marker in "".join(c["source"]))
        assert "small_data" in "".join(source)
        assert "epochs_for" not in "".join(source)
    bench = (Path(__file__).parents[1] / "bench" / "bench_batch_size.py").read_text()
    assert "epochs=epochs_for(20, mode)" in bench
    assert "epochs_for(10, mode)" in bench
    assert "phases=" not in bench  # the default number of phases, as in the notebook: three
    from lecture_nn.batch_size import decay_versus_growth

    assert inspect.signature(decay_versus_growth).parameters["phases"].default == 3
    assert (epochs_for(20, "full"), epochs_for(10, "full")) == (20, 10)
    assert VALIDATION_SIZE["full"] == 10_000  # 60,000 - 10,000 = 50,000 training images
