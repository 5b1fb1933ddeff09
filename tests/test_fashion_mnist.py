"""The Fashion-MNIST loader on the real files: official split, checksums, cache, failures."""

import gzip
import hashlib
import os
import shutil
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from fashion_data import FILE_NAMES, official_idx_folder

from lecture_nn.datasets import loader as fm
from lecture_nn.tooling.cli import main as cli_main

# The official decompressed SHA-256s, as published with the data set (independent of the code).
OFFICIAL_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


@pytest.fixture(scope="module")
def idx_folder():
    return official_idx_folder()


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No source but the ones a test names: empty Keras home, no Debian folder, no network."""
    monkeypatch.delenv("LECTURE_NN_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(fm, "SOURCES", ("folder", "cache", "keras", "debian"))
    return tmp_path


def official_labels(folder, stem):
    """Labels read straight from the official file with gzip + struct, not with our code."""
    raw = gzip.decompress((folder / f"{stem}.gz").read_bytes())
    magic, count = struct.unpack(">II", raw[:8])
    assert magic == 2049
    return np.frombuffer(raw[8:], dtype=np.uint8), count


@pytest.fixture(scope="module")
def data(idx_folder, tmp_path_factory):
    return fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=tmp_path_factory.mktemp("cache"))


def test_files_have_the_official_checksums(idx_folder):
    for stem, digest in OFFICIAL_SHA256.items():
        raw = gzip.decompress((idx_folder / f"{stem}.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == digest
        assert (
            fm.OFFICIAL_FILES[
                {
                    "train-images-idx3-ubyte": "x_train",
                    "train-labels-idx1-ubyte": "y_train",
                    "t10k-images-idx3-ubyte": "x_test",
                    "t10k-labels-idx1-ubyte": "y_test",
                }[stem]
            ][1]
            == digest
        )


def test_official_split_shapes_and_dtypes(data):
    assert data.x_train.shape == (60_000, 28, 28)
    assert data.x_test.shape == (10_000, 28, 28)
    assert data.y_train.shape == (60_000,)
    assert data.y_test.shape == (10_000,)
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        assert array.dtype == np.uint8
    assert data.x_train.max() == 255
    assert data.class_names[0] == "T-shirt/top"
    assert data.class_names[9] == "Ankle boot"
    (x_train, y_train), (x_test, y_test) = data  # unpacks like keras.datasets
    assert x_train is data.x_train
    assert y_train is data.y_train
    assert x_test is data.x_test
    assert y_test is data.y_test


def test_class_balance(data):
    np.testing.assert_array_equal(np.bincount(data.y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(data.y_test), [1000] * 10)


def test_labels_in_the_original_order(data, idx_folder):
    train, count = official_labels(idx_folder, "train-labels-idx1-ubyte")
    assert count == 60_000
    np.testing.assert_array_equal(data.y_train, train)
    test, _ = official_labels(idx_folder, "t10k-labels-idx1-ubyte")
    np.testing.assert_array_equal(data.y_test, test)
    assert data.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert data.y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]


def test_first_image_matches_the_file(data, idx_folder):
    raw = gzip.decompress((idx_folder / "train-images-idx3-ubyte.gz").read_bytes())
    assert struct.unpack(">IIII", raw[:16]) == (2051, 60_000, 28, 28)
    np.testing.assert_array_equal(data.x_train[0].ravel(), np.frombuffer(raw[16:800], np.uint8))


def test_first_load_fills_the_cache_and_the_second_reads_it(isolated, idx_folder):
    cache = isolated / "cache"
    first = fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=cache)
    assert first.source.startswith("folder")
    assert (cache / fm.CACHE_FILE_NAME).is_file()
    assert [p.name for p in cache.iterdir()] == [fm.CACHE_FILE_NAME]  # no temporary files
    second = fm.load_fashion_mnist(cache_dir=cache)
    assert second.source.startswith("cache")
    np.testing.assert_array_equal(second.x_test, first.x_test)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupted_cache_is_detected_and_rebuilt(isolated, idx_folder, damage):
    cache = isolated / "cache"
    fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=cache)
    path = cache / fm.CACHE_FILE_NAME
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        data[len(data) // 2] ^= 0xFF  # one pixel in the middle of the training images
        path.write_bytes(bytes(data))
    with pytest.raises(fm.SourceError, match="cache .* (corrupted|unreadable)"):
        fm.read_cache(path)
    again = fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=cache)
    assert again.source.startswith("folder")  # not the damaged cache
    assert again.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert fm.read_cache(path)["x_train"].shape == (60_000, 28, 28)  # rebuilt and valid


def test_damaged_source_file_is_refused(isolated, idx_folder):
    copy = isolated / "damaged"
    shutil.copytree(idx_folder, copy)
    labels = copy / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one wrong label, still a valid file
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(fm.DataUnavailableError, match="t10k-labels.*SHA-256"):
        fm.load_fashion_mnist(data_dir=copy, cache_dir=isolated / "cache")
    assert not (isolated / "cache" / fm.CACHE_FILE_NAME).exists()


def test_truncated_gzip_is_refused_clearly(isolated, idx_folder):
    copy = isolated / "truncated"
    shutil.copytree(idx_folder, copy)
    images = copy / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:1000])
    with pytest.raises(fm.DataUnavailableError, match="not a complete gzip file"):
        fm.load_fashion_mnist(data_dir=copy, cache_dir=isolated / "cache")


def test_uncompressed_idx_files_are_read(isolated, idx_folder):
    plain = isolated / "plain"
    plain.mkdir()
    for name in FILE_NAMES:
        (plain / name[:-3]).write_bytes(gzip.decompress((idx_folder / name).read_bytes()))
    data = fm.load_fashion_mnist(source="folder", data_dir=plain, cache_dir=isolated / "c")
    assert data.x_test.shape == (10_000, 28, 28)


def test_environment_variable_names_the_folder(isolated, idx_folder, monkeypatch):
    monkeypatch.setenv("LECTURE_NN_DATA", str(idx_folder))
    data = fm.load_fashion_mnist(cache_dir=isolated / "cache")
    assert data.source == f"folder {idx_folder}"


def test_keras_cache_folder_is_a_source(isolated, idx_folder, monkeypatch):
    keras_dir = isolated / "keras-home" / "datasets" / "fashion-mnist"
    shutil.copytree(idx_folder, keras_dir)
    data = fm.load_fashion_mnist(cache_dir=isolated / "cache")
    assert data.source == f"keras {keras_dir}"


def test_no_source_gives_one_clear_error_and_leaves_nothing(isolated):
    cache = isolated / "cache"
    with pytest.raises(fm.DataUnavailableError) as caught:
        fm.load_fashion_mnist(cache_dir=cache)
    message = str(caught.value)
    for expected in ("cache:", "keras:", "debian:", "LECTURE_NN_DATA", "apt-get install"):
        assert expected in message
    # A kernel keeps the environment it started with: a LECTURE_NN_DATA set afterwards in a
    # terminal only takes effect after a restart, or when set in the notebook.
    assert "restart the kernel" in message
    assert "%env LECTURE_NN_DATA=" in message
    assert not cache.exists() or list(cache.iterdir()) == []
    # In a notebook IPython shows the message alone, without the traceback above it.
    assert caught.value._render_traceback_() == [
        f"DataUnavailableError: {message.splitlines()[0]}",
        *message.splitlines()[1:],
    ]


def test_unwritable_cache_still_returns_data_and_says_so(isolated, idx_folder):
    blocker = isolated / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(fm.CacheNotWrittenWarning, match="could not be written"):
        data = fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=blocker / "cache")
    assert data.x_train.shape == (60_000, 28, 28)


def test_read_only_cache_folder(isolated, idx_folder):
    if os.geteuid() == 0:
        # root writes into a chmod 555 folder anyway; procfs is read-only even for root
        cache = Path("/proc/self/lecture-nn-cache")
    else:
        cache = isolated / "read-only"
        cache.mkdir()
        cache.chmod(0o555)
    try:
        with pytest.warns(fm.CacheNotWrittenWarning, match="could not be written"):
            data = fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=cache)
        assert data.y_test.shape == (10_000,)
    finally:
        if cache.is_relative_to(isolated):
            cache.chmod(0o755)


def test_stratified_subsets_keep_order_and_balance(data, idx_folder, tmp_path):
    small = fm.load_fashion_mnist(
        data_dir=idx_folder, cache_dir=tmp_path, n_train=1000, n_test=200, seed=3
    )
    np.testing.assert_array_equal(np.bincount(small.y_train), [100] * 10)
    np.testing.assert_array_equal(np.bincount(small.y_test), [20] * 10)
    again = fm.load_fashion_mnist(cache_dir=tmp_path, n_train=1000, n_test=200, seed=3)
    np.testing.assert_array_equal(small.x_train, again.x_train)
    # every chosen image is an official image, in the official order
    positions = [
        np.flatnonzero((data.x_train == image).all(axis=(1, 2)))[0] for image in small.x_train[:20]
    ]
    assert positions == sorted(positions)


def test_flatten_and_scale(tmp_path, idx_folder):
    data = fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=tmp_path, flatten=True, scale=True)
    assert data.x_train.shape == (60_000, 784)
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() == 0.0
    assert data.x_train.max() == 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"source": "s3"}, ValueError, "source must be one of .*'cache'.*'folder'"),
        ({"source": "folder"}, ValueError, "needs data_dir"),
        ({"n_train": 5}, ValueError, "n_train must be an integer >= 10"),
        ({"n_test": 20_000}, ValueError, "n_test must be an integer <= 10000"),
        ({"n_train": 100.0}, TypeError, "n_train must be an integer"),
        ({"flatten": "False"}, TypeError, "flatten must be True or False"),
        ({"scale": 1}, TypeError, "scale must be True or False"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"seed": 0.5}, TypeError, "seed must be an integer"),
        ({"n_train": "all"}, TypeError, "n_train must be an integer"),
    ],
)
def test_bad_arguments(kwargs, error, message, isolated, idx_folder):
    if "source" not in kwargs:
        kwargs = {**kwargs, "data_dir": idx_folder}
    with pytest.raises(error, match=message):
        fm.load_fashion_mnist(cache_dir=isolated / "cache", **kwargs)


def test_cli_data_shows_verifies_and_imports(isolated, idx_folder, capsys):
    cache = isolated / "cache"
    assert cli_main(["data", "--cache-dir", str(cache)]) == 1
    captured = capsys.readouterr()
    assert "not created yet" in captured.out
    assert "apt-get install dataset-fashion-mnist" in captured.err

    assert cli_main(["data", "--from", str(idx_folder), "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert f"loaded and verified from folder {idx_folder}" in out
    assert "ok  cache" in out
    assert "(verified)" in out
    assert "MiB" in out

    assert cli_main(["data", "--from", str(isolated / "nowhere")]) == 2


def test_no_warnings_on_a_normal_load(isolated, idx_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=isolated / "cache")


def test_numpy_integers_are_sizes_and_seeds(isolated, idx_folder):
    data = fm.load_fashion_mnist(
        data_dir=idx_folder, cache_dir=isolated / "c", n_train=np.int64(100), seed=np.uint32(3)
    )
    assert len(data.y_train) == 100


def test_flatten_false_as_a_string_is_refused_not_obeyed(isolated, idx_folder):
    """Before the fix ``flatten="False"`` flattened the images (a non-empty string is true)."""
    with pytest.raises(TypeError, match="flatten"):
        fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=isolated / "c", flatten="False")


def test_orphans_of_a_killed_cache_write_are_removed_by_the_next_load(isolated, idx_folder):
    """``kill -9`` during caching leaves a temporary file; the next load removes it.

    Three leftovers: one named after a process that has ended, one in the old naming (no
    writer named) last touched an hour ago, and one of a writer still running, which stays.
    """
    import subprocess
    import sys
    import time

    from lecture_nn.tooling import atomic

    cache = isolated / "cache"
    fm.load_fashion_mnist(data_dir=idx_folder, cache_dir=cache)  # a complete cache
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = atomic._host()
    dead = cache / f".{fm.CACHE_FILE_NAME}.{host}-{ended.stdout.strip()}.x1.tmp"
    old = cache / f".{fm.CACHE_FILE_NAME}.abc123.tmp"
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as live_writer:
        live = cache / f".{fm.CACHE_FILE_NAME}.{host}-{live_writer.pid}.x2.tmp"
        for orphan in (dead, old, live):
            orphan.write_bytes(bytes(1024))
        an_hour_ago = time.time() - 3600
        os.utime(old, (an_hour_ago, an_hour_ago))
        data = fm.load_fashion_mnist(cache_dir=cache, source="cache")
        assert data.source.startswith("cache")
        assert not dead.exists()
        assert not old.exists()
        assert live.exists(), "a write in progress must be left alone"
        live_writer.kill()


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: fm.load_arrays(data_dir=3), TypeError, "data_dir"),
        (lambda: fm.load_arrays(cache_dir=3), TypeError, "cache_dir"),
        (lambda: fm.load_fashion_mnist(data_dir=3), TypeError, "data_dir"),
        (lambda: fm.load_fashion_mnist(cache_dir=3), TypeError, "cache_dir"),
        (lambda: fm.source_status(data_dir=3), TypeError, "data_dir"),
        (lambda: fm.source_status(cache_dir=3), TypeError, "cache_dir"),
        (lambda: fm.source_status(verify="False"), TypeError, "verify"),
        (lambda: fm.source_status(verify=1), TypeError, "verify"),
        (lambda: fm.read_idx_folder(None), TypeError, "folder"),
        (lambda: fm.read_cache(3), TypeError, "path"),
        (lambda: fm.verify_arrays(None), TypeError, "arrays"),
        (lambda: fm.verify_arrays({"x_train": [1]}), TypeError, "arrays"),
        (lambda: fm.write_cache([1], "c.npz"), TypeError, "arrays"),
        (lambda: fm.write_cache({"x": 3}, "c.npz"), TypeError, "arrays"),
        (lambda: fm.write_cache({}, None), TypeError, "path"),
        (lambda: fm.write_cache({}, "/dev/null/x/c.npz"), ValueError, "path"),
    ],
)
def test_bad_arguments_of_the_loading_steps_are_named(call, error, argument, isolated):
    with pytest.raises(error, match=rf"\b{argument}\b"):
        call()


def test_a_cache_inside_a_file_is_a_warning_not_a_failure(isolated, idx_folder):
    blocker = isolated / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(fm.CacheNotWrittenWarning, match="not a folder"):
        arrays, where = fm.load_arrays(data_dir=idx_folder, cache_dir=blocker / "cache")
    assert where.startswith("folder")
    assert arrays["y_test"].shape == (10_000,)
