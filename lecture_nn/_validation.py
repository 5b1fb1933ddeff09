"""One rule per concept for checking arguments: sizes, counts, rates, seeds, yes/no, arrays, axes.

Every public function of the package checks its arguments with these, so the same kind of
argument is accepted or refused the same way everywhere, and a refusal is a ``TypeError``
(wrong type) or ``ValueError`` (right type, value not allowed) whose message names the
argument and says what is allowed. The rules:

- **integers** are Python ``int`` or numpy integers, never ``bool`` and never a float,
  even a whole one such as ``2.0`` (a layer of 2.0 units is a mistake, not a size);
- **real numbers** are ``int``, ``float`` or numpy reals, never ``bool``, ``str`` or
  ``complex``; they must be finite unless a rule says otherwise;
- **yes/no** arguments are ``bool`` or ``numpy.bool_`` only: the string ``"False"`` is
  truthy in Python, so accepting strings would silently do the opposite of what was meant;
- **environment flags** (``LECTURE_NN_QUICK``, ``LECTURE_NN_HEADLESS`` ...) accept the
  documented spellings in :data:`FLAG_VALUES` and nothing else.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Collection, Iterable, Mapping

import numpy as np

__all__ = [
    "FLAG_VALUES",
    "as_array",
    "axes",
    "boolean",
    "choice",
    "count",
    "env_flag",
    "finite_real",
    "integer",
    "mapping",
    "non_negative",
    "path",
    "paths",
    "positive",
    "positive_int",
    "probability",
    "seed",
    "sizes",
    "text",
]

#: The accepted spellings of an environment flag (compared case-insensitively, spaces
#: stripped): the first set means yes, the second no. An unset or empty variable means no.
FLAG_VALUES = ({"1", "true", "yes", "on"}, {"0", "false", "no", "off"})


def _is_integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer(value, argument: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check an integer in ``[minimum, maximum]`` (either bound optional); return it as ``int``."""
    if not _is_integer(value):
        raise TypeError(f"{argument} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{argument} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{argument} must be an integer <= {maximum}, got {value}")
    return value


def positive_int(value, argument: str, *, maximum: int | None = None) -> int:
    """Check a size: an integer >= 1 (and <= ``maximum`` when given)."""
    return integer(value, argument, minimum=1, maximum=maximum)


def count(value, argument: str, *, maximum: int | None = None) -> int:
    """Check a count: an integer >= 0 (and <= ``maximum`` when given)."""
    return integer(value, argument, minimum=0, maximum=maximum)


def seed(value, argument: str = "seed") -> int:
    """Check a random seed: an integer in [0, 2**32 - 1] (what numpy and Keras accept)."""
    return integer(value, argument, minimum=0, maximum=2**32 - 1)


def sizes(
    values, argument: str, *, minimum_length: int = 1, maximum: int | None = None
) -> list[int]:
    """Check sizes (layer widths ...): each an integer >= 1, at least ``minimum_length`` of them."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be a sequence of positive integers, got {values!r}")
    values = list(values)
    if len(values) < minimum_length:
        raise ValueError(
            f"{argument} must hold at least {minimum_length} size(s), got {len(values)}: {values!r}"
        )
    return [positive_int(v, f"{argument}[{i}]", maximum=maximum) for i, v in enumerate(values)]


def finite_real(value, argument: str) -> float:
    """Check a finite real number; return it as a Python ``float``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{argument} must be a finite number, got {value}")
    return value


def positive(value, argument: str) -> float:
    """Check a finite real number > 0 (a learning rate, a width, a standard deviation)."""
    value = finite_real(value, argument)
    if value <= 0:
        raise ValueError(f"{argument} must be a number > 0, got {value}")
    return value


def non_negative(value, argument: str) -> float:
    """Check a finite real number >= 0 (a decay, a penalty strength, a momentum of 0 ...)."""
    value = finite_real(value, argument)
    if value < 0:
        raise ValueError(f"{argument} must be a number >= 0, got {value}")
    return value


def probability(value, argument: str, *, include_one: bool = True) -> float:
    """Check a probability: a number in [0, 1] (or [0, 1) with ``include_one=False``)."""
    value = finite_real(value, argument)
    if value < 0 or value > 1 or (value == 1 and not include_one):
        allowed = "[0, 1]" if include_one else "[0, 1)"
        raise ValueError(f"{argument} must be a number in {allowed}, got {value}")
    return value


def boolean(value, argument: str) -> bool:
    """Check a yes/no argument: ``True`` or ``False`` (or a numpy bool), never a string."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argument} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def choice(value, argument: str, allowed: Collection[str]) -> str:
    """Check one of the names in ``allowed``."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be one of {sorted(allowed)}, got {value!r}")
    if value not in allowed:
        raise ValueError(f"{argument} must be one of {sorted(allowed)}, got {value!r}")
    return value


def text(value, argument: str, *, allow_empty: bool = False) -> str:
    """Check a string (a name, a line of text); empty only with ``allow_empty``."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a string, got {value!r} ({type(value).__name__})")
    if not value and not allow_empty:
        raise ValueError(f"{argument} must be a non-empty string")
    return value


def path(value, argument: str):
    """Check a file-system path (a ``str`` or ``os.PathLike``, not empty); return a ``Path``."""
    from pathlib import Path

    if isinstance(value, (bytes, bool)) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{argument} must be a path (a str or pathlib.Path), got {value!r} "
            f"({type(value).__name__})"
        )
    if str(value) == "" or "\0" in str(value):
        raise ValueError(f"{argument} must be a non-empty path without NUL characters")
    return Path(value)


def paths(values, argument: str) -> list:
    """Check a sequence of paths (not one path); return them as a list of ``Path``."""
    if isinstance(values, (str, bytes, os.PathLike)) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be a sequence of paths, got {values!r}")
    return [path(value, f"{argument}[{i}]") for i, value in enumerate(values)]


def mapping(value, argument: str, *, keys: Collection[str] = ()) -> Mapping:
    """Check a mapping (a dict, a notebook node ...) that has at least the given ``keys``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{argument} must be a mapping (dict), got {type(value).__name__}")
    missing = [key for key in keys if key not in value]
    if missing:
        raise ValueError(f"{argument} lacks the key(s) {missing}")
    return value


def as_array(
    values,
    argument: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    min_size: int = 0,
    dtype=np.float64,
) -> np.ndarray:
    """Check a real array; return a copy in ``dtype`` (``ndim`` dimensions, finite by default).

    Complex, string and object inputs are refused (a complex number's imaginary part would
    otherwise be dropped without a word).
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise ValueError(f"{argument} must be an array of numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{argument} must hold real numbers, got an array of dtype {array.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            shapes = " or ".join(f"{n}-d" for n in allowed)
            raise ValueError(f"{argument} must be a {shapes} array, got shape {array.shape}")
    if array.size < min_size:
        raise ValueError(f"{argument} must hold at least {min_size} value(s), got {array.size}")
    if finite and not np.all(np.isfinite(array)):  # before a cast, which would hide a NaN
        raise ValueError(f"{argument} must hold finite numbers only (no NaN or infinity)")
    return array.astype(dtype, copy=True)


def axes(value, argument: str = "ax"):
    """Check a live matplotlib ``Axes``, or ``None``.

    Live: it belongs to a figure, and that figure was not closed with ``plt.close`` (drawing
    on a closed figure is legal matplotlib but shows nothing).
    """
    if value is None:
        return None
    from matplotlib.axes import Axes

    if not isinstance(value, Axes):
        raise TypeError(
            f"{argument} must be a matplotlib Axes (e.g. from plt.subplots()) or None, "
            f"got {type(value).__name__}"
        )
    if value.figure is None:
        raise ValueError(f"{argument} was removed from its figure; pass an Axes that is shown")
    number = getattr(value.figure, "number", None)  # set only for figures made by pyplot
    if number is not None:
        import matplotlib.pyplot as plt

        if not plt.fignum_exists(number):
            raise ValueError(
                f"{argument} belongs to a figure that was closed (plt.close); "
                "pass an Axes of an open figure, or None for a new one"
            )
    return value


def env_flag(name: str) -> bool:
    """Read the yes/no environment variable ``name``: unset or empty is no.

    Accepted values (any case): 1, true, yes, on / 0, false, no, off. Anything else is a
    ``ValueError`` naming the variable, because a misspelt flag silently read as "no" (or
    "yes") would run the course in a mode the student did not ask for.
    """
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value == "":
        return False
    yes, no = FLAG_VALUES
    if value in yes:
        return True
    if value in no:
        return False
    raise ValueError(
        f"environment variable {name}={raw!r} is not a yes/no value: use one of "
        f"{', '.join(sorted(yes))} (yes) or {', '.join(sorted(no))} (no)"
    )
