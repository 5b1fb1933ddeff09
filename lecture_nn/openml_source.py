"""Fashion-MNIST from OpenML (dataset 40996) through the ``openml`` client.

OpenML serves the 70,000 images as one table: pixel columns ``pixel1`` ... ``pixel784`` and
the label column ``class``. Its first 60,000 rows are the official training set and the
last 10,000 the test set, in the official order; this is checked against the official label
and image checksums by the caller, and a copy in any other order is refused.
"""

from __future__ import annotations

import contextlib
import socket
import urllib.parse
from collections.abc import Iterator

import numpy as np

from lecture_nn.fashion_mnist import SourceError

#: Seconds to wait for the OpenML server to accept a connection before giving up.
CONNECT_TIMEOUT = 10.0
N_TRAIN = 60_000


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


def _check_server_reachable(server: str) -> None:
    """Raise SourceError at once when the OpenML server cannot be reached (offline)."""
    parsed = urllib.parse.urlparse(server)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SourceError(
            f"cannot reach the OpenML server {parsed.hostname}:{port} ({reason})"
        ) from error


def table_to_arrays(pixels: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """Split OpenML's (70000, 784) pixel table and its labels into the four official arrays."""
    pixels = np.asarray(pixels)
    labels = np.asarray(labels)
    if pixels.shape != (70_000, 784) or labels.shape != (70_000,):
        raise SourceError(
            f"OpenML table has shape {pixels.shape} with {labels.shape} labels, "
            "expected (70000, 784) and (70000,)"
        )
    if pixels.min() < 0 or pixels.max() > 255 or not np.all(pixels == np.round(pixels)):
        raise SourceError("OpenML pixel values are not whole numbers in 0-255")
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    classes = labels.astype(np.int64)
    if classes.min() < 0 or classes.max() > 9:
        raise SourceError("OpenML labels are not in 0-9")
    classes = classes.astype(np.uint8)
    return {
        "x_train": images[:N_TRAIN],
        "y_train": classes[:N_TRAIN],
        "x_test": images[N_TRAIN:],
        "y_test": classes[N_TRAIN:],
    }


def fetch_openml_arrays(dataset_id: int) -> dict[str, np.ndarray]:
    """Download (or take from openml's own cache) the dataset and return the four arrays.

    Raises :class:`SourceError` with a one-line reason for every failure: no ``openml``
    package, no connection, a server error, an unexpected table.
    """
    try:
        import openml
    except ImportError as error:
        raise SourceError("the openml package is not installed (pip install openml)") from error
    with _openml_settings(openml):
        try:
            _check_server_reachable(openml.config.server)
            dataset = openml.datasets.get_dataset(
                dataset_id,
                download_data=True,
                download_qualities=False,
                download_features_meta_data=False,
            )
            table, labels, _, _ = dataset.get_data(
                target=dataset.default_target_attribute, dataset_format="dataframe"
            )
        except SourceError:
            raise
        except Exception as error:  # the openml client raises many kinds; report one line
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise SourceError(
                f"OpenML download failed: {type(error).__name__}: {message[:200]}"
            ) from error
    arrays = table_to_arrays(table.to_numpy(), np.asarray(labels))
    _check_official_order(arrays)
    return arrays


def _check_official_order(arrays: dict[str, np.ndarray]) -> None:
    """Refuse OpenML rows that are not in the official order (labels compared by checksum)."""
    from lecture_nn.fashion_mnist import OFFICIAL_FILES
    from lecture_nn.idx import idx_sha256

    for name in ("y_train", "y_test"):
        if idx_sha256(arrays[name]) != OFFICIAL_FILES[name][1]:
            counts = np.bincount(arrays[name], minlength=10).tolist()
            raise SourceError(
                f"OpenML's rows are not in the official order: its {name} labels (class counts "
                f"{counts}) differ from the official {OFFICIAL_FILES[name][0]}; refusing to "
                "guess a mapping"
            )
