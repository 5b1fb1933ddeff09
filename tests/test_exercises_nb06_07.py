"""The exercises of notebooks 06 and 07: reference solutions pass, typical mistakes are named.

The wrong answers below are written here, the way a student would write them, independently
of the mistake functions the exercise modules use for their diagnoses. The references are
checked against Keras: the parameter count against ``count_params()``, the early-stopping
rule against ``keras.callbacks.EarlyStopping`` driven with the same losses. The checks that
every exercise gets (complete, reference passes, blank answer, raising function) run for
these two notebooks too, in tests/test_exercises_nb01_05.py, which covers all exercises.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from lecture_nn.exercises import all_exercises, get_exercise, nb06, nb07
from lecture_nn.tooling.paths import course_notebooks

MODULES = ("nb06", "nb07")
EXERCISES = {name: e for name, e in all_exercises().items() if name[:4] in MODULES}
NAMES = list(EXERCISES)


def one_hot(labels):
    return np.eye(10)[labels]


def flat(images):
    return images.reshape(len(images), -1).astype("float32")


def to_categorical_without_num_classes(images, labels):
    import keras

    return flat(images) / 255, keras.utils.to_categorical(labels)


def standardised(images, labels):
    x = flat(images)
    return (x - x.mean()) / x.std(), one_hot(labels)


# A generator of the student's own, shared between calls like np.random's global one (but
# seeded, so that this test's statistics are the same on every run).
_STUDENT_GLOBAL = np.random.default_rng(2024)


def dropout_without_rng(x, rate, rng):
    keep = _STUDENT_GLOBAL.random(x.shape) >= rate  # not rng: a new sample on every call
    return x * keep / (1 - rate)


def dropout_with_own_seed(x, rate, rng):
    keep = np.random.default_rng(42).random(x.shape) >= rate
    return x * keep / (1 - rate)


def stopping(*, start=1, improved=lambda loss, best: loss < best, late=False, early=False):
    """An early-stopping rule as a student might write it, with one mistake switched on."""

    def early_stopping(val_losses, patience):
        best, best_epoch, wait = float("inf"), None, 0
        for epoch, loss in enumerate(val_losses, start=start):
            if improved(loss, best):
                best, best_epoch, wait = loss, epoch, 0
                continue
            if late and wait == patience:  # checked before counting this epoch
                return epoch, best_epoch
            wait += 1
            if not late and wait >= patience - early:
                return epoch, best_epoch
        return len(val_losses) - 1 + start, best_epoch

    return early_stopping


def stops_at_last_as_best(val_losses, patience):
    stopped, _ = nb07._early_stopping_reference(val_losses, patience)
    return stopped, stopped


def best_of_whole_list(val_losses, patience):
    stopped, _ = nb07._early_stopping_reference(val_losses, patience)
    return stopped, val_losses.index(min(val_losses)) + 1


def stopped_zero_when_never(val_losses, patience):
    stopped_epoch, best, best_epoch, wait = 0, float("inf"), 0, 0  # like Keras' stopped_epoch
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                stopped_epoch = epoch
                break
    return stopped_epoch, best_epoch


def dropout_without_return(x, rate, rng):
    keep = rng.random(x.shape) >= rate
    x[~keep] = 0
    x /= 1 - rate


def patience_left(val_losses, patience):
    """True when the rule never triggered on val_losses."""
    best, wait = float("inf"), 0
    for loss in val_losses:
        best, wait = (loss, 0) if loss < best else (best, wait + 1)
        if wait >= patience:
            return False
    return True


def no_reset(val_losses, patience):
    best, best_epoch, bad = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        else:
            bad += 1  # total epochs without improvement, never reset
            if bad == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


WRONG_ANSWERS = {
    "nb06.preprocess": [
        (lambda images, labels: (images / 255, one_hot(labels)), "not flattened"),
        (lambda images, labels: (flat(images), one_hot(labels)), "pixels are not scaled"),
        (
            lambda images, labels: (images.reshape(len(images), 784), one_hot(labels)),
            "integer dtype uint8 and values up to 255",
        ),
        (lambda images, labels: (flat(images) / 256, one_hot(labels)), "divided by 256"),
        (standardised, "standardised"),
        (lambda images, labels: (flat(images) / 127.5 - 1, one_hot(labels)), "to [-1, 1]"),
        (
            lambda images, labels: (images.reshape(len(images), 784) / 255, one_hot(labels)),
            "x has dtype float64; expected float32",
        ),
        (
            lambda images, labels: (images.reshape(len(images), 784) // 255, one_hot(labels)),
            "rounded to integers",
        ),
        (
            lambda images, labels: ((images.reshape(-1, 784) / 255).astype(int), one_hot(labels)),
            "rounded to integers",
        ),
        (lambda images, labels: (flat(images) / 255, labels), "holds the class numbers"),
        (to_categorical_without_num_classes, "largest label in the batch"),
        (
            lambda images, labels: (
                images.reshape(len(images), 784, order="F").astype("float32") / 255,
                one_hot(labels),
            ),
            "wrong order",
        ),
        (
            lambda images, labels: (flat(np.swapaxes(images, 1, 2)) / 255, one_hot(labels)),
            "wrong order",
        ),
        (
            lambda images, labels: (images.T.reshape(len(images), 784) / 255, one_hot(labels)),
            "mix pixels of different images",
        ),
        (
            lambda images, labels: (images / 255, labels),
            "not flattened",
        ),
        (lambda images, labels: flat(images) / 255, "must return the pair (x, y_onehot)"),
    ],
    "nb06.keras_parameters": [
        ((8736, 8672), "biases are missing"),
        ((8837, 8773), "use_bias=False"),
        ((8869, 8805), "gives the Dropout layer 64 parameters"),
        ((12965, 12901), "like a dense layer of 64 units"),
        ((8741, 8741), "2 parameters per unit of batch normalisation"),
        ((8677, 8677), "gives batch normalisation no parameters"),
        ((8905, 8841), "input layer"),
        ((18905, 18841), "input layer as a dense layer"),
        ((8805, 8805), "includes batch normalisation's moving mean and variance"),
        ((8805, 8677), "leaves out batch normalisation's gamma and beta"),
        ((8805, 64), "number of non-trainable parameters"),
        ((8741, 8805), "swapped"),
        (8805, "expected a tuple of 2"),
    ],
    "nb07.dropout": [
        (lambda x, rate, rng: x * (rng.random(x.shape) > rate), "not scaled"),
        (
            lambda x, rate, rng: x * (rng.random(x.shape) >= rate) * (1 - rate),
            "multiply the kept values by 1 - rate",
        ),
        (
            lambda x, rate, rng: np.where(rng.random(x.shape) < rate, x / (1 - rate), 0),
            "keep a fraction rate",
        ),
        (
            lambda x, rate, rng: x * rng.binomial(1, rate, x.shape) / (1 - rate),
            "keep a fraction rate",
        ),
        (dropout_without_rng, "do not come from the generator rng"),
        (dropout_with_own_seed, "a generator of your own"),
        (lambda x, rate, rng: x * (1 - rate), "test-time rule of the original dropout"),
        (lambda x, rate, rng: x, "x unchanged"),
        (
            lambda x, rate, rng: (rng.random(x.shape) >= rate) / (1 - rate),
            "not x times one common factor",
        ),
        (dropout_without_return, "returned None"),
    ],
    "nb07.early_stopping": [
        (stopping(start=0), "counted from 0"),
        (stopping(late=True), "one epoch too late"),
        (stopping(early=True), "one epoch too early"),
        (stops_at_last_as_best, "best epoch is the last epoch run"),
        (stopping(improved=lambda loss, best: loss <= best), "equal loss counts as an improvement"),
        (best_of_whole_list, "lowest loss in the whole list"),
        (stopped_zero_when_never, "you return 0"),
        (no_reset, "does not restart at 0"),
    ],
}

WRONG = [
    pytest.param(name, answer, text, id=f"{name}-{index}")
    for name, answers in WRONG_ANSWERS.items()
    for index, (answer, text) in enumerate(answers)
]


def test_every_exercise_has_three_typical_wrong_answers_here():
    assert set(WRONG_ANSWERS) == set(NAMES)
    assert all(len(answers) >= 3 for answers in WRONG_ANSWERS.values())


@pytest.mark.parametrize(("name", "answer", "diagnosis"), WRONG)
def test_typical_wrong_answer_is_named(name, answer, diagnosis, capsys):
    assert get_exercise(name).check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ Incorrect: ")
    assert diagnosis in out
    assert out.count("\n") == 1
    assert "Traceback" not in out


# --- nb06: preprocessing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        lambda images, labels: (
            images.reshape(-1, 784).astype(np.float32) / 255.0,
            np.eye(10, dtype=int)[labels],
        ),
        lambda images, labels: (
            (images.reshape(len(images), 28 * 28) / 255).astype("float32"),
            (labels[:, None] == np.arange(10)).astype("float32"),
        ),
        lambda images, labels: (
            np.array([image.flatten() for image in images], dtype=np.float32) / 255,
            [[1.0 if k == label else 0.0 for k in range(10)] for label in labels],
        ),
    ],
)
def test_preprocess_accepts_other_right_answers(answer):
    assert get_exercise("nb06.preprocess").evaluate(answer).passed


def test_preprocess_accepts_keras_to_categorical_with_ten_classes():
    import keras

    def preprocess(images, labels):
        x = images.reshape(len(images), 784).astype("float32") / 255
        return x, keras.utils.to_categorical(labels, num_classes=10)

    assert get_exercise("nb06.preprocess").evaluate(preprocess).passed


def test_preprocess_check_is_instant_and_offline():
    """The check runs on small synthetic images: no data set, no Keras, no network."""
    code = (
        "import sys, time\n"
        "from lecture_nn.exercises import nb06\n"
        "import numpy as np\n"
        "names = {}\n"
        "exec(nb06.preprocess.solution_code, names)\n"
        "start = time.perf_counter()\n"
        "assert nb06.preprocess.evaluate(names['preprocess']).passed\n"
        "assert time.perf_counter() - start < 1\n"
        "loaded = {'keras', 'tensorflow', 'lecture_nn.datasets.loader', 'lecture_nn.experiments'}\n"
        "print(sorted(loaded & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
    cases = nb06.preprocess.cases
    assert all(case.args["images"].dtype == np.uint8 for case in cases)
    assert all(len(case.args["images"]) <= 5 for case in cases)
    assert any(max(case.args["labels"]) < 9 for case in cases)  # to catch a missing num_classes


def test_preprocess_reports_a_wrongly_shaped_label_array():
    result = get_exercise("nb06.preprocess").evaluate(
        lambda images, labels: (images.reshape(len(images), 784) / np.float32(255), np.eye(10))
    )
    assert "y_onehot: expected shape (4, 10), got (10, 10)" in result.message


# --- nb06: counting parameters ---------------------------------------------------------------


def test_parameter_count_reference_is_keras_and_the_arithmetic():
    total, trainable = nb06.keras_parameters.reference
    assert (total, trainable) == (nb06.TOTAL, nb06.TRAINABLE) == (8805, 8741)
    model = nb06.build_model()
    non_trainable = sum(int(np.prod(weight.shape)) for weight in model.non_trainable_weights)
    assert model.count_params() == total
    assert non_trainable == total - trainable == 2 * 32


def test_the_model_in_the_prompt_is_the_model_counted():
    import keras

    assert f"```python\n{nb06.MODEL_CODE}\n```" in nb06.keras_parameters.prompt
    names = {"keras": keras}
    exec(nb06.MODEL_CODE, names)
    shown, built = names["model"], nb06.build_model()
    assert [type(layer) for layer in shown.layers] == [type(layer) for layer in built.layers]
    assert [layer.count_params() for layer in shown.layers] == [
        layer.count_params() for layer in built.layers
    ]


def test_parameter_count_does_not_reveal_the_right_counts():
    for answer in [(8800, 8700), (8736, 8672), (8805, 1), 7]:
        message = nb06.keras_parameters.evaluate(answer).message
        assert "8805" not in message
        assert "8741" not in message


# --- nb07: dropout -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, rate, rng: x * rng.binomial(1, 1 - rate, size=x.shape) / (1 - rate),
        lambda x, rate, rng: np.where(rng.uniform(size=x.shape) < 1 - rate, x, 0) / (1 - rate),
        lambda x, rate, rng: x * (rng.random(x.shape) > rate) * (1 / (1 - rate)),
    ],
)
def test_dropout_accepts_other_right_answers(answer):
    assert get_exercise("nb07.dropout").evaluate(answer).passed


def test_dropout_cases_cover_rate_zero_and_large_arrays():
    cases = nb07.dropout.cases
    assert [case.args["rate"] for case in cases][-1] == 0.0
    assert all(case.args["x"].size >= 100_000 for case in cases[:-1])
    assert all((case.args["x"] > 0).all() for case in cases)


def test_dropout_reference_drops_the_fraction_rate_and_keeps_the_mean():
    x = np.random.default_rng(5).uniform(0.5, 1.5, size=200_000)
    for rate in (0.2, 0.5, 0.7):
        out = nb07._dropout_reference(x, rate, np.random.default_rng(1))
        kept = out != 0
        assert abs(1 - kept.mean() - rate) < 0.005
        np.testing.assert_allclose(out[kept], x[kept] / (1 - rate))
        assert out.mean() == pytest.approx(x.mean(), rel=0.01)
    np.testing.assert_array_equal(nb07._dropout_reference(x, 0.0, np.random.default_rng(1)), x)


# --- nb07: early stopping ------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_stopping():
    """``f(val_losses, patience) -> (stopped, best)``, 1-based, from Keras' EarlyStopping."""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])

    def run(val_losses, patience):
        callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
        model.stop_training = False
        callback.set_model(model)
        callback.on_train_begin()
        for epoch, loss in enumerate(val_losses):
            callback.on_epoch_end(epoch, {"val_loss": loss})
            if model.stop_training:  # fit would end here
                break
        stopped = callback.stopped_epoch + 1 if callback.stopped_epoch > 0 else len(val_losses)
        return stopped, callback.best_epoch + 1

    return run


def test_early_stopping_reference_agrees_with_keras_on_the_cases(keras_stopping):
    for case in nb07.early_stopping.cases:
        losses, patience = case.args["val_losses"], case.args["patience"]
        expected = keras_stopping(losses, patience)
        assert nb07._early_stopping_reference(losses, patience) == expected, case.describe()
        assert nb07._stopping()(losses, patience) == expected


def test_early_stopping_reference_agrees_with_keras_on_random_curves(keras_stopping):
    rng = np.random.default_rng(0)
    for _ in range(150):
        # One decimal: many ties; the values are exact in float32 as Keras compares them.
        losses = [float(v) for v in rng.integers(1, 10, size=rng.integers(2, 16)) / 10]
        patience = int(rng.integers(1, 5))
        expected = keras_stopping(losses, patience)
        assert nb07._early_stopping_reference(losses, patience) == expected, (losses, patience)


def test_early_stopping_cases_cover_ties_and_never_triggering():
    cases = [(c.args["val_losses"], c.args["patience"]) for c in nb07.early_stopping.cases]
    assert any(len(set(losses)) < len(losses) for losses, _ in cases)
    assert any(patience_left(losses, patience) for losses, patience in cases)
    assert any(not patience_left(losses, patience) for losses, patience in cases)


def test_early_stopping_accepts_a_list_and_numpy_integers():
    def as_list(val_losses, patience):
        stopped, best = nb07._early_stopping_reference(val_losses, patience)
        return [np.int64(stopped), best]

    assert get_exercise("nb07.early_stopping").evaluate(as_list).passed


# --- the notebooks (their exercise sections are checked for all notebooks in
# tests/test_exercises_nb01_05.py) ---------------------------------------------------------

NOTEBOOK_OF = {path.name[:2]: path for path in course_notebooks()}


def source(cell) -> str:
    return "".join(cell["source"])


def test_the_parameter_exercise_keeps_its_code_block_intact():
    notebook = json.loads(NOTEBOOK_OF["06"].read_text(encoding="utf-8"))
    task = next(
        cell
        for cell in notebook["cells"]
        if cell["metadata"].get("exercise") == "nb06.keras_parameters"
        and cell["cell_type"] == "markdown"
    )
    assert f"```python\n{nb06.MODEL_CODE}\n```" in source(task)
