"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one.

The new content goes to a temporary file beside the target, named
``.<name>.<host>-<pid>.<random>.tmp`` so that the writer can be told from its name; a
writer killed outright (``kill -9``, a power cut) leaves it behind, and
:func:`remove_stale_temporaries` removes such leftovers later.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lecture_nn import _validation
from lecture_nn._validation import integer

__all__ = [
    "STALE_AFTER",
    "atomic_writer",
    "current_umask",
    "remove_stale_temporaries",
    "write_atomic",
]

#: Seconds after which a temporary file is stale whoever wrote it (a write takes seconds).
STALE_AFTER = 600.0


def _host() -> str:
    """Return this host's name as letters, digits and ``_`` (it goes into file names)."""
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname()) or "host"


def _target(value) -> Path:
    """Check the ``path`` of a file to write: a path that is not a folder, nor inside a file."""
    path = _validation.path(value, "path")
    if path.is_dir():
        raise ValueError(f"path {path} is a folder; pass the path of a file to write")
    existing = next((parent for parent in path.absolute().parents if parent.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ValueError(f"path {path} lies inside {existing}, which is not a folder")
    return path


def _age_limit(value) -> float:
    """Check ``older_than``: seconds >= 0, or ``math.inf`` (only dead writers' files are stale)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value == math.inf:
        return math.inf
    return _validation.non_negative(value, "older_than")


def _temporary_prefix(path: Path) -> str:
    """Return the start of the name of a temporary file for ``path`` written by this process."""
    return f".{path.name}.{_host()}-{os.getpid()}."


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``.

    The data is flushed and fsynced before ``os.replace`` puts it in place; if the block
    raises, the temporary file is removed and ``path`` is untouched.

    Parameters
    ----------
    path
        The file to write (``str`` or ``os.PathLike``); its folder must exist.
    mode
        Permission bits of the new file, 0 to 0o777 (no setuid, setgid or sticky bit).
        Default: those of the file it replaces, else 0o666 less the umask.

    Yields
    ------
    BinaryIO
        The temporary file, open for writing bytes.

    Raises
    ------
    TypeError, ValueError
        When ``path`` is not a path, is a folder or lies inside a file, or ``mode`` is
        not an integer in 0..0o777.
    FileNotFoundError
        When the folder of ``path`` does not exist.
    """
    path = _target(path)
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else _default_file_mode()
    else:
        mode = integer(mode, "mode", minimum=0, maximum=0o777)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=_temporary_prefix(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`).

    Parameters
    ----------
    path
        The file to write, as in :func:`atomic_writer`.
    data
        The new content (bytes, bytearray or memoryview; empty bytes make an empty file).
    mode
        Permission bits 0..0o777, as in :func:`atomic_writer`.

    Raises
    ------
    TypeError
        When ``path`` is not a path, ``data`` is not bytes-like or ``mode`` not an integer.
    ValueError
        When ``path`` is a folder or lies inside a file, or ``mode`` is outside 0..0o777.
    """
    path = _target(path)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    with atomic_writer(path, mode) as handle:
        handle.write(data)


def _writer_gone(name: str, prefix: str) -> bool:
    """Whether the name of a temporary file says its writer, on this machine, has ended."""
    found = re.match(re.escape(prefix) + r"(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)\.", name)
    if found is None or found["host"] != _host() or os.name == "nt":
        return False  # unknown writer: only its age tells
    pid = int(found["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, as another user
        return False
    return False


def remove_stale_temporaries(path: Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove temporary files of :func:`atomic_writer` for ``path`` that no writer will finish.

    A temporary file is stale when the process named in it (on this machine) no longer
    runs, or when it was last written more than ``older_than`` seconds ago. Files being
    written by a live process are left alone. Files that vanish or cannot be removed
    meanwhile are skipped.

    Parameters
    ----------
    path
        The target file whose leftovers are looked for (in its folder).
    older_than
        Age in seconds (>= 0) after which any temporary file is stale; ``math.inf``
        means never by age: only files of writers that ended are removed.

    Returns
    -------
    list of Path
        The files removed.

    Raises
    ------
    TypeError, ValueError
        When ``path`` is not a path, or ``older_than`` is not a number >= 0 (NaN is refused).
    """
    path = _validation.path(path, "path")
    older_than = _age_limit(older_than)
    prefix = f".{path.name}."
    removed = []
    try:
        candidates = list(path.parent.glob(f"{_glob_escape(prefix)}*.tmp"))
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        try:
            age = now - candidate.stat().st_mtime
            if age > older_than or _writer_gone(candidate.name, prefix):
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def _glob_escape(text: str) -> str:
    """``text`` with the glob wildcards ``*``, ``?`` and ``[`` made literal."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def current_umask() -> int:
    """Return the process umask (read by setting it and putting it back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _default_file_mode() -> int:
    """Return the mode a newly created file gets: 0o666 less the process umask."""
    return 0o666 & ~current_umask()
