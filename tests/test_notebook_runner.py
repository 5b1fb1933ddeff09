"""Tests for lecture_nn.tooling.notebook_runner: headless execution, failures, stripping outputs.

The notebooks are built with nbformat in temporary folders and executed by a real kernel.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)
from notebook_files import save_notebook

from lecture_nn.tooling.atomic import write_atomic
from lecture_nn.tooling.notebook_runner import (
    check_output_folder,
    execute_notebook,
    find_warnings,
    kernel_environment,
    resolve_notebooks,
    strip_file,
    strip_outputs,
    write_notebook,
)

#: A 1x1 PNG image, base64-encoded as in a notebook's display data.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAC"
    "hwGA60e6kgAAAABJRU5ErkJggg=="
)


def make_notebook(path: Path, *cells: str | nbformat.NotebookNode) -> Path:
    """Write a notebook whose cells are code cells (plain strings) or the given cell nodes."""
    return save_notebook(
        path, [new_code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    )


def stream_text(cell: nbformat.NotebookNode, name: str = "stdout") -> str:
    """Return everything a cell printed on the stream ``name``."""
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


@pytest.fixture(scope="module")
def succeeded(tmp_path_factory):
    """Execute a notebook that runs through; return (result, executed notebook, source path)."""
    folder = tmp_path_factory.mktemp("ok")
    source = make_notebook(
        folder / "src" / "good.ipynb",
        new_markdown_cell("# A title"),
        "print('hello from the kernel')",
        "2 + 3",
    )
    result = execute_notebook(source, folder / "out", timeout=60)
    return result, nbformat.read(folder / "out" / "good.ipynb", as_version=4), source


@pytest.fixture(scope="module")
def failed(tmp_path_factory):
    """Execute a notebook whose third code cell raises; return (result, executed notebook)."""
    folder = tmp_path_factory.mktemp("failing")
    stale = new_code_cell("print('after')")
    stale.outputs = [new_output("stream", name="stdout", text="stale output\n")]
    stale.execution_count = 7
    source = make_notebook(
        folder / "bad.ipynb",
        new_markdown_cell("Intro"),
        "x = 1",
        "print('before', x)",
        new_markdown_cell("Now it breaks"),
        "raise ValueError('boom')",
        stale,
    )
    result = execute_notebook(source, folder / "out", timeout=60)
    return result, nbformat.read(folder / "out" / "bad.ipynb", as_version=4)


def test_successful_notebook_writes_executed_copy(succeeded):
    result, executed, source = succeeded
    assert result.ok
    assert result.output_path == source.parent.parent / "out" / "good.ipynb"
    assert result.failed_cell_index is None
    assert result.error_name == ""
    assert result.warnings == []
    assert result.seconds > 0
    assert "hello from the kernel" in stream_text(executed.cells[1])
    assert executed.cells[2].outputs[0].data["text/plain"] == "5"
    assert [cell.execution_count for cell in executed.cells[1:]] == [1, 2]
    assert executed.metadata.language_info.name == "python"
    # The source notebook itself is left as it was.
    assert all(cell.get("outputs", []) == [] for cell in nbformat.read(source, 4).cells)


def test_failing_cell_is_reported_with_its_position_and_error(failed):
    result, _executed = failed
    assert not result.ok
    assert result.failed_cell_index == 4  # 0-based among all cells, markdown included
    assert result.failed_code_cell == 3
    assert result.failed_source == "raise ValueError('boom')"
    assert result.error_name == "ValueError"
    assert result.error_message == "boom"
    assert "\x1b[" not in result.traceback
    assert "ValueError" in result.traceback


def test_failing_notebook_is_written_partially_and_stops(failed):
    result, executed = failed
    assert result.output_path is not None
    assert result.output_path.is_file()
    assert "before 1" in stream_text(executed.cells[2])
    errors = [o for o in executed.cells[4].outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    last = executed.cells[5]
    assert last.outputs == []  # not executed, and the stale output is gone
    assert last.execution_count is None


def test_whole_error_message_is_kept(tmp_path):
    source = make_notebook(tmp_path / "m.ipynb", "raise RuntimeError('first\\n  second\\nthird')")
    result = execute_notebook(source, tmp_path / "out", timeout=60)
    assert result.error_message == "first\n  second\nthird"


def test_the_kernel_talks_over_local_sockets_and_its_own_output_is_kept_apart(succeeded):
    result, _executed, _source = succeeded
    # Over TCP ipykernel 7 warns "Kernel is running over TCP without encryption" on the
    # terminal; over local sockets it has nothing to say.
    assert "without encryption" not in result.kernel_log
    if os.name == "posix":
        assert result.kernel_log == ""


def test_check_output_folder_creates_a_missing_folder(tmp_path):
    check_output_folder(tmp_path / "new" / "out")
    assert (tmp_path / "new" / "out").is_dir()
    assert list((tmp_path / "new" / "out").iterdir()) == []  # the probe file is gone
    check_output_folder(tmp_path / "site" / "out", replaced=True)
    assert (tmp_path / "site").is_dir()
    assert not (tmp_path / "site" / "out").exists()  # replaced as a whole later


@pytest.mark.parametrize(
    ("relative", "message"),
    [("a_file", "exists and is not a folder"), ("a_file/out", "cannot write to")],
)
def test_check_output_folder_refuses_what_cannot_be_written(tmp_path, relative, message):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        check_output_folder(tmp_path / relative)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's /proc")
def test_check_output_folder_finds_a_file_system_that_takes_no_files():
    # /proc takes no new files, not even from root (who passes every permission check).
    with pytest.raises(ValueError, match="cannot write to /proc/lecture-nn: "):
        check_output_folder(Path("/proc/lecture-nn"))


def test_warnings_in_outputs_are_counted(tmp_path):
    source = make_notebook(
        tmp_path / "warn.ipynb",
        "import warnings\nwarnings.warn('x', UserWarning)",
        "import sys\nprint('no problem here', file=sys.stderr)",
    )
    result = execute_notebook(source, tmp_path / "out", timeout=60)
    assert result.ok
    assert len(result.warnings) == 1
    assert "UserWarning: x" in result.warnings[0]


def test_find_warnings_ignores_stdout_and_indented_source_lines():
    cell = new_code_cell("")
    cell.outputs = [
        new_output("stream", name="stdout", text="UserWarning: printed on stdout\n"),
        new_output(
            "stream",
            name="stderr",
            text="f.py:1: RuntimeWarning: overflow\n  warnings.warn('overflow', RuntimeWarning)\n",
        ),
    ]
    nb = new_notebook(cells=[cell])
    assert find_warnings(nb) == ["f.py:1: RuntimeWarning: overflow"]


def test_kernel_sees_headless_flag(tmp_path, monkeypatch):
    monkeypatch.delenv("LECTURE_NN_HEADLESS", raising=False)
    source = make_notebook(
        tmp_path / "env.ipynb", "import os\nprint(repr(os.environ.get('LECTURE_NN_HEADLESS')))"
    )
    execute_notebook(source, tmp_path / "out", timeout=60)
    executed = nbformat.read(tmp_path / "out" / "env.ipynb", as_version=4)
    assert stream_text(executed.cells[0]).strip() == "'1'"
    assert "LECTURE_NN_HEADLESS" not in os.environ  # only the kernel got it


def test_kernel_runs_in_the_notebooks_folder(tmp_path, monkeypatch):
    folder = tmp_path / "deep" / "course"
    folder.mkdir(parents=True)
    (folder / "data.txt").write_text("relative data", encoding="utf-8")
    source = make_notebook(
        folder / "cwd.ipynb",
        "import os\nprint(os.getcwd())",
        "print(open('data.txt').read())",
    )
    monkeypatch.chdir(tmp_path)
    result = execute_notebook(Path("deep/course/cwd.ipynb"), Path("elsewhere"), timeout=60)
    assert result.ok, result.traceback
    executed = nbformat.read(tmp_path / "elsewhere" / "cwd.ipynb", as_version=4)
    assert Path(stream_text(executed.cells[0]).strip()).resolve() == folder.resolve()
    assert "relative data" in stream_text(executed.cells[1])
    assert source.is_file()


def test_cell_timeout_is_a_failure(tmp_path):
    source = make_notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(60)")
    result = execute_notebook(source, tmp_path / "out", timeout=2)
    assert not result.ok
    assert result.failed_cell_index == 1
    assert "Timeout" in result.error_name
    assert result.seconds < 50


def test_unknown_kernel_is_a_failure_before_any_cell(tmp_path):
    source = make_notebook(tmp_path / "k.ipynb", "print(1)")
    result = execute_notebook(source, tmp_path / "out", timeout=60, kernel_name="no-such-kernel")
    assert not result.ok
    assert result.failed_cell_index is None
    assert "no-such-kernel" in result.error_message or "NoSuchKernel" in result.error_name


def test_unreadable_notebook_is_reported_not_raised(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json", encoding="utf-8")
    result = execute_notebook(broken, tmp_path / "out")
    assert not result.ok
    assert result.output_path is None
    assert result.error_message
    assert not (tmp_path / "out").exists()


def test_output_folder_holds_no_temporary_files(succeeded, failed):
    for result in (succeeded[0], failed[0]):
        assert result.output_path is not None
        assert sorted(p.name for p in result.output_path.parent.iterdir()) == [
            result.output_path.name
        ]


def test_write_atomic_replaces_and_cleans_up_after_a_failure(tmp_path):
    target = tmp_path / "file.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def notebook_with_outputs() -> nbformat.NotebookNode:
    """Return a notebook with images, HTML, text and widget state, as after a run."""
    plain = new_code_cell("plot()", execution_count=1)
    plain.outputs = [
        new_output("stream", name="stdout", text="untagged text\n"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
    ]
    tagged = new_code_cell("print('checked'); table()", execution_count=2)
    tagged.metadata["tags"] = ["nbval-check-output"]
    tagged.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    tagged.outputs = [
        new_output("stream", name="stdout", text="checked\n"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure 1>"}),
        new_output(
            "execute_result",
            data={"text/html": "<table></table>", "text/plain": "a table"},
            execution_count=2,
        ),
        new_output("display_data", data={"text/html": "<b>html only</b>"}),
        new_output("error", ename="ValueError", evalue="x", traceback=[]),
    ]
    commented = new_code_cell("# NBVAL_CHECK_OUTPUT\n1 + 1", execution_count=3)
    commented.outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    nb = new_notebook(cells=[new_markdown_cell("# Title"), plain, tagged, commented])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_strip_outputs_keeps_only_text_of_tagged_cells():
    nb = notebook_with_outputs()
    stripped = strip_outputs(nb)
    nbformat.validate(stripped)
    _markdown, plain, tagged, commented = stripped.cells
    assert plain.outputs == []
    # nbval needs an execution count on a reference cell with outputs: kept cells count 1, 2
    assert [cell.execution_count for cell in stripped.cells[1:]] == [None, 1, 2]
    assert [o.output_type for o in tagged.outputs] == ["stream", "display_data", "execute_result"]
    assert tagged.outputs[0].text == "checked\n"
    assert tagged.outputs[1].data == {"text/plain": "<Figure 1>"}
    assert tagged.outputs[2].data == {"text/plain": "a table"}
    assert tagged.outputs[2].execution_count == 1
    assert commented.outputs[0].execution_count == 2
    assert "execution" not in tagged.metadata
    assert tagged.metadata["tags"] == ["nbval-check-output"]
    assert commented.outputs[0].data == {"text/plain": "2"}
    assert "widgets" not in stripped.metadata
    assert "image/png" not in nbformat.writes(stripped)
    # The original is untouched.
    assert len(nb.cells[1].outputs) == 2
    assert nb.cells[2].execution_count == 2
    assert "widgets" in nb.metadata


def test_strip_outputs_with_another_tag():
    nb = notebook_with_outputs()
    nb.cells[1].metadata["tags"] = ["keep"]
    stripped = strip_outputs(nb, keep_tag="keep")
    assert stripped.cells[1].outputs[0].text == "untagged text\n"
    assert stripped.cells[2].outputs == []


def test_strip_file_rewrites_in_place_once(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook_with_outputs(), path)
    assert strip_file(path) is True
    assert "image/png" not in path.read_text(encoding="utf-8")
    assert strip_file(path) is False
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


def test_resolve_notebooks_by_file_stem_or_prefix(tmp_path):
    course = [tmp_path / "01_architecture.ipynb", tmp_path / "02_training.ipynb"]
    loose = make_notebook(tmp_path / "other" / "mine.ipynb", "1")
    assert resolve_notebooks(["01", "02_training"], course) == course
    assert resolve_notebooks(["01_architecture.ipynb"], course) == course[:1]
    assert resolve_notebooks([str(loose)], course) == [loose]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["07"], "'07' is no notebook file; course notebooks: 01_architecture, 01_bis"),
        (["0"], "'0' fits several course notebooks"),
    ],
)
def test_resolve_notebooks_rejects_unknown_and_ambiguous(tmp_path, names, message):
    course = [tmp_path / "01_architecture.ipynb", tmp_path / "01_bis.ipynb"]
    with pytest.raises(ValueError, match=message):
        resolve_notebooks(names, course)


def test_resolve_notebooks_rejects_clashing_file_names(tmp_path):
    first = make_notebook(tmp_path / "a" / "same.ipynb", "1")
    second = make_notebook(tmp_path / "b" / "same.ipynb", "1")
    with pytest.raises(ValueError, match="same file name"):
        resolve_notebooks([str(first), str(second)], [])


def test_kernel_environment_is_a_copy_with_the_headless_settings():
    base = {"MPLBACKEND": "TkAgg", "PATH": "/bin"}
    env = kernel_environment(headless=True, base=base)
    assert env["LECTURE_NN_HEADLESS"] == "1"
    assert "MPLBACKEND" not in env
    assert base == {"MPLBACKEND": "TkAgg", "PATH": "/bin"}
    assert "LECTURE_NN_HEADLESS" not in kernel_environment(headless=False, base=base)


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda p: kernel_environment("False"), TypeError, "headless"),
        (lambda p: kernel_environment(True, base=[1]), TypeError, "base"),
        (lambda p: check_output_folder(3), TypeError, "folder"),
        (lambda p: check_output_folder(p, replaced="yes"), TypeError, "replaced"),
        (lambda p: check_output_folder(Path("/dev/null/x")), ValueError, "folder"),
        (lambda p: resolve_notebooks("01", [p]), TypeError, "names"),
        (lambda p: resolve_notebooks([3], [p]), TypeError, "names"),
        (lambda p: resolve_notebooks(["01"], "x"), TypeError, "course"),
        (lambda p: resolve_notebooks(["01"], [3]), TypeError, "course"),
        (lambda p: find_warnings(None), TypeError, "nb"),
        (lambda p: strip_outputs("x"), TypeError, "nb"),
        (lambda p: strip_outputs(new_notebook(), keep_tag=3), TypeError, "keep_tag"),
        (lambda p: strip_file(3), TypeError, "path"),
        (lambda p: strip_file(p, keep_tag=None), TypeError, "keep_tag"),
        (lambda p: write_notebook(3, p), TypeError, "nb"),
        (lambda p: write_notebook(new_notebook(), None), TypeError, "path"),
        (lambda p: write_notebook(new_notebook(), "/dev/null/x.ipynb"), ValueError, "path"),
    ],
)
def test_bad_arguments_are_refused_with_their_name(tmp_path, call, error, argument):
    """Wrong types and unusable places raise a TypeError/ValueError naming the argument."""
    path = make_notebook(tmp_path / "01_a.ipynb", "1 + 1")
    with pytest.raises(error, match=rf"\b{argument}\b"):
        call(path)
