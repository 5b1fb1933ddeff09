"""Exercises of notebook 01 (architecture): counting parameters, the logistic-regression neuron."""

from __future__ import annotations

import itertools

import numpy as np

from lecture_nn.activations import sigmoid
from lecture_nn.exercises.core import Case, Diagnosis, FunctionExercise, ValueExercise

__all__ = ["count_parameters", "predict_proba"]

#: The architecture whose parameters the first exercise counts.
LAYER_SIZES = [784, 128, 64, 10]


def _count(layer_sizes: list[int]) -> tuple[int, int]:
    """(weights, biases) of a dense network: n_in * n_out weights and n_out biases per layer."""
    weights = sum(n_in * n_out for n_in, n_out in itertools.pairwise(layer_sizes))
    return weights, sum(layer_sizes[1:])


_WEIGHTS, _BIASES = _count(LAYER_SIZES)

count_parameters = ValueExercise(
    "nb01.count_parameters",
    title="Count the parameters",
    prompt=(
        "A dense network has the layer sizes `[784, 128, 64, 10]`: 784 inputs (a 28 × 28 "
        "image), hidden layers of 128 and 64 units and 10 outputs. How many **weights** and "
        "how many **biases** does it have? Assign the pair `(weights, biases)` to "
        "`parameter_counts`. Work it out by hand or with a line of arithmetic (not with "
        "`count_parameters`, which would be cheating)."
    ),
    blank="parameter_counts = ...  # (number of weights, number of biases)",
    solution=(
        "weights = 784 * 128 + 128 * 64 + 64 * 10  # n_in * n_out for each pair of layers\n"
        "biases = 128 + 64 + 10  # one per unit after the input layer\n"
        "parameter_counts = (weights, biases)"
    ),
    hints=(
        "Count layer by layer: a dense layer connects every one of its n_in inputs to every "
        "one of its n_out units.",
        "A layer from n_in to n_out nodes has n_in * n_out weights and n_out biases; the "
        "input layer itself has no weights and no biases.",
        "Three layers have weights here: 784 -> 128, 128 -> 64 and 64 -> 10. Add up the three "
        "weight counts, and the three bias counts.",
    ),
    diagnoses=(
        Diagnosis(
            "That is the total number of parameters (weights plus biases); give the two "
            "counts separately, as a pair (weights, biases).",
            _WEIGHTS + _BIASES,
        ),
        Diagnosis(
            "The two counts are swapped: the pair is (weights, biases).", (_BIASES, _WEIGHTS)
        ),
        Diagnosis(
            "Looks like you gave the input layer biases too: only the units after the input "
            "have a bias, one each.",
            sum(LAYER_SIZES),
            part=1,
        ),
        Diagnosis(
            "Your weight count misses the weights into the output layer (64 → 10): every "
            "layer after the input has weights.",
            _WEIGHTS - 64 * 10,
            part=0,
        ),
        Diagnosis(
            "Looks like you multiplied all the layer sizes together: each pair of neighbouring "
            "layers has n_in × n_out weights, and the layers' counts add up.",
            784 * 128 * 64 * 10,
            part=0,
        ),
        Diagnosis(
            "Your weight count includes the biases; count them separately.",
            _WEIGHTS + _BIASES,
            part=0,
        ),
    ),
    reference=(_WEIGHTS, _BIASES),
    part_names=("the number of weights", "the number of biases"),
    what="your count",
    answer_name="parameter_counts",
    rtol=0.0,
    atol=0.0,
)


def _predict_proba_reference(X, w, b):
    return sigmoid(np.asarray(X) @ np.asarray(w) + b)


def _predict_proba_cases() -> list[Case]:
    rng = np.random.default_rng(1)
    return [
        Case(
            {
                "X": np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]),
                "w": np.array([0.5, -0.25]),
                "b": 0.1,
            }
        ),
        Case({"X": rng.normal(size=(6, 3)), "w": np.array([1.5, -2.0, 0.7]), "b": -0.4}),
        Case({"X": np.array([[2.0]]), "w": np.array([3.0]), "b": -6.0}),
        Case(
            {
                "X": np.array([[500.0, -500.0], [-400.0, 600.0], [0.25, 0.0]]),
                "w": np.array([1.0, -1.0]),
                "b": 0.0,
            },
            label="X = [[500, -500], [-400, 600], [0.25, 0]], w = [1, -1], b = 0 "
            "(z = 1000, -1000, 0.25)",
        ),
    ]


def _naive(X, w, b):
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


predict_proba = FunctionExercise(
    "nb01.predict_proba",
    title="The forward pass of logistic regression",
    prompt=(
        "Write `predict_proba(X, w, b)`, the forward pass of the logistic-regression neuron: "
        "for a batch `X` of shape `(n, p)`, weights `w` of shape `(p,)` and a scalar bias `b`, "
        "return the `n` probabilities $\\sigma(\\mathbf{x}_i^\\top \\mathbf{w} + b)$ as an "
        "array of shape `(n,)`. It must work for large $|z|$ too: for $z = \\pm 1000$ it "
        "should return 1 and 0 without overflowing (no `RuntimeWarning`). Use numpy, not "
        "`sigmoid` from the course package."
    ),
    blank=(
        "def predict_proba(X, w, b):\n"
        '    """Probability of class 1 for each row of X (n, p); weights w (p,), bias b."""\n'
        "    ..."
    ),
    solution=(
        "def predict_proba(X, w, b):\n"
        '    """Probability of class 1 for each row of X (n, p); weights w (p,), bias b."""\n'
        "    z = X @ w + b\n"
        "    # exp(-|z|) never overflows; the two branches are the same function rearranged.\n"
        "    e = np.exp(-np.abs(z))\n"
        "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))"
    ),
    hints=(
        "First the weighted sum of each row, z = X @ w + b (one number per example), then the "
        "sigmoid of z.",
        "1 / (1 + np.exp(-z)) is right on paper, but np.exp(-z) overflows for z = -1000. For "
        "negative z, multiply numerator and denominator by exp(z): the same function reads "
        "exp(z) / (1 + exp(z)), and exp(z) is then small.",
        "With e = np.exp(-np.abs(z)), which is never above 1, the sigmoid is 1 / (1 + e) where "
        "z >= 0 and e / (1 + e) where z < 0; np.where(condition, a, b) picks between them.",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like the bias b is missing from the weighted sum.",
            lambda X, w, b: sigmoid(X @ w),
        ),
        Diagnosis(
            "Your probabilities are 1 minus the right ones: the sign of z is flipped "
            "(this is the probability of class 0).",
            lambda X, w, b: sigmoid(-(X @ w + b)),
        ),
        Diagnosis(
            "You return the weighted sums z themselves: the sigmoid is missing.",
            lambda X, w, b: X @ w + b,
        ),
        Diagnosis(
            "The formula is right, but exp overflows for large |z| (numpy raises or warns "
            "'overflow encountered in exp'): rearrange it so that exp only sees numbers <= 0.",
            _naive,
        ),
        Diagnosis(
            "Looks like the bias is added after the sigmoid: it belongs inside, to the "
            "weighted sum.",
            lambda X, w, b: sigmoid(X @ w) + b,
        ),
    ),
    reference=_predict_proba_reference,
    cases=_predict_proba_cases,
)

EXERCISES = {exercise.short_name: exercise for exercise in (count_parameters, predict_proba)}
