"""Run the course notebooks headless, and strip their outputs before they are committed.

The heavy libraries (nbformat, nbclient, jupyter_client) are imported inside the functions
that need them, so importing this module stays cheap for the command line.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import lecture_nn
from lecture_nn import _validation as check
from lecture_nn.tooling.atomic import write_atomic

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "CHECK_OUTPUT_COMMENT",
    "CHECK_OUTPUT_TAG",
    "DEFAULT_TIMEOUT",
    "NotebookResult",
    "check_output_folder",
    "execute_notebook",
    "find_warnings",
    "in_site_packages",
    "kernel_environment",
    "resolve_notebooks",
    "strip_file",
    "strip_outputs",
    "write_notebook",
]

#: Default per-cell time limit, in seconds, for ``execute_notebook``.
DEFAULT_TIMEOUT = 600

#: Tag, and source comment, that mark a cell whose text output is kept by ``strip_outputs``.
CHECK_OUTPUT_TAG = "nbval-check-output"
CHECK_OUTPUT_COMMENT = "# NBVAL_CHECK_OUTPUT"

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TEXT_OUTPUT_TYPES = ("execute_result", "display_data")


@dataclass
class NotebookResult:
    """The outcome of executing one notebook with ``execute_notebook``.

    ``failed_cell_index`` is the 0-based position of the failing cell in the notebook's list
    of cells, and ``failed_code_cell`` the 1-based count of code cells up to and including
    it; both are None when the notebook ran through or its kernel never started.
    ``output_path`` is None when nothing could be written (the notebook was unreadable).
    ``error_message`` is the whole message of the error, all its lines. ``kernel_log`` is
    what the kernel process itself wrote to its stdout and stderr (kernel start-up and
    shutdown messages, a crash report), which is kept out of the terminal.
    """

    path: Path
    output_path: Path | None
    seconds: float
    ok: bool
    failed_cell_index: int | None = None
    failed_code_cell: int | None = None
    failed_source: str = ""
    error_name: str = ""
    error_message: str = ""
    traceback: str = ""
    warnings: list[str] = field(default_factory=list)
    kernel_log: str = ""


def in_site_packages(path: Path) -> bool:
    """Tell whether ``path`` lies inside an installed-packages folder.

    True for anything under a ``site-packages`` or ``dist-packages`` folder, that is an
    installed wheel rather than a source checkout.

    Raises
    ------
    TypeError
        When ``path`` is no path (a ``str`` or ``os.PathLike``).
    """
    path = check.path(path, "path")
    return any(part in ("site-packages", "dist-packages") for part in path.resolve().parts)


def kernel_environment(headless: bool, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment variables for a kernel (or a Jupyter server) started by us.

    Starts from a copy of ``base`` (default: ``os.environ``) and never changes it. When
    lecture-nn runs from a source checkout, the folder holding the package is put first on
    ``PYTHONPATH`` so that the notebooks import this very copy. With ``headless`` true it
    also sets ``LECTURE_NN_HEADLESS=1`` (read by the widget helpers) and drops
    ``MPLBACKEND``, so that the kernel uses its own inline backend, which needs no display.

    Raises
    ------
    TypeError
        When ``headless`` is no bool or ``base`` no mapping.
    """
    headless = check.boolean(headless, "headless")
    env = dict(os.environ if base is None else check.mapping(base, "base"))
    package_parent = Path(lecture_nn.__file__).resolve().parent.parent
    if not in_site_packages(package_parent):
        entries = [str(package_parent)]
        entries += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(entries))
    if headless:
        env["LECTURE_NN_HEADLESS"] = "1"
        env.pop("MPLBACKEND", None)
    return env


def check_output_folder(folder: Path, *, replaced: bool = False) -> None:
    """Raise ValueError, in one line, unless new files can be written in ``folder``.

    ``folder`` is created if missing (with its parents). With ``replaced`` true the folder
    is replaced as a whole by one built next to it, so its parent must take new files
    instead. The check writes and removes a small file, so it finds a read-only or full
    file system and missing permissions before any work is done.

    Raises
    ------
    TypeError
        When ``folder`` is no path or ``replaced`` no bool.
    ValueError
        When the folder cannot take new files (the message names ``folder``).
    """
    folder = check.path(folder, "folder")
    replaced = check.boolean(replaced, "replaced")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder {folder} exists and is not a folder")
    target = folder.resolve().parent if replaced else folder
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target) as probe:
            probe.write(bytes(64 * 1024))
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(
            f"cannot write to {folder}: {reason.lower()} (the folder must take new files)"
        ) from None


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write a notebook to ``path`` atomically, as nbformat 4 JSON with a final newline.

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping) or ``path`` no path.
    ValueError
        When the folder of ``path`` does not exist.
    """
    import nbformat

    check.mapping(nb, "nb", keys=("cells", "metadata"))
    path = check.path(path, "path")
    if not path.parent.is_dir():
        raise ValueError(f"path: the folder {path.parent} of {path.name} is no existing folder")
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    write_atomic(path, text.encode("utf-8"))


def resolve_notebooks(names: Sequence[str], course: Sequence[Path]) -> list[Path]:
    """Turn command-line notebook arguments into notebook files.

    An argument naming an existing file is used as it is. Otherwise it must name one of the
    ``course`` notebooks: its file name (``01_architecture.ipynb``), its stem
    (``01_architecture``) or the start of its stem (``01``) that fits exactly one of them.
    Raises ValueError naming the argument and listing the course notebooks when an argument
    fits none or several, or when two arguments would give the same output file name.

    Raises
    ------
    TypeError
        When ``names`` is no sequence of strings or ``course`` no sequence of paths.
    """
    names = _strings(names, "names")
    course = check.paths(course, "course")
    found: list[Path] = []
    for name in names:
        if Path(name).is_file():
            found.append(Path(name))
            continue
        stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
        matches = [nb for nb in course if nb.stem == stem] or [
            nb for nb in course if nb.stem.startswith(stem)
        ]
        if len(matches) != 1:
            available = ", ".join(nb.stem for nb in course) or "none (no course notebooks found)"
            problem = "fits several course notebooks" if matches else "is no notebook file"
            raise ValueError(f"notebook {name!r} {problem}; course notebooks: {available}")
        found.append(matches[0])
    _check_distinct_names(found)
    return found


def _output_folder(folder, argument: str) -> Path:
    """Check a folder to write into: a path that is a folder, or can become one.

    Checked before any notebook runs, so that a path inside a file (``/dev/null/x``) is a
    ``ValueError`` naming ``argument`` at once, not an ``OSError`` after the whole run.
    """
    folder = check.path(folder, argument)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{argument}: {existing} is not a folder, so {folder} cannot be one")
    return folder


def _strings(values, argument: str) -> list[str]:
    """Check a sequence of strings (not one string); return it as a list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be a sequence of strings, got {values!r}")
    return [check.text(value, f"{argument}[{i}]") for i, value in enumerate(values)]


def _check_distinct_names(paths: Iterable[Path]) -> None:
    """Raise ValueError if two different notebooks share a file name (their outputs would clash)."""
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.name, path)
        if other.resolve() != path.resolve():
            raise ValueError(
                f"notebooks {str(other)!r} and {str(path)!r} have the same file name; "
                "their executed copies would overwrite each other"
            )


def execute_notebook(
    path: Path,
    output_dir: Path,
    timeout: int | None = DEFAULT_TIMEOUT,
    kernel_name: str | None = None,
) -> NotebookResult:
    """Execute one notebook headless and write the executed copy to ``output_dir``.

    The copy keeps the notebook's file name and is written atomically, also when a cell
    fails (then it holds the outputs up to and including the failing cell; the cells after
    it are left without outputs). Cells run one by one in a kernel whose working directory
    is the notebook's own folder and whose environment comes from
    ``kernel_environment(headless=True)``. ``timeout`` is the limit for each cell in seconds
    (None: no limit). ``kernel_name`` defaults to the notebook's kernelspec, else ``python3``.
    Errors inside the notebook are reported in the result, never raised.
    """
    import nbformat

    path = check.path(path, "path")
    output_dir = _output_folder(output_dir, "output_dir")
    if timeout is not None:
        timeout = check.positive_int(timeout, "timeout")
    if kernel_name is not None:
        kernel_name = check.text(kernel_name, "kernel_name")
    start = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable file: report it like a failure, write nothing
        return NotebookResult(
            path=path,
            output_path=None,
            seconds=time.perf_counter() - start,
            ok=False,
            error_name=type(exc).__name__,
            error_message=_first_line(str(exc)) or "the notebook could not be read",
        )

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    result = NotebookResult(path=path, output_path=output_dir / path.name, seconds=0.0, ok=True)
    _run_cells(nb, path.resolve().parent, timeout, kernel_name, result)
    result.seconds = time.perf_counter() - start
    result.warnings = find_warnings(nb)

    output_dir.mkdir(parents=True, exist_ok=True)
    write_notebook(nb, output_dir / path.name)
    return result


def _run_cells(
    nb: NotebookNode,
    folder: Path,
    timeout: int | None,
    kernel_name: str | None,
    result: NotebookResult,
) -> None:
    """Execute the cells of ``nb`` in order and record the first failure in ``result``."""
    from nbclient import NotebookClient

    kernel = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    with tempfile.TemporaryDirectory(prefix="lecture-nn-kernel-") as scratch:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel,
            resources={"metadata": {"path": str(folder)}},
            config=_kernel_config(Path(scratch)),
        )
        log_path = Path(scratch) / "kernel.log"
        with open(log_path, "wb") as log:
            try:
                _run_in_kernel(client, nb, result, log)
            finally:
                log.flush()
                result.kernel_log = log_path.read_text(encoding="utf-8", errors="replace")


def _kernel_config(scratch: Path):
    """Kernel-manager settings: local sockets in ``scratch`` where the system has them.

    Over local (IPC) sockets ipykernel has no reason to warn that its TCP traffic is
    unencrypted; Windows has no such sockets and keeps TCP.
    """
    from traitlets.config import Config

    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(scratch / "kernel")
    return config


def _run_in_kernel(client, nb: NotebookNode, result: NotebookResult, log) -> None:
    """Start the kernel (its own output going to ``log``) and run the cells of ``nb``."""
    from nbclient.exceptions import CellExecutionError

    failing: int | None = None
    code_cells = 0
    try:
        with client.setup_kernel(env=kernel_environment(headless=True), stdout=log, stderr=log):
            reply = client.wait_for_reply(client.kc.kernel_info())
            if reply and "language_info" in reply["content"]:
                nb.metadata["language_info"] = reply["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                failing = index
                code_cells += cell.cell_type == "code"
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            failing = None
            client.set_widgets_metadata()
    except CellExecutionError as exc:
        _record_failure(result, exc.ename, exc.evalue, exc.traceback)
    except Exception as exc:  # a timeout, a dead kernel, or a kernel that never started
        _record_failure(result, type(exc).__name__, _first_line(str(exc)), str(exc))
    if not result.ok and failing is not None:
        result.failed_cell_index = failing
        result.failed_code_cell = code_cells
        result.failed_source = nb.cells[failing].source


def _record_failure(result: NotebookResult, name: str, message: str, traceback: str) -> None:
    """Mark ``result`` failed with an exception name, its whole message and a traceback."""
    result.ok = False
    result.error_name = name or "Error"
    result.error_message = _ANSI_ESCAPE.sub("", message).strip()
    result.traceback = _ANSI_ESCAPE.sub("", traceback).strip()


def _first_line(text: str) -> str:
    """Return the first non-blank line of ``text``, stripped, or ``""``."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def find_warnings(nb: NotebookNode) -> list[str]:
    """Return the warning lines that the code cells of ``nb`` printed on stderr.

    A warning line is a line of a stderr stream output that contains ``Warning`` and is not
    indented; Python's ``warnings`` module prints ``file:line: SomeWarning: message``
    followed by the indented source line, which therefore is not counted a second time.

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping).
    """
    check.mapping(nb, "nb", keys=("cells",))
    lines = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = _ANSI_ESCAPE.sub("", _as_text(output.get("text", "")))
                lines += [
                    line.strip()
                    for line in text.splitlines()
                    if "Warning" in line and not line[:1].isspace()
                ]
    return lines


def _as_text(value: str | list[str]) -> str:
    """Join a notebook's multi-line string (a string or a list of strings) into one string."""
    return value if isinstance(value, str) else "".join(value)


def _keeps_output(cell: NotebookNode, keep_tag: str) -> bool:
    """Tell whether ``strip_outputs`` keeps the text output of a code cell."""
    return keep_tag in cell.get("metadata", {}).get("tags", []) or (
        CHECK_OUTPUT_COMMENT in _as_text(cell.get("source", ""))
    )


def _text_outputs(outputs: Iterable[NotebookNode], count: int) -> list[NotebookNode]:
    """Keep stdout, and the ``text/plain`` part of results and displays; drop the rest."""
    kept = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream" and output.get("name") == "stdout":
            kept.append(output)  # stderr (warnings, library logs) is no reference output
        elif kind in _TEXT_OUTPUT_TYPES and "text/plain" in output.get("data", {}):
            output.data = {"text/plain": output.data["text/plain"]}
            output.metadata = {}
            if kind == "execute_result":
                output.execution_count = count
            kept.append(output)
    return kept


def strip_outputs(nb: NotebookNode, keep_tag: str = CHECK_OUTPUT_TAG) -> NotebookNode:
    """Return a copy of ``nb`` without outputs, execution counts or widget state.

    Code cells tagged ``keep_tag``, or whose source contains ``# NBVAL_CHECK_OUTPUT``, keep
    an execution count (1, 2, ... among themselves) and their text outputs (stdout, and the
    ``text/plain`` data of results and displays) so that nbval can still compare them;
    images, HTML, widget views, stderr and errors go. The timing metadata nbclient adds to
    cells (``execution``) and the notebook's ``widgets`` metadata are dropped too. ``nb``
    itself is left unchanged.

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping) or ``keep_tag`` no string.
    """
    check.mapping(nb, "nb", keys=("cells", "metadata"))
    check.text(keep_tag, "keep_tag")
    stripped = copy.deepcopy(nb)
    stripped.metadata.pop("widgets", None)
    kept_cells = 0
    for cell in stripped.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if _keeps_output(cell, keep_tag):
            # nbval refuses a reference cell that has outputs but no execution count, so kept
            # cells are numbered 1, 2, ... in order (stable across runs, small diffs).
            kept_cells += 1
            cell.outputs = _text_outputs(cell.outputs, kept_cells)
            cell.execution_count = kept_cells if cell.outputs else None
        else:
            cell.outputs = []
    return stripped


def strip_file(path: Path, keep_tag: str = CHECK_OUTPUT_TAG) -> bool:
    """Strip the outputs of a notebook file in place, atomically; return whether it changed.

    Raises
    ------
    TypeError
        When ``path`` is no path or ``keep_tag`` no string.
    """
    import nbformat

    path = check.path(path, "path")
    check.text(keep_tag, "keep_tag")
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    text = nbformat.writes(strip_outputs(nb, keep_tag))
    if not text.endswith("\n"):
        text += "\n"
    if text == original:
        return False
    write_atomic(path, text.encode("utf-8"))
    return True
