"""The IDX reader against gzip bombs, lying headers and truncated files.

A gzip bomb is a small file that decompresses to far more than its header announces. The
reader must refuse it after decompressing about what the header says, not after
decompressing everything (before the fix a 2.6 MB bomb took 5 GB of memory).
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from fashion_data import official_idx_folder

from lecture_nn.datasets import loader as fm
from lecture_nn.datasets.idx import IDXFormatError, idx_bytes, idx_sha256, parse_idx, read_idx_file

BOMB_BYTES = 400 * 2**20  # what the bomb decompresses to: 400 MiB of zeros
LABELS_SHAPE = (60_000,)


def write_gzip(path, header: bytes, n_zeros: int, level: int = 1) -> None:
    """Write ``header`` then ``n_zeros`` zero bytes, gzip-compressed, without holding them."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)
    block = bytes(2**20)
    with path.open("wb") as handle:
        handle.write(packer.compress(header))
        for start in range(0, n_zeros, len(block)):
            handle.write(packer.compress(block[: min(len(block), n_zeros - start)]))
        handle.write(packer.flush())


def labels_header(*shape: int) -> bytes:
    """An unsigned-byte IDX header for ``shape``."""
    return struct.pack(f">HBB{len(shape)}I", 0, 0x08, len(shape), *shape)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """Official labels header (60,000 labels) followed by 400 MiB of zeros, gzip'd (~0.4 MB)."""
    path = tmp_path_factory.mktemp("bomb") / "train-labels-idx1-ubyte.gz"
    write_gzip(path, labels_header(*LABELS_SHAPE), BOMB_BYTES)
    assert path.stat().st_size < 2 * 2**20
    return path


def peak_memory(function) -> tuple[BaseException | None, int]:
    """Run ``function``; return what it raised (or None) and the peak of traced allocations."""
    tracemalloc.start()
    try:
        function()
    except Exception as error:  # the caller checks which error
        raised = error
    else:
        raised = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


def test_gzip_bomb_is_refused_with_little_memory(bomb):
    raised, peak = peak_memory(lambda: read_idx_file(bomb, shape=LABELS_SHAPE))
    assert isinstance(raised, IDXFormatError)
    assert "more data than the header" in str(raised)
    assert bomb.name in str(raised)
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.0f} MiB while refusing a bomb"


def test_gzip_bomb_without_expected_shape_is_capped(bomb):
    raised, peak = peak_memory(lambda: read_idx_file(bomb))
    assert isinstance(raised, IDXFormatError)
    assert peak < 8 * 2**20


def test_header_announcing_a_huge_array_is_refused_before_decompressing(tmp_path):
    """A header announcing 4 GB is refused from the header alone (only it is decompressed)."""
    path = tmp_path / "huge-idx1-ubyte.gz"
    write_gzip(path, labels_header(2**32 - 1), 2**20)
    for shape, expected in ((LABELS_SHAPE, "expected (60000,)"), (None, "more than the")):
        raised, peak = peak_memory(lambda shape=shape: read_idx_file(path, shape=shape))
        assert isinstance(raised, IDXFormatError)
        assert expected in str(raised)
        assert "4,294,967,295" in str(raised) or "4294967295" in str(raised)
        assert peak < 2 * 2**20


def test_bomb_in_the_data_folder_gives_a_clear_loader_error(tmp_path, monkeypatch, bomb):
    """The loader names the file and the reason, and the other sources are still tried."""
    folder = tmp_path / "data"
    shutil.copytree(official_idx_folder(), folder)
    shutil.copy(bomb, folder / bomb.name)
    monkeypatch.setattr(fm, "SOURCES", ("folder", "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(fm.DataUnavailableError) as caught:
        fm.load_fashion_mnist(source="folder", data_dir=folder, cache_dir=tmp_path / "cache")
    line = next(line for line in str(caught.value).splitlines() if "- folder:" in line)
    assert "train-labels-idx1-ubyte.gz" in line
    assert "more data than the header" in line


@pytest.mark.parametrize("compressed", [True, False], ids=["gz", "plain"])
def test_good_files_read_back_exactly(tmp_path, compressed):
    """A well-formed file round-trips: bytes and SHA-256 equal those of the encoded array."""
    array = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    raw = labels_header(3, 4, 5) + array.tobytes()
    path = tmp_path / ("a.idx.gz" if compressed else "a.idx")
    path.write_bytes(gzip.compress(raw) if compressed else raw)
    got, digest = read_idx_file(path, shape=(3, 4, 5))
    assert got == raw
    assert digest == hashlib.sha256(raw).hexdigest()


def test_two_gzip_members_are_one_file(tmp_path):
    """gzip allows concatenated members (``cat a.gz b.gz``); they decompress as one file."""
    raw = labels_header(6) + bytes(range(6))
    path = tmp_path / "two.idx.gz"
    path.write_bytes(gzip.compress(raw[:5]) + gzip.compress(raw[5:]))
    assert read_idx_file(path, shape=(6,))[0] == raw


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (labels_header(10) + bytes(4), "4 bytes of data, but the header"),
        (labels_header(10)[:6], "truncated header"),
        (b"\x00\x00\x0d\x01" + bytes(8), "not an unsigned-byte IDX file"),
        (b"\x00", "too short"),
    ],
    ids=["short-data", "short-header", "float-type", "tiny"],
)
def test_malformed_files_are_refused(tmp_path, content, message):
    for name, data in (("a.idx", content), ("a.idx.gz", gzip.compress(content))):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IDXFormatError, match=message):
            read_idx_file(path)


def test_gzip_cut_inside_the_data_is_refused(tmp_path):
    path = tmp_path / "cut.idx.gz"
    path.write_bytes(gzip.compress(labels_header(5000) + bytes(range(256)) * 20)[:60])
    with pytest.raises(IDXFormatError, match="not a complete gzip file"):
        read_idx_file(path)


# --- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "error"),
    [
        (np.zeros((2, 3)), ValueError),  # float, not uint8
        (np.zeros((2, 3), dtype=complex), ValueError),
        (np.uint8(3), ValueError),  # no axis
        (None, ValueError),
    ],
)
def test_idx_sha256_refuses_what_idx_cannot_store(array, error):
    with pytest.raises(error, match=r"\barray\b.*uint8"):
        idx_sha256(array)


def test_idx_sha256_matches_the_bytes_it_hashes():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)[:, ::2]  # not contiguous
    assert idx_sha256(array) == hashlib.sha256(idx_bytes(array)).hexdigest()


@pytest.mark.parametrize(
    ("data", "error"),
    [("text", TypeError), (3, TypeError), (None, TypeError), (b"", IDXFormatError)],
)
def test_parse_idx_names_data(data, error):
    with pytest.raises(error, match=r"\bdata\b"):
        parse_idx(data)


@pytest.mark.parametrize(("name", "error"), [(3, TypeError), (b"x", TypeError), ("", ValueError)])
def test_parse_idx_names_name(name, error):
    with pytest.raises(error, match=r"\bname\b"):
        parse_idx(idx_bytes(np.zeros(3, dtype=np.uint8)), name=name)


@pytest.mark.parametrize(
    ("kwargs", "argument", "error"),
    [
        ({"path": 3}, "path", TypeError),
        ({"path": None}, "path", TypeError),
        ({"max_bytes": 0}, "max_bytes", ValueError),
        ({"max_bytes": 2.5}, "max_bytes", TypeError),
        ({"max_bytes": True}, "max_bytes", TypeError),
    ],
)
def test_read_idx_file_names_a_bad_argument(tmp_path, kwargs, argument, error):
    path = tmp_path / "a-idx1-ubyte"
    path.write_bytes(idx_bytes(np.zeros(3, dtype=np.uint8)))
    with pytest.raises(error, match=rf"\b{argument}\b"):
        read_idx_file(**{"path": path, **kwargs})
