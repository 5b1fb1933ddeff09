"""A local stand-in for the OpenML server, for testing the OpenML source offline.

The real ``openml`` client (0.15) asks for two things when it downloads dataset 40996:

* ``GET <server>/data/40996``: the XML data set description (``oml:data_set_description``);
* the data file named by the description's ``oml:parquet_url``, through the ``minio`` S3
  client: ``HEAD /<bucket>/<object>`` (stat) then ``GET /<bucket>/<object>``.

:class:`FakeOpenMLServer` answers both from 127.0.0.1, with a parquet table built from the
official Fashion-MNIST IDX files in OpenML's layout (``pixel1`` ... ``pixel784`` and a
categorical ``class``; the 60,000 training rows, then the 10,000 test rows). It counts the
requests it gets, per method and path, and can be switched to serve the rows shuffled or to
answer the description with HTTP 500. The ARFF address in the description is not served
(404): openml 0.15 only falls back to it when the parquet download fails.
"""

from __future__ import annotations

import collections
import contextlib
import email.utils
import gzip
import hashlib
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from lecture_nn.datasets.loader import OPENML_DATASET_ID

PARQUET_BUCKET = "datasets"
#: OpenML's object name: a folder per 10,000 ids, then the id, then dataset_<id>.pq.
PARQUET_OBJECT = (
    f"{OPENML_DATASET_ID // 10_000:04d}/{OPENML_DATASET_ID}/dataset_{OPENML_DATASET_ID}.pq"
)
#: File id of the ARFF in the description (any number will do: it is never served).
ARFF_FILE_ID = 18238735
#: The Last-Modified of the parquet object (the upload date of OpenML 40996).
LAST_MODIFIED = email.utils.formatdate(1508168596, usegmt=True)
API_PREFIX = "/api/v1/xml"


# --- the data -------------------------------------------------------------------------------


def openml_table(arrays: dict[str, np.ndarray], *, shuffle_seed: int | None = None) -> pd.DataFrame:
    """The 70,000-row table of OpenML 40996: ``pixel1`` ... ``pixel784``, then ``class``.

    With ``shuffle_seed`` the training rows and the test rows are each put in a random
    order (same images and labels, same split, wrong order).
    """
    pixels = np.concatenate([arrays["x_train"], arrays["x_test"]]).reshape(-1, 784)
    labels = np.concatenate([arrays["y_train"], arrays["y_test"]])
    if shuffle_seed is not None:
        rng = np.random.default_rng(shuffle_seed)
        n_train = len(arrays["y_train"])
        order = np.concatenate(
            [rng.permutation(n_train), n_train + rng.permutation(len(labels) - n_train)]
        )
        pixels, labels = pixels[order], labels[order]
    table = pd.DataFrame(pixels, columns=[f"pixel{i}" for i in range(1, 785)])
    table["class"] = pd.Categorical(
        labels.astype(str), categories=[str(label) for label in range(10)]
    )
    return table


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """The table as a parquet file (pyarrow, snappy), without the pandas index."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()


def description_xml(base_url: str) -> str:
    """The XML data set description of OpenML 40996, its file addresses on ``base_url``."""
    return f"""<oml:data_set_description xmlns:oml="http://openml.org/openml">
  <oml:id>{OPENML_DATASET_ID}</oml:id>
  <oml:name>Fashion-MNIST</oml:name>
  <oml:version>1</oml:version>
  <oml:description>Fashion-MNIST is a dataset of Zalando's article images, consisting of a \
training set of 60,000 examples and a test set of 10,000 examples.</oml:description>
  <oml:description_version>1</oml:description_version>
  <oml:format>ARFF</oml:format>
  <oml:creator>Han Xiao, Kashif Rasul, Roland Vollgraf</oml:creator>
  <oml:upload_date>2017-10-16T15:43:16</oml:upload_date>
  <oml:licence>Public</oml:licence>
  <oml:url>{base_url}/data/v1/download/{ARFF_FILE_ID}/Fashion-MNIST.arff</oml:url>
  <oml:parquet_url>{base_url}/{PARQUET_BUCKET}/{PARQUET_OBJECT}</oml:parquet_url>
  <oml:file_id>{ARFF_FILE_ID}</oml:file_id>
  <oml:default_target_attribute>class</oml:default_target_attribute>
  <oml:version_label>1</oml:version_label>
  <oml:tag>Computer Vision</oml:tag>
  <oml:visibility>public</oml:visibility>
  <oml:original_data_url>https://github.com/zalandoresearch/fashion-mnist</oml:original_data_url>
  <oml:status>active</oml:status>
</oml:data_set_description>
"""


def unknown_dataset_xml(dataset_id: str) -> str:
    """OpenML's error answer (code 111) for a data set id it does not know."""
    return f"""<oml:error xmlns:oml="http://openml.org/openml">
  <oml:code>111</oml:code>
  <oml:message>Unknown dataset</oml:message>
  <oml:additional_information>data id {dataset_id}</oml:additional_information>
</oml:error>
"""


class ParquetObject:
    """A parquet file as an S3 object: its bytes, ETag (quoted MD5) and headers."""

    def __init__(self, body: bytes) -> None:
        """Keep ``body`` and compute its ETag."""
        self.body = body
        self.etag = f'"{hashlib.md5(body).hexdigest()}"'

    def headers(self) -> dict[str, str]:
        """The headers of a HEAD or GET answer for this object, as S3/MinIO sends them."""
        return {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(self.body)),
            "ETag": self.etag,
            "Last-Modified": LAST_MODIFIED,
            "Accept-Ranges": "bytes",
        }


# --- the server -----------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers OpenML API and S3 requests from the state of the :class:`FakeOpenMLServer`."""

    server_version = "FakeOpenML/1.0"

    def do_GET(self) -> None:
        """Count the request and answer it."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Count the request and answer it (headers only)."""
        self._answer(send_body=False)

    def log_message(self, format: str, *args) -> None:
        """Keep the test output quiet."""

    def _answer(self, *, send_body: bool) -> None:
        """Route the request by its path (query string ignored)."""
        state: FakeOpenMLServer = self.server.state  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        state.record(self.command, path)
        if path in state.silent_paths:  # accept, read the request, never answer
            state.released.wait(timeout=120)
            return
        if path == f"/{PARQUET_BUCKET}/{PARQUET_OBJECT}":
            parquet = state.current_parquet()
            self._send(200, parquet.headers(), parquet.body if send_body else b"")
        elif path == f"{API_PREFIX}/data/{OPENML_DATASET_ID}":
            self._send_description(state, send_body)
        elif path.startswith(f"{API_PREFIX}/data/"):
            self._send_xml(412, unknown_dataset_xml(path.rsplit("/", 1)[1]), send_body)
        else:
            self._send(404, {"Content-Type": "text/plain"}, b"Not Found" if send_body else b"")

    def _send_description(self, state: FakeOpenMLServer, send_body: bool) -> None:
        """The data set description, or HTTP 500 when the server is set to fail."""
        body = state.description_error_body
        if body is not None:
            content_type = "text/html" if body.lstrip().startswith(b"<") else "text/plain"
            self._send(500, {"Content-Type": content_type}, body if send_body else b"")
            return
        self._send_xml(200, description_xml(state.url), send_body)

    def _send_xml(self, status: int, text: str, send_body: bool) -> None:
        """Send XML, gzip-compressed when the client accepts it (as OpenML does)."""
        body = text.encode("utf-8")
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(status, headers, body if send_body else b"", length=len(body))

    def _send(self, status: int, headers: dict, body: bytes, length: int | None = None) -> None:
        """Send the status, the headers (Content-Length added when missing) and the body."""
        self.send_response(status)
        headers = {"Content-Length": str(len(body) if length is None else length), **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)


class _HTTPServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that carries the fake server's state to the handlers."""

    daemon_threads = True

    def __init__(self, state: FakeOpenMLServer) -> None:
        """Listen on a free port of 127.0.0.1."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class FakeOpenMLServer:
    """OpenML dataset 40996 served from 127.0.0.1, in a daemon thread.

    ``api_url`` is the value for ``openml.config.server``. Setting ``description_error_body``
    (bytes) makes the description answer HTTP 500 with that body; :meth:`use_shuffled_rows`
    switches to a copy of the table whose rows are out of order. :meth:`request_count` tells
    how often a path was asked for.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        """Build the parquet table (a few seconds); the server starts with :meth:`start`."""
        self._arrays = arrays
        self._official = ParquetObject(parquet_bytes(openml_table(arrays)))
        self._shuffled: ParquetObject | None = None
        self._serve_shuffled = False
        self.description_error_body: bytes | None = None
        #: Paths whose requests are read and never answered (until :meth:`reset`).
        self.silent_paths: set[str] = set()
        self.released = threading.Event()
        self._counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- addresses

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the server's base address."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def api_url(self) -> str:
        """The OpenML API address, for ``openml.config.server``."""
        return self.url + API_PREFIX

    @property
    def description_path(self) -> str:
        """The path of the data set description."""
        return f"{API_PREFIX}/data/{OPENML_DATASET_ID}"

    @property
    def parquet_path(self) -> str:
        """The path of the parquet file (bucket and object)."""
        return f"/{PARQUET_BUCKET}/{PARQUET_OBJECT}"

    # -- life cycle

    def start(self) -> FakeOpenMLServer:
        """Start serving in a daemon thread; return self."""
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-openml", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.released.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def reset(self) -> None:
        """Back to the official table and a working description; counts kept."""
        self._serve_shuffled = False
        self.description_error_body = None
        self.silent_paths = set()
        self.released.set()  # lets the handlers kept waiting by silent_paths go
        self.released = threading.Event()

    # -- what is served

    def use_shuffled_rows(self) -> None:
        """Serve a table whose training and test rows are each in a random order."""
        if self._shuffled is None:
            table = openml_table(self._arrays, shuffle_seed=0)
            self._shuffled = ParquetObject(parquet_bytes(table))
        self._serve_shuffled = True

    def current_parquet(self) -> ParquetObject:
        """The parquet object served now."""
        return self._shuffled if self._serve_shuffled else self._official

    # -- request counts

    def record(self, method: str, path: str) -> None:
        """Count one request (called by the handler threads)."""
        with self._lock:
            self._counts[method, path] += 1

    def request_counts(self) -> dict[tuple[str, str], int]:
        """A snapshot of the counts: (method, path) -> number of requests."""
        with self._lock:
            return dict(self._counts)

    def request_count(self, path: str | None = None, method: str | None = None) -> int:
        """How many requests (of ``method``) for ``path``; all requests when both are None."""
        return sum(
            count
            for (seen_method, seen_path), count in self.request_counts().items()
            if (path is None or seen_path == path) and (method is None or seen_method == method)
        )


# --- the client side ------------------------------------------------------------------------


@contextlib.contextmanager
def openml_configured(server_url: str, cache_root: Path) -> Iterator[None]:
    """Point the openml client at ``server_url`` with its cache in ``cache_root``, no API key.

    Only openml's public configuration is touched (``server``, ``apikey``, the root cache
    directory), and all of it is restored afterwards.
    """
    import openml

    config = openml.config
    saved = (config.server, config.apikey, config.get_config_as_dict()["cachedir"])
    config.server = server_url
    config.apikey = ""
    config.set_root_cache_directory(cache_root)
    try:
        yield
    finally:
        config.server, config.apikey = saved[:2]
        config.set_root_cache_directory(saved[2])


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; yields its port.

    It plays a hung server or proxy: the client's connection succeeds (the kernel accepts
    it from the backlog), its request is read, and no byte ever comes back.
    """
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept_forever, name="silent-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()
