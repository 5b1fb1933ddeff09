"""Atomic writes: permission bits, leftovers of killed writers and their clean-up."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from lecture_nn.tooling import atomic
from lecture_nn.tooling.atomic import remove_stale_temporaries, write_atomic


@pytest.mark.parametrize("mode", [-1, 0o1000, 0o4755, 0o7777, 2**40])
def test_mode_outside_the_permission_bits_is_refused(tmp_path, mode):
    """Before the fix ``mode=-1`` created a file with setuid, setgid and sticky bits set."""
    target = tmp_path / "f"
    with pytest.raises(ValueError, match=r"mode must be an integer"):
        write_atomic(target, b"x", mode=mode)
    assert not target.exists()
    assert os.listdir(tmp_path) == [], "no temporary file left behind"


@pytest.mark.parametrize("mode", ["0o644", 6.44, True])
def test_mode_of_the_wrong_type_is_refused(tmp_path, mode):
    with pytest.raises(TypeError, match="mode must be an integer"):
        write_atomic(tmp_path / "f", b"x", mode=mode)


@pytest.mark.parametrize("mode", [0o600, 0o644, np.int64(0o640), 0o777, 0])
def test_permission_bits_are_applied_exactly(tmp_path, mode):
    target = tmp_path / "f"
    write_atomic(target, b"data", mode=mode)
    assert stat.S_IMODE(target.stat().st_mode) == int(mode)
    assert target.read_bytes() == b"data"


def test_replacing_a_setuid_file_does_not_copy_the_special_bits(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    os.chmod(target, 0o4755)
    write_atomic(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_a_writer_killed_mid_write_leaves_a_file_that_is_then_removed(tmp_path):
    """kill -9 inside atomic_writer leaves the temporary file; the clean-up removes it."""
    target = tmp_path / "cache.npz"
    script = textwrap.dedent(
        f"""
        import sys, time
        from lecture_nn.tooling.atomic import atomic_writer
        with atomic_writer({str(target)!r}) as handle:
            handle.write(bytes(1 << 20))
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    leftovers = list(tmp_path.glob(".cache.npz.*.tmp"))
    assert len(leftovers) == 1
    assert remove_stale_temporaries(target) == [], "the writer still runs: keep its file"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    writer.stdout.close()
    assert leftovers[0].exists(), "kill -9 leaves the temporary file"
    assert not target.exists()
    assert remove_stale_temporaries(target) == leftovers
    assert list(tmp_path.iterdir()) == []


def test_old_leftovers_are_removed_whatever_their_name_says(tmp_path):
    target = tmp_path / "out.bin"
    mine = tmp_path / f".out.bin.{atomic._host()}-{os.getpid()}.a.tmp"
    unknown = tmp_path / ".out.bin.q7x.tmp"
    other_host = tmp_path / ".out.bin.elsewhere-1.b.tmp"
    unrelated = tmp_path / ".other.bin.q7x.tmp"
    for path in (mine, unknown, other_host, unrelated):
        path.write_bytes(b"partial")
    assert remove_stale_temporaries(target) == [], "young files of unknown writers stay"
    two_hours_ago = time.time() - 7200
    for path in (mine, unknown, other_host, unrelated):
        os.utime(path, (two_hours_ago, two_hours_ago))
    removed = remove_stale_temporaries(target)
    assert sorted(removed) == sorted([mine, unknown, other_host])
    assert unrelated.exists(), "only leftovers of this target are touched"


def test_glob_characters_in_the_name_are_literal(tmp_path):
    target = tmp_path / "a[1]*.bin"
    leftover = tmp_path / ".a[1]*.bin.x.tmp"
    decoy = tmp_path / ".a1zz.bin.x.tmp"
    for path in (leftover, decoy):
        path.write_bytes(b"")
        os.utime(path, (0, 0))
    assert remove_stale_temporaries(target) == [leftover]
    assert decoy.exists()


def _write_with_the_context_manager(path, data):
    with atomic.atomic_writer(path) as handle:
        handle.write(data)


@pytest.mark.parametrize("writer", [write_atomic, _write_with_the_context_manager])
@pytest.mark.parametrize("inside", ["f", "inner/f"])
def test_a_path_inside_a_file_is_refused_naming_path(tmp_path, writer, inside):
    """Before the fix this was a NotADirectoryError about the temporary file's name."""
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    with pytest.raises(ValueError, match=r"path .* lies inside .*file, which is not a folder"):
        writer(blocker / inside, b"data")
    assert blocker.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_folder_as_target_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="path .* is a folder"):
        write_atomic(tmp_path, b"data")
    assert list(tmp_path.iterdir()) == [], "no temporary file left behind"


@pytest.mark.parametrize("bad", [3, None, b"/tmp/f", ""])
def test_a_path_that_is_not_a_path_is_refused(tmp_path, bad):
    """Before the fix remove_stale_temporaries(3) failed inside pathlib without naming path."""
    for call in (lambda: write_atomic(bad, b"x"), lambda: remove_stale_temporaries(bad)):
        with pytest.raises((TypeError, ValueError), match="path must be"):
            call()


def test_an_empty_file_can_be_written(tmp_path):
    write_atomic(tmp_path / "empty", b"")
    assert (tmp_path / "empty").read_bytes() == b""


@pytest.mark.parametrize(
    ("older_than", "error"),
    [(-1, ValueError), (float("nan"), ValueError), ("600", TypeError), (True, TypeError)],
)
def test_a_bad_age_limit_is_refused(tmp_path, older_than, error):
    """Before the fix NaN (every comparison false) silently meant "never stale by age"."""
    with pytest.raises(error, match="older_than must be"):
        remove_stale_temporaries(tmp_path / "f", older_than=older_than)


def test_an_infinite_age_limit_removes_only_files_of_ended_writers(tmp_path):
    """older_than=inf: a file of this (live) process stays however old; a dead writer's goes."""
    target = tmp_path / "out.bin"
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    live = tmp_path / f".out.bin.{atomic._host()}-{os.getpid()}.a.tmp"
    dead = tmp_path / f".out.bin.{atomic._host()}-{dead_pid}.b.tmp"
    for path in (live, dead):
        path.write_bytes(b"partial")
        os.utime(path, (0, 0))
    assert remove_stale_temporaries(target, older_than=float("inf")) == [dead]
    assert live.exists()
