"""Tests for the ``lecture-nn`` command line (lecture_nn.tooling.cli).

Most tests call ``main`` in-process; ``check``, the import-cost check and the real JupyterLab
start run the command as a separate process, the way a student runs it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import lecture_nn
from lecture_nn.tooling import paths
from lecture_nn.tooling.cli import _copy_course, _ipc_fits, main
from lecture_nn.tooling.notebook_runner import kernel_environment


def make_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook with a markdown title followed by one code cell per source."""
    nb = new_notebook(cells=[new_markdown_cell("# Test")] + [new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m lecture_nn.tooling.cli ARGS`` in ``cwd`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "lecture_nn.tooling.cli", *args],
        cwd=cwd,
        env=kernel_environment(headless=False),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def course_notebooks() -> list[Path]:
    """Return the course notebooks; skip the test while the repository has none yet."""
    try:
        return paths.course_notebooks()
    except FileNotFoundError:
        pytest.skip("the repository has no course notebooks (notebooks/NN_*.ipynb) yet")


# --- top level ---------------------------------------------------------------------------


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "usage: lecture-nn" in err
    for command in ("lab", "run", "check", "strip"):
        assert command in err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lecture-nn {lecture_nn.__version__}"


def test_unknown_option_of_a_command_is_an_error(capsys):
    assert main(["check", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_help_does_not_import_heavy_libraries(tmp_path):
    code = (
        "import sys\n"
        "from lecture_nn.tooling.cli import main\n"
        "assert main(['--help']) == 0\n"
        "heavy = ('keras', 'tensorflow', 'nbclient', 'nbformat', 'jupyter_client')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=kernel_environment(headless=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "HEAVY []" in done.stdout


# --- check -------------------------------------------------------------------------------


def test_check_reports_the_environment(tmp_path):
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = done.stdout
    for name in ("Python", "keras", "tensorflow", "Keras backend", "Fashion-MNIST", "notebooks"):
        assert re.search(rf"^{re.escape(name)}:\s+\S", report, re.MULTILINE), name
    assert "Python executable:" in report
    assert re.search(r"^Fashion-MNIST searched:", report, re.MULTILINE)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    assert f"\nKeras backend:            {backend} (set by KERAS_BACKEND)\n" in report
    installed = re.search(r"^Keras backends installed: (.*)$", report, re.MULTILINE)[1]
    assert backend in installed.split(", ")
    assert "choose a backend:         set KERAS_BACKEND before the kernel starts" in report
    assert done.stderr == ""  # not even TensorFlow's start-up notices


# --- run ---------------------------------------------------------------------------------


def numbers_out(text: str) -> str:
    """``text`` with every run time (``  12.3 s``, with its padding) written as `` N s``."""
    return re.sub(r" +\d+\.\d s\b", " N s", text)


def test_run_prints_one_line_per_notebook_then_a_summary(tmp_path, capfd, monkeypatch):
    # capfd, not capsys: the kernels write to the file descriptors they inherit, and the
    # student's terminal shows that too (ipykernel's TCP warning, a ZMQError at shutdown).
    bad = make_notebook(
        tmp_path / "nbs" / "bad.ipynb",
        "x = 1",
        "raise ValueError('boom\\nsecond line of the message')",
        "print('never')",
    )
    good = make_notebook(tmp_path / "nbs" / "good_one.ipynb", "print('all good')")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(bad), str(good), "--timeout", "60"]) == 1
    out, err = capfd.readouterr()
    output = Path("build", "notebooks")
    assert numbers_out(out) == (
        "bad.ipynb N s  FAILED\n"
        "    in cell 3 (code cell 2): raise ValueError('boom\\nsecond line of the message')\n"
        "    ValueError: boom\n"
        "    second line of the message\n"
        "good_one.ipynb N s  ok\n"
        f"1 of 2 notebooks ok in N s; executed copies in {output}\n"
    )
    assert err == ""
    lines = out.splitlines()
    assert lines[0].index(" s  FAILED") == lines[4].index(" s  ok")  # one column of times
    assert sorted(p.name for p in output.iterdir()) == ["bad.ipynb", "good_one.ipynb"]
    executed = nbformat.read(output / "good_one.ipynb", as_version=4)
    assert executed.cells[1].outputs[0].text == "all good\n"


def test_run_verbose_shows_the_traceback(tmp_path, capsys):
    bad = make_notebook(tmp_path / "bad.ipynb", "def f():\n    raise KeyError('deep')", "f()")
    assert main(["run", str(bad), "--output", str(tmp_path / "out"), "--verbose"]) == 1
    out = capsys.readouterr().out
    assert "    in cell 3 (code cell 2): f()\n    KeyError: 'deep'\n" in out
    assert "Traceback" in out
    assert "raise KeyError('deep')" in out


def test_strict_warnings_fail_a_notebook_with_warnings(tmp_path, capsys):
    notebook = make_notebook(
        tmp_path / "warns.ipynb", "import warnings\nwarnings.warn('careful', UserWarning)"
    )
    output = str(tmp_path / "out")
    assert main(["run", str(notebook), "--output", output]) == 0
    assert numbers_out(capsys.readouterr().out).startswith("warns.ipynb N s  ok  (1 warning)\n")
    assert main(["run", str(notebook), "--output", output, "--strict-warnings"]) == 1
    lines = numbers_out(capsys.readouterr().out).splitlines()
    assert lines[0] == "warns.ipynb N s  FAILED  (1 warning)"
    assert re.fullmatch(r"    warning: .*UserWarning: careful", lines[1]), lines
    assert lines[2].startswith("0 of 1 notebooks ok in N s; ")
    assert len(lines) == 3


def test_a_cell_timeout_ends_cleanly(tmp_path, capfd):
    slow = make_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)")
    assert main(["run", str(slow), "--output", str(tmp_path / "out"), "--timeout", "2"]) == 1
    out, err = capfd.readouterr()
    assert numbers_out(out).splitlines()[:3] == [
        "slow.ipynb N s  FAILED",
        "    in cell 2 (code cell 1): import time",
        "    CellTimeoutError: A cell timed out while it was being executed, after 2 seconds.",
    ]
    assert err == ""  # no ZMQError traceback from the kernel being shut down


def test_ctrl_c_stops_run_with_one_line(tmp_path):
    started = tmp_path / "started"
    slow = make_notebook(
        tmp_path / "slow.ipynb",
        f"open({str(started)!r}, 'w').close()\nimport time\ntime.sleep(120)",
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "lecture_nn.tooling.cli", "run", str(slow), "--output", "out"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kernel_environment(headless=False),
    )
    deadline = time.monotonic() + 240
    while not started.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.2)
    assert started.exists(), "the kernel never ran the cell"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 130
    assert (out, err) == ("", "lecture-nn run: interrupted\n")


@pytest.mark.parametrize("command", ["run", "build"])
def test_output_problems_are_found_before_any_notebook_runs(tmp_path, capfd, command):
    ran = tmp_path / "ran"
    notebook = make_notebook(tmp_path / "n.ipynb", f"open({str(ran)!r}, 'w').close()")
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    unwritable = Path("/proc/lecture-nn-output")  # not even root may create a folder there
    cases = {
        tmp_path / "a_file": "exists and is not a folder",
        tmp_path / "a_file" / "sub": "cannot write to",
    }
    if Path("/proc/self").exists():  # Linux
        cases[unwritable / "site"] = "cannot write to"
        if command == "run":
            cases[unwritable] = "cannot write to"
    for output, expected in cases.items():
        assert main([command, str(notebook), "--output", str(output)]) == 2, output
        out, err = capfd.readouterr()
        assert out == ""
        assert err.startswith(f"lecture-nn {command}: error: --output: "), err
        assert expected in err
        assert err.count("\n") == 1, err
    assert not ran.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_output_folder_is_refused(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "n.ipynb", "1")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert main(["run", str(notebook), "--output", str(locked)]) == 2
        assert "--output: cannot write to" in capsys.readouterr().err
    finally:
        locked.chmod(0o755)


def test_run_unknown_notebook_name_lists_the_available_ones(capsys):
    assert main(["run", "no_such_notebook"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("lecture-nn run: error: notebook 'no_such_notebook'")
    try:
        names = [notebook.stem for notebook in paths.course_notebooks()]
    except FileNotFoundError:
        names = ["none (no course notebooks found)"]
    for name in names:
        assert name in lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--timeout", "soon"], "argument --timeout: must be a whole number of seconds"),
        (["--timeout", "-5"], "argument --timeout"),
        (["--kernel", "no-such-kernel"], "--kernel: no kernel named 'no-such-kernel'"),
    ],
)
def test_run_rejects_bad_options(tmp_path, capsys, args, expected):
    notebook = make_notebook(tmp_path / "n.ipynb", "1")
    assert main(["run", str(notebook), *args]) == 2
    assert expected in capsys.readouterr().err


def test_run_refuses_to_overwrite_the_notebooks_themselves(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "n.ipynb", "1")
    assert main(["run", str(notebook), "--output", str(tmp_path)]) == 2
    assert "would be overwritten" in capsys.readouterr().err
    assert nbformat.read(notebook, as_version=4).cells[1].outputs == []


# --- strip -------------------------------------------------------------------------------


def test_strip_rewrites_notebooks(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "n.ipynb", "print(1)")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, notebook)
    assert main(["strip", str(notebook)]) == 0
    assert capsys.readouterr().out.startswith("stripped")
    stripped = nbformat.read(notebook, as_version=4)
    assert stripped.cells[1].outputs == []
    assert stripped.cells[1].execution_count is None
    assert main(["strip", str(notebook), str(tmp_path / "missing.ipynb")]) == 2
    assert "no such notebook file" in capsys.readouterr().err


# --- lab ---------------------------------------------------------------------------------


@pytest.fixture
def as_user(monkeypatch):
    """Run the test as a normal user (uid 1000), whoever runs the suite."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="root exists on POSIX systems only")
def test_lab_as_root_passes_allow_root_to_jupyterlab(monkeypatch, capsys, course_notebooks):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert main(["lab", "--print-command", "--no-browser"]) == 0
    command = shlex.split(capsys.readouterr().out)
    assert command[-2:] == ["--no-browser", "--allow-root"]
    assert main(["lab", "--print-command", "--", "--allow-root"]) == 0
    assert shlex.split(capsys.readouterr().out).count("--allow-root") == 1


def test_lab_print_command(tmp_path, capsys, course_notebooks, as_user):
    workdir = tmp_path / "course"
    assert main(["lab", "--dir", str(workdir), "--print-command", "--no-browser"]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    command = shlex.split(line)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    transport = ["--KernelManager.transport=ipc"] if _ipc_fits() else []
    assert command[3:] == [f"--ServerApp.root_dir={workdir.resolve()}", *transport, "--no-browser"]
    assert not workdir.exists()  # printing the command copies nothing


def test_ipc_only_where_the_socket_path_fits():
    """A runtime folder too deep for a Unix socket path keeps the kernels on TCP.

    With IPC there, ZeroMQ refuses the socket ("File name too long") and no kernel starts.
    """
    from lecture_nn.tooling.cli import MAX_SOCKET_PATH, _ipc_fits

    assert _ipc_fits("/root/.local/share/jupyter/runtime") == (os.name == "posix")
    assert not _ipc_fits("/" + "d" * MAX_SOCKET_PATH)
    assert not _ipc_fits(
        "/tmp/pytest-of-root/pytest-47/test_lab_really_starts_jupyter0/jupyter_runtime_dir"
    )


def test_lab_leaves_a_transport_given_by_the_user_alone(capsys, course_notebooks, as_user):
    assert main(["lab", "--print-command", "--", "--KernelManager.transport=tcp"]) == 0
    command = shlex.split(capsys.readouterr().out)
    assert [arg for arg in command if "transport" in arg] == ["--KernelManager.transport=tcp"]


def test_lab_forwards_arguments_after_double_dash(capsys, course_notebooks, as_user):
    assert main(["lab", "--print-command", "--", "--port", "8899", "--help"]) == 0
    command = shlex.split(capsys.readouterr().out)
    assert command[-3:] == ["--port", "8899", "--help"]
    assert command[3].startswith("--ServerApp.root_dir=")


def test_copy_course_never_overwrites_student_files(tmp_path, capsys):
    source = tmp_path / "source"
    make_notebook(source / "01_intro.ipynb", "1")
    make_notebook(source / "02_more.ipynb", "2")
    (source / "figures").mkdir()
    (source / "figures" / "net.svg").write_text("<svg/>", encoding="utf-8")
    (source / ".ipynb_checkpoints").mkdir()
    (source / ".ipynb_checkpoints" / "01_intro-checkpoint.ipynb").write_text("{}")
    target = tmp_path / "work"
    target.mkdir()
    (target / "01_intro.ipynb").write_text("my own work", encoding="utf-8")

    copied, kept = _copy_course(source, target)

    assert copied == ["02_more.ipynb", "figures/net.svg"]
    assert kept == ["01_intro.ipynb"]
    assert (target / "01_intro.ipynb").read_text(encoding="utf-8") == "my own work"
    assert (target / "02_more.ipynb").read_bytes() == (source / "02_more.ipynb").read_bytes()
    assert not (target / ".ipynb_checkpoints").exists()
    out = capsys.readouterr().out
    assert "kept    01_intro.ipynb" in out
    assert "copied  02_more.ipynb" in out


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> tuple[int, object]:
    """GET ``url`` and return the status code and the decoded JSON body."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read().decode("utf-8"))


def port_is_open(port: int) -> bool:
    """Tell whether something accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class LabProcesses:
    """Starts ``lecture-nn lab`` as real processes, each in a process group of its own."""

    def __init__(self, folder: Path) -> None:
        """Prepare private Jupyter folders and a log file under ``folder``."""
        self.folder = folder
        self.log_path = folder / "lab.log"
        self.env = kernel_environment(headless=False)
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
            self.env[name] = str(folder / name.lower())
        # pytest's folders are too deep for a Unix socket path; a student's runtime folder
        # (~/.local/share/jupyter/runtime) is not
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="jr-"))
        self.env["JUPYTER_RUNTIME_DIR"] = str(self.runtime_dir)
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        """Start ``python -m lecture_nn.tooling.cli lab ARGS`` with its output going to the log."""
        with self.log_path.open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                with_default_sigint([sys.executable, "-m", "lecture_nn.tooling.cli", "lab", *args]),
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def log(self) -> str:
        """Return what the started processes printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop_all(self) -> None:
        """Stop every started process group, JupyterLab included."""
        for process in self.started:
            _stop_group(process)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


# Runs a command with Ctrl-C's default action restored first: a test run started in the
# background of a shell (nohup ... &) ignores SIGINT, and children inherit that; Python
# then never raises KeyboardInterrupt, so the Ctrl-C tests would test nothing.
_RESTORE_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def with_default_sigint(command: list[str]) -> list[str]:
    """``command`` wrapped so that it starts with the default SIGINT action."""
    return [sys.executable, "-c", _RESTORE_SIGINT, *command]


@pytest.fixture
def lab_processes(tmp_path):
    """Yield a LabProcesses; teardown stops whatever it started, even when the test failed."""
    processes = LabProcesses(tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()


def _stop_group(process: subprocess.Popen) -> None:
    """Terminate the process group led by ``process``; kill it if it does not stop in time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:  # the whole group is gone already
            break
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)  # give JupyterLab, a child in the same group, time to finish too


def kernel_transport_is_ipc(base: str, token: str, runtime_dir: Path, log) -> None:
    """Start a kernel through JupyterLab's REST API; check it listens on IPC, without warning.

    Before the fix the kernels used TCP and ipykernel wrote "Kernel is running over TCP
    without encryption" into the terminal of ``lecture-nn lab``.
    """

    def call(method: str, path: str, body: bytes | None = None) -> tuple[int, object]:
        request = urllib.request.Request(
            f"{base}/{path}",
            data=body,
            method=method,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read()
                return answer.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            raise AssertionError(
                f"{method} {path}: {error} {error.read()[:300]!r}\n{log()}"
            ) from None

    _, kernel = call("POST", "kernels", b"{}")
    kernel_id = kernel["id"]
    connection = json.loads((runtime_dir / f"kernel-{kernel_id}.json").read_text())
    assert connection["transport"] == "ipc", connection
    # The kernel binds its five sockets (shell, iopub, stdin, control, heartbeat) as files
    # after init_sockets, where ipykernel would have warned about TCP.
    deadline = time.monotonic() + 90
    sockets: list[Path] = []
    while time.monotonic() < deadline and len(sockets) < 5:
        time.sleep(0.5)
        sockets = [p for p in runtime_dir.glob(f"kernel-{kernel_id}-ipc-*") if p.is_socket()]
    assert len(sockets) == 5, f"the kernel did not bind its IPC sockets: {sockets}\n{log()}"
    time.sleep(1)  # let the kernel's stderr reach the log
    assert "without encryption" not in log()
    assert "Kernel is running over TCP" not in log()
    assert call("DELETE", f"kernels/{kernel_id}")[0] == 204


@pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX process groups and signals")
def test_lab_really_starts_jupyterlab_and_stops_on_ctrl_c(
    tmp_path, lab_processes, course_notebooks
):
    port, token = free_port(), secrets.token_hex(16)
    workdir = tmp_path / "course"
    args = [
        "--dir",
        str(workdir),
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # JupyterLab refuses to run as root without it
    process = lab_processes.start(*args)
    log = lab_processes.log

    base = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status, _ = get_json(f"{base}/status?token={token}")
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    assert status == 200, f"JupyterLab did not answer (exit status {process.poll()}):\n{log()}"

    kernel_transport_is_ipc(base, token, lab_processes.runtime_dir, log)

    _, listing = get_json(f"{base}/contents?token={token}")
    served = {item["name"] for item in listing["content"]}
    expected = {notebook.name for notebook in course_notebooks}
    assert expected <= served, (expected, served)
    assert all((workdir / name).is_file() for name in expected)

    process.send_signal(signal.SIGINT)  # Ctrl-C, delivered to lecture-nn only
    assert process.wait(timeout=60) == 0, log()
    assert not port_is_open(port), "JupyterLab is still running after lecture-nn stopped"


# A parent that runs a child through _run_until_done, with a short grace period; the child
# ignores Ctrl-C (as a server still starting up may) but not SIGTERM.
_STUBBORN_PARENT = """
import sys
from pathlib import Path
from lecture_nn.tooling import cli
cli.INTERRUPT_GRACE = 1.0
child = [sys.executable, "-c",
         "import signal, sys, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
         "print('ready', flush=True); time.sleep(60)"]
sys.exit(cli._run_until_done(child, Path.cwd(), None))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")
def test_ctrl_c_stops_a_child_that_ignores_the_interrupt(tmp_path):
    parent = subprocess.Popen(
        with_default_sigint([sys.executable, "-c", _STUBBORN_PARENT]),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert parent.stdout.readline().strip() == "ready"
        started = time.monotonic()
        parent.send_signal(signal.SIGINT)  # one Ctrl-C, to lecture-nn only
        status = parent.wait(timeout=30)
        waited = time.monotonic() - started
    finally:
        _stop_group(parent)
    assert status == 128 + signal.SIGTERM  # the child was terminated after the grace period
    assert 1.0 <= waited < 20
