"""Exercises of notebook 06 (Keras on Fashion-MNIST): preprocessing, counting a model's parameters.

The preprocessing check runs the student's function on small synthetic uint8 "images" (never
on the real data set: it must run instantly and offline). The parameter count's reference
comes from Keras itself (``count_params()`` of the model in the prompt), built on first use
so that importing the exercises does not load Keras.
"""

from __future__ import annotations

import numpy as np

from lecture_nn.exercises.core import (
    AnswerError,
    Case,
    Diagnosis,
    FunctionExercise,
    Raised,
    Result,
    ValueExercise,
    close,
    compare,
    describe_value,
    real_numbers,
)

__all__ = ["keras_parameters", "preprocess"]

#: Pixels per image side, and classes of Fashion-MNIST.
SIDE = 28
CLASSES = 10

#: Tolerances for x: float32 rounding (a mean and standard deviation computed in float32 for
#: a diagnosis) stays below them; the smallest diagnosed mistake, dividing by 256, is 0.4 % off.
RTOL = 1e-5
ATOL = 1e-6


# --- preprocessing -------------------------------------------------------------------------


def _images(n: int, seed: int) -> np.ndarray:
    """``n`` random uint8 "images" of 28 x 28 pixels that use the full range 0 to 255."""
    images = np.random.default_rng(seed).integers(0, 256, size=(n, SIDE, SIDE), dtype=np.uint8)
    images[:, 0, 0] = 0
    images[:, -1, -1] = 255
    return images


def _preprocess_cases() -> list[Case]:
    cases = []
    for seed, labels in enumerate(([9, 0, 3, 7], [2, 0, 1], [5])):
        labels = np.array(labels, dtype=np.uint8 if seed == 0 else np.int64)
        label = (
            f"{len(labels)} random uint8 image{'s' if len(labels) > 1 else ''} of 28 × 28 "
            f"pixels (values 0 to 255), labels = {labels.tolist()}"
        )
        cases.append(Case({"images": _images(len(labels), seed), "labels": labels}, label=label))
    return cases


def _flat(images) -> np.ndarray:
    return images.reshape(len(images), SIDE * SIDE)


def _one_hot(labels) -> np.ndarray:
    return np.eye(CLASSES, dtype=np.float32)[labels]


def _preprocess_reference(images, labels):
    return _flat(images).astype(np.float32) / 255, _one_hot(labels)


def _integer(dtype: np.dtype) -> bool:
    return dtype.kind in "biu"


def _compare_x(expected: np.ndarray, x: np.ndarray) -> str | None:
    if x.shape != expected.shape:
        if x.ndim == 3 and x.shape[0] == expected.shape[0] and x.size == expected.size:
            return (
                f"x is not flattened: expected shape {expected.shape}, got {x.shape}; each image "
                "must become one row of 28 · 28 = 784 pixels"
            )
        if x.shape == expected.shape[::-1]:
            return (
                f"x has shape {x.shape}, expected {expected.shape}: one row per image, so the "
                "examples go along the first axis"
            )
        return f"x: expected shape {expected.shape}, got {x.shape}"
    if _integer(x.dtype) and not _integer(expected.dtype):
        scale = f" and values up to {x.max()}" if x.max() > 1 else ""
        return (
            f"x has the integer dtype {x.dtype}{scale}: pixel values between 0 and 1 need a "
            "float dtype (float32)"
        )
    problem = compare(expected, x, rtol=RTOL, atol=ATOL)
    if problem is None:
        return None
    if x.min() < 0 and expected.min() >= 0:
        return (
            f"x has negative values (down to {x.min():.3g}); the scaled pixels lie in [0, 1]: "
            "divide by 255, without subtracting a mean"
        )
    if x.max() > 1.5 and expected.max() <= 1:
        return f"x is not scaled to [0, 1]: its values go up to {x.max():g}"
    return f"x: {problem}"


def _compare_y(expected: np.ndarray, y: np.ndarray) -> str | None:
    if y.shape != expected.shape:
        if y.ndim == 1 and expected.ndim == 2 and len(y) == len(expected):
            return (
                f"y_onehot is not one-hot encoded: expected shape {expected.shape}, got "
                f"{y.shape} (one row of {expected.shape[1]} numbers per label)"
            )
        if y.ndim == 2 and expected.ndim == 2 and len(y) == len(expected):
            return (
                f"y_onehot has {y.shape[1]} columns, expected {expected.shape[1]}: one per "
                "class of Fashion-MNIST"
            )
        return f"y_onehot: expected shape {expected.shape}, got {y.shape}"
    agree = close(y.astype(float), expected.astype(float), rtol=1e-5, atol=1e-8)
    wrong = ~agree.reshape(len(y), -1).all(axis=1)
    if not wrong.any():
        return None
    row = int(np.argmax(wrong))
    return (
        f"y_onehot[{row}] is {describe_value(y[row])}, expected {describe_value(expected[row])} "
        "(1 in the column of the label, 0 elsewhere)"
    )


class PreprocessExercise(FunctionExercise):
    """Checks ``preprocess(images, labels) -> (x, y_onehot)``: shapes, dtype, scale, one-hot."""

    def call(self, function, args):
        out = function(*args)
        if out is None:
            raise AnswerError("your function returned None (is a `return` missing?)")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            what = f"a {type(out).__name__}" + (
                f" of {len(out)}" if isinstance(out, (tuple, list)) else ""
            )
            raise AnswerError(f"your function must return the pair (x, y_onehot), not {what}")
        arrays = []
        for name, value in zip(("x", "y_onehot"), out):
            _, problem = real_numbers(value)
            if problem is not None:
                raise AnswerError(f"{name} must be an array of real numbers: {problem}")
            arrays.append(np.asarray(value))  # frozen: the check's own copy, dtype kept
        return tuple(arrays)

    def compare(self, expected, got) -> str | None:
        return _compare_x(expected[0], got[0]) or _compare_y(expected[1], got[1])

    def final_check(self, function) -> str | None:
        out = self.run(function, self._fresh_cases()[0])
        if isinstance(out, Raised):  # it ran on every case, so this is unlikely; report it
            return f"your function raised {out} on a further call."
        x = out[0]
        if x.dtype != np.float32:
            return (
                f"the values are right, but x has dtype {x.dtype}; expected float32, the float "
                "type Keras computes in (float64 takes twice the memory for nothing): convert "
                "with .astype('float32')."
            )
        return None

    def success_message(self, function, count: int) -> str:
        return (
            f"{getattr(function, '__name__', 'your function')} gives x of shape (n, 784), "
            f"float32 in [0, 1], and one-hot labels of shape (n, 10), for all {count} inputs."
        )


preprocess = PreprocessExercise(
    "nb06.preprocess",
    title="Preprocess the images and labels",
    prompt=(
        "Write `preprocess(images, labels)` as `course_data()` does it for a dense network: "
        "`images` is a uint8 array of shape `(n, 28, 28)` with pixel values 0 to 255, "
        "`labels` an integer array of `n` class numbers 0 to 9. Return the pair "
        "`(x, y_onehot)`: `x` of shape `(n, 784)` and dtype float32, each image flattened "
        "row by row and scaled to $[0, 1]$, and `y_onehot` of shape `(n, 10)`, the one-hot "
        "encoding of the labels (a 1 in the label's column, 0 elsewhere). The check uses "
        "small random images, not the data set."
    ),
    blank=(
        "import numpy as np\n"
        "\n"
        "\n"
        "def preprocess(images, labels):\n"
        '    """Images (n, 28, 28) uint8 -> x (n, 784) float32 in [0, 1]; labels -> one-hot."""\n'
        "    ..."
    ),
    solution=(
        "import numpy as np\n"
        "\n"
        "\n"
        "def preprocess(images, labels):\n"
        '    """Images (n, 28, 28) uint8 -> x (n, 784) float32 in [0, 1]; labels -> one-hot."""\n'
        "    x = images.reshape(len(images), 28 * 28).astype('float32') / 255\n"
        "    y_onehot = np.eye(10, dtype='float32')[labels]  # row k of the identity for label k\n"
        "    return x, y_onehot"
    ),
    hints=(
        "Three steps: reshape the images into rows, turn the pixels into floats between 0 and "
        "1, and encode each label as a vector of 10 numbers.",
        "images.reshape(len(images), 784) keeps the first axis (the examples) and flattens "
        "each image row by row; .astype('float32') and a division by 255 (the largest pixel "
        "value) give floats in [0, 1]. Fashion-MNIST has 10 classes, whatever labels a batch "
        "happens to hold.",
        "Row k of the 10 × 10 identity matrix is the one-hot vector of class k, so "
        "np.eye(10)[labels] encodes all labels at once (keras.utils.to_categorical(labels, "
        "num_classes=10) does the same).",
    ),
    diagnoses=lambda: (
        Diagnosis(
            "Looks like the images are not flattened: the network's Input(shape=(784,)) "
            "expects each image as one row of 784 pixels.",
            lambda images, labels: (images.astype(np.float32) / 255, _one_hot(labels)),
            part=0,
        ),
        Diagnosis(
            "Looks like the pixels are not scaled: divide them by 255, the largest value, so "
            "that they lie in [0, 1].",
            lambda images, labels: (_flat(images).astype(np.float32), _one_hot(labels)),
            part=0,
        ),
        Diagnosis(
            "Looks like you divided by 256: the largest pixel value is 255, so divide by 255 "
            "to map it to exactly 1.",
            lambda images, labels: (_flat(images).astype(np.float32) / 256, _one_hot(labels)),
            part=0,
        ),
        Diagnosis(
            "Looks like you standardised the pixels (subtracted the mean, divided by the "
            "standard deviation): here they are to be scaled into [0, 1], divided by 255.",
            lambda images, labels: (
                ((_flat(images) - images.mean()) / images.std()).astype(np.float32),
                _one_hot(labels),
            ),
            part=0,
        ),
        Diagnosis(
            "Looks like you scaled the pixels to [-1, 1]; here they are to lie in [0, 1]: "
            "divide by 255 and do not shift them.",
            lambda images, labels: (
                (_flat(images) / 127.5 - 1).astype(np.float32),
                _one_hot(labels),
            ),
            part=0,
        ),
        Diagnosis(
            "Looks like the pixels were rounded to integers (integer division // or "
            ".astype(int) after dividing): almost all of them become 0. Divide with / and "
            "keep floats (float32).",
            lambda images, labels: (_flat(images) // 255, _one_hot(labels)),
            part=0,
        ),
        Diagnosis(
            "Your pixels are in the wrong order: each row of x holds an image column by "
            "column (a transposed image, or reshape with order='F'). Flatten row by row, "
            "images.reshape(len(images), 784).",
            lambda images, labels: (
                _flat(images.transpose(0, 2, 1)).astype(np.float32) / 255,
                _one_hot(labels),
            ),
            part=0,
        ),
        Diagnosis(
            "The rows of x mix pixels of different images: images.T (np.transpose without "
            "axes) reverses all three axes and moves the examples to the last one before the "
            "reshape. Reshape the images as they are.",
            lambda images, labels: (
                images.T.reshape(len(images), SIDE * SIDE).astype(np.float32) / 255,
                _one_hot(labels),
            ),
            part=0,
        ),
        Diagnosis(
            "y_onehot holds the class numbers themselves: one-hot encode them, each label "
            "a row of 10 numbers with a 1 in the label's column.",
            lambda images, labels: (_preprocess_reference(images, labels)[0], labels),
            part=1,
        ),
        Diagnosis(
            "Looks like the number of classes comes from the largest label in the batch (as "
            "in keras.utils.to_categorical(labels) without num_classes): a batch without a 9 "
            "then gets fewer than 10 columns. Fashion-MNIST has 10 classes.",
            lambda images, labels: (
                _preprocess_reference(images, labels)[0],
                np.eye(int(labels.max()) + 1)[labels],
            ),
            part=1,
        ),
    ),
    reference=_preprocess_reference,
    cases=_preprocess_cases,
    rtol=RTOL,
    atol=ATOL,
)


# --- counting parameters -------------------------------------------------------------------

MODEL_CODE = """\
model = keras.Sequential([
    keras.Input(shape=(100,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(32, use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(5, activation="softmax"),
])"""


def build_model():
    """Return the model of the prompt (:data:`MODEL_CODE`), built with Keras (imported here)."""
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=(100,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(32, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )


def keras_counts() -> tuple[int, int]:
    """(total, trainable) parameters of the prompt's model, as Keras counts them."""
    model = build_model()
    trainable = sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    return int(model.count_params()), trainable


#: The counts by hand, layer by layer, from which the typical mistakes are derived.
DENSE_1 = 100 * 64 + 64
DENSE_2 = 64 * 32
BATCH_NORM = 4 * 32  # gamma, beta (trainable); moving mean, moving variance (not trained)
DENSE_3 = 32 * 5 + 5
TOTAL = DENSE_1 + DENSE_2 + BATCH_NORM + DENSE_3
TRAINABLE = TOTAL - 2 * 32


class CountExercise(ValueExercise):
    """A :class:`ValueExercise` on a pair (total, trainable) whose diagnoses come in order.

    A diagnosis of the whole pair (a swap) comes alone; otherwise a diagnosed total comes
    alone, because a mistake in the total usually carries over to the trainable count, which
    would then match the diagnosis of an unrelated mistake; only a right or unexplained
    total lets the diagnoses of the trainable count speak.
    """

    def _judge(self, answer) -> Result:
        if self._compare(self.reference, answer) is not None:
            for part in (None, 0, 1):
                found = [
                    d.message for d in self.diagnoses if d.part == part and self._agrees(d, answer)
                ]
                if found:
                    return Result("incorrect", " ".join(found))
        return super()._judge(answer)


keras_parameters = CountExercise(
    "nb06.keras_parameters",
    title="Count a Keras model's parameters",
    prompt=(
        "How many parameters does this model have, in total, and how many of them are "
        "trainable (changed by gradient descent)?\n\n"
        f"```python\n{MODEL_CODE}\n```\n\n"
        "Work it out by hand, layer by layer, and assign the pair `(total, trainable)` to "
        "`parameter_counts` (as integers). `model.summary()` would tell, so don't build the "
        "model before you have an answer. Batch normalisation keeps, per unit, a learned "
        "scale $\\gamma$ and shift $\\beta$, and a moving mean and a moving variance of the "
        "batch statistics for test time."
    ),
    blank="parameter_counts = ...  # (total, trainable)",
    solution=(
        "dense_1 = 100 * 64 + 64  # weights + biases\n"
        "dropout = 0  # dropout has no parameters\n"
        "dense_2 = 64 * 32  # use_bias=False: weights only\n"
        "batch_norm = 4 * 32  # gamma and beta (trainable), moving mean and variance (not)\n"
        "activation = 0\n"
        "dense_3 = 32 * 5 + 5\n"
        "total = dense_1 + dropout + dense_2 + batch_norm + activation + dense_3\n"
        "trainable = total - 2 * 32  # the moving mean and variance are not trained\n"
        "parameter_counts = (total, trainable)"
    ),
    hints=(
        "Go layer by layer. Only Dense and BatchNormalization have parameters; the Input "
        "only declares the shape, Dropout and Activation compute without any.",
        "A Dense layer from n_in to n_out units has n_in · n_out weights plus n_out biases, "
        "unless use_bias=False. BatchNormalization has 4 numbers per unit: gamma and beta "
        "are trainable, the moving mean and moving variance are not (Keras updates them by "
        "averaging, not by gradient descent), but count_params() counts them.",
        "Dense(64): 100 · 64 + 64; Dense(32, use_bias=False): 64 · 32; BatchNormalization: "
        "4 · 32, of which 2 · 32 trainable; Dense(5): 32 · 5 + 5.",
    ),
    diagnoses=(
        Diagnosis(
            "The two counts are swapped: the pair is (total, trainable), and the total is the "
            "larger one.",
            (TRAINABLE, TOTAL),
        ),
        Diagnosis(
            "Looks like the biases are missing from your total: Dense(64) and Dense(5) have "
            "one bias per unit (only the Dense(32) layer has use_bias=False).",
            TOTAL - 64 - 5,
            part=0,
        ),
        Diagnosis(
            "Looks like your total counts biases for the Dense(32) layer: with "
            "use_bias=False it has weights only.",
            TOTAL + 32,
            part=0,
        ),
        Diagnosis(
            "Your total gives the Dropout layer 64 parameters: dropout has none, it only "
            "zeroes outputs at random during training.",
            TOTAL + 64,
            part=0,
        ),
        Diagnosis(
            "Your total counts the Dropout layer like a dense layer of 64 units (64 · 64 + "
            "64): dropout has no parameters, it only zeroes outputs at random.",
            TOTAL + 64 * 64 + 64,
            part=0,
        ),
        Diagnosis(
            "Looks like your total counts 2 parameters per unit of batch normalisation (gamma "
            "and beta): Keras counts 4, the moving mean and moving variance too (they are "
            "non-trainable).",
            TOTAL - 2 * 32,
            part=0,
        ),
        Diagnosis(
            "Looks like your total gives batch normalisation no parameters: it has 4 per "
            "unit, a trainable scale gamma and shift beta, and a non-trainable moving mean "
            "and variance.",
            TOTAL - 4 * 32,
            part=0,
        ),
        Diagnosis(
            "Looks like your total gives the input layer a parameter per input: "
            "keras.Input only declares the shape, it has no parameters.",
            TOTAL + 100,
            part=0,
        ),
        Diagnosis(
            "Looks like your total counts the input layer as a dense layer (100 · 100 + "
            "100): keras.Input only declares the shape, it has no parameters.",
            TOTAL + 100 * 100 + 100,
            part=0,
        ),
        Diagnosis(
            "Your trainable count includes batch normalisation's moving mean and variance: "
            "they are updated by averaging the batch statistics, not by gradient descent "
            "(non-trainable).",
            TOTAL,
            part=1,
        ),
        Diagnosis(
            "Your trainable count leaves out batch normalisation's gamma and beta: the scale "
            "and shift are learned (trainable); only the moving mean and variance are not.",
            TOTAL - 4 * 32,
            part=1,
        ),
        Diagnosis(
            "That is the number of non-trainable parameters; the pair asks for the trainable ones.",
            TOTAL - TRAINABLE,
            part=1,
        ),
    ),
    reference=keras_counts,
    part_names=("the total", "the number of trainable parameters"),
    what="your count",
    answer_name="parameter_counts",
    rtol=0.0,
    atol=0.0,
)

EXERCISES = {exercise.short_name: exercise for exercise in (preprocess, keras_parameters)}
