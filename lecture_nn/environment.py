"""Describe the Python environment, for students who report a problem with the course.

``environment_report`` gathers the facts and ``format_report`` lays them out as aligned
``name: value`` lines; ``lecture-nn check`` prints the result.
"""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import lecture_nn
from lecture_nn import paths

#: The distributions whose versions the report lists, as (label, distribution name).
PACKAGES = (
    ("numpy", "numpy"),
    ("matplotlib", "matplotlib"),
    ("ipywidgets", "ipywidgets"),
    ("IPython", "ipython"),
    ("scikit-learn", "scikit-learn"),
    ("keras", "keras"),
    ("tensorflow", "tensorflow"),
    ("openml", "openml"),
    ("jupyterlab", "jupyterlab"),
)

NOT_INSTALLED = "not installed"
FASHION_MNIST_MISSING = "not found locally (will be downloaded from OpenML on first use)"


def package_version(distribution: str) -> str:
    """Return the installed version of ``distribution``, or ``"not installed"``."""
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


def _notebooks_location() -> str:
    """Return the notebooks folder, or why it could not be found."""
    try:
        return str(paths.notebooks_dir())
    except FileNotFoundError as exc:
        return f"not found ({exc})"


def environment_report() -> dict[str, str]:
    """Gather what a teacher needs to know about a student's environment.

    Returns an ordered mapping from label to value: the operating system, Python, the
    lecture-nn version, the versions of the course's main libraries, the Keras backend, the
    notebooks folder, and where Fashion-MNIST was found (or that it will be downloaded)
    together with the folders searched for it. A value may span several lines.
    """
    report = {
        "platform": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Python executable": sys.executable,
        "lecture-nn": lecture_nn.__version__,
    }
    for label, distribution in PACKAGES:
        report[label] = package_version(distribution)
    report["Keras backend"] = keras_backend()
    report["notebooks"] = _notebooks_location()
    from lecture_nn.fashion_mnist import source_status

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
    Returns the text without a final newline.
    """
    width = max((len(name) for name in report), default=0) + 1
    lines = []
    for name, value in report.items():
        first, *rest = str(value).splitlines() or [""]
        lines.append(f"{name + ':':<{width}} {first}".rstrip())
        lines += [f"{'':<{width}} {line}" for line in rest]
    return "\n".join(lines)
