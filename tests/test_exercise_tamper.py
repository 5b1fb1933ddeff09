"""Exercise checks that a wrong answer cannot pass, and that nothing an answer does escapes.

One test per fault of issue 14 ("Exercises"): an answer that replaces numpy's comparison
functions, a numpy function replaced before the check, complex numbers, test cases emptied
or inputs changed in place, any exception (huge integers included), and an answer that
never returns. Each test failed on the checks as they were before the fix.
"""

import subprocess
import sys
import textwrap

import numpy as np
import numpy.testing
import pytest

from lecture_nn.exercises import get_exercise, nb01, nb07


@pytest.fixture
def restore_numpy():
    """Put back every numpy function that a test (or the answer it checks) replaced."""
    saved = {module: dict(vars(module)) for module in (np, numpy.testing)}
    yield
    for module, names in saved.items():
        for name, value in names.items():
            if vars(module).get(name) is not value:
                setattr(module, name, value)


def leaky_relu(z):
    return np.where(z > 0, z, 0.01 * z)


def early_stopping(val_losses, patience):
    return nb07._early_stopping_reference(list(val_losses), patience)


# --- numpy replaced by the student's code ------------------------------------------------


def test_an_answer_that_replaces_numpys_comparisons_fails_and_later_checks_still_judge(
    restore_numpy,
):
    def cheats(z):
        np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.asarray = lambda a, *args, **kwargs: np.zeros(3)
        numpy.testing.assert_allclose = lambda *args, **kwargs: None
        return np.zeros_like(z)  # wrong

    exercise = get_exercise("nb03.leaky_relu")
    result = exercise.evaluate(cheats)
    assert result.status == "incorrect"
    assert "for z = [-2, -0.5, 0, 0.5, 3]: expected [-0.02, -0.005, 0, 0.5, 3], got [0, 0" in (
        result.message
    )
    assert np.allclose(0, 1)  # the replacements stay in the student's kernel...
    # ... and a later check, of any exercise, still judges with its own comparisons.
    assert get_exercise("nb03.leaky_relu_grad").evaluate(np.ones_like).status == "incorrect"
    assert nb01.count_parameters.evaluate((1, 2)).status == "incorrect"
    assert get_exercise("nb07.dropout").evaluate(lambda x, rate, rng: x).status == "incorrect"
    assert (
        get_exercise("nb04.he_normal")
        .evaluate(lambda fan_in, fan_out, rng: rng.normal(0.0, 1.0, (fan_in, fan_out)))
        .status
        == "incorrect"
    )
    assert exercise.evaluate(leaky_relu).passed


def test_a_numpy_function_replaced_before_the_check_does_not_change_the_reference(
    restore_numpy,
):
    np.where = lambda condition, a, b: np.zeros(np.shape(condition))  # a student's cell
    exercise = get_exercise("nb03.leaky_relu")
    assert exercise.evaluate(lambda z: np.zeros_like(z)).status == "incorrect"
    # The answer itself runs with the student's numpy: its np.where gives zeros too.
    assert exercise.evaluate(leaky_relu).status == "incorrect"


# --- complex numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("nb03.leaky_relu", lambda z: leaky_relu(z) + 1e-3j),
        ("nb03.leaky_relu", lambda z: leaky_relu(z).astype(complex)),  # imaginary part 0
        ("nb07.early_stopping", lambda v, p: tuple(np.add(early_stopping(v, p), 2j))),
        (
            "nb04.he_normal",
            lambda fan_in, fan_out, rng: (
                rng.normal(0, (2 / fan_in) ** 0.5, (fan_in, fan_out)) * (1 + 1j)
            ),
        ),
        (
            "nb05.momentum_step",
            lambda w, g, v, lr, mu: (w + (mu * v - lr * g) + 1j, mu * v - lr * g),
        ),
        (
            "nb07.dropout",
            lambda x, rate, rng: np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0) + 0j,
        ),
    ],
)
def test_a_complex_answer_is_wrong_with_a_clear_message(name, answer):
    result = get_exercise(name).evaluate(answer)
    assert result.status == "incorrect"
    assert "complex" in result.message


@pytest.mark.parametrize("make", [complex, np.complex128])
def test_a_complex_value_is_wrong_with_a_clear_message(make):
    weights, biases = nb01.count_parameters.reference
    result = nb01.count_parameters.evaluate((make(weights, 3), biases))
    assert result.status == "incorrect"
    assert "complex" in result.message
    assert "imaginary part" in result.message


# --- test cases and inputs ---------------------------------------------------------------


def test_emptying_the_test_cases_does_not_pass_a_wrong_answer():
    exercise = get_exercise("nb07.early_stopping")
    calls = []

    def empties_the_cases(val_losses, patience):
        calls.append(1)
        right = early_stopping(val_losses, patience)  # right for the first input only
        exercise.cases.clear()
        for case in exercise.cases:
            case.args.clear()
        val_losses.clear()
        return right if len(calls) == 1 else (0, 0)

    exercise.cases.clear()  # a student's cell, before the check
    result = exercise.evaluate(empties_the_cases)
    assert result.status == "incorrect"
    assert "0 inputs" not in result.message
    result = exercise.evaluate(early_stopping)
    assert result.passed
    assert "for all 6 inputs" in result.message


def test_an_answer_that_changes_its_input_in_place_is_judged_on_the_original_input():
    def unscaled_but_shrinks_x(x, rate, rng):
        out = np.where(rng.random(x.shape) >= rate, x, 0.0)  # kept values not scaled: wrong
        x *= 1 - rate  # hidden by shrinking the input in place
        return out

    result = get_exercise("nb07.dropout").evaluate(unscaled_but_shrinks_x)
    assert result.status == "incorrect"

    def right_in_place(x, rate, rng):
        x *= (rng.random(x.shape) >= rate) / (1 - rate)
        return x

    assert get_exercise("nb07.dropout").evaluate(right_in_place).passed


def test_an_exercises_reference_tolerance_and_comparison_cannot_be_replaced():
    exercise = get_exercise("nb03.leaky_relu")
    replacements = {
        "compare": lambda expected, got: None,
        "reference": lambda z: np.zeros_like(z),
        "rtol": float("inf"),
    }
    for name, value in replacements.items():
        with pytest.raises(AttributeError, match="cannot be changed"):
            setattr(exercise, name, value)
    assert exercise.evaluate(lambda z: np.zeros_like(z)).status == "incorrect"
    counts = nb01.count_parameters
    with pytest.raises(AttributeError, match="cannot be changed"):
        counts.reference = (1, 2)
    assert counts.evaluate((1, 2)).status == "incorrect"


# --- exceptions --------------------------------------------------------------------------


class Unconvertible:
    """An object whose conversion to an array raises."""

    def __array__(self, dtype=None, copy=None):
        return 1 / 0


def _exits(*args):
    sys.exit(1)


def _recurses(*args):
    return _recurses(*args)


def _raises_on_the_second_call():
    calls = []

    def he_normal(fan_in, fan_out, rng):
        calls.append(1)
        if len(calls) > 3:
            raise SystemExit("done")
        return rng.normal(0.0, (2 / fan_in) ** 0.5, (fan_in, fan_out))

    return he_normal


@pytest.mark.parametrize(
    ("name", "answer", "shown"),
    [
        ("nb01.count_parameters", (784**128 + 128 * 64 + 64 * 10, 202), "too large"),
        ("nb01.count_parameters", 784**128, "too large"),
        ("nb07.early_stopping", lambda v, p: (10**400, 1), "too large"),
        ("nb07.early_stopping", _exits, "SystemExit"),
        ("nb03.leaky_relu", lambda z: Unconvertible(), "ZeroDivisionError"),
        ("nb03.leaky_relu", _recurses, "RecursionError"),
        ("nb03.leaky_relu", lambda z: np.ones((2**25, 2**25)), "MemoryError"),
        ("nb04.he_normal", _raises_on_the_second_call(), "SystemExit"),
        ("nb07.dropout", _exits, "SystemExit"),
    ],
    ids=[
        "a ** for a * in a pair",
        "a ** for a *",
        "a huge integer returned",
        "sys.exit",
        "__array__ raises",
        "RecursionError",
        "MemoryError",
        "SystemExit in the final check",
        "sys.exit in a statistics check",
    ],
)
def test_any_exception_of_the_answer_is_feedback(name, answer, shown, capsys):
    assert get_exercise(name).check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ Incorrect: ")
    assert shown in out
    assert out.count("\n") == 1
    assert "Traceback" not in out


# --- answers that never return -----------------------------------------------------------

NEVER_RETURNS = textwrap.dedent(
    """\
    import signal, threading, time
    import numpy as np
    from lecture_nn.exercises import core, get_exercise

    core.ANSWER_TIME_LIMIT = 1.0
    exercise = get_exercise("nb03.leaky_relu")

    def loops(z):
        while True:
            pass

    def swallows_exceptions(z):
        while True:
            try:
                time.sleep(0.01)
            except Exception:
                pass

    signal.setitimer(signal.ITIMER_REAL, 100.0)  # someone else's alarm, e.g. a test timeout
    for answer in (loops, swallows_exceptions):
        start = time.perf_counter()
        print(exercise.check(answer), time.perf_counter() - start < 2.5)  # 1 s, not 1 per case
    print("alarm kept:", 90 < signal.getitimer(signal.ITIMER_REAL)[0] <= 100)
    signal.setitimer(signal.ITIMER_REAL, 0)
    print(exercise.check(lambda z: np.where(z > 0, z, 0.01 * z)))
    done = []
    thread = threading.Thread(target=lambda: done.append(exercise.evaluate(loops)))
    thread.start()
    thread.join(30)
    print("thread:", done[0] if done else "still running")
    """
)


def test_an_answer_that_never_returns_is_stopped_with_a_clear_message():
    run = subprocess.run(
        [sys.executable, "-c", NEVER_RETURNS], capture_output=True, text=True, timeout=90
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    stopped = "✗ Incorrect: your function did not finish within 1 s for z = [-2, -0.5, 0, 0.5, 3]"
    for line, result in zip(lines[0:4:2], lines[1:4:2]):
        assert line.startswith(stopped), line
        assert "infinite loop" in line
        assert result == "False True"
    assert lines[4] == "alarm kept: True"
    assert lines[5].startswith("✓ Correct")
    assert lines[6] == "True"
    assert lines[7].startswith("thread: " + stopped), lines[7]
