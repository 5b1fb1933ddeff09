"""The Python environment of the course: what ``lecture-nn check`` reports; quiet TensorFlow.

``environment_report`` gathers the facts and ``format_report`` lays them out as aligned
``name: value`` lines; ``lecture-nn check`` prints the result.

``quiet_tensorflow_startup`` (called by ``import lecture_nn``) keeps TensorFlow's C++
start-up notices out of a student's notebook: TensorFlow 2.21 writes them to the process's
stderr before its own log level applies, so that ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
import tempfile
from collections.abc import Iterator
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import lecture_nn
from lecture_nn.tooling import paths

__all__ = [
    "BACKEND_HINT",
    "FASHION_MNIST_MISSING",
    "KERAS_BACKENDS",
    "NOT_INSTALLED",
    "PACKAGES",
    "TF_LOG_LEVEL",
    "backend_choice",
    "environment_report",
    "filtered_stderr",
    "format_report",
    "installed_backends",
    "is_tensorflow_startup_noise",
    "keras_backend",
    "package_version",
    "quiet_tensorflow_startup",
]

#: The distributions whose versions the report lists, as (label, distribution name).
PACKAGES = (
    ("numpy", "numpy"),
    ("matplotlib", "matplotlib"),
    ("ipywidgets", "ipywidgets"),
    ("IPython", "ipython"),
    ("scikit-learn", "scikit-learn"),
    ("keras", "keras"),
    ("tensorflow", "tensorflow"),
    ("jax", "jax"),
    ("torch", "torch"),
    ("openml", "openml"),
    ("jupyterlab", "jupyterlab"),
)

#: Keras backends the course runs on, in the order ``lecture-nn check`` lists them.
KERAS_BACKENDS = ("tensorflow", "jax", "torch")

NOT_INSTALLED = "not installed"
FASHION_MNIST_MISSING = "not found locally (will be downloaded from OpenML on first use)"


def _checked_text(value, argument: str, *, allow_empty: bool = False) -> str:
    """Check a string argument with ``_validation.text``, loaded only for a bad value.

    ``import lecture_nn`` imports this module, and ``_validation`` imports numpy: a good
    string passes without loading it.
    """
    if isinstance(value, str) and (value or allow_empty):
        return value
    from lecture_nn import _validation

    return _validation.text(value, argument, allow_empty=allow_empty)


def package_version(distribution: str) -> str:
    """Return the installed version of ``distribution``, or ``"not installed"``.

    Parameters
    ----------
    distribution
        The name of a distribution as pip knows it (``"numpy"``, ``"keras"``).

    Returns
    -------
    str
        Its version, or :data:`NOT_INSTALLED`.

    Raises
    ------
    TypeError, ValueError
        When ``distribution`` is not a non-empty string.
    """
    distribution = _checked_text(distribution, "distribution")
    try:
        return version(distribution)
    except PackageNotFoundError:
        return NOT_INSTALLED


def keras_backend() -> str:
    """Return the name of the Keras backend, or the one-line error that importing Keras gave.

    Keras is imported here, not at module level, because importing it loads its backend
    (TensorFlow), which takes seconds.
    """
    try:
        import keras

        return str(keras.config.backend())
    except Exception as exc:  # any failure is worth reporting, not raising
        message = next((line for line in str(exc).splitlines() if line.strip()), "")
        return f"unavailable ({type(exc).__name__}: {message.strip()})"


def installed_backends() -> list[str]:
    """Return the Keras backends (of :data:`KERAS_BACKENDS`) whose library is installed."""
    return [name for name in KERAS_BACKENDS if package_version(name) != NOT_INSTALLED]


def backend_choice() -> str:
    """Say where the Keras backend comes from: ``$KERAS_BACKEND``, keras.json or the default."""
    if os.environ.get("KERAS_BACKEND"):
        return "set by KERAS_BACKEND"
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    if (home / "keras.json").is_file():
        return f"set in {home / 'keras.json'}"
    return "Keras's default"


#: How to choose a backend, as ``lecture-nn check`` tells it.
BACKEND_HINT = "set KERAS_BACKEND before the kernel starts, e.g. KERAS_BACKEND=jax lecture-nn lab"


def _notebooks_location() -> str:
    """Return the notebooks folder, or why it could not be found."""
    try:
        return str(paths.notebooks_dir())
    except FileNotFoundError as exc:
        return f"not found ({exc})"


def environment_report() -> dict[str, str]:
    """Gather what a teacher needs to know about a student's environment.

    Returns an ordered mapping from label to value: the operating system, Python, the
    lecture-nn version, the versions of the course's main libraries, the Keras backend (and
    where it was chosen), the installed backends and how to choose one, the notebooks
    folder, and where Fashion-MNIST was found (or that it will be downloaded) together with
    the folders searched for it. A value may span several lines.
    """
    report = {
        "platform": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Python executable": sys.executable,
        "lecture-nn": lecture_nn.__version__,
    }
    for label, distribution in PACKAGES:
        report[label] = package_version(distribution)
    report["Keras backend"] = f"{keras_backend()} ({backend_choice()})"
    report["Keras backends installed"] = ", ".join(installed_backends()) or "none"
    report["choose a backend"] = BACKEND_HINT
    report["notebooks"] = _notebooks_location()
    from lecture_nn.datasets.loader import source_status

    statuses = source_status()
    local = next((status for status in statuses if status.available), None)
    report["Fashion-MNIST"] = f"{local.kind}: {local.location}" if local else FASHION_MNIST_MISSING
    report["Fashion-MNIST searched"] = "\n".join(
        f"{status.kind}: {status.location} ({status.detail})" for status in statuses
    )
    return report


def format_report(report: dict[str, str]) -> str:
    """Lay out a report as ``name: value`` lines with the values aligned in one column.

    The lines after the first of a multi-line value are indented to the same column.

    Parameters
    ----------
    report
        ``{name: value}``; names are strings, values anything (shown with ``str``).

    Returns
    -------
    str
        The text, without a final newline.

    Raises
    ------
    TypeError
        When ``report`` is not a mapping or one of its names is not a string.
    """
    from lecture_nn import _validation

    report = _validation.mapping(report, "report")
    for name in report:
        if not isinstance(name, str):
            raise TypeError(f"report names must be strings, got {name!r} ({type(name).__name__})")
    width = max((len(name) for name in report), default=0) + 1
    lines = []
    for name, value in report.items():
        first, *rest = str(value).splitlines() or [""]
        lines.append(f"{name + ':':<{width}} {first}".rstrip())
        lines += [f"{'':<{width}} {line}" for line in rest]
    return "\n".join(lines)


# --- a quiet TensorFlow start-up ---------------------------------------------------------

#: TensorFlow's C++ log level set for a process that has none: 1 hides INFO records
#: (start-up notices, compilation notes) and keeps warnings and errors.
TF_LOG_LEVEL = "1"

# An absl/glog record: severity letter, date, time, thread, file:line] message.
_LOG_RECORD = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.\-]+:\d+\] (.*)")
# Lines TensorFlow writes while it starts on a machine without a GPU; none of them asks the
# student to do anything.
_STARTUP_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",  # second line of the cpu_feature_guard notice
)
_HARMLESS_RECORDS = (
    "failed call to cuInit",  # a CUDA driver without a usable GPU
    "Unable to register cu",  # "cuDNN/cuFFT/cuBLAS factory: ... already been registered"
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)


def is_tensorflow_startup_noise(line: str) -> bool:
    """Tell whether a stderr ``line`` is one of TensorFlow's start-up notices.

    These are absl's "All log messages before absl::InitializeLog()" banner, every INFO
    record (``I0000 00:00:... file.cc:N] ...``, e.g. "Could not find cuda drivers", the
    oneDNN and CPU-instruction notices) with the notice's second line, and a few known
    warnings about a missing GPU. Other warnings and errors are not noise.

    Parameters
    ----------
    line
        One line of text (a final newline is ignored; an empty line is not noise).

    Returns
    -------
    bool
        Whether the line is start-up noise.

    Raises
    ------
    TypeError
        When ``line`` is not a string (e.g. undecoded bytes).
    """
    if not isinstance(line, str):  # one isinstance: this runs on every line of stderr
        _checked_text(line, "line", allow_empty=True)
    line = line.rstrip("\n")
    if line.startswith(_STARTUP_LINES):
        return True
    record = _LOG_RECORD.match(line)
    return bool(record) and (record[1] == "I" or record[2].startswith(_HARMLESS_RECORDS))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Hold back what goes to file descriptor 2 inside the block, then pass it on, filtered.

    TensorFlow's start-up notices (``is_tensorflow_startup_noise``) are dropped.

    Works at the level of the file descriptor, where TensorFlow's C++ code writes (and
    where ipykernel picks it up for the notebook); every other line is written to
    ``sys.stderr`` after the block, in order. Where file descriptor 2 cannot be
    redirected the block runs unfiltered.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines(True) if not is_tensorflow_startup_noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


class _QuietTensorFlowImport(MetaPathFinder):
    """Import finder that makes the first ``import tensorflow`` run inside ``filtered_stderr``.

    It finds ``tensorflow`` as Python would and only wraps its loader's ``exec_module``;
    it then takes itself off ``sys.meta_path``, so later imports are untouched.
    """

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        _remove_finder()
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def quiet_exec_module(module):
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
            try:
                with filtered_stderr():
                    exec_module(module)
                    # The device search (CUDA's cuInit) writes "failed call to cuInit" on
                    # machines with a driver but no usable GPU: do it now, filtered, rather
                    # than at the first operation. Devices can still be configured after it.
                    with contextlib.suppress(Exception):
                        module.config.list_physical_devices()
            finally:
                with contextlib.suppress(AttributeError):
                    del loader.exec_module

        loader.exec_module = quiet_exec_module
        return spec


def _remove_finder() -> None:
    """Take every ``_QuietTensorFlowImport`` off ``sys.meta_path``."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietTensorFlowImport)]


def quiet_tensorflow_startup() -> bool:
    """Arrange for TensorFlow, when it is first imported, to start without its notices.

    Until then nothing is loaded: an import finder waits for ``import tensorflow`` (by
    Keras, by ``keras.utils.set_random_seed`` on any backend, or by the student), sets
    ``TF_CPP_MIN_LOG_LEVEL`` to :data:`TF_LOG_LEVEL` unless it is set already, and runs the
    import, and TensorFlow's search for devices, inside :func:`filtered_stderr`. Warnings
    and errors, TensorFlow's own later log records and everything the student prints stay
    visible. Returns False (and does nothing) when TensorFlow is already imported, True
    otherwise. Calling it again is harmless.
    """
    if "tensorflow" in sys.modules:
        return False
    _remove_finder()
    sys.meta_path.insert(0, _QuietTensorFlowImport())
    return True
