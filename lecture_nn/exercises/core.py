"""The exercise framework: ``check(answer)`` with specific feedback, graded hints, a solution.

An :class:`Exercise` knows its reference answer. ``check(answer)`` prints one line that
starts with a clear mark and returns True or False:

    ✓ Correct: ...
    ✗ Incorrect: for z = [-2, 0.5]: expected [-0.02, 0.5], got [-0.2, 0.5] ...
    … Not attempted yet: ...

It never prints the solution, and it never lets an exception of the student's code escape:
an exception becomes one line naming it and the input. A blank answer (``...``, ``None``
or a function whose body is only ``...`` or ``pass``) is "not attempted yet", so notebooks
with blank answers run headless without errors.

Each exercise can register :class:`Diagnosis` objects: typical wrong answers (a function
or a value) with what to tell a student whose answer behaves exactly like one of them
("looks like the bias correction is missing"). Two helpers cover the common cases:
:class:`ValueExercise` (a number or a tuple of numbers, compared with a tolerance; the
expected value is never revealed) and :class:`FunctionExercise` (the student's function is
called on several inputs and compared with the reference; the first failing input is
reported with the expected and the returned output).
"""

from __future__ import annotations

import copy
import dis
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = [
    "AnswerError",
    "Case",
    "Diagnosis",
    "Exercise",
    "FunctionExercise",
    "Raised",
    "Result",
    "ValueExercise",
    "compare",
    "describe_value",
    "is_blank",
]

#: The marks that start every line ``check`` prints, by status.
MARKS = {
    "correct": "✓ Correct",
    "incorrect": "✗ Incorrect",
    "blank": "… Not attempted yet",
}

# Opcodes of a function whose body is only a docstring, `...` or `pass` (CPython 3.10-3.14).
_EMPTY_BODY_OPS = {"RESUME", "NOP", "CACHE", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}

#: Arrays with at most this many entries are printed in full in feedback.
_MAX_PRINTED = 12


@dataclass(frozen=True)
class Result:
    """What ``check`` found: ``status`` is "correct", "incorrect" or "blank"."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        """True only for a correct answer."""
        return self.status == "correct"

    def __str__(self) -> str:
        return f"{MARKS[self.status]}: {self.message}"


@dataclass(frozen=True)
class Case:
    """One input for a student's function: its arguments, in order, by parameter name.

    The function is called positionally, so the student may name the parameters as they
    like; the names only appear in feedback ("for z = [1, 2]"). ``label`` replaces the
    generated description of the input where that would be unreadable.
    """

    args: Mapping[str, object]
    label: str = ""

    def describe(self) -> str:
        """The input in words, for feedback: the label, or ``name = value, ...``."""
        if self.label:
            return self.label
        return ", ".join(f"{name} = {describe_value(value)}" for name, value in self.args.items())


@dataclass(frozen=True)
class Diagnosis:
    """A typical wrong answer and what to tell a student whose answer behaves like it.

    ``mistake`` is a function with the reference's signature (for a
    :class:`FunctionExercise`) or a wrong value (for a :class:`ValueExercise`). An answer
    is diagnosed when its output agrees with the mistake's output on every input,
    exceptions included (same exception type). ``part`` restricts the comparison to one
    element of a tuple-valued answer (e.g. only dL/db of (dL/dW, dL/db, dL/dX)).
    """

    message: str
    mistake: object
    part: int | None = None


@dataclass(frozen=True)
class Raised:
    """The outcome of a call that raised: the exception type and its message, one line."""

    exception_type: type
    message: str
    by_student: bool = True

    def __str__(self) -> str:
        name = self.exception_type.__name__
        return f"{name}: {self.message}" if self.message else name


class AnswerError(Exception):
    """Raised by an exercise's driver when the student's output has the wrong form.

    Reported as its message, not as "your function raised ...".
    """


def is_blank(answer) -> bool:
    """True for an answer not attempted yet: ``...``, ``None``, or an empty function.

    A function counts as empty when its body is only a docstring, ``...`` or ``pass``
    (it returns None without computing anything). A tuple or list of blanks is blank.
    """
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, (tuple, list)):
        return len(answer) > 0 and all(is_blank(item) for item in answer)
    code = getattr(answer, "__code__", None)
    if code is None or not callable(answer):
        return False
    for instruction in dis.get_instructions(code):
        if instruction.opname not in _EMPTY_BODY_OPS:
            return False
        if instruction.opname in ("LOAD_CONST", "RETURN_CONST") and instruction.argval is not None:
            return False
    return True


# --- describing values -----------------------------------------------------------------


def _format_number(value, digits: int = 6) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.{digits}g}"


def _format_array(array: np.ndarray, digits: int = 6) -> str:
    if array.ndim == 0:
        return _format_number(array[()], digits)
    text = np.array2string(
        array,
        separator=", ",
        max_line_width=10**6,
        threshold=10**6,
        formatter={"float_kind": lambda x: _format_number(x, digits)},
    )
    return " ".join(text.split())


def describe_value(value) -> str:
    """A short one-line description of a value: small arrays in full, large ones by shape."""
    if isinstance(value, np.random.Generator):
        return "a random generator"
    if isinstance(value, (bool, int, float, np.number)):
        return _format_number(value)
    if isinstance(value, np.ndarray):
        if value.size <= _MAX_PRINTED and value.dtype.kind in "biuf":
            return _format_array(value)
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_kind(value) -> str:
    """What kind of thing a wrong answer is, for "expected ..., got <kind>"."""
    if value is None:
        return "None"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (bool, int, float, np.number)):
        return f"the number {describe_value(value)}"
    return f"a {type(value).__name__}"


def _describe_shape(array: np.ndarray) -> str:
    return "a single number" if array.ndim == 0 else f"an array of shape {array.shape}"


def _one_line(text: str, limit: int = 160) -> str:
    line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _distinct_pair(expected, got) -> tuple[str, str]:
    """Format two numbers with enough digits that they read differently."""
    for digits in (6, 9, 12, 17):
        pair = _format_number(expected, digits), _format_number(got, digits)
        if pair[0] != pair[1]:
            return pair
    return pair


# --- comparing outputs -----------------------------------------------------------------


def compare(
    expected,
    got,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-12,
    names: Sequence[str] = (),
    reveal: bool = True,
) -> str | None:
    """Compare ``got`` with ``expected``; return None if they agree, else what is wrong.

    ``expected`` is a number, an array, or a tuple of them (then ``got`` must be a
    sequence of the same length, compared part by part; ``names`` name the parts).
    Numbers agree within ``rtol`` and ``atol`` as in ``numpy.isclose``, nan with nan.
    With ``reveal=False`` the message never shows the expected values, only shapes.
    """
    if isinstance(expected, tuple):
        what = f"a tuple of {len(expected)}" + (f" ({', '.join(names)})" if names else "")
        if got is None:
            return f"expected {what}, got None (is a `return` missing?)"
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != len(expected):
            return f"expected {what}, got {_describe_kind(got)}"
        for index, (expected_part, got_part) in enumerate(zip(expected, got)):
            problem = compare(expected_part, got_part, rtol=rtol, atol=atol, reveal=reveal)
            if problem is not None:
                name = names[index] if index < len(names) else f"part {index + 1}"
                return f"{name}: {problem}"
        return None
    return _compare_numbers(expected, got, rtol, atol, reveal)


def _compare_numbers(expected, got, rtol: float, atol: float, reveal: bool) -> str | None:
    if got is None:
        return "got None (is a `return` missing?)"
    if isinstance(got, (str, bytes)):
        return f"expected numbers, got the text {got!r:.40}"
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected numbers, got {_describe_kind(got)}"
    expected_array = np.asarray(expected, dtype=float)
    if got_array.shape != expected_array.shape:
        if expected_array.ndim == 0 and got_array.size == 1:
            got_array = got_array.reshape(())
        else:
            return f"expected {_describe_shape(expected_array)}, got {_describe_shape(got_array)}"
    wrong = ~np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return None
    nonfinite = wrong & ~np.isfinite(got_array) & np.isfinite(expected_array)
    note = " (nan or inf where a finite number belongs: an overflow?)" if nonfinite.any() else ""
    if not reveal:
        return f"{_format_array(got_array)} is not right{note}"
    if expected_array.ndim == 0:
        shown_expected, shown_got = _distinct_pair(expected_array[()], got_array[()])
        return f"expected {shown_expected}, got {shown_got}{note}"
    if expected_array.size <= _MAX_PRINTED:
        return f"expected {_format_array(expected_array)}, got {_format_array(got_array)}{note}"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    shown_expected, shown_got = _distinct_pair(expected_array[index], got_array[index])
    return (
        f"{int(wrong.sum())} of {wrong.size} entries differ; at index {index} expected "
        f"{shown_expected}, got {shown_got}{note}"
    )


# --- exercises -------------------------------------------------------------------------


class Exercise:
    """A question with a reference answer: ``check(answer)``, ``hint()``, ``solution()``.

    Args:
        name: "nbNN.short_name"; notebooks find the exercise by it (cell metadata).
        title: A few words for headings.
        prompt: The task, in Markdown, as the notebook shows it.
        blank: The answer cell a student starts from (e.g. ``def f(z):\\n    ...``).
        solution: The reference code that replaces the blank in the instructor copy.
        hints: From a nudge to nearly the answer; ``hint()`` shows them one per call.
        diagnoses: Typical wrong answers and what they mean (or a function of no
            arguments returning them, called when first needed).
        answer_name: The name the answer cell defines and the check cell passes to
            ``check`` (default: the short name, e.g. the function ``leaky_relu``).

    Subclasses implement ``_check(answer) -> Result`` for an answer that is not blank.
    """

    def __init__(
        self,
        name: str,
        *,
        title: str,
        prompt: str,
        blank: str,
        solution: str,
        hints: Sequence[str],
        diagnoses: Sequence[Diagnosis] | Callable[[], Sequence[Diagnosis]] = (),
        answer_name: str = "",
    ):
        self.name = name
        self.answer_name = answer_name or self.short_name
        self.title = title
        self.prompt = prompt
        self.blank = blank
        self.solution_code = solution
        self.hints = tuple(hints)
        self._diagnoses = diagnoses
        self.hints_shown = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {self.title}>"

    @cached_property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """The typical wrong answers (built on first use when given as a function)."""
        diagnoses = self._diagnoses
        return tuple(diagnoses() if callable(diagnoses) else diagnoses)

    @property
    def short_name(self) -> str:
        """The name without its notebook prefix, as the notebook's ``exercises.<name>``."""
        return self.name.rpartition(".")[2]

    def evaluate(self, answer) -> Result:
        """Check ``answer`` without printing anything; return the :class:`Result`."""
        if is_blank(answer):
            return Result("blank", self._blank_message())
        return self._check(answer)

    def check(self, answer) -> bool:
        """Print one line of feedback on ``answer``; return whether it is correct."""
        result = self.evaluate(answer)
        print(result)
        return result.passed

    def hint(self) -> None:
        """Print the next hint: a nudge first, more detail on later calls, then the last again."""
        if not self.hints:
            print("There is no hint for this exercise.")
            return
        index = min(self.hints_shown, len(self.hints) - 1)
        self.hints_shown += 1
        last = " (the last one)" if index == len(self.hints) - 1 else ""
        print(f"Hint {index + 1} of {len(self.hints)}{last}: {self.hints[index]}")

    def solution(self) -> None:
        """Print the reference solution."""
        print(f"Solution ({self.title}):\n")
        print(self.solution_code)

    def _blank_message(self) -> str:
        return "fill in the answer cell above, run it, then run this cell again."

    def _hint_pointer(self) -> str:
        return f"(exercises.{self.short_name}.hint() gives a hint)"

    def _check(self, answer) -> Result:
        raise NotImplementedError


class ValueExercise(Exercise):
    """An exercise whose answer is a number or a tuple of numbers.

    Besides the arguments of :class:`Exercise`: ``reference`` is the value, or a function
    of no arguments computing it when first needed; ``part_names`` name the parts of a
    tuple ("the number of weights", ...); ``what`` names the answer in feedback ("your
    count"). The feedback says which parts are wrong, never what the right values are.
    """

    def __init__(
        self,
        name: str,
        *,
        title: str,
        prompt: str,
        blank: str,
        solution: str,
        hints: Sequence[str],
        diagnoses: Sequence[Diagnosis] | Callable[[], Sequence[Diagnosis]] = (),
        answer_name: str = "",
        reference,
        part_names: Sequence[str] = (),
        what: str = "your answer",
        rtol: float = 1e-6,
        atol: float = 1e-12,
    ):
        super().__init__(
            name,
            title=title,
            prompt=prompt,
            blank=blank,
            solution=solution,
            hints=hints,
            diagnoses=diagnoses,
            answer_name=answer_name,
        )
        self._reference = reference
        self.part_names = tuple(part_names)
        self.what = what
        self.rtol = rtol
        self.atol = atol

    @cached_property
    def reference(self):
        """The reference value (computed on first use)."""
        value = self._reference
        return value() if callable(value) else value

    def _compare(self, expected, got) -> str | None:
        return compare(
            expected, got, rtol=self.rtol, atol=self.atol, names=self.part_names, reveal=False
        )

    def _agrees(self, diagnosis: Diagnosis, answer) -> bool:
        if diagnosis.part is None:
            return self._compare(diagnosis.mistake, answer) is None
        if not isinstance(answer, (tuple, list, np.ndarray)) or len(answer) != len(self.reference):
            return False
        return self._compare(diagnosis.mistake, answer[diagnosis.part]) is None

    def _check(self, answer) -> Result:
        problem = self._compare(self.reference, answer)
        if problem is None:
            return Result("correct", f"{self.what} is right.")
        found = [d.message for d in self.diagnoses if self._agrees(d, answer)]
        if found:
            return Result("incorrect", " ".join(found))
        if isinstance(self.reference, tuple) and "is not right" in problem:
            return Result("incorrect", self._parts_message(answer))
        return Result("incorrect", f"{self.what}: {problem}. {self._hint_pointer()}")

    def _parts_message(self, answer) -> str:
        wrong, right = [], []
        for index, expected in enumerate(self.reference):
            name = self.part_names[index] if index < len(self.part_names) else f"part {index + 1}"
            if self._compare(expected, answer[index]) is None:
                right.append(name)
            else:
                wrong.append(f"{name} ({describe_value(np.asarray(answer[index])[()])})")
        message = f"{' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not right"
        if right:
            message += f"; {' and '.join(right)} {'is' if len(right) == 1 else 'are'} right"
        return f"{message}. {self._hint_pointer()}"


class FunctionExercise(Exercise):
    """An exercise whose answer is a function, called on several inputs.

    Args (besides those of :class:`Exercise`):
        reference: The reference function (called like the student's); a subclass that
            overrides :meth:`expected` may keep something else here.
        cases: The inputs, in the order they are tried (simple ones first); or a function
            of no arguments returning them.
        output_names: Names of the parts of a tuple output ("dL/dW", ...).
        rtol, atol: Tolerances as in ``numpy.isclose``.

    Every call runs with numpy's floating-point errors raised as exceptions (underflow
    excepted), so an overflow in ``exp`` is reported instead of passing with a warning,
    and on a copy of the arguments, so a function that changes its input in place cannot
    spoil the next call. Subclasses may override :meth:`call` (how one input is run, e.g.
    several optimizer steps), :meth:`expected`, :meth:`compare` and :meth:`final_check`.
    """

    def __init__(
        self,
        name: str,
        *,
        title: str,
        prompt: str,
        blank: str,
        solution: str,
        hints: Sequence[str],
        diagnoses: Sequence[Diagnosis] | Callable[[], Sequence[Diagnosis]] = (),
        answer_name: str = "",
        reference,
        cases,
        output_names: Sequence[str] = (),
        rtol: float = 1e-6,
        atol: float = 1e-12,
    ):
        super().__init__(
            name,
            title=title,
            prompt=prompt,
            blank=blank,
            solution=solution,
            hints=hints,
            diagnoses=diagnoses,
            answer_name=answer_name,
        )
        self.reference = reference
        self._cases = cases
        self.output_names = tuple(output_names)
        self.rtol = rtol
        self.atol = atol

    @cached_property
    def cases(self) -> list[Case]:
        """The inputs (built on first use)."""
        return list(self._cases() if callable(self._cases) else self._cases)

    # -- hooks ----------------------------------------------------------------------

    def call(self, function: Callable, args: list):
        """Run ``function`` on one input's arguments (already copied) and return its output."""
        return function(*args)

    def expected(self, case: Case):
        """The reference output for ``case``."""
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return self.call(self.reference, copy.deepcopy(list(case.args.values())))

    def compare(self, expected, got) -> str | None:
        """None if ``got`` agrees with ``expected``, else what is wrong (with both shown)."""
        return compare(expected, got, rtol=self.rtol, atol=self.atol, names=self.output_names)

    def final_check(self, function: Callable) -> str | None:
        """A last requirement once every input gave the right output; None if it holds."""
        return None

    # -- checking -------------------------------------------------------------------

    def run(self, function: Callable, case: Case):
        """``function``'s output for ``case``, or a :class:`Raised` if it raised."""
        args = copy.deepcopy(list(case.args.values()))
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                return self.call(function, args)
        except AnswerError as exc:
            return Raised(AnswerError, _one_line(exc), by_student=False)
        except Exception as exc:  # the student's code may raise anything; report it
            return Raised(type(exc), _one_line(exc))

    def _problem(self, expected, got) -> str | None:
        if isinstance(got, Raised):
            return str(got)
        return self.compare(expected, got)

    def _agrees(self, diagnosis: Diagnosis, expected: list, outputs: list) -> bool:
        """Whether the answer's ``outputs`` behave like ``diagnosis.mistake`` on every input.

        An input where the answer raised but the mistake gives the right output does not
        count against the diagnosis: there the answer fails for another reason (a student
        can make two mistakes), and the diagnosis still explains every other input.
        """
        for case, right, got in zip(self.cases, expected, outputs):
            wrong = self.run(diagnosis.mistake, case)
            if isinstance(got, Raised) and not isinstance(wrong, Raised):
                if self.compare(right, wrong) is not None:
                    return False
                continue
            if isinstance(got, Raised) or isinstance(wrong, Raised):
                same = isinstance(got, Raised) and isinstance(wrong, Raised)
                if not (same and got.exception_type is wrong.exception_type):
                    return False
                continue
            if diagnosis.part is not None:
                if not isinstance(got, (tuple, list)) or len(got) != len(wrong):
                    return False
                got, wrong = got[diagnosis.part], wrong[diagnosis.part]
                if compare(wrong, got, rtol=self.rtol, atol=self.atol) is not None:
                    return False
            elif self.compare(wrong, got) is not None:
                return False
        return True

    def _check(self, answer) -> Result:
        if not callable(answer):
            return Result("incorrect", f"expected a function, got {_describe_kind(answer)}.")
        expected = [self.expected(case) for case in self.cases]
        outputs = [self.run(answer, case) for case in self.cases]
        for case, right, got in zip(self.cases, expected, outputs):
            problem = self._problem(right, got)
            if problem is None:
                continue
            found = [d.message for d in self.diagnoses if self._agrees(d, expected, outputs)]
            if isinstance(got, Raised) and got.by_student:
                detail = f"your function raised {got} for {case.describe()}."
            elif isinstance(got, Raised):
                detail = f"{got.message} (for {case.describe()})."
            else:
                detail = f"for {case.describe()}: {problem}."
            if found:
                return Result("incorrect", " ".join(found) + " " + _capitalise(detail))
            return Result("incorrect", f"{detail} {self._hint_pointer()}")
        problem = self.final_check(answer)
        if problem is not None:
            return Result("incorrect", problem)
        return Result("correct", self.success_message(answer))

    def success_message(self, function: Callable) -> str:
        """What ``check`` says about a correct function."""
        name = getattr(function, "__name__", "your function")
        return f"{name} gives the expected output for all {len(self.cases)} inputs."

    def _blank_message(self) -> str:
        return "write the function in the answer cell above, run it, then run this cell again."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
