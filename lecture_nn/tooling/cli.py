"""The ``lecture-nn`` command: open the course in JupyterLab, run its notebooks, check the setup.

Subcommands: ``lab`` (JupyterLab on the course notebooks), ``run`` (execute notebooks headless),
``build`` (the static course site), ``check`` (print the environment, for problem reports),
``data`` (Fashion-MNIST), ``strip`` (for maintainers: remove outputs before committing) and
``solutions`` (for instructors: solved copies of the notebooks). Heavy libraries are imported
inside the subcommands so that ``lecture-nn --help`` answers at once.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import lecture_nn
from lecture_nn._validation import positive_int

if TYPE_CHECKING:
    from lecture_nn.tooling.notebook_runner import NotebookResult

__all__ = [
    "DEFAULT_WORKDIR",
    "INTERRUPT_GRACE",
    "KERNEL_TRANSPORT",
    "MAX_SOCKET_PATH",
    "PROG",
    "UsageError",
    "build_parser",
    "main",
]

PROG = "lecture-nn"

#: Where ``lecture-nn lab`` copies the notebooks when it cannot open them where they are.
DEFAULT_WORKDIR = "~/lecture-nn-course"

#: How ``lecture-nn lab``'s kernels talk to JupyterLab on POSIX systems: local sockets.
KERNEL_TRANSPORT = "ipc"

#: Files and folders never copied from the notebooks folder.
_SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints"}


class UsageError(Exception):
    """A command-line mistake found after parsing; reported on one line with exit status 2."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``lecture-nn`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 1 when the work failed (a notebook failed,
    JupyterLab is missing ...), 2 for a command-line mistake, which is reported on stderr
    in one line, and 130 after Ctrl-C outside JupyterLab. Arguments that ``lab`` does not
    know, and everything after ``--``, are passed on to JupyterLab.
    """
    args_in, passthrough = _split_passthrough(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(args_in)
        extra = [*unknown, *passthrough]
        if args.command is None and not extra:
            parser.print_help(sys.stderr)
            return 2
        if extra and args.command != "lab":
            (args.parser if args.command else parser).error(
                f"unrecognized arguments: {shlex.join(extra)}"
            )
    except SystemExit as exc:  # argparse's --help, --version and errors end this way
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    try:
        return args.handler(args, extra)
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130


def _split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split ``argv`` at the first ``--`` into our arguments and those for JupyterLab."""
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``lecture-nn`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="An interactive course on how neural networks are trained.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {lecture_nn.__version__}")
    parser.set_defaults(command=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_lab_command(commands)
    _add_run_command(commands)
    _add_build_command(commands)
    _add_check_command(commands)
    _add_data_command(commands)
    _add_strip_command(commands)
    _add_solutions_command(commands)
    return parser


def _add_lab_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``lab`` subcommand and its arguments."""
    lab = _add_command(
        commands,
        "lab",
        _cmd_lab,
        help="open the course notebooks in JupyterLab",
        description=(
            "Open JupyterLab on the course notebooks. In a source checkout it opens them "
            f"where they are; otherwise, or with --dir, it copies them to a working folder "
            f"(default {DEFAULT_WORKDIR}) without overwriting notebooks already there. "
            "Other arguments, and everything after '--', go to 'jupyter lab' unchanged, "
            "e.g. 'lecture-nn lab --no-browser --port 8899'."
        ),
    )
    lab.add_argument("--dir", help="working folder to copy the notebooks to and open there")
    lab.add_argument(
        "--print-command",
        action="store_true",
        help="print the JupyterLab command instead of running it (copies nothing)",
    )


def _add_run_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand and its arguments."""
    run = _add_command(
        commands,
        "run",
        _cmd_run,
        help="execute notebooks headless and report which ones fail",
        description=(
            "Execute notebooks without a browser or display and write the executed copies to "
            "--output. NOTEBOOK is a file, or a course notebook given by name or by the start "
            "of its name ('01_architecture', '01'); default: all course notebooks. Exit status "
            "1 if any notebook failed."
        ),
    )
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to execute")
    run.add_argument(
        "--output",
        default=os.path.join("build", "notebooks"),
        metavar="DIR",
        help="folder for the executed copies (default: %(default)s)",
    )
    _add_timeout_option(run)
    run.add_argument("--kernel", metavar="NAME", help="Jupyter kernel (default: the notebook's)")
    run.add_argument(
        "--strict-warnings",
        action="store_true",
        help="count a notebook that printed warnings as failed, and show the warnings",
    )
    run.add_argument(
        "--verbose", action="store_true", help="show whole tracebacks and all warning lines"
    )


def _add_build_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``build`` subcommand and its arguments."""
    build = _add_command(
        commands,
        "build",
        _cmd_build,
        help="execute the notebooks and build the static course site",
        description=(
            "Execute the course notebooks headless and build a static HTML site of the course "
            "into --output: a contents page and one page per notebook, with every figure "
            "(each widget live: HTML controls switch between figures drawn when the site is "
            "built) and figure-only code folded "
            "away. Needs no network. NOTEBOOK is a file, or a course notebook given by name or "
            "by the start of its name; default: all course notebooks."
        ),
    )
    build.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to include")
    build.add_argument(
        "--output",
        default=os.path.join("build", "site"),
        metavar="DIR",
        help="folder of the site, replaced as a whole (default: %(default)s)",
    )
    build.add_argument(
        "--quick",
        action="store_true",
        help="run the Keras notebooks in quick mode (a subset of the data, fewer epochs)",
    )
    build.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="render the notebooks as they are (already executed, e.g. by 'lecture-nn run')",
    )
    _add_timeout_option(build)


def _add_check_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``check`` subcommand and its arguments."""
    _add_command(
        commands,
        "check",
        _cmd_check,
        help="print the environment, to include in a problem report",
        description="Print the versions and folders a teacher needs to help with a problem.",
    )


def _add_data_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``data`` subcommand and its arguments."""
    data = _add_command(
        commands,
        "data",
        _cmd_data,
        help="show where Fashion-MNIST is found, verify it, fetch or import it",
        description=(
            "Without options: list the places Fashion-MNIST is looked for, in order, verify "
            "each local copy against the official checksums, and show the cache. --fetch "
            "loads the data from the first source that works (downloading OpenML dataset "
            "40996 if nothing local works) and caches it; --from DIR imports the four IDX "
            "files from DIR into the cache."
        ),
    )
    source = data.add_mutually_exclusive_group()
    source.add_argument("--fetch", action="store_true", help="load (download if needed) and cache")
    source.add_argument("--from", dest="from_dir", metavar="DIR", help="import IDX files from DIR")
    data.add_argument(
        "--cache-dir", metavar="DIR", help="cache folder (default: ~/.cache/lecture-nn)"
    )


def _add_strip_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``strip`` subcommand and its arguments."""
    strip = _add_command(
        commands,
        "strip",
        _cmd_strip,
        help="(for maintainers) remove outputs from notebooks before committing them",
        description=(
            "For maintainers: rewrite notebooks in place without outputs, execution counts "
            "and widget state. Cells tagged 'nbval-check-output' (or containing "
            "'# NBVAL_CHECK_OUTPUT') keep their text output."
        ),
    )
    strip.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="notebook files")


def _add_solutions_command(commands: argparse._SubParsersAction) -> None:
    """Add the ``solutions`` subcommand and its arguments."""
    solutions = _add_command(
        commands,
        "solutions",
        _cmd_solutions,
        help="(for instructors) write copies of the notebooks with the exercises solved",
        description=(
            "For instructors: write copies of the notebooks to --output in which every "
            "exercise answer cell holds the reference solution. NOTEBOOK is a file, or a "
            "course notebook given by name or by the start of its name ('03'); default: all "
            "course notebooks."
        ),
    )
    solutions.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to copy")
    solutions.add_argument(
        "--output",
        default=os.path.join("build", "solutions"),
        metavar="DIR",
        help="folder for the solved copies (default: %(default)s)",
    )


def _add_command(
    commands: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace, list[str]], int],
    **kwargs: str,
) -> argparse.ArgumentParser:
    """Add the subcommand ``name``, run by ``handler(args, extra_arguments) -> int``."""
    sub = commands.add_parser(name, allow_abbrev=False, **kwargs)
    sub.set_defaults(command=name, handler=handler, parser=sub)
    return sub


def _add_timeout_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--timeout SECONDS``, the limit for each cell of a notebook being executed."""
    parser.add_argument(
        "--timeout",
        type=_positive_int,
        default=600,
        metavar="SECONDS",
        help="time limit for each cell (default: %(default)s)",
    )


def _positive_int(text: str) -> int:
    """Parse a whole number greater than 0 (argparse type for --timeout)."""
    try:
        return positive_int(int(text), "--timeout")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of seconds above 0, not {text!r}"
        ) from None


# --- lab -----------------------------------------------------------------------------------


def _cmd_lab(args: argparse.Namespace, jupyter_args: list[str]) -> int:
    """Open JupyterLab on the course notebooks; see ``build_parser`` for the behaviour."""
    from lecture_nn.tooling import paths
    from lecture_nn.tooling.notebook_runner import kernel_environment

    try:
        source = paths.notebooks_dir()
    except FileNotFoundError as exc:
        print(f"{PROG} lab: {exc}", file=sys.stderr)
        return 1
    folder = _lab_folder(source, args.dir)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if _ipc_fits() and not any("transport" in arg for arg in jupyter_args):
        # The kernels talk to the server over local sockets (files in Jupyter's runtime
        # folder, readable by this user only) instead of TCP ports of 127.0.0.1: no port
        # another local user could reach, and no "Kernel is running over TCP without
        # encryption" warning from ipykernel in the terminal.
        command.append(f"--KernelManager.transport={KERNEL_TRANSPORT}")
    command += jupyter_args
    if _running_as_root() and "--allow-root" not in jupyter_args:
        # JupyterLab refuses to start as root without it; in Docker and on many cloud
        # machines root is the only user there is.
        command.append("--allow-root")
    if args.print_command:
        print(shlex.join(command))
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        print(f"{PROG} lab: JupyterLab is not installed; pip install jupyterlab", file=sys.stderr)
        return 1
    if folder != source:
        try:
            _copy_course(source, folder)
        except OSError as exc:
            print(f"{PROG} lab: cannot copy the notebooks to {folder}: {exc}", file=sys.stderr)
            return 1
    print(f"Opening JupyterLab in {folder} (press Ctrl-C to stop it)", flush=True)
    return _run_until_done(command, cwd=folder, env=kernel_environment(headless=False))


#: The longest path of a Unix socket (``sun_path`` holds 108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 103
#: What a kernel's socket adds to the runtime folder: ``/kernel-<uuid>-ipc-<n>``.
_KERNEL_SOCKET_NAME = "/kernel-00000000-0000-0000-0000-000000000000-ipc-99"


def _ipc_fits(runtime_dir: str | None = None) -> bool:
    """Whether kernels can use IPC sockets in Jupyter's runtime folder (else they use TCP).

    IPC needs a POSIX system, and a socket path short enough for the system's limit: a
    kernel's sockets are ``<runtime folder>/kernel-<uuid>-ipc-<n>``, and a long home
    folder would make ZeroMQ refuse them ("File name too long"), so the kernel would not
    start at all.

    Parameters
    ----------
    runtime_dir
        The folder to check; default: Jupyter's runtime folder (``$JUPYTER_RUNTIME_DIR``).

    Returns
    -------
    bool
        True when the transport can be IPC.
    """
    if os.name != "posix":
        return False
    if runtime_dir is None:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime_dir = jupyter_runtime_dir()
    return len(os.fsencode(runtime_dir + _KERNEL_SOCKET_NAME)) <= MAX_SOCKET_PATH


def _running_as_root() -> bool:
    """Whether this process runs as root (never on Windows, which has no such user)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _lab_folder(source: Path, workdir: str | None) -> Path:
    """Return the folder to open: ``--dir``, else ``source`` if it is a writable checkout.

    An installed copy (under site-packages) or a read-only folder is never opened directly,
    so students never edit the installed files; they work in ``DEFAULT_WORKDIR`` instead.
    """
    from lecture_nn.tooling.notebook_runner import in_site_packages

    if workdir is None and not in_site_packages(source) and os.access(source, os.W_OK):
        return source
    folder = Path(workdir or DEFAULT_WORKDIR).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--dir: {folder} exists and is not a folder")
    return folder


def _copy_course(source: Path, target: Path) -> tuple[list[str], list[str]]:
    """Copy the files of the notebooks folder ``source`` into ``target``, keeping existing ones.

    A file already in ``target`` is never overwritten: it may hold the student's work.
    Checkpoint and cache folders are skipped. Each file is written atomically. Prints one
    line per file and returns the relative names of the files copied and of those kept.
    """
    from lecture_nn.tooling.atomic import write_atomic

    copied, kept = [], []
    for file in sorted(source.rglob("*")):
        relative = file.relative_to(source)
        if not file.is_file() or _SKIPPED_NAMES.intersection(relative.parts):
            continue
        destination = target / relative
        if destination.exists():
            kept.append(relative.as_posix())
            print(f"  kept    {relative.as_posix()} (yours; delete it to get a fresh copy)")
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(destination, file.read_bytes())
        copied.append(relative.as_posix())
        print(f"  copied  {relative.as_posix()}")
    return copied, kept


#: Seconds JupyterLab gets to stop after the first Ctrl-C before it is terminated.
INTERRUPT_GRACE = 10.0


def _run_until_done(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Run ``command`` in the foreground and return its exit status (128+N after signal N).

    Ctrl-C is passed on as SIGINT, which makes JupyterLab shut down without asking. If it
    is still running :data:`INTERRUPT_GRACE` seconds later (a server still starting up can
    swallow the interrupt), it is terminated; so is it at a second Ctrl-C, and a third kills
    it. SIGTERM sent to us is passed on too, so the child never outlives this process.
    """
    child = subprocess.Popen(command, cwd=cwd, env=env)
    restore = _forward_sigterm(child)
    try:
        interrupts = 0
        deadline = None  # when the interrupted child is terminated if it has not stopped
        while True:
            try:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                status = child.wait(timeout=timeout)
                return 128 - status if status < 0 else status
            except subprocess.TimeoutExpired:
                child.terminate()
                deadline = None
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts == 1 and os.name != "nt":  # Windows already delivered it
                    child.send_signal(signal.SIGINT)
                    deadline = time.monotonic() + INTERRUPT_GRACE
                elif interrupts == 2:
                    child.terminate()
                    deadline = None
                elif interrupts > 2:
                    child.kill()
    finally:
        restore()


def _forward_sigterm(child: subprocess.Popen) -> Callable[[], object]:
    """Pass SIGTERM on to ``child`` until the returned function restores the old handler."""
    if os.name == "nt" or threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: child.terminate())
    return lambda: signal.signal(signal.SIGTERM, previous)


# --- run -----------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace, _extra: list[str]) -> int:
    """Execute notebooks headless; print one line per notebook and a summary; 1 if any failed."""
    from lecture_nn.tooling import notebook_runner as runner

    if args.kernel:
        _check_kernel(args.kernel)
    notebooks, output = _notebooks_and_output(args)
    if not notebooks:
        print(f"{PROG} run: no course notebooks found, and none given", file=sys.stderr)
        return 1

    start = time.perf_counter()
    width = max(len(notebook.name) for notebook in notebooks)
    failed = 0
    for notebook in notebooks:
        result = runner.execute_notebook(notebook, output, args.timeout, args.kernel)
        ok = result.ok and not (args.strict_warnings and result.warnings)
        failed += not ok
        print(_result_line(result, ok, width), flush=True)
        for line in _result_details(result, args.verbose, args.strict_warnings):
            print(f"    {line}".rstrip(), flush=True)
    print(_run_summary(len(notebooks), failed, time.perf_counter() - start, output))
    return 1 if failed else 0


def _run_summary(count: int, failed: int, seconds: float, output: Path) -> str:
    """Return the last line of ``lecture-nn run``: notebooks ok, seconds, where the copies are."""
    return (
        f"{count - failed} of {count} notebooks ok in {seconds:.1f} s; executed copies in {output}"
    )


# --- build ---------------------------------------------------------------------------------


def _cmd_build(args: argparse.Namespace, _extra: list[str]) -> int:
    """Build the static site; print one line per page; 1 if a notebook failed."""
    from lecture_nn.experiments import QUICK_VARIABLE
    from lecture_nn.tooling import site

    notebooks, output = _notebooks_and_output(args)
    if not notebooks:
        print(f"{PROG} build: no course notebooks found, and none given", file=sys.stderr)
        return 1
    if args.quick:
        os.environ[QUICK_VARIABLE] = "1"
    try:
        built = site.build_site(output, notebooks, execute=args.execute, timeout=args.timeout)
    except site.SiteBuildError as exc:
        print(f"{PROG} build: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    width = max(len(page.href) for page in built.pages)
    for page in built.pages:
        print(
            f"{page.href:<{width}}  {page.seconds:6.1f} s  {page.images:3d} "
            f"figure{'' if page.images == 1 else 's'}{_warning_note(len(page.warnings))}"
        )
    print(f"site built in {built.seconds:.1f} s ({built.mode} mode): {built.index}")
    return 0


def _warning_note(count: int) -> str:
    """``"  (N warnings)"`` after a notebook's line, or nothing when it printed none."""
    return f"  ({count} warning{'' if count == 1 else 's'})" if count else ""


def _notebooks_and_output(args: argparse.Namespace) -> tuple[list[Path], Path]:
    """Return the notebooks named on the command line (default: the course) and a safe --output.

    Raises UsageError for an unknown notebook name, an --output that is a file, or an
    --output that holds one of the notebooks (its copy would overwrite it).
    """
    from lecture_nn.tooling import notebook_runner as runner

    course = _course_notebooks()
    try:
        notebooks = runner.resolve_notebooks(args.notebooks, course) if args.notebooks else course
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output: {output} exists and is not a folder")
    for notebook in notebooks:
        if output.resolve() == notebook.resolve().parent:
            raise UsageError(
                f"--output: {output} holds {notebook.name}, which would be overwritten"
            )
    try:  # before any notebook runs: a read-only, full or forbidden folder fails now
        runner.check_output_folder(output, replaced=args.command == "build")
    except ValueError as exc:
        raise UsageError(f"--output: {exc}") from None
    return notebooks, output


def _course_notebooks() -> list[Path]:
    """Return the course notebooks, or an empty list when there are none."""
    from lecture_nn.tooling import paths

    try:
        return paths.course_notebooks()
    except FileNotFoundError:
        return []


def _check_kernel(name: str) -> None:
    """Raise UsageError unless a Jupyter kernel called ``name`` is installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = sorted(KernelSpecManager().find_kernel_specs())
    if name not in installed:
        raise UsageError(f"--kernel: no kernel named {name!r}; installed: {', '.join(installed)}")


def _result_line(result: NotebookResult, ok: bool, width: int) -> str:
    """Format the line of one notebook: name, seconds, ok or FAILED, and any warnings."""
    name = f"{result.path.name:<{width}}"
    status = "ok" if ok else "FAILED"
    return f"{name}  {result.seconds:6.1f} s  {status}{_warning_note(len(result.warnings))}"


def _result_details(result: NotebookResult, verbose: bool, strict_warnings: bool) -> list[str]:
    """Return the lines explaining a result.

    Where it failed and the error's whole message, then (when asked for) the traceback,
    the kernel's own output and the warnings.
    """
    lines = []
    if not result.ok:
        if result.failed_cell_index is None:
            lines.append("before any cell ran:")
        else:
            source = next((s for s in result.failed_source.splitlines() if s.strip()), "")
            lines.append(
                f"in cell {result.failed_cell_index + 1} "
                f"(code cell {result.failed_code_cell}): {source.strip()}"
            )
        first, *rest = result.error_message.splitlines() or [""]
        lines.append(f"{result.error_name}: {first}".rstrip())
        lines += rest
        if verbose and result.traceback:
            lines += ["", *result.traceback.splitlines()]
        if verbose and result.kernel_log.strip():
            lines += ["", "the kernel's own output:", *result.kernel_log.strip().splitlines()]
    if verbose or (strict_warnings and result.warnings):
        lines += [f"warning: {line}" for line in result.warnings]
    return lines


# --- check and strip -----------------------------------------------------------------------


def _cmd_check(_args: argparse.Namespace, _extra: list[str]) -> int:
    """Print the environment report."""
    from lecture_nn.tooling.environment import environment_report, format_report

    print(format_report(environment_report()))
    return 0


def _cmd_data(args: argparse.Namespace, _extra: list[str]) -> int:
    """Show, verify, fetch or import Fashion-MNIST; 1 when no verified copy is available."""
    from lecture_nn.datasets import loader as fm

    cache_dir = Path(args.cache_dir).expanduser() if args.cache_dir else fm.default_cache_dir()
    if args.fetch or args.from_dir:
        if args.from_dir and not Path(args.from_dir).is_dir():
            raise UsageError(f"--from: {args.from_dir} is not a folder")
        try:
            _, where = fm.load_arrays(
                source="folder" if args.from_dir else None,
                data_dir=args.from_dir,
                cache_dir=cache_dir,
            )
        except fm.DataUnavailableError as exc:
            print(f"{PROG} data: {exc}", file=sys.stderr)
            return 1
        print(f"loaded and verified from {where}")
    statuses = fm.source_status(cache_dir=cache_dir, verify=True)
    width = max(len(status.kind) for status in statuses)
    print("Fashion-MNIST sources, in the order they are tried:")
    for status in statuses:
        mark = "ok" if status.available else "--"
        print(f"  {mark}  {status.kind:<{width}}  {status.location}  ({status.detail})")
    cache_file = cache_dir / fm.CACHE_FILE_NAME
    if cache_file.is_file():
        print(f"cache: {cache_file} ({cache_file.stat().st_size / 2**20:.1f} MiB)")
    else:
        print(f"cache: {cache_file} (not created yet)")
    if not any(status.available for status in statuses):
        print(fm.FIX_HINTS, file=sys.stderr)
        return 1
    return 0


def _cmd_strip(args: argparse.Namespace, _extra: list[str]) -> int:
    """Strip outputs from the given notebook files in place; 1 if one could not be read."""
    from lecture_nn.tooling.notebook_runner import strip_file

    paths = [Path(name) for name in args.notebooks]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise UsageError(f"no such notebook file: {', '.join(missing)}")
    status = 0
    for path in paths:
        try:
            changed = strip_file(path)
        except (OSError, ValueError) as exc:
            print(f"{PROG} strip: cannot strip {path}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{'stripped' if changed else 'unchanged'}  {path}")
    return status


def _cmd_solutions(args: argparse.Namespace, _extra: list[str]) -> int:
    """Write solved copies of notebooks; print one line per notebook written."""
    from lecture_nn.tooling.solutions import write_solutions

    notebooks, output = _notebooks_and_output(args)
    if not notebooks:
        print(f"{PROG} solutions: no course notebooks found, and none given", file=sys.stderr)
        return 1
    try:
        written = write_solutions(notebooks, output)
    except (OSError, ValueError) as exc:  # an unreadable notebook, an unknown exercise ...
        print(f"{PROG} solutions: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
