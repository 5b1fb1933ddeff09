"""The README's set-up, word for word: its commands run literally, as a student would type them.

The first command block under "Set-up" clones the course, creates a virtual environment,
installs the course into it with pip and starts ``lecture-nn lab``. This test runs exactly
those lines with bash, in a fresh folder and a fresh home directory, as whichever user runs
the suite (root in CI, as in Docker). Two things differ from a student's machine, and only
these: the clone comes from this checkout instead of GitHub (there is no network here
beyond the package index), and ``BROWSER=true`` stands in for a desktop's browser (there is
no display to open one on). Then it checks that JupyterLab answers, that the notebooks opened
are where the README says, and that Ctrl-C stops it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY_URL = "https://github.com/lecture-nn/lecture-nn.git"
START_TIMEOUT = 1500  # seconds for clone, venv, pip install and JupyterLab's start
STOP_TIMEOUT = 60
SERVER_URL = re.compile(r"(http://(?:localhost|127\.0\.0\.1):\d+)/lab\?token=(\w+)")
# What the test runner itself sets and a student's shell would not have.
NOT_A_STUDENTS = ("LECTURE_NN_", "KERAS_BACKEND", "TF_CPP_", "MPLBACKEND", "VIRTUAL_ENV", "PYTHON")


def readme_blocks(heading: str) -> list[str]:
    """The fenced ``bash`` blocks of the README section that starts with ``heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, re.DOTALL)


def student_environment(home: Path) -> dict[str, str]:
    """This process's environment less what tests set, with ``home`` as the home folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(NOT_A_STUDENTS) and not key.startswith("JUPYTER")
    }
    # The pip cache stays where it is, so the install reuses the wheels already downloaded.
    real_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pip"
    env.update(HOME=str(home), PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(real_cache)))
    env["BROWSER"] = "true"
    return env


def test_the_setup_block_clones_installs_in_a_venv_and_opens_the_course():
    (setup, *_rest) = readme_blocks("## Set-up")
    lines = setup.splitlines()
    assert lines[0] == f"git clone {REPOSITORY_URL} && cd lecture-nn"
    assert "python3 -m venv .venv && . .venv/bin/activate" in lines[1]
    assert lines[1].endswith("lecture-nn lab")


def test_readme_setup_runs_literally_and_jupyterlab_answers(tmp_path, report):
    (setup, *_rest) = readme_blocks("## Set-up")
    # A bare copy of this checkout named like the repository, so the clone's folder is the same.
    origin = tmp_path / "origin" / "lecture-nn.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(origin)], check=True)
    script = setup.replace(REPOSITORY_URL, str(origin))
    home = tmp_path / "home"
    home.mkdir()
    workdir = tmp_path / "work"
    workdir.mkdir()
    log_path = tmp_path / "setup.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=workdir,
            env=student_environment(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url, token = wait_for_server(process, log_path)
        installed_after = time.monotonic() - started
        with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=30) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=30) as answer:
            assert "JupyterLab" in answer.read().decode("utf-8", "replace")
        course = home / "lecture-nn-course"
        notebooks = sorted(path.name for path in course.glob("*.ipynb"))
        assert len(notebooks) == 7, f"the README says the notebooks open in {course}: {notebooks}"
        venv_bytes = sum(
            f.stat().st_size
            for f in (workdir / "lecture-nn" / ".venv").rglob("*")
            if f.is_file() and not f.is_symlink()
        )
        report.append(
            f"README set-up: clone + venv + pip install + lab start took {installed_after:.0f} s; "
            f".venv holds {venv_bytes / 1e9:.1f} GB"
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            status = process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail(f"Ctrl-C did not stop lecture-nn lab:\n{tail(log_path)}")
    assert status in (0, 130, -signal.SIGINT), f"exit status {status}:\n{tail(log_path)}"
    assert "Traceback" not in log_path.read_text(errors="replace"), tail(log_path)


def wait_for_server(process: subprocess.Popen, log_path: Path) -> tuple[str, str]:
    """Wait until JupyterLab prints its address; return (base URL, token)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = SERVER_URL.search(log_path.read_text(errors="replace"))
        if found:
            return found.group(1), found.group(2)
        if process.poll() is not None:
            pytest.fail(f"the README's set-up exited with {process.returncode}:\n{tail(log_path)}")
        time.sleep(2)
    pytest.fail(f"JupyterLab did not start within {START_TIMEOUT} s:\n{tail(log_path)}")


def tail(path: Path, characters: int = 4000) -> str:
    return path.read_text(errors="replace")[-characters:]
