"""The OpenML source of the Fashion-MNIST loader, through the real ``openml`` client, offline.

A local server (tests/openml_server.py) plays OpenML for dataset 40996: the XML description,
then the parquet file over the S3 protocol, built from the official IDX files. Nothing of
openml is mocked; only its configuration (server, API key, cache folder) is set, and
restored afterwards.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openml
import pytest
from fashion_data import official_idx_folder
from openml_server import (
    ARFF_FILE_ID,
    FakeOpenMLServer,
    openml_configured,
    silent_server,
)

import lecture_nn.datasets.loader as fm
from lecture_nn.datasets import openml_source
from lecture_nn.datasets.loader import (
    CACHE_FILE_NAME,
    DataUnavailableError,
    SourceError,
    load_fashion_mnist,
    read_idx_folder,
)
from lecture_nn.datasets.openml_source import table_to_arrays

# Deprecated or soon-changing calls made by our code (attributed to lecture_nn) fail the tests.
pytestmark = pytest.mark.filterwarnings(
    "error::FutureWarning:lecture_nn", "error::DeprecationWarning:lecture_nn"
)

FIRST_TRAIN_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
NGINX_500 = (
    b"<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    b"<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
PROXY_500 = b"<html><head><title>Error</title></head><body><p>Upstream failed</p></body></html>"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def official_arrays() -> dict[str, np.ndarray]:
    """The verified official arrays; skip (or fail, when CI requires data) without them."""
    folder = official_idx_folder()
    try:
        return read_idx_folder(folder)
    except SourceError as error:
        pytest.fail(f"the IDX files in {folder} are not the official ones: {error}")


@pytest.fixture(scope="session")
def openml_server(official_arrays) -> Iterator[FakeOpenMLServer]:
    """The local OpenML server, running for the whole session (its table is built once)."""
    server = FakeOpenMLServer(official_arrays).start()
    yield server
    server.stop()


@pytest.fixture
def server(openml_server) -> Iterator[FakeOpenMLServer]:
    """The session's server, put back to normal (official rows, working API) after a test."""
    yield openml_server
    openml_server.reset()


def isolate_sources(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    """Leave OpenML as the only source: no data folder, empty Keras cache, no Debian package.

    Also keep proxies away from 127.0.0.1 and let openml use parquet as it does by default.
    """
    monkeypatch.delenv("LECTURE_NN_DATA", raising=False)
    monkeypatch.delenv("OPENML_SKIP_PARQUET", raising=False)
    (tmp / "keras-home").mkdir()
    monkeypatch.setenv("KERAS_HOME", str(tmp / "keras-home"))
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp / "no-such-debian-folder")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def only_openml(monkeypatch, tmp_path) -> Path:
    """Sources isolated for one test; returns an empty folder for the course cache."""
    isolate_sources(monkeypatch, tmp_path)
    return tmp_path / "course-cache"


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_folder_files(cache_dir: Path) -> list[str]:
    """Names of the files in the course cache folder (none if it does not exist)."""
    return sorted(path.name for path in cache_dir.iterdir()) if cache_dir.exists() else []


@dataclass
class FirstLoad:
    """The outcome of the first load through the local OpenML server."""

    data: fm.FashionMNIST
    cache_dir: Path
    counts_before: dict
    counts_after: dict
    openml_config_before: dict
    openml_config_after: dict
    seconds: float


@pytest.fixture(scope="module")
def first_load(openml_server, tmp_path_factory) -> FirstLoad:
    """Load once with no other source than the local OpenML server (shared by two tests)."""
    tmp = tmp_path_factory.mktemp("first-load")
    cache_dir = tmp / "course-cache"
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        openml_configured(openml_server.api_url, tmp / "openml-cache"),
    ):
        isolate_sources(monkeypatch, tmp)
        config_before = openml.config.get_config_as_dict()
        counts_before = openml_server.request_counts()
        start = time.perf_counter()
        data = load_fashion_mnist(source=None, cache_dir=cache_dir)
        seconds = time.perf_counter() - start
        return FirstLoad(
            data,
            cache_dir,
            counts_before,
            openml_server.request_counts(),
            config_before,
            openml.config.get_config_as_dict(),
            seconds,
        )


def count_change(before: dict, after: dict) -> dict:
    """The (method, path) request counts that changed, and by how much."""
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key)}


# --- 1, 2: download, then the cache ---------------------------------------------------------


def test_first_load_downloads_through_openml(first_load, openml_server, official_arrays):
    new = count_change(first_load.counts_before, first_load.counts_after)
    assert new == {
        ("GET", openml_server.description_path): 1,
        ("HEAD", openml_server.parquet_path): 1,
        ("GET", openml_server.parquet_path): 1,
    }, "openml should fetch the description, then stat and get the parquet file, once each"
    assert openml_server.request_count(f"/data/v1/download/{ARFF_FILE_ID}/") == 0

    data = first_load.data
    assert "OpenML" in data.source
    assert (data.x_train.shape, data.x_test.shape) == ((60_000, 28, 28), (10_000, 28, 28))
    assert (data.y_train.shape, data.y_test.shape) == ((60_000,), (10_000,))
    assert {a.dtype for a in (data.x_train, data.y_train, data.x_test, data.y_test)} == {
        np.dtype(np.uint8)
    }
    assert data.y_train[:10].tolist() == FIRST_TRAIN_LABELS
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(data, name), official_arrays[name]), name

    assert cache_folder_files(first_load.cache_dir) == [CACHE_FILE_NAME]
    assert first_load.openml_config_after == first_load.openml_config_before, (
        "the loader must restore the openml settings it changes"
    )


def test_second_load_reads_the_cache_without_the_server(first_load, openml_server, tmp_path):
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        openml_configured(openml_server.api_url, tmp_path / "openml-cache"),
    ):
        isolate_sources(monkeypatch, tmp_path)
        counts_before = openml_server.request_counts()
        data = load_fashion_mnist(source=None, cache_dir=first_load.cache_dir)
        assert openml_server.request_counts() == counts_before
    assert data.source.startswith("cache")
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(data, name), getattr(first_load.data, name)), name


# --- 3-5: refusals and failures -------------------------------------------------------------


def test_rows_in_the_wrong_order_are_refused(server, only_openml, tmp_path):
    server.use_shuffled_rows()
    with openml_configured(server.api_url, tmp_path / "openml-cache"):
        parquet_gets = server.request_count(server.parquet_path, "GET")
        with pytest.raises(DataUnavailableError, match="not in the official order"):
            load_fashion_mnist(source=None, cache_dir=only_openml)
    assert server.request_count(server.parquet_path, "GET") == parquet_gets + 1
    assert cache_folder_files(only_openml) == [], "nothing may be cached from refused rows"


def test_unreachable_server_fails_fast_with_hints(only_openml, tmp_path):
    port = closed_port()
    with openml_configured(f"http://127.0.0.1:{port}/api/v1/xml", tmp_path / "openml-cache"):
        start = time.perf_counter()
        with pytest.raises(DataUnavailableError) as caught:
            load_fashion_mnist(source=None, cache_dir=only_openml)
        seconds = time.perf_counter() - start
    assert seconds < 30, f"took {seconds:.1f} s to give up"
    message = str(caught.value)
    assert "Tried:" in message
    for kind in ("cache", "keras", "debian"):
        assert f"  - {kind}: " in message
    assert f"  - openml: cannot reach the OpenML server 127.0.0.1:{port}" in message
    for hint in ("LECTURE_NN_DATA", "apt-get install dataset-fashion-mnist", "internet"):
        assert hint in message
    for internals in ("Traceback", 'File "', "site-packages", "openml/"):
        assert internals not in message
    assert cache_folder_files(only_openml) == []


def openml_line(error: DataUnavailableError) -> str:
    """The line of the loader's error that reports the OpenML attempt."""
    return next(line for line in str(error).splitlines() if "- openml:" in line)


def test_a_server_that_never_answers_times_out(only_openml, tmp_path, monkeypatch):
    """A server (or proxy) that accepts the connection and stays silent: a timeout, named.

    Before the fix the openml client waited forever (no timeout on its request); the
    reachability check passed because the connection itself succeeds.
    """
    monkeypatch.setattr(openml_source, "READ_TIMEOUT", 1.0)
    with silent_server() as port:
        url = f"http://127.0.0.1:{port}/api/v1/xml"
        with openml_configured(url, tmp_path / "openml-cache"):
            start = time.perf_counter()
            with pytest.raises(DataUnavailableError) as caught:
                load_fashion_mnist(source=None, cache_dir=only_openml)
            seconds = time.perf_counter() - start
    assert seconds < 15, f"took {seconds:.1f} s to give up"
    line = openml_line(caught.value)
    assert "timed out" in line
    assert "127.0.0.1" in line
    assert "sent nothing for 1 s" in line
    assert cache_folder_files(only_openml) == []


def test_a_data_file_that_never_comes_times_out(server, only_openml, tmp_path, monkeypatch):
    """The description arrives, but the S3 request for the parquet file is never answered."""
    monkeypatch.setattr(openml_source, "READ_TIMEOUT", 1.0)
    server.silent_paths = {server.parquet_path}
    with openml_configured(server.api_url, tmp_path / "openml-cache"):
        start = time.perf_counter()
        with pytest.raises(DataUnavailableError) as caught:
            load_fashion_mnist(source=None, cache_dir=only_openml)
        seconds = time.perf_counter() - start
    assert server.request_count(server.parquet_path) >= 1, "the data file was asked for"
    assert seconds < 60, f"took {seconds:.1f} s to give up"
    assert "timed out" in openml_line(caught.value)


def test_network_timeouts_bound_requests_and_are_undone():
    """Inside the block a request without a timeout gets one; after it, nothing is left."""
    import requests
    from urllib3.connectionpool import HTTPConnectionPool

    original = HTTPConnectionPool._get_timeout
    with silent_server() as port:
        start = time.perf_counter()
        with (
            openml_source.network_timeouts(connect=1.0, read=0.5),
            pytest.raises(requests.exceptions.ReadTimeout),
        ):
            requests.get(f"http://127.0.0.1:{port}/", timeout=None)
        assert time.perf_counter() - start < 5
    assert HTTPConnectionPool._get_timeout is original


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Internal Server Error", "HTTP 500"),
        (NGINX_500, "HTTP 500"),  # not well-formed XML (<hr>): openml reports the status
        (PROXY_500, "no <oml:error> element"),  # well-formed: openml fails on its contents
    ],
    ids=["text", "nginx-html", "xhtml"],
)
def test_server_error_on_the_description_fails_fast(server, only_openml, tmp_path, body, reason):
    server.description_error_body = body
    with openml_configured(server.api_url, tmp_path / "openml-cache"):
        asked = server.request_count(server.description_path)
        start = time.perf_counter()
        with pytest.raises(DataUnavailableError) as caught:
            load_fashion_mnist(source=None, cache_dir=only_openml)
        seconds = time.perf_counter() - start
    assert server.request_count(server.description_path) == asked + 1, "one attempt, no retry"
    assert seconds < 10, f"took {seconds:.1f} s to give up"
    openml_line = next(line for line in str(caught.value).splitlines() if "- openml:" in line)
    assert "OpenML download failed" in openml_line
    assert reason in openml_line
    assert "Traceback" not in str(caught.value)
    assert cache_folder_files(only_openml) == []


# --- table_to_arrays ------------------------------------------------------------------------


def _table(fill: int = 0, dtype=np.uint8) -> np.ndarray:
    """A pixel table of OpenML's shape, every value ``fill``."""
    return np.full((70_000, 784), fill, dtype=dtype)


def test_table_to_arrays_splits_a_good_table():
    labels = np.array([str(i % 10) for i in range(70_000)], dtype=object)
    arrays = table_to_arrays(_table(7), labels)
    assert arrays["x_train"].shape == (60_000, 28, 28)
    assert arrays["x_test"].shape == (10_000, 28, 28)
    assert arrays["y_train"][:3].tolist() == [0, 1, 2]
    assert arrays["y_test"][:3].tolist() == [0, 1, 2]  # row 60,000 has label 0
    assert {a.dtype for a in arrays.values()} == {np.dtype(np.uint8)}


# Each case builds its table when it runs: a (70000, 784) table is 55 MB to 220 MB.
BAD_TABLES = {
    "too-few-rows": (lambda: (np.zeros((60_000, 784), np.uint8), np.zeros(60_000)), "shape"),
    "images-not-flat": (lambda: (np.zeros((70_000, 28, 28), np.uint8), np.zeros(70_000)), "shape"),
    "too-few-labels": (lambda: (_table(), np.zeros(69_999)), "shape"),
    "pixel-256": (lambda: (_table(256, np.int16), np.zeros(70_000)), "0-255"),
    "pixel-negative": (lambda: (_table(-1, np.int16), np.zeros(70_000)), "0-255"),
    "pixel-fraction": (lambda: (_table(0, np.float32) + 0.5, np.zeros(70_000)), "0-255"),
    "label-10": (lambda: (_table(), np.full(70_000, 10)), "0-9"),
    "label-text": (lambda: (_table(), np.full(70_000, "shirt", dtype=object)), "0-9"),
}


@pytest.mark.parametrize("case", BAD_TABLES)
def test_table_to_arrays_rejects_bad_input(case):
    build, message = BAD_TABLES[case]
    pixels, labels = build()
    with pytest.raises(SourceError, match=message):
        table_to_arrays(pixels, labels)


BAD_ARGUMENTS = {
    "pixels-none": (lambda: (None, np.zeros(70_000)), "pixels"),
    "pixels-complex": (lambda: (_table(0, np.complex64), np.zeros(70_000)), "pixels"),
    "pixels-nan": (lambda: (_table(0, np.float32) + np.nan, np.zeros(70_000)), "pixels"),
    "labels-none": (lambda: (_table(), None), "labels"),
    "labels-complex": (lambda: (_table(), np.zeros(70_000) + 1j), "labels"),
    "labels-nan": (lambda: (_table(), np.full(70_000, np.nan)), "labels"),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS)
def test_table_to_arrays_names_the_bad_argument(case):
    """A source failure for the loader, and a ValueError naming the argument for a caller."""
    build, argument = BAD_ARGUMENTS[case]
    pixels, labels = build()
    with pytest.raises(SourceError, match=rf"\b{argument}\b") as caught:
        table_to_arrays(pixels, labels)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"connect": 0}, ValueError),
        ({"read": -1.0}, ValueError),
        ({"connect": float("nan")}, ValueError),
        ({"read": float("inf")}, ValueError),
        ({"connect": "1"}, TypeError),
        ({"read": True}, TypeError),
    ],
)
def test_network_timeouts_names_a_bad_timeout(kwargs, error):
    (argument,) = kwargs
    with pytest.raises(error, match=rf"\b{argument}\b"), openml_source.network_timeouts(**kwargs):
        pass
