"""The exercise framework: ``check(answer)`` with specific feedback, graded hints, a solution.

An :class:`Exercise` knows its reference answer. ``check(answer)`` prints one line that
starts with a clear mark and returns True or False::

    ✓ Correct: ...
    ✗ Incorrect: for z = [-2, 0.5]: expected [-0.02, 0.5], got [-0.2, 0.5] ...
    … Not attempted yet: ...

It never prints the solution, and nothing the student's code does escapes it: an exception
of any kind (``OverflowError``, ``MemoryError``, ``RecursionError``, ``SystemExit``, ...)
becomes one line naming it and the input, and a call that runs longer than
:data:`ANSWER_TIME_LIMIT` seconds is stopped ("did not finish within 10 s: an infinite
loop?"). A blank answer (``...``, ``None`` or a function whose body is only ``...`` or
``pass``) is "not attempted yet", so notebooks with blank answers run headless without
errors.

A wrong answer cannot pass by tampering with what judges it:

- The check compares with its own functions, built from numpy's ufuncs and array methods
  as they were at import; and while it judges, every function of numpy, ``math``,
  ``builtins`` and the course package is put back as it was when first seen (the student's
  replacements come back afterwards, and the student's function runs with them). So an
  answer that replaces ``np.isclose``, ``np.allclose`` or ``np.where`` changes neither this
  check nor any later one, and the references are computed with numpy as imported.
- The answer's output is copied into arrays of the check's own right after the call
  (:func:`freeze`), so no code of the student's runs while it is compared. Complex numbers
  are wrong, with a message, never silently made real; an integer too large for a float
  (``784**128`` typed for ``784*128``) is wrong, with a message.
- The test cases are built afresh for every check, each call of the answer gets its own
  copies of its arguments, and the number of cases is fixed by the exercise: emptying
  ``exercise.cases`` or an argument changes nothing. An exercise's attributes cannot be
  set once it is built.

What this does not defend against is a deliberate rewrite of the check's own classes
(``FunctionExercise.compare = ...``): that is visible in the notebook for what it is.

Each exercise can register :class:`Diagnosis` objects: typical wrong answers (a function
or a value) with what to tell a student whose answer behaves exactly like one of them
("looks like the bias correction is missing"). Two helpers cover the common cases:
:class:`ValueExercise` (a number or a tuple of numbers, compared with a tolerance; the
expected value is never revealed) and :class:`FunctionExercise` (the student's function is
called on several inputs and compared with the reference; the first failing input is
reported with the expected and the returned output).
"""

from __future__ import annotations

import builtins
import copy
import dis
import math
import operator
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ANSWER_TIME_LIMIT",
    "AnswerError",
    "Case",
    "Diagnosis",
    "Exercise",
    "FunctionExercise",
    "NotNumbers",
    "Raised",
    "Result",
    "ValueExercise",
    "close",
    "compare",
    "describe_value",
    "freeze",
    "is_blank",
    "real_numbers",
    "same",
]

#: The marks that start every line ``check`` prints, by status.
MARKS = {
    "correct": "✓ Correct",
    "incorrect": "✗ Incorrect",
    "blank": "… Not attempted yet",
}

#: Seconds each call of a student's function may run before the check stops it.
ANSWER_TIME_LIMIT = 10.0

#: After the time limit, the stop is repeated this often (seconds), in case the student's
#: code catches the first one.
_REPEAT_STOP = 0.1

# Opcodes of a function whose body is only a docstring, `...` or `pass` (CPython 3.10-3.14).
_EMPTY_BODY_OPS = {"RESUME", "NOP", "CACHE", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}

#: Arrays with at most this many entries are printed in full in feedback.
_MAX_PRINTED = 12

# numpy as imported: C functions, ufuncs and a class whose attributes cannot be replaced
# (replacing ``np.isclose`` rebinds a name in numpy's namespace, not these objects).
_array = np.array
_asarray = np.asarray
_ndarray = np.ndarray
_errstate = np.errstate
_float64 = np.float64
_isfinite = np.isfinite
_isnan = np.isnan
_absolute = np.absolute
_subtract = np.subtract
_less_equal = np.less_equal
_equal = np.equal
_not_equal = np.not_equal
_is = operator.is_
_isinstance = builtins.isinstance


# --- numpy as imported, while a check judges --------------------------------------------

_MISSING = object()

#: Modules whose functions a check puts back as they were while it judges, by name:
#: (module, names, values as first seen).
_REMEMBERED: dict[str, tuple[object, tuple[str, ...], tuple[object, ...]]] = {}

_GUARDED_NAMES = ("builtins", "math", "copy", "operator", "numpy")
_GUARDED_PREFIXES = ("numpy.", "lecture_nn.", "lecture_nn")

#: Nesting depth of code that a time limit must not interrupt (the swaps of numpy).
_CRITICAL = [0]


def _remember_modules() -> None:
    """Record numpy's, ``math``'s, ``builtins``' and the course's namespaces as first seen.

    Modules still being imported are left for a later call, so that each is recorded whole.
    """
    for name, module in list(sys.modules.items()):
        if name in _REMEMBERED or module is None:
            continue
        if name not in _GUARDED_NAMES and not name.startswith(_GUARDED_PREFIXES):
            continue
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            continue
        namespace = dict(vars(module))
        _REMEMBERED[name] = (module, tuple(namespace), tuple(namespace.values()))


class _Guard:
    """Puts the remembered namespaces back as first seen, and the student's changes back later.

    ``take()`` records what differs from the remembered namespaces (the student's changes)
    and restores the originals; ``give()`` reinstates the recorded changes. A check takes
    on entry, gives around each call of the student's function (taking again after it, so
    that changes the call makes are recorded too) and gives on exit. Each does nothing
    when the namespaces are already on its side, so a repeated call loses nothing.
    """

    def __init__(self):
        self._changes: list[tuple[dict, str, object, object]] = []
        self._students_side = True

    def take(self) -> None:
        """Record the student's changes and put the original names back."""
        _CRITICAL[0] += 1
        try:
            if not self._students_side:
                return
            changes = []
            for module, names, values in _REMEMBERED.values():
                namespace = vars(module)
                get = namespace.get
                if all(map(_is, map(get, names, (_MISSING,) * len(names)), values)):
                    continue
                for name, value in zip(names, values):
                    current = get(name, _MISSING)
                    if current is not value:
                        changes.append((namespace, name, current, value))
            for namespace, name, _, value in changes:
                namespace[name] = value
            self._changes = changes
            self._students_side = False
        finally:
            _CRITICAL[0] -= 1

    def give(self) -> None:
        """Reinstate the student's recorded changes."""
        _CRITICAL[0] += 1
        try:
            if self._students_side:
                return
            for namespace, name, current, _ in self._changes:
                if current is _MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = current
            self._students_side = True
        finally:
            _CRITICAL[0] -= 1

    def __enter__(self) -> _Guard:
        _remember_modules()
        self.take()
        return self

    def __exit__(self, *exc_info) -> None:
        self.give()


class _NoGuard:
    """Stands in for a guard outside a check (a driver called directly): changes nothing."""

    def take(self) -> None:
        """Nothing to take."""

    def give(self) -> None:
        """Nothing to give."""


# --- time limit ------------------------------------------------------------------------


class _TimeLimit(BaseException):
    """Stops a student's call at the time limit.

    A BaseException, so that ``except Exception`` in the student's code does not catch it.
    """


def _on_alarm(signum, frame) -> None:
    if _CRITICAL[0]:
        return  # the stop is repeated shortly, after the swap of numpy is complete
    raise _TimeLimit


def _alarm_usable() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) is not None
    )


def _time_limited(function: Callable, *args):
    """``function(*args)``, stopped with :class:`_TimeLimit` after ``ANSWER_TIME_LIMIT`` s.

    In the main thread on Linux and macOS (a Jupyter kernel runs cells there), a SIGALRM
    timer stops it, also inside long integer arithmetic; the timer someone else had set is
    restored afterwards, with the time it had left. Elsewhere (Windows, other threads) a
    watchdog thread raises the stop in the calling thread, which interrupts Python code but
    not a single long call into C. Without either (another Python implementation) there is
    no limit.
    """
    limit = float(ANSWER_TIME_LIMIT)
    if not math.isfinite(limit) or limit <= 0:
        return function(*args)
    if _alarm_usable():
        return _with_alarm(limit, function, args)
    return _with_watchdog(limit, function, args)


def _with_alarm(limit: float, function: Callable, args: tuple):
    """``function(*args)`` under a SIGALRM timer of ``limit`` seconds (main thread only).

    A timer that was already set (a test's timeout, say) is suspended meanwhile and set again
    afterwards with the time it had left (at least 1 ms).
    """
    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, limit, _REPEAT_STOP)
    started = time.monotonic()
    try:
        return function(*args)
    finally:
        while True:  # a stop that arrives now comes too late: the call is over
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except _TimeLimit:
                continue
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            left = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), previous_interval)


def _with_watchdog(limit: float, function: Callable, args: tuple):
    """``function(*args)``, stopped by a watchdog thread after ``limit`` seconds.

    The watchdog raises :class:`_TimeLimit` in the calling thread (CPython's
    ``PyThreadState_SetAsyncExc``), again every 0.1 s until the call is over; a stop still
    pending when the call returns is withdrawn.
    """
    try:
        import ctypes

        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):  # not CPython: no limit
        return function(*args)
    target = ctypes.c_ulong(threading.get_ident())
    done = threading.Event()
    lock = threading.Lock()
    fired = [False]

    def watch() -> None:
        if done.wait(limit):
            return
        while True:
            with lock:
                if done.is_set():
                    return
                if not _CRITICAL[0]:
                    set_async_exc(target, ctypes.py_object(_TimeLimit))
                    fired[0] = True
            if done.wait(_REPEAT_STOP):
                return

    watchdog = threading.Thread(target=watch, name="exercise time limit", daemon=True)
    watchdog.start()
    try:
        return function(*args)
    finally:
        while True:  # a stop that arrives now comes too late: the call is over
            try:
                with lock:
                    done.set()
                    if fired[0]:
                        set_async_exc(target, None)  # withdraw a stop not yet delivered
                break
            except _TimeLimit:
                continue
        watchdog.join()


# --- what the student's code returned, as the check's own copy ----------------------------


@dataclass(frozen=True)
class NotNumbers:
    """(Part of) an output that cannot be compared as numbers.

    Parameters
    ----------
    kind : str
        What it is, for feedback: "a dict", "the text 'abc'", "an integer with 371 digits".
    problem : str
        Why it cannot be compared: "expected numbers, got a dict".
    """

    kind: str
    problem: str


def _digits(value: int) -> int:
    """Return the number of decimal digits of a (huge) integer, without converting it to text."""
    return max(1, math.floor((abs(value).bit_length() - 1) * math.log10(2)) + 1)


def _huge_integer(items) -> NotNumbers | None:
    for item in items:
        if _isinstance(item, int) and abs(item) > sys.float_info.max:
            kind = (
                f"an integer with {_digits(int(item))} digits, too large to compare (floats "
                "end near 1.8e308): is there a ** (power) where a * (product) belongs?"
            )
            return NotNumbers(kind, f"expected numbers, got {kind}")
    return None


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def freeze(value, _depth: int = 0):
    """Return a copy of ``value`` (a student's output) that no code of the student's can change.

    Numbers and arrays become numpy arrays of the check's own (plain ``ndarray``, read-only,
    dtype kept: integer, float, bool or complex); a tuple or list becomes a tuple or list of
    frozen parts; None stays None; anything else (text, a dict, an integer too large for a
    float, ...) becomes a :class:`NotNumbers` that says what it is.

    This runs the student's conversion code (``__array__``, ``__float__``, ``__iter__``):
    call it where the student's code may run, under the time limit. Its exceptions pass
    through.

    Parameters
    ----------
    value : object
        What the student's function returned (or the student's answer value).

    Returns
    -------
    numpy.ndarray or tuple or list or NotNumbers or None
        The frozen copy.
    """
    if value is None or _isinstance(value, NotNumbers):
        return value
    if _isinstance(value, (str, bytes)):
        text = str.__repr__(value) if _isinstance(value, str) else bytes.__repr__(value)
        return NotNumbers(f"the text {text:.40}", f"expected numbers, got the text {text:.40}")
    if _isinstance(value, (tuple, list)):
        if _depth > 32:
            return NotNumbers("a deeply nested list", "expected numbers, got a deeply nested list")
        parts = [freeze(part, _depth + 1) for part in tuple(value)]
        return tuple(parts) if _isinstance(value, tuple) else parts
    kind = _kind_of(value)
    if _isinstance(value, np.random.Generator):
        return NotNumbers("a random generator", "expected numbers, got a random generator")
    if _isinstance(value, int) and not _isinstance(value, bool):
        huge = _huge_integer((value,))
        if huge is not None:
            return huge
    array = _array(value, copy=True, subok=False)
    if array.dtype.kind in "biufc":
        return _readonly(array)
    if array.dtype.kind == "O":
        items = array.ravel().tolist()
        huge = _huge_integer(items)
        if huge is not None:
            return huge
        for dtype in (_float64, np.complex128):
            try:
                return _readonly(_array(items, dtype=dtype).reshape(array.shape))
            except (TypeError, ValueError, OverflowError):
                continue
    return NotNumbers(kind, f"expected numbers, got {kind}")


def _kind_of(value) -> str:
    """Return what kind of thing a value is, in words, without running its own code."""
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def _complex_problem(array: np.ndarray) -> str:
    imaginary = array.imag
    nonzero = _not_equal(imaginary, 0)
    if nonzero.any():
        first = imaginary[nonzero.nonzero()][0] if array.ndim else imaginary[()]
        return (
            f"expected real numbers, got complex ones (an imaginary part of "
            f"{_format_number(first)}): a square root or power of a negative number?"
        )
    return (
        f"expected real numbers, got complex ones (dtype {array.dtype}, imaginary parts 0): "
        "compute with real numbers"
    )


def real_numbers(value) -> tuple[np.ndarray | None, str | None]:
    """``value`` as float64 numbers of the check's own, or what keeps it from being numbers.

    Parameters
    ----------
    value : object
        A frozen output (see :func:`freeze`) or any value of the check's own.

    Returns
    -------
    tuple of (numpy.ndarray or None, str or None)
        ``(array, None)`` with a float64 array (a copy), or ``(None, problem)`` with the
        problem in words: "got None (is a `return` missing?)", "expected numbers, got a
        dict", "expected real numbers, got complex ones ...".
    """
    if value is None:
        return None, "got None (is a `return` missing?)"
    if _isinstance(value, NotNumbers):
        return None, value.problem
    if not _isinstance(value, _ndarray):
        try:
            value = freeze(value)
        except Exception as exc:  # a value of the student's that cannot be read
            return None, f"expected numbers, got {_kind_of(value)} ({_exception_text(exc)})"
        if value is None or _isinstance(value, NotNumbers):
            return real_numbers(value)
    try:
        array = _asarray(value)
    except (TypeError, ValueError):
        return None, f"expected numbers, got {_describe_kind(value)}"
    if array.dtype.kind == "c":
        return None, _complex_problem(array)
    if array.dtype.kind == "O":
        parts = [part for part in array.ravel().tolist() if _isinstance(part, NotNumbers)]
        if parts:
            return None, parts[0].problem
        return real_numbers(freeze(array))
    if array.dtype.kind not in "biuf":
        return None, f"expected numbers, got {_describe_kind(value)}"
    return array.astype(_float64), None


def close(got, expected, *, rtol: float, atol: float) -> np.ndarray:
    """Element-wise ``|got - expected| <= atol + rtol * |expected|``, nan equal to nan.

    As ``numpy.isclose(got, expected, rtol, atol, equal_nan=True)``, built from numpy's
    ufuncs as imported, so that replacing ``np.isclose`` changes nothing here.

    Parameters
    ----------
    got, expected : array_like of float
        Arrays of the same shape (or broadcastable).
    rtol, atol : float
        Relative and absolute tolerance.

    Returns
    -------
    numpy.ndarray of bool
        True where the two agree.
    """
    got = _array(got, dtype=_float64, subok=False)
    expected = _array(expected, dtype=_float64, subok=False)
    with _errstate(invalid="ignore", over="ignore"):
        within = _less_equal(_absolute(_subtract(got, expected)), atol + rtol * _absolute(expected))
    finite = _isfinite(got) & _isfinite(expected)
    return (within & finite) | _equal(got, expected) | (_isnan(got) & _isnan(expected))


def same(first, second) -> bool:
    """Return True if two arrays have the same shape and equal entries (as ``np.array_equal``)."""
    first = _array(first, subok=False)
    second = _array(second, subok=False)
    return first.shape == second.shape and bool(_equal(first, second).all())


# --- results, cases, diagnoses ------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What ``check`` found.

    Parameters
    ----------
    status : str
        "correct", "incorrect" or "blank".
    message : str
        The feedback after the mark, one line.
    """

    status: str
    message: str

    @property
    def passed(self) -> bool:
        """True only for a correct answer."""
        return self.status == "correct"

    def __str__(self) -> str:
        """Return the text shown for this object."""
        return f"{MARKS[self.status]}: {self.message}"


@dataclass(frozen=True)
class Case:
    """One input for a student's function: its arguments, in order, by parameter name.

    The function is called positionally, so the student may name the parameters as they
    like; the names only appear in feedback ("for z = [1, 2]").

    Parameters
    ----------
    args : Mapping
        The arguments by parameter name, in the order of the parameters.
    label : str, optional
        Replaces the generated description of the input where that would be unreadable.
    """

    args: Mapping[str, object]
    label: str = ""

    def describe(self) -> str:
        """Return the input in words, for feedback: the label, or ``name = value, ...``."""
        if self.label:
            return self.label
        return ", ".join(f"{name} = {describe_value(value)}" for name, value in self.args.items())


@dataclass(frozen=True)
class Diagnosis:
    """A typical wrong answer and what to tell a student whose answer behaves like it.

    An answer is diagnosed when its output agrees with the mistake's output on every input,
    exceptions included (same exception type).

    Parameters
    ----------
    message : str
        What to tell the student.
    mistake : object
        A function with the reference's signature (for a :class:`FunctionExercise`) or a
        wrong value (for a :class:`ValueExercise`).
    part : int or None, optional
        Restricts the comparison to one element of a tuple-valued answer (e.g. only dL/db
        of (dL/dW, dL/db, dL/dX)).
    """

    message: str
    mistake: object
    part: int | None = None


@dataclass(frozen=True)
class Raised:
    """The outcome of a call that raised: the exception type and its message, one line.

    Parameters
    ----------
    exception_type : type
        The exception's class.
    message : str
        Its message, first line.
    by_student : bool, optional
        False for an :class:`AnswerError` of the check (an output of the wrong form).
    """

    exception_type: type
    message: str
    by_student: bool = True

    @property
    def timed_out(self) -> bool:
        """True if the call was stopped at the time limit."""
        return self.exception_type is _TimeLimit

    def __str__(self) -> str:
        """Return the text shown for this object."""
        name = _public_name(self.exception_type)
        return f"{name}: {self.message}" if self.message else name


class AnswerError(Exception):
    """Raised by an exercise's driver when the student's output has the wrong form.

    Reported as its message, not as "your function raised ...".
    """


class _StudentRaised(BaseException):
    """Carries the :class:`Raised` of a student's call out through a driver's code."""

    def __init__(self, raised: Raised):
        super().__init__(raised)
        self.raised = raised


def _public_name(exception_type: type) -> str:
    """Return the exception's name, or that of its first public base (numpy's _ArrayMemoryError)."""
    for cls in exception_type.__mro__:
        if not cls.__name__.startswith("_"):
            return cls.__name__
    return exception_type.__name__


def _exception_text(exc: BaseException) -> str:
    """Return the first line of an exception's message; "" if even that fails."""
    try:
        return _one_line(str(exc))
    except Exception:  # a student's exception whose __str__ raises
        return ""


def _raised(exc: BaseException) -> Raised:
    return Raised(type(exc), _exception_text(exc))


def is_blank(answer) -> bool:
    """Return True for an answer not attempted yet: ``...``, ``None``, or an empty function.

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
        if abs(int(value)) >= 10**15:
            return f"{float(value):.{digits}g}" if abs(value) < 1e300 else "a huge integer"
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
    """Return a short one-line description of a value: small arrays in full, large ones by shape."""
    if isinstance(value, NotNumbers):
        return value.kind
    if isinstance(value, np.random.Generator):
        return "a random generator"
    if isinstance(value, (bool, int, float, np.number)) and not isinstance(value, complex):
        return _format_number(value)
    if isinstance(value, np.ndarray):
        if value.size <= _MAX_PRINTED and value.dtype.kind in "biuf":
            return _format_array(value)
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_kind(value) -> str:
    """Return what kind of thing a wrong answer is, for "expected ..., got <kind>"."""
    if value is None:
        return "None"
    if isinstance(value, NotNumbers):
        return value.kind
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0 and value.dtype.kind in "biuf":
            return f"the number {describe_value(value[()])}"
        return f"an array of shape {value.shape}"
    if isinstance(value, (bool, int, float, np.number)):
        return f"the number {describe_value(value)}"
    return _kind_of(value)


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

    ``got`` is first copied with :func:`freeze` (a no-op for a frozen output), and compared
    with the check's own functions (:func:`close`), never numpy's replaceable ones.

    Parameters
    ----------
    expected : number, array or tuple
        The reference: a number, an array, or a tuple of them (then ``got`` must be a
        sequence of the same length, compared part by part).
    got : object
        The student's output.
    rtol, atol : float, optional
        Numbers agree within ``rtol`` and ``atol`` as in ``numpy.isclose``, nan with nan.
    names : sequence of str, optional
        Names of the parts of a tuple.
    reveal : bool, optional
        With False the message never shows the expected values, only shapes.

    Returns
    -------
    str or None
        None if they agree, else the problem in words. Complex numbers never agree.
    """
    try:
        got = freeze(got)
    except Exception as exc:  # a raw value of the student's whose conversion raises
        return f"expected numbers, got {_kind_of(got)} ({_exception_text(exc)})"
    if isinstance(expected, tuple):
        what = f"a tuple of {len(expected)}" + (f" ({', '.join(names)})" if names else "")
        if got is None:
            return f"expected {what}, got None (is a `return` missing?)"
        if not isinstance(got, (tuple, list, np.ndarray)) or (
            isinstance(got, np.ndarray) and got.ndim == 0
        ):
            return f"expected {what}, got {_describe_kind(got)}"
        if len(got) != len(expected):
            return f"expected {what}, got {_describe_kind(got)}"
        for index, (expected_part, got_part) in enumerate(zip(expected, got)):
            problem = compare(expected_part, got_part, rtol=rtol, atol=atol, reveal=reveal)
            if problem is not None:
                name = names[index] if index < len(names) else f"part {index + 1}"
                return f"{name}: {problem}"
        return None
    return _compare_numbers(expected, got, rtol, atol, reveal)


def _compare_numbers(expected, got, rtol: float, atol: float, reveal: bool) -> str | None:
    got_array, problem = real_numbers(got)
    if problem is not None:
        return problem
    expected_array = _array(expected, dtype=_float64)
    if got_array.shape != expected_array.shape:
        if expected_array.ndim == 0 and got_array.size == 1:
            got_array = got_array.reshape(())
        else:
            return f"expected {_describe_shape(expected_array)}, got {_describe_shape(got_array)}"
    wrong = ~close(got_array, expected_array, rtol=rtol, atol=atol)
    if not wrong.any():
        return None
    nonfinite = wrong & ~_isfinite(got_array) & _isfinite(expected_array)
    note = " (nan or inf where a finite number belongs: an overflow?)" if nonfinite.any() else ""
    if not reveal:
        return f"{_format_array(got_array)} is not right{note}"
    if expected_array.ndim == 0:
        shown_expected, shown_got = _distinct_pair(expected_array[()], got_array[()])
        return f"expected {shown_expected}, got {shown_got}{note}"
    if expected_array.size <= _MAX_PRINTED:
        return f"expected {_format_array(expected_array)}, got {_format_array(got_array)}{note}"
    index = tuple(int(axis[0]) for axis in wrong.nonzero())
    shown_expected, shown_got = _distinct_pair(expected_array[index], got_array[index])
    return (
        f"{int(wrong.sum())} of {wrong.size} entries differ; at index {index} expected "
        f"{shown_expected}, got {shown_got}{note}"
    )


# --- running the student's code -------------------------------------------------------

#: The guards of the checks under way, innermost last (a check inside a student's function
#: nests).
_GUARDS: list[_Guard] = []


def _current_guard() -> _Guard | _NoGuard:
    return _GUARDS[-1] if _GUARDS else _NoGuard()


class _StudentFunction:
    """A student's function as a driver calls it: with the student's numpy, output frozen.

    Calling it runs the function with the student's changes to numpy in place, copies its
    output with :func:`freeze` and puts numpy back as imported. An exception of the
    student's code leaves as :class:`_StudentRaised` (so that a driver's ``except
    Exception`` does not swallow it); the time limit's stop passes through.
    """

    def __init__(self, function: Callable):
        self._function = function
        self.__name__ = getattr(function, "__name__", "your function")

    def __call__(self, *args):
        guard = _current_guard()
        guard.give()
        try:
            return freeze(self._function(*args))
        except (_TimeLimit, _StudentRaised, KeyboardInterrupt):
            raise
        except BaseException as exc:  # anything, SystemExit and MemoryError included
            raise _StudentRaised(_raised(exc)) from None
        finally:
            guard.take()


def _attempt(driver: Callable, *args):
    """``driver(*args)`` under the time limit, numpy's errors raised; a :class:`Raised` if not.

    Floating-point errors are raised as exceptions (underflow excepted), so that an overflow
    in ``exp`` is reported instead of passing with a warning.
    """
    guard = _current_guard()
    try:
        with _errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return _time_limited(driver, *args)
    except _StudentRaised as exc:
        return exc.raised
    except _TimeLimit:
        return Raised(_TimeLimit, "")
    except AnswerError as exc:
        return Raised(AnswerError, _exception_text(exc), by_student=False)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the driver met something of the student's it cannot read
        return _raised(exc)
    finally:
        guard.take()  # in case the stop came while the student's code ran


def _limit_text() -> str:
    return f"{_format_number(float(ANSWER_TIME_LIMIT))} s"


def _timed_out_message(what: str, where: str = "") -> str:
    return (
        f"{what} did not finish within {_limit_text()}{where}: an infinite loop? (the check "
        f"stops each call after {_limit_text()})"
    )


# --- exercises -------------------------------------------------------------------------


class _Sealed(type):
    """Metaclass: an exercise's attributes cannot be set once it is built (hints excepted)."""

    def __call__(cls, *args, **kwargs):
        exercise = super().__call__(*args, **kwargs)
        object.__setattr__(exercise, "_sealed", True)
        return exercise


class Exercise(metaclass=_Sealed):
    r"""A question with a reference answer: ``check(answer)``, ``hint()``, ``solution()``.

    Subclasses implement ``_check(answer) -> Result`` for an answer that is not blank.
    Once built, an exercise's attributes cannot be set (only the hint counter changes), so
    that a student's code cannot swap its reference, tolerances or comparison.

    Parameters
    ----------
    name : str
        "nbNN.short_name"; notebooks find the exercise by it (cell metadata).
    title : str
        A few words for headings.
    prompt : str
        The task, in Markdown, as the notebook shows it.
    blank : str
        The answer cell a student starts from (e.g. ``def f(z):\\n    ...``).
    solution : str
        The reference code that replaces the blank in the instructor copy.
    hints : sequence of str
        From a nudge to nearly the answer; ``hint()`` shows them one per call.
    diagnoses : sequence of Diagnosis, or callable
        Typical wrong answers and what they mean (or a function of no arguments returning
        them, called when first needed).
    answer_name : str, optional
        The name the answer cell defines and the check cell passes to ``check`` (default:
        the short name, e.g. the function ``leaky_relu``).
    """

    _sealed = False

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
        self._cache: dict[str, object] = {}
        self.hints_shown = 0
        _remember_modules()

    def __setattr__(self, name: str, value) -> None:
        """Refuse to set an attribute: the object is read-only once built."""
        if self._sealed and name != "hints_shown":
            raise AttributeError(
                f"the exercise {self.name} cannot be changed (its attribute {name!r} is fixed)"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """Refuse to delete an attribute: the object is read-only once built."""
        raise AttributeError(f"the exercise {self.name} cannot be changed ({name!r} stays)")

    def __repr__(self) -> str:
        """Return a short description for the REPL."""
        return f"<{type(self).__name__} {self.name}: {self.title}>"

    def _cached(self, key: str, compute: Callable):
        """``compute()``, computed once per exercise and kept privately."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """The typical wrong answers (built on first use when given as a function)."""

        def build():
            diagnoses = self._diagnoses
            return tuple(diagnoses() if callable(diagnoses) else diagnoses)

        return self._cached("diagnoses", build)

    @property
    def short_name(self) -> str:
        """The name without its notebook prefix, as the notebook's ``exercises.<name>``."""
        return self.name.rpartition(".")[2]

    def evaluate(self, answer) -> Result:
        """Check ``answer`` without printing anything; return the :class:`Result`.

        While it judges, numpy and the other remembered modules are as first seen; the
        student's changes to them are back afterwards.
        """
        with _Guard() as guard:
            _GUARDS.append(guard)
            try:
                blank = _attempt(is_blank, answer)
                if blank is True:
                    return Result("blank", self._blank_message())
                return self._check(answer)
            finally:
                _GUARDS.pop()

    def check(self, answer) -> bool:
        """Print one line of feedback on ``answer``; return whether it is correct.

        Nothing escapes: should the check itself fail on a strange answer, that is the
        feedback, and the answer does not pass.
        """
        try:
            result = self.evaluate(answer)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # never a traceback for a student
            result = Result(
                "incorrect",
                f"the check could not judge this answer ({_raised(exc)}). {self._hint_pointer()}",
            )
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

    The answer is copied into the check's own arrays first (:func:`freeze`, under the time
    limit); the feedback says which parts are wrong, never what the right values are.

    Parameters
    ----------
    name, title, prompt, blank, solution, hints, diagnoses, answer_name
        As for :class:`Exercise`.
    reference : object or callable
        The value, or a function of no arguments computing it when first needed.
    part_names : sequence of str, optional
        Names of the parts of a tuple ("the number of weights", ...).
    what : str, optional
        The answer in feedback ("your count").
    rtol, atol : float, optional
        Tolerances as in ``numpy.isclose``.
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
        self._reference = copy.deepcopy(reference) if not callable(reference) else reference
        self.part_names = tuple(part_names)
        self.what = what
        self.rtol = rtol
        self.atol = atol

    @property
    def reference(self):
        """The reference value (computed on first use; a copy, so changing it changes nothing)."""

        def build():
            value = self._reference
            return value() if callable(value) else value

        return copy.deepcopy(self._cached("reference", build))

    def _compare(self, expected, got) -> str | None:
        return compare(
            expected, got, rtol=self.rtol, atol=self.atol, names=self.part_names, reveal=False
        )

    def _agrees(self, diagnosis: Diagnosis, answer) -> bool:
        if diagnosis.part is None:
            return self._compare(diagnosis.mistake, answer) is None
        if not isinstance(answer, (tuple, list)) or len(answer) != len(self.reference):
            return False
        return self._compare(diagnosis.mistake, answer[diagnosis.part]) is None

    def _check(self, answer) -> Result:
        frozen = _attempt(_StudentFunction(lambda: answer))
        if isinstance(frozen, Raised):
            if frozen.timed_out:
                return Result("incorrect", _timed_out_message(f"reading {self.what}") + ".")
            return Result("incorrect", f"{self.what} could not be read as numbers: {frozen}.")
        return self._judge(frozen)

    def _judge(self, answer) -> Result:
        """Return the verdict on ``answer``, already frozen (the check's own copy)."""
        reference = self.reference
        problem = self._compare(reference, answer)
        if problem is None:
            return Result("correct", f"{self.what} is right.")
        found = [d.message for d in self.diagnoses if self._agrees(d, answer)]
        if found:
            return Result("incorrect", " ".join(found))
        if isinstance(reference, tuple) and "is not right" in problem:
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

    Every call runs under the time limit (:data:`ANSWER_TIME_LIMIT`), with numpy's
    floating-point errors raised as exceptions (underflow excepted), so an overflow in
    ``exp`` is reported instead of passing with a warning, and on fresh copies of the
    arguments, so a function that changes its input in place spoils nothing. The cases are
    built afresh for every check, and their number is fixed when first built. The
    references are computed before the student's function is first called.

    Subclasses may override :meth:`call` (how one input is run, e.g. several optimizer
    steps), :meth:`expected`, :meth:`compare` and :meth:`final_check`. In :meth:`call` the
    student's function returns a frozen copy of its output (see :func:`freeze`).

    Parameters
    ----------
    name, title, prompt, blank, solution, hints, diagnoses, answer_name
        As for :class:`Exercise`.
    reference : callable or object
        The reference function (called like the student's); a subclass that overrides
        :meth:`expected` may keep something else here.
    cases : sequence of Case, or callable
        The inputs, in the order they are tried (simple ones first); or a function of no
        arguments returning them.
    output_names : sequence of str, optional
        Names of the parts of a tuple output ("dL/dW", ...).
    rtol, atol : float, optional
        Tolerances as in ``numpy.isclose``.
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
        self._cases = cases if callable(cases) else tuple(copy.deepcopy(list(cases)))
        self.output_names = tuple(output_names)
        self.rtol = rtol
        self.atol = atol

    @property
    def cases(self) -> list[Case]:
        """The inputs: a fresh copy each time (changing it changes no check)."""
        return self._fresh_cases()

    def _fresh_cases(self) -> list[Case]:
        """Return the cases built afresh; their number is fixed when they are first built."""
        made = self._cases() if callable(self._cases) else copy.deepcopy(self._cases)
        cases = [Case(dict(case.args), case.label) for case in made]
        count = self._cached("case_count", lambda: len(cases))
        if count == 0 or len(cases) != count:
            raise RuntimeError(f"{self.name} built {len(cases)} cases, not its {count}")
        return cases

    # -- hooks ----------------------------------------------------------------------

    def call(self, function: Callable, args: list):
        """Run ``function`` on one input's arguments (already copied) and return its output."""
        return function(*args)

    def expected(self, case: Case):
        """Return the reference output for ``case``."""
        with _errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return self.call(self.reference, copy.deepcopy(list(case.args.values())))

    def compare(self, expected, got) -> str | None:
        """None if ``got`` agrees with ``expected``, else what is wrong (with both shown)."""
        return compare(expected, got, rtol=self.rtol, atol=self.atol, names=self.output_names)

    def final_check(self, function: Callable) -> str | None:
        """Return a last requirement once every input gave the right output; None if it holds.

        ``function`` is the student's function as :meth:`call` gets it (frozen output, with
        the student's numpy); call it through :meth:`attempt` for the time limit.
        """
        return None

    # -- checking -------------------------------------------------------------------

    def attempt(self, function: Callable, *args):
        """Run the student's ``function(*args)`` with a time limit; return the frozen result."""
        if not isinstance(function, _StudentFunction):
            function = _StudentFunction(function)
        return _attempt(function, *args)

    def run(self, function: Callable, case: Case, *, student: bool = True):
        """``function``'s output for ``case``, or a :class:`Raised` if it raised.

        With ``student=False`` (a diagnosis's mistake, the check's own code) the function
        runs with numpy as imported; its output is frozen all the same.
        """
        args = copy.deepcopy(list(case.args.values()))
        if student:
            target = (
                function if isinstance(function, _StudentFunction) else _StudentFunction(function)
            )
        else:

            def target(*call_args):
                return freeze(function(*call_args))

        return _attempt(self.call, target, args)

    def _problem(self, expected, got, case: Case) -> str | None:
        if isinstance(got, Raised):
            return str(got)
        return self.compare(expected, got)

    def _agrees(self, diagnosis: Diagnosis, cases: list, expected: list, outputs: list) -> bool:
        """Whether the answer's ``outputs`` behave like ``diagnosis.mistake`` on every input.

        An input where the answer raised but the mistake gives the right output does not
        count against the diagnosis: there the answer fails for another reason (a student
        can make two mistakes), and the diagnosis still explains every other input.
        """
        for case, right, got in zip(cases, expected, outputs):
            wrong = self.run(diagnosis.mistake, case, student=False)
            if isinstance(got, Raised) and not isinstance(wrong, Raised):
                if self.compare(right, wrong) is not None:
                    return False
                continue
            if isinstance(got, Raised) or isinstance(wrong, Raised):
                same_type = isinstance(got, Raised) and isinstance(wrong, Raised)
                if not (same_type and got.exception_type is wrong.exception_type):
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
        cases = self._fresh_cases()
        expected = [self.expected(case) for case in cases]  # before the answer runs
        student = _StudentFunction(answer)
        outputs = []
        for case in cases:
            if outputs and isinstance(outputs[-1], Raised) and outputs[-1].timed_out:
                outputs.append(outputs[-1])  # one wait at the time limit is enough
            else:
                outputs.append(self.run(student, case))
        for case, right, got in zip(cases, expected, outputs):
            problem = self._problem(right, got, case)
            if problem is None:
                continue
            found = [d.message for d in self.diagnoses if self._agrees(d, cases, expected, outputs)]
            if isinstance(got, Raised) and got.timed_out:
                detail = _timed_out_message("your function", f" for {case.describe()}") + "."
            elif isinstance(got, Raised) and got.by_student:
                detail = f"your function raised {got} for {case.describe()}."
            elif isinstance(got, Raised):
                detail = f"{got.message} (for {case.describe()})."
            else:
                detail = f"for {case.describe()}: {problem}."
            if found:
                return Result("incorrect", " ".join(found) + " " + _capitalise(detail))
            return Result("incorrect", f"{detail} {self._hint_pointer()}")
        problem = self.final_check(student)
        if problem is not None:
            return Result("incorrect", problem)
        return Result("correct", self.success_message(answer, len(cases)))

    def success_message(self, function: Callable, count: int) -> str:
        """Return what ``check`` says about a correct function, checked on ``count`` inputs."""
        name = getattr(function, "__name__", "your function")
        return f"{name} gives the expected output for all {count} inputs."

    def _blank_message(self) -> str:
        return "write the function in the answer cell above, run it, then run this cell again."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
