"""Fashion-MNIST from OpenML (dataset 40996) through the ``openml`` client.

OpenML serves the 70,000 images as one table: pixel columns ``pixel1`` ... ``pixel784`` and
the label column ``class``. Its first 60,000 rows are the official training set and the
last 10,000 the test set, in the official order; this is checked against the official label
and image checksums by the caller, and a copy in any other order is refused.
"""

from __future__ import annotations

import contextlib
import re
import socket
import urllib.parse
from collections.abc import Iterator
from typing import Any

import numpy as np

from lecture_nn import _validation
from lecture_nn.datasets.errors import SourceError
from lecture_nn.datasets.idx import idx_sha256
from lecture_nn.datasets.official import N_TRAIN, OFFICIAL_FILES

__all__ = [
    "CONNECT_TIMEOUT",
    "READ_TIMEOUT",
    "fetch_openml_arrays",
    "network_timeouts",
    "table_to_arrays",
]

#: Seconds to wait for the OpenML server (or a proxy) to accept a connection.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the next bytes of an answer once connected; a server or proxy that
#: accepts the connection and then stays silent this long is given up on.
READ_TIMEOUT = 30.0


class _TableError(SourceError, ValueError):
    """A table that is not Fashion-MNIST: a source failure, and a bad argument of the caller."""


@contextlib.contextmanager
def _openml_settings(openml) -> Iterator[None]:
    """Fail fast (one attempt, no back-off sleeps) and show download progress, then restore."""
    config = openml.config
    saved = (config.retry_policy, config.connection_n_retries, config.show_progress)
    config.set_retry_policy("robot", n_retries=1)
    config.show_progress = True
    try:
        yield
    finally:
        config.retry_policy, config.connection_n_retries, config.show_progress = saved


@contextlib.contextmanager
def network_timeouts(
    connect: float | None = None, read: float | None = None
) -> Iterator[list[BaseException]]:
    """Bound every HTTP request made inside the block by a connect and a read timeout.

    The ``openml`` client sends its requests (``requests`` for the description, ``minio``
    for the data file) without a timeout of its own, so a server or proxy that accepts the
    connection and never answers would make it wait forever. Both clients go through
    ``urllib3``'s connection pools; inside the block every pool resolves its timeout to at
    most ``connect`` seconds for connecting and ``read`` seconds of silence while reading
    (shorter timeouts a caller set are kept). The patch is undone when the block ends.

    Parameters
    ----------
    connect, read
        Seconds; default :data:`CONNECT_TIMEOUT` and :data:`READ_TIMEOUT`, read when the
        block starts.

    Yields
    ------
    list of BaseException
        The timeouts that happened inside the block, in order. A client may catch one and
        fail later for another reason (openml falls back from the parquet file to the ARFF
        file); this list keeps the first cause.

    Raises
    ------
    TypeError
        When ``connect`` or ``read`` is neither None nor a real number.
    ValueError
        When ``connect`` or ``read`` is not a finite number > 0.
    """
    from urllib3.connectionpool import HTTPConnectionPool
    from urllib3.util.timeout import Timeout

    connect = CONNECT_TIMEOUT if connect is None else _validation.positive(connect, "connect")
    read = READ_TIMEOUT if read is None else _validation.positive(read, "read")
    original_get_timeout = HTTPConnectionPool._get_timeout
    original_urlopen = HTTPConnectionPool.urlopen
    happened: list[BaseException] = []

    def bounded(value: Any, limit: float) -> float:
        return min(value, limit) if isinstance(value, (int, float)) else limit

    def get_timeout(pool: HTTPConnectionPool, timeout: Any) -> Timeout:
        resolved = original_get_timeout(pool, timeout)
        return Timeout(
            total=resolved.total,
            connect=bounded(resolved._connect, connect),
            read=bounded(resolved._read, read),
        )

    def urlopen(pool: HTTPConnectionPool, *args: Any, **kwargs: Any) -> Any:
        try:
            return original_urlopen(pool, *args, **kwargs)
        except Exception as error:
            if _timed_out(error):
                happened.append(error)
            raise

    HTTPConnectionPool._get_timeout = get_timeout
    HTTPConnectionPool.urlopen = urlopen
    try:
        yield happened
    finally:
        HTTPConnectionPool._get_timeout = original_get_timeout
        HTTPConnectionPool.urlopen = original_urlopen


def _timed_out(error: BaseException) -> str | None:
    """``"connect"`` or ``"read"`` when ``error`` (or what caused it) is a network timeout."""
    from urllib3.exceptions import ConnectTimeoutError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    seen = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        name = type(current).__name__
        if isinstance(current, ConnectTimeoutError) or name == "ConnectTimeout":
            return "connect"
        if isinstance(current, (Urllib3Timeout, TimeoutError)) or name.endswith("Timeout"):
            return "read"
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    return None


def _timeout_message(server: str, kind: str) -> str:
    """Return the one line saying which network wait timed out, and after how long."""
    parsed = urllib.parse.urlparse(server)
    if kind == "connect":
        return (
            f"timed out: no connection to the OpenML server {parsed.hostname} (or its proxy) "
            f"within {CONNECT_TIMEOUT:g} s"
        )
    return (
        f"timed out: the OpenML server {parsed.hostname} (or a proxy on the way) accepted the "
        f"connection but sent nothing for {READ_TIMEOUT:g} s"
    )


def _check_server_reachable(server: str) -> None:
    """Raise SourceError at once when the OpenML server cannot be reached (offline).

    Skipped when a proxy is configured for the server (``HTTPS_PROXY`` ...): the client
    then connects through the proxy, and a direct connection may well be impossible.
    """
    if _proxy_for(server):
        return
    parsed = urllib.parse.urlparse(server)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except TimeoutError as error:
        raise SourceError(_timeout_message(server, "connect")) from error
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SourceError(
            f"cannot reach the OpenML server {parsed.hostname}:{port} ({reason})"
        ) from error


def _proxy_for(url: str) -> str | None:
    """Return the proxy that ``requests`` (used by the openml client) would use for ``url``."""
    import requests.utils

    return requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))


def _one_line(error: Exception) -> str:
    """Return a one-line account of an error from the openml client, with the HTTP status if known.

    openml's server errors carry the status on a later line ("Status code: 500"). A
    ``KeyError('oml:...')`` means the server answered with XML that is not OpenML's, such as
    a proxy's error page.
    """
    key = error.args[0] if isinstance(error, KeyError) and error.args else None
    if isinstance(key, str) and key.startswith("oml:"):
        return f"the server's answer has no <{key}> element (an error page, not OpenML XML?)"
    text = str(error).strip()
    line = text.splitlines()[0][:200] if text else ""
    status = re.search(r"^Status code: (\d+)", text, flags=re.MULTILINE)
    if status and status.group(1) not in line:
        line += f" (HTTP {status.group(1)})"
    return f"{type(error).__name__}: {line}"


def table_to_arrays(pixels: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """Split OpenML's (70000, 784) pixel table and its labels into the four official arrays.

    The checks are vectorised (a few passes over the 55 million pixels, no Python loop).

    Parameters
    ----------
    pixels : numpy.ndarray
        Shape (70000, 784): whole numbers in 0-255 (any integer or float dtype).
    labels : numpy.ndarray
        Shape (70000,): the classes 0-9, as numbers or as strings such as ``"7"``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``x_train`` (60000, 28, 28), ``y_train`` (60000,), ``x_test`` (10000, 28, 28) and
        ``y_test`` (10000,), all uint8.

    Raises
    ------
    SourceError
        When the shapes are wrong, a pixel is not a whole number in 0-255, or a label is not
        one of 0-9. The error is also a ``ValueError`` and names ``pixels`` or ``labels``.
    """
    pixels = np.asarray(pixels)
    labels = np.asarray(labels)
    if pixels.shape != (70_000, 784):
        raise _TableError(f"pixels: OpenML table has shape {pixels.shape}, expected (70000, 784)")
    if labels.shape != (70_000,):
        raise _TableError(f"labels: OpenML labels have shape {labels.shape}, expected (70000,)")
    images = _pixels_as_uint8(pixels).reshape(-1, 28, 28)
    classes = _labels_as_uint8(labels)
    return {
        "x_train": images[:N_TRAIN],
        "y_train": classes[:N_TRAIN],
        "x_test": images[N_TRAIN:],
        "y_test": classes[N_TRAIN:],
    }


def _pixels_as_uint8(pixels: np.ndarray) -> np.ndarray:
    """Return the pixels as uint8; SourceError unless each is a whole number in 0-255."""
    if pixels.dtype == np.uint8:
        return pixels
    if not (np.issubdtype(pixels.dtype, np.integer) or np.issubdtype(pixels.dtype, np.floating)):
        raise _TableError(f"pixels: OpenML pixel values have the non-numeric type {pixels.dtype}")
    whole = np.issubdtype(pixels.dtype, np.integer) or bool(np.all(pixels == np.round(pixels)))
    if not whole or pixels.min() < 0 or pixels.max() > 255:
        raise _TableError("pixels: OpenML pixel values are not whole numbers in 0-255")
    return pixels.astype(np.uint8)


def _labels_as_uint8(labels: np.ndarray) -> np.ndarray:
    """Return the labels as uint8; SourceError unless each is 0-9 (a number or its string)."""
    if labels.dtype.kind not in "biufUSO":  # complex (its imaginary part would be dropped) ...
        raise _TableError(f"labels: OpenML labels have the type {labels.dtype}, expected 0-9")
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):  # NaN included
        raise _TableError("labels: OpenML labels are not whole numbers")
    try:
        classes = labels.astype(np.int64)
    except (TypeError, ValueError) as error:
        raise _TableError(f"labels: OpenML labels are not the numbers 0-9 ({error})") from error
    if classes.min() < 0 or classes.max() > 9:
        raise _TableError("labels: OpenML labels are not in 0-9")
    return classes.astype(np.uint8)


def fetch_openml_arrays(dataset_id: int) -> dict[str, np.ndarray]:
    """Download (or take from openml's own cache) the dataset and return the four arrays.

    Raises :class:`SourceError` with a one-line reason for every failure: no ``openml``
    package, no connection, a server error, an unexpected table; a ``dataset_id`` that is
    not a positive integer is a ``TypeError``/``ValueError`` before any network call.
    """
    dataset_id = _validation.positive_int(dataset_id, "dataset_id", maximum=2**31 - 1)  # int32
    try:
        import openml
    except ImportError as error:
        raise SourceError("the openml package is not installed (pip install openml)") from error
    with _openml_settings(openml), network_timeouts() as timeouts:
        try:
            _check_server_reachable(openml.config.server)
            dataset = openml.datasets.get_dataset(
                dataset_id,
                download_data=True,
                download_qualities=False,
                download_features_meta_data=False,
            )
            # A DataFrame and a Series, the default format of openml >= 0.14; the
            # `dataset_format` argument is on its way out, so it is not passed.
            table, labels, _, _ = dataset.get_data(target=dataset.default_target_attribute)
        except SourceError:
            raise
        except Exception as error:  # the openml client raises many kinds; report one line
            timeout = _timed_out(error) or next(map(_timed_out, timeouts), None)
            if timeout:
                raise SourceError(_timeout_message(openml.config.server, timeout)) from error
            raise SourceError(f"OpenML download failed: {_one_line(error)}") from error
    arrays = table_to_arrays(np.asarray(table), np.asarray(labels))
    _check_official_order(arrays)
    return arrays


def _check_official_order(arrays: dict[str, np.ndarray]) -> None:
    """Refuse OpenML rows that are not in the official order (labels compared by checksum)."""
    for name in ("y_train", "y_test"):
        if idx_sha256(arrays[name]) != OFFICIAL_FILES[name][1]:
            counts = np.bincount(arrays[name], minlength=10).tolist()
            raise SourceError(
                f"OpenML's rows are not in the official order: its {name} labels (class counts "
                f"{counts}) differ from the official {OFFICIAL_FILES[name][0]}; refusing to "
                "guess a mapping"
            )
