"""The exercise framework (lecture_nn.exercises.core): feedback, blanks, errors, hints, solutions.

The exercises here are small stand-ins built in this file, so that the framework is tested
apart from the course's exercises (tests/test_exercises_nb01_05.py).
"""

import subprocess
import sys

import numpy as np
import pytest

from lecture_nn import activations
from lecture_nn.exercises import all_exercises, get_exercise
from lecture_nn.exercises.core import (
    Case,
    Diagnosis,
    FunctionExercise,
    ValueExercise,
    compare,
    is_blank,
)

SOLUTION = "def sigmoid_derivative(x):\n    s = 1 / (1 + np.exp(-x))\n    return s * (1 - s)"
HINTS = ("A nudge.", "More detail.", "Nearly the answer.")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference(x):
    return sigmoid(x) * (1 - sigmoid(x))


def make_function_exercise(**overrides):
    options = {
        "title": "The sigmoid's derivative",
        "prompt": "Write `sigmoid_derivative(x)`.",
        "blank": "def sigmoid_derivative(x):\n    ...",
        "solution": SOLUTION,
        "hints": HINTS,
        "diagnoses": (Diagnosis("Looks like you return the sigmoid itself.", sigmoid),),
        "reference": reference,
        "cases": [Case({"x": 0.0}), Case({"x": np.array([-1.0, 2.0])})],
    }
    options.update(overrides)
    return FunctionExercise("nb99.sigmoid_derivative", **options)


def make_value_exercise(**overrides):
    options = {
        "title": "Two counts",
        "prompt": "Give the pair (weights, biases).",
        "blank": "answer = ...",
        "solution": "answer = (9, 4)",
        "hints": HINTS,
        "diagnoses": (
            Diagnosis("That is the total.", 13),
            Diagnosis("Input biases counted too.", 6, part=1),
        ),
        "reference": (9, 4),
        "part_names": ("the number of weights", "the number of biases"),
        "what": "your count",
        "rtol": 0.0,
        "atol": 0.0,
    }
    options.update(overrides)
    return ValueExercise("nb99.counts", **options)


def checked(exercise, answer, capsys):
    """Run check(answer); return (its return value, the printed text)."""
    passed = exercise.check(answer)
    return passed, capsys.readouterr().out


# --- correct, incorrect ------------------------------------------------------------------


def test_correct_answer(capsys):
    passed, out = checked(make_function_exercise(), reference, capsys)
    assert passed is True
    assert out.startswith("✓ Correct: reference gives the expected output for all 2 inputs")
    assert out.count("\n") == 1


def test_incorrect_answer_names_input_expected_and_got(capsys):
    passed, out = checked(make_function_exercise(diagnoses=()), lambda x: 2 * reference(x), capsys)
    assert passed is False
    assert out.startswith("✗ Incorrect: ")
    assert "for x = 0: expected 0.25, got 0.5" in out
    assert "exercises.sigmoid_derivative.hint()" in out  # points to the hints
    assert out.count("\n") == 1


def test_first_failing_input_is_reported(capsys):
    def wrong_for_arrays(x):
        return reference(x) if np.ndim(x) == 0 else np.zeros(2)

    passed, out = checked(make_function_exercise(), wrong_for_arrays, capsys)
    assert not passed
    assert "for x = [-1, 2]: expected [0.196612, 0.104994], got [0, 0]" in out


def test_wrong_shape_and_missing_return(capsys):
    exercise = make_function_exercise(cases=[Case({"x": 0.0})])
    assert checked(exercise, lambda x: np.array([reference(x)]), capsys)[0]  # one number
    _, out = checked(exercise, lambda x: np.array([reference(x), 0.0]), capsys)
    assert "for x = 0: expected a single number, got an array of shape (2,)" in out
    exercise = make_function_exercise()
    _, out = checked(exercise, lambda x: np.reshape(reference(x), (1, -1)), capsys)
    assert "for x = [-1, 2]: expected an array of shape (2,), got an array of shape (1, 2)" in out

    def forgot_return(x):
        sigmoid(x) * (1 - sigmoid(x))

    _, out = checked(exercise, forgot_return, capsys)
    assert "for x = 0: got None (is a `return` missing?)" in out
    assert "Not attempted" not in out


def test_an_answer_that_is_no_function(capsys):
    passed, out = checked(make_function_exercise(), 0.25, capsys)
    assert not passed
    assert "✗ Incorrect: expected a function, got the number 0.25." in out


# --- not attempted ---------------------------------------------------------------------


def blank_ellipsis(x): ...


def blank_pass(x):
    pass


def blank_docstring(x):
    """Only a docstring so far."""
    ...


@pytest.mark.parametrize("answer", [..., None, blank_ellipsis, blank_pass, blank_docstring])
def test_blank_answers_are_not_attempted_yet(answer, capsys):
    passed, out = checked(make_function_exercise(), answer, capsys)
    assert passed is False
    assert out.startswith("… Not attempted yet: ")
    assert out.count("\n") == 1


@pytest.mark.parametrize("answer", [..., None, (..., ...), [None, ...]])
def test_blank_values_are_not_attempted_yet(answer, capsys):
    passed, out = checked(make_value_exercise(), answer, capsys)
    assert passed is False
    assert out.startswith("… Not attempted yet: ")


@pytest.mark.parametrize(
    ("answer", "blank"),
    [
        (..., True),
        (None, True),
        (blank_pass, True),
        (lambda x: None, True),
        (lambda x: x, False),
        (lambda x: 0, False),
        (0, False),
        ((), False),
        ((..., 1), False),
        (np.zeros(2), False),
    ],
)
def test_is_blank(answer, blank):
    assert is_blank(answer) is blank


# --- exceptions in the student's code -----------------------------------------------------


def test_student_exception_is_one_line_naming_exception_and_input(capsys):
    def divides_by_zero(x):
        return 1 / 0

    passed, out = checked(make_function_exercise(), divides_by_zero, capsys)
    assert passed is False
    assert out.startswith("✗ Incorrect: your function raised ZeroDivisionError: division by zero")
    assert "for x = 0." in out
    assert out.count("\n") == 1
    assert "Traceback" not in out
    assert 'File "' not in out


def test_multi_line_exception_message_is_cut_to_its_first_line(capsys):
    def raises(x):
        raise ValueError("first line\nsecond line\n  third")

    _, out = checked(make_function_exercise(), raises, capsys)
    assert "raised ValueError: first line for x = 0" in out
    assert "second line" not in out


def test_floating_point_overflow_is_reported_not_warned(capsys):
    exercise = make_function_exercise(
        reference=activations.sigmoid_derivative,
        cases=[Case({"x": np.array([-1000.0, 0.0])})],
        diagnoses=(),
    )

    def naive(x):
        s = 1 / (1 + np.exp(-x))  # exp(1000) overflows
        return s * (1 - s)

    with np.errstate(over="warn"):
        passed, out = checked(exercise, naive, capsys)
    assert not passed
    assert "your function raised FloatingPointError: overflow encountered in exp" in out


def test_input_changed_in_place_does_not_spoil_the_next_check(capsys):
    exercise = make_function_exercise()

    def spoils_its_input(x):
        result = reference(x)
        if isinstance(x, np.ndarray):
            x[:] = 100.0
        return result

    assert checked(exercise, spoils_its_input, capsys)[0]
    assert checked(exercise, reference, capsys)[0]


# --- diagnoses ---------------------------------------------------------------------------


def test_diagnosis_names_the_mistake_and_still_shows_the_input(capsys):
    passed, out = checked(make_function_exercise(), sigmoid, capsys)
    assert not passed
    assert out.startswith("✗ Incorrect: Looks like you return the sigmoid itself. ")
    assert "For x = 0: expected 0.25, got 0.5." in out


def test_an_answer_unlike_every_mistake_gets_no_diagnosis(capsys):
    _, out = checked(make_function_exercise(), lambda x: reference(x) + 1, capsys)
    assert "Looks like" not in out


def test_diagnosis_still_found_when_the_answer_raises_on_an_input_the_mistake_gets_right(capsys):
    # The mistake differs from the reference only for x = 1; the answer makes it there, and
    # raises for x = 2, where the mistake happens to be right: still diagnosed.
    exercise = make_function_exercise(
        reference=lambda x: x * x,
        cases=[Case({"x": 1.0}), Case({"x": 2.0})],
        diagnoses=(Diagnosis("Off by one at 1.", lambda x: 2.0 if x == 1 else x * x),),
    )

    def answer(x):
        if x == 2:
            raise KeyError("two")
        return 2.0

    _, out = checked(exercise, answer, capsys)
    assert "Off by one at 1." in out


def test_diagnosis_of_one_part_of_a_tuple(capsys):
    exercise = make_function_exercise(
        reference=lambda x: (x + 1, x * 2),
        output_names=("plus one", "doubled"),
        diagnoses=(Diagnosis("The second part is squared.", lambda x: (0, x * x), part=1),),
        cases=[Case({"x": 3.0})],
    )
    _, out = checked(exercise, lambda x: (x + 1, x * x), capsys)
    assert "The second part is squared. For x = 3: doubled: expected 6, got 9." in out
    _, out = checked(exercise, lambda x: (x + 1,), capsys)
    assert "expected a tuple of 2 (plus one, doubled), got a tuple of 1" in out


def test_mistakes_that_raise_match_answers_that_raise_the_same_way(capsys):
    exercise = make_function_exercise(
        reference=lambda x: np.sum(x, axis=-1),
        cases=[Case({"x": np.array([1.0, 2.0])}), Case({"x": np.ones((2, 2))})],
        diagnoses=(Diagnosis("Wrong axis.", lambda x: np.sum(x, axis=1)),),
    )
    _, out = checked(exercise, lambda x: x.sum(axis=1), capsys)
    assert out.startswith("✗ Incorrect: Wrong axis. Your function raised AxisError")


# --- value exercises ---------------------------------------------------------------------


def test_value_exercise_correct_and_parts(capsys):
    exercise = make_value_exercise()
    assert checked(exercise, (9, 4), capsys) == (True, "✓ Correct: your count is right.\n")
    assert checked(exercise, [9.0, 4.0], capsys)[0]
    passed, out = checked(exercise, (10, 4), capsys)
    assert not passed
    assert "the number of weights (10) is not right; the number of biases is right" in out


def test_value_exercise_never_reveals_the_expected_value(capsys):
    exercise = make_value_exercise(
        reference=0.123456, part_names=(), diagnoses=(), what="your gradient", rtol=1e-3
    )
    assert checked(exercise, 0.1234, capsys)[0]  # within the tolerance
    passed, out = checked(exercise, 0.5, capsys)
    assert not passed
    assert "your gradient: 0.5 is not right" in out
    assert "0.123" not in out


def test_value_exercise_diagnoses(capsys):
    exercise = make_value_exercise()
    assert "That is the total." in checked(exercise, 13, capsys)[1]
    assert "Input biases counted too." in checked(exercise, (9, 6), capsys)[1]
    _, out = checked(exercise, (9,), capsys)
    assert "expected a tuple of 2 (the number of weights, the number of biases)" in out


# --- hints and solution ------------------------------------------------------------------


def test_hints_are_graded_and_the_last_repeats(capsys):
    exercise = make_function_exercise()
    lines = []
    for _ in range(4):
        exercise.hint()
        lines.append(capsys.readouterr().out.strip())
    assert lines[0] == "Hint 1 of 3: A nudge."
    assert lines[1] == "Hint 2 of 3: More detail."
    assert lines[2] == "Hint 3 of 3 (the last one): Nearly the answer."
    assert lines[3] == lines[2]


def test_solution_prints_the_reference_code(capsys):
    exercise = make_function_exercise()
    exercise.solution()
    out = capsys.readouterr().out
    assert SOLUTION in out
    assert out.startswith("Solution (The sigmoid's derivative):")


@pytest.mark.parametrize(
    "answer", [reference, sigmoid, lambda x: 1 / 0, lambda x: reference(x) + 1, ..., 3]
)
def test_check_never_prints_the_solution(answer, capsys):
    _, out = checked(make_function_exercise(), answer, capsys)
    for line in SOLUTION.splitlines():
        assert line.strip() not in out


def test_course_checks_never_print_their_solutions(capsys):
    for exercise in all_exercises().values():
        for answer in (..., lambda *args: 1 / 0, 0.5):
            exercise.check(answer)
        out = capsys.readouterr().out
        for line in exercise.solution_code.splitlines():
            code = line.split("#")[0].strip()
            if len(code) > 12:  # a statement of the solution, not a bare "return w"
                assert code not in out, (exercise.name, code)


# --- helpers and registry ----------------------------------------------------------------


def test_compare_reports_the_first_differing_entry_of_a_large_array():
    expected = np.zeros((4, 5))
    got = expected.copy()
    got[2, 3] = 1.5
    assert compare(expected, got) == "1 of 20 entries differ; at index (2, 3) expected 0, got 1.5"


def test_compare_notes_nan_and_shows_enough_digits():
    note = compare(np.array([1.0, 2.0]), np.array([np.nan, 2.0]))
    assert "got [nan, 2]" in note
    assert "overflow" in note
    assert compare(1.0, 1.0 + 1e-9, rtol=1e-12) == "expected 1, got 1.000000001"
    assert compare((1, 2), [1, 2]) is None


def test_get_exercise_and_unknown_names():
    assert get_exercise("nb03.stable_softmax").name == "nb03.stable_softmax"
    with pytest.raises(ValueError, match="unknown exercise 'nb03.nothing'; known: nb01"):
        get_exercise("nb03.nothing")


def test_exercises_do_not_import_tensorflow_or_keras():
    code = (
        "import sys\n"
        "from lecture_nn.exercises import all_exercises\n"
        "all_exercises()\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
