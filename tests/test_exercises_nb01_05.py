"""The exercises of notebooks 01-05: reference solutions pass, typical mistakes are named.

The wrong answers below are written here, the way a student would write them, independently
of the mistake functions the exercise modules use for their diagnoses.
"""

import json
import math

import numpy as np
import pytest

from lecture_nn.activations import sigmoid
from lecture_nn.exercises import (
    ANSWER_TAG,
    CHECK_TAG,
    MODULES,
    all_exercises,
    get_exercise,
    nb02,
)
from lecture_nn.tooling.paths import course_notebooks

EXERCISES = all_exercises()
NAMES = list(EXERCISES)
FUNCTION_EXERCISES = [name for name, e in EXERCISES.items() if hasattr(e, "cases")]


def namespace(exercise) -> dict:
    """Where the exercise's code runs: the notebook names it may use."""
    if exercise.name == "nb02.backprop_by_hand":
        return dict(nb02.worked_example())  # the worked example of notebook 02
    return {"np": np}


def solved(exercise):
    """The answer the exercise's reference solution defines."""
    names = namespace(exercise)
    exec(exercise.solution_code, names)
    return names[exercise.answer_name]


def test_every_notebook_has_at_least_two_exercises():
    for module in MODULES:
        assert sum(name.startswith(f"{module}.") for name in NAMES) >= 2, module


@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_complete(name):
    exercise = EXERCISES[name]
    assert get_exercise(name) is exercise
    assert exercise.title
    assert exercise.prompt
    assert exercise.blank
    assert len(exercise.hints) >= 2
    assert len(exercise.diagnoses) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(name, capsys):
    exercise = EXERCISES[name]
    assert exercise.check(solved(exercise)) is True
    assert capsys.readouterr().out.startswith("✓ Correct: ")


@pytest.mark.parametrize("name", NAMES)
def test_blank_answer_cell_is_not_attempted_yet(name):
    exercise = EXERCISES[name]
    names = namespace(exercise)
    exec(exercise.blank, names)
    result = exercise.evaluate(names[exercise.answer_name])
    assert result.status == "blank"
    assert str(result).startswith("… Not attempted yet: ")


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_mistake_gets_its_own_diagnosis(name):
    exercise = EXERCISES[name]
    for diagnosis in exercise.diagnoses:
        answer = diagnosis.mistake
        if diagnosis.part is not None and not callable(answer):  # one wrong part of a tuple
            answer = list(exercise.reference)
            answer[diagnosis.part] = diagnosis.mistake
        result = exercise.evaluate(answer)
        assert result.status == "incorrect"
        assert diagnosis.message in result.message
        others = {d.message for d in exercise.diagnoses} - {diagnosis.message}
        assert not [message for message in others if message in result.message]


@pytest.mark.parametrize("name", FUNCTION_EXERCISES)
def test_student_function_that_raises_is_reported(name):
    def broken(*args):
        raise RuntimeError("boom")

    result = EXERCISES[name].evaluate(broken)
    assert result.status == "incorrect"
    assert "your function raised RuntimeError: boom for " in result.message
    assert "\n" not in result.message


# --- typical wrong answers, written as a student would -----------------------------------


def stable_sigmoid(z):
    return sigmoid(z)


def _worked_example_answers():
    ex = nb02.worked_example()
    y_hat, y, z_o, z_3 = ex["y_hat"], ex["y"][0, 0], ex["z_o"], ex["z_h"][2]
    w_3, x_1, x_2 = ex["output"].weights[2, 0], ex["x"][0, 0], ex["x"][0, 1]
    s_prime, t_prime = ex["sigmoid_derivative"](z_o), ex["tanh_derivative"](z_3)
    return [
        ((y - y_hat) * s_prime * w_3 * t_prime * x_1, "The sign is flipped"),
        ((y_hat - y) * w_3 * t_prime * x_1, "sigmoid'(z_o), is missing"),
        ((y_hat - y) * s_prime * w_3 * x_1, "tanh'(z_3), is missing"),
        (2 * (y_hat - y) * s_prime * w_3 * t_prime * x_1, "Twice the right value"),
        ((y_hat - y) * s_prime * w_3 * t_prime * x_2, "That is the gradient of w_23"),
    ]


def _normal(std):
    return lambda fan_in, fan_out, rng: rng.normal(0, std(fan_in, fan_out), (fan_in, fan_out))


def _uniform(limit):
    return lambda fan_in, fan_out, rng: rng.uniform(
        -limit(fan_in, fan_out), limit(fan_in, fan_out), (fan_in, fan_out)
    )


def _adam(bias_correction=True, power=True, sign=1, root=True):
    def adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        k = t if power else 1
        m_hat, v_hat = (m / (1 - beta_1**k), v / (1 - beta_2**k)) if bias_correction else (m, v)
        denominator = np.sqrt(v_hat) if root else v_hat
        return w - sign * learning_rate * m_hat / (denominator + epsilon), m, v

    return adam_step


WRONG_ANSWERS = {
    "nb01.count_parameters": [
        (109386, "total number of parameters"),
        ((202, 109184), "swapped"),
        ((109184, 986), "gave the input layer biases too"),
        ((108544, 202), "misses the weights into the output layer"),
        ((784 * 128 * 64 * 10, 202), "multiplied all the layer sizes"),
    ],
    "nb01.predict_proba": [
        (lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b))), "exp overflows for large |z|"),
        (lambda X, w, b: np.exp(X @ w + b) / (1 + np.exp(X @ w + b)), "exp overflows"),
        (lambda X, w, b: stable_sigmoid(X @ w), "the bias b is missing"),
        (lambda X, w, b: X @ w + b, "the sigmoid is missing"),
        (lambda X, w, b: 1 - stable_sigmoid(X @ w + b), "1 minus the right ones"),
    ],
    "nb02.dense_backward": [
        (lambda X, W, b, dZ: (X.T @ dZ, dZ.sum(axis=1), dZ @ W.T), "summed over the wrong axis"),
        (lambda X, W, b, dZ: (X.T @ dZ, np.mean(dZ, axis=0), dZ @ W.T), "averaging again"),
        (lambda X, W, b, dZ: (dZ.T @ X, dZ.sum(axis=0), dZ @ W.T), "dL/dW comes out transposed"),
        (lambda X, W, b, dZ: (X.T @ dZ, dZ.sum(axis=0), dZ @ W), "dL/dX: a transpose is missing"),
        (
            lambda X, W, b, dZ: (X.T @ dZ / X.shape[0], dZ.sum(axis=0), dZ @ W.T),
            "divided by the batch size",
        ),
    ],
    "nb02.backprop_by_hand": _worked_example_answers(),
    "nb03.leaky_relu": [
        (lambda z: np.where(z > 0, z, 0.1 * z), "slope for negative inputs is 0.1"),
        (lambda z: np.maximum(z, 0), "This is the plain ReLU"),
        (lambda z: np.maximum(0.01, z), "maximum of 0.01 and z"),
        (lambda z: np.where(z < 0, z, 0.01 * z), "The two branches are swapped"),
    ],
    "nb03.leaky_relu_grad": [
        (lambda z: (z > 0).astype(float), "derivative of the plain ReLU"),
        (lambda z: np.where(z > 0, 1.0, 0.1), "slope for negative inputs is 0.1"),
        (lambda z: np.where(z > 0, z, 0.01 * z), "You return the leaky ReLU itself"),
        (lambda z: np.where(z >= 0, 1, 0.01 * z), "the derivative of 0.01 z is the constant"),
    ],
    "nb03.stable_softmax": [
        (lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "not subtracted first"),
        (
            lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0),
            "wrong axis (axis 0)",
        ),
        (lambda z: np.exp(z - np.max(z, axis=-1, keepdims=True)), "not normalised"),
        (
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
            "one maximum for the whole array",
        ),
        (
            lambda z: (
                np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1)
            ),
            "keepdims=True is missing in the sum",
        ),
    ],
    "nb04.he_normal": [
        (_normal(lambda fan_in, fan_out: 2 / fan_in), "the square root is missing"),
        (_normal(lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))), "Glorot's choice"),
        (_normal(lambda fan_in, fan_out: np.sqrt(1 / fan_in)), "the factor 2 is missing"),
        (_uniform(lambda fan_in, fan_out: np.sqrt(6 / fan_in)), "uniformly distributed"),
        (
            lambda fan_in, fan_out, rng: np.random.default_rng().normal(
                0, np.sqrt(2 / fan_in), (fan_in, fan_out)
            ),
            "do not come from the generator rng",
        ),
    ],
    "nb04.glorot_uniform": [
        (_uniform(lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))), "factor sqrt(3)"),
        (_uniform(lambda fan_in, fan_out: np.sqrt(6 / fan_in)), "fan_in alone"),
        (_normal(lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))), "normally distributed"),
        (
            lambda fan_in, fan_out, rng: rng.uniform(
                0, math.sqrt(6 / (fan_in + fan_out)), (fan_in, fan_out)
            ),
            "all positive",
        ),
    ],
    "nb05.momentum_step": [
        (
            lambda w, g, velocity, lr, mu: (w + (mu * velocity + lr * g), mu * velocity + lr * g),
            "The sign is flipped",
        ),
        (lambda w, g, velocity, lr, mu: (w - lr * g, velocity), "plain gradient descent"),
        (
            lambda w, g, velocity, lr, mu: (w + velocity, mu * velocity - lr * g),
            "w moves with the old velocity",
        ),
        (
            lambda w, g, v, lr, mu: (w - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g),
            "exponential moving average",
        ),
    ],
    "nb05.adam_step": [
        (_adam(bias_correction=False), "the bias correction is missing"),
        (_adam(power=False), "1 - beta instead of 1 - beta^t"),
        (_adam(sign=-1), "The sign is flipped"),
        (_adam(root=False), "square root of v_hat is missing"),
    ],
}

WRONG = [
    pytest.param(name, answer, text, id=f"{name}-{index}")
    for name, answers in WRONG_ANSWERS.items()
    for index, (answer, text) in enumerate(answers)
]


def test_every_exercise_has_three_typical_wrong_answers_here():
    # notebooks 06 and 07 have their wrong answers in tests/test_exercises_nb06_07.py
    assert set(WRONG_ANSWERS) == {name for name in NAMES if name[:4] <= "nb05"}
    assert all(len(answers) >= 3 for answers in WRONG_ANSWERS.values())


@pytest.mark.parametrize(("name", "answer", "diagnosis"), WRONG)
def test_typical_wrong_answer_is_named(name, answer, diagnosis, capsys):
    assert get_exercise(name).check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ Incorrect: ")
    assert diagnosis in out
    assert out.count("\n") == 1
    assert "Traceback" not in out


def test_adam_accepts_keras_form_and_epsilon_inside_the_root(capsys):
    """Keras folds the bias corrections into the step size; both forms pass."""

    def keras_form(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return w - alpha * m / (np.sqrt(v) + epsilon), m, v

    def epsilon_inside(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v

    adam = get_exercise("nb05.adam_step")
    assert adam.check(keras_form)
    assert adam.check(epsilon_inside)


def test_he_normal_accepts_a_plain_and_a_truncated_normal():
    def truncated(fan_in, fan_out, rng):
        std = np.sqrt(2 / fan_in) / 0.87962566103423978
        w = rng.normal(0, std, (fan_in, fan_out))
        while (outside := np.abs(w) > 2 * std).any():
            w[outside] = rng.normal(0, std, outside.sum())
        return w

    he = get_exercise("nb04.he_normal")
    assert he.evaluate(truncated).passed
    assert he.evaluate(
        lambda fan_in, fan_out, rng: rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)
    ).passed


def test_optimizer_step_with_a_wrongly_shaped_result_is_explained():
    result = get_exercise("nb05.momentum_step").evaluate(lambda w, g, v, lr, mu: w - lr * g)
    assert result.message.startswith(
        "your function must return the tuple (w, velocity); at step 1 it returned ndarray"
    )


# --- the notebooks hold every exercise ---------------------------------------------------

NOTEBOOK_OF = {path.name[:2]: path for path in course_notebooks()}


def source(cell) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("module", MODULES)
def test_notebook_ends_with_its_exercises(module):
    notebook = json.loads(NOTEBOOK_OF[module[2:]].read_text(encoding="utf-8"))
    cells = notebook["cells"]
    ids = [cell["id"] for cell in cells]
    # The exercises come last; only the links to the neighbouring notebooks follow them.
    assert ids[-1].startswith("navigation-")
    section = cells[ids.index("exercises-intro") : -1]
    assert "".join(section[0]["source"]).startswith("## Exercises")
    assert (
        "".join(section[1]["source"]) == f"from lecture_nn.exercises import {module} as exercises"
    )
    names = [name for name in NAMES if name.startswith(f"{module}.")]
    for name in names:
        exercise = EXERCISES[name]
        mine = [cell for cell in section if cell["metadata"].get("exercise") == name]
        task, answer, check = mine
        assert task["cell_type"] == "markdown"
        assert " ".join(exercise.prompt.split()) in " ".join(source(task).split())
        assert answer["metadata"]["tags"] == [ANSWER_TAG]
        assert source(answer) == exercise.blank
        assert check["metadata"]["tags"] == [CHECK_TAG]
        assert f"exercises.{exercise.short_name}.check({exercise.answer_name});" in source(check)
        assert answer["outputs"] == []
        assert check["outputs"] == []
    assert len(section) == 2 + 3 * len(names)
