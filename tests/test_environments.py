"""The course in the environments students open it in: Colab's old IPython and ipywidgets, and
the environment that ``binder/`` describes.

Both build a virtual environment with pip from the package registry (nothing else is
downloaded) and execute notebooks headless in it with ``lecture-nn run --strict-warnings``:
a notebook that fails or prints a warning fails the test.

* Colab: a venv on top of this environment (``--system-site-packages``, so Keras and
  TensorFlow are shared) with the kernel-side versions Colab ships pinned: IPython 7.34,
  ipywidgets 7.7 and ipykernel 5.5.6 (google-colab 1.0.0 pins those two). Every course
  notebook runs in it, plus a probe that checks the versions and works a widget's controls.
* Binder: a fresh venv with ``binder/requirements.txt`` installed and ``binder/postBuild``
  run, as repo2docker does; one notebook runs in it from outside the checkout, so the
  installed package is what it imports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lecture_nn.tooling.paths import course_notebooks

ROOT = Path(__file__).resolve().parents[1]
COLAB_PINS = ("ipython==7.34.0", "ipywidgets==7.7.1", "ipykernel==5.5.6")
PIP_TIMEOUT = 900
RUN_TIMEOUT = 1500

# Checks the kernel's versions, then builds a widget's controls (not headless, as on Colab)
# and moves them from code, as a student's slider would.
PROBE_CELLS = [
    """import sys
import IPython, ipykernel, ipywidgets
assert IPython.version_info[:2] == (7, 34), IPython.__version__
assert ipywidgets.__version__.startswith("7.7."), ipywidgets.__version__
assert ipykernel.__version__ == "5.5.6", ipykernel.__version__
print(sys.executable, IPython.__version__, ipywidgets.__version__, ipykernel.__version__)""",
    """import os
os.environ["LECTURE_NN_HEADLESS"] = "0"  # build the controls, as in a live notebook
from lecture_nn.widgets import interactive_figure

def line(fig, slope=1.0, label="a"):
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope])
    ax.set_title(label)

figure = interactive_figure(line, slope=(0.0, 2.0, 0.5), label=["a", "b"])
figure""",
    """before = figure.png()
figure.controls["slope"].value = 2.0
figure.controls["label"].value = "b"
assert figure.values == {"slope": 2.0, "label": "b"}, figure.values
assert figure.png() != before
print("controls work with ipywidgets", ipywidgets.__version__)""",
    # How IPython 7.34 shows the course's own error: the message alone (no traceback).
    """from lecture_nn.datasets.loader import DataUnavailableError
try:
    raise DataUnavailableError("nothing found:\\n  - a folder")
except DataUnavailableError:
    get_ipython().showtraceback()""",
]


def make_venv(folder: Path, system_site_packages: bool) -> Path:
    """Create a virtual environment with pip; return its python."""
    venv.EnvBuilder(with_pip=True, system_site_packages=system_site_packages).create(folder)
    return folder / "bin" / "python"


def pip_install(python: Path, *arguments: str) -> None:
    """``pip install --quiet ARGUMENTS`` into the environment of ``python``."""
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*command, *arguments], capture_output=True, text=True, timeout=PIP_TIMEOUT
    )
    assert done.returncode == 0, f"pip install {' '.join(arguments)} failed:\n{done.stderr[-3000:]}"


def lecture_nn_command(python: Path) -> list[str]:
    """The ``lecture-nn`` command as run by ``python`` (the package that python imports)."""
    return [str(python), "-m", "lecture_nn.tooling.cli"]


def lecture_nn_run(python: Path, *arguments: str, cwd: Path, env: dict) -> str:
    """Run ``lecture-nn run --strict-warnings ...`` with ``python``; return its output."""
    done = subprocess.run(
        [*lecture_nn_command(python), "run", "--strict-warnings", *arguments],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=cwd,
        env=env,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would leak our own installation into a venv."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "LECTURE_NN_HEADLESS", "MPLBACKEND")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return {**env, **extra}


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    python = make_venv(tmp_path_factory.mktemp("colab") / "venv", system_site_packages=True)
    pip_install(python, *COLAB_PINS)
    return python


def test_course_runs_with_colab_versions_of_ipython_and_ipywidgets(colab_python, tmp_path):
    probe = new_notebook(cells=[new_code_cell(source) for source in PROBE_CELLS])
    probe.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(probe, tmp_path / "probe.ipynb")
    env = clean_environment(LECTURE_NN_QUICK="1")

    output = lecture_nn_run(
        colab_python,
        str(tmp_path / "probe.ipynb"),
        "--output",
        str(tmp_path / "out"),
        cwd=tmp_path,
        env=env,
    )
    assert "1 of 1 notebooks ok" in output
    executed = nbformat.read(tmp_path / "out" / "probe.ipynb", as_version=4)
    printed = "".join(output.get("text", "") for output in executed.cells[2].outputs)
    assert "controls work with ipywidgets 7.7" in printed
    (error,) = executed.cells[3].outputs
    assert error.traceback == ["DataUnavailableError: nothing found:", "  - a folder"]

    course = course_notebooks()
    output = lecture_nn_run(
        colab_python, "--output", str(tmp_path / "course"), cwd=tmp_path, env=env
    )
    assert f"{len(course)} of {len(course)} notebooks ok" in output
    # One line per notebook, each "ok" with no warnings, then the summary line.
    lines = output.splitlines()
    assert len(lines) == len(course) + 1, output
    for line, notebook in zip(lines, course):
        assert re.fullmatch(rf"{re.escape(notebook.name)} +\d+\.\d s  ok", line), line


def test_binder_environment_runs_a_notebook(tmp_path):
    python = make_venv(tmp_path / "venv", system_site_packages=False)
    pip_install(python, "-r", str(ROOT / "binder" / "requirements.txt"))
    # repo2docker runs postBuild from the repository root with the environment on PATH.
    checkout = tmp_path / "repo"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info"))
    env = clean_environment(PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(
        ["bash", "binder/postBuild"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    elsewhere = tmp_path / "student"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import lecture_nn; print(lecture_nn.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(python.parents[1]) in where, f"not the installed package: {where}"
    output = lecture_nn_run(python, "01", "--output", str(tmp_path / "out"), cwd=elsewhere, env=env)
    assert "1 of 1 notebooks ok" in output
    # The installed wheel also builds the site page (templates and MathJax come with it).
    executed = str(tmp_path / "out" / "01_architecture.ipynb")
    done = subprocess.run(
        [*lecture_nn_command(python), "build", executed, "--no-execute", "--output", "site"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (elsewhere / "site" / "01_architecture.html").is_file()
    assert (elsewhere / "site" / "_static" / "mathjax" / "MathJax.js").is_file()
