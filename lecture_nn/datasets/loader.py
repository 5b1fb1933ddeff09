"""Fashion-MNIST: the official 60,000/10,000 split, verified, cached, from whatever source works.

:func:`load_fashion_mnist` tries, in order,

1. a folder with the four IDX files: the ``data_dir`` argument or ``$LECTURE_NN_DATA``;
2. the course's own cache (``~/.cache/lecture-nn/``, or ``$LECTURE_NN_CACHE``);
3. the IDX files where standard tools keep them: Keras' cache
   (``~/.keras/datasets/fashion-mnist/``) and the Debian package ``dataset-fashion-mnist``
   (``/usr/share/datasets/fashion-mnist/``);
4. OpenML dataset 40996, downloaded with the ``openml`` package.

Whatever the source, the arrays are checked against the SHA-256 of the official,
decompressed IDX files before they are returned, so a truncated download, a corrupted
cache or a reordered copy is never used as data. After the first load the arrays are kept
in an uncompressed ``.npz`` (no pickle), written atomically, which loads in a fraction of a
second.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lecture_nn import _validation
from lecture_nn._validation import boolean, choice, integer
from lecture_nn._validation import seed as seed_rule
from lecture_nn.datasets.errors import SourceError
from lecture_nn.datasets.idx import IDXFormatError, idx_sha256, parse_idx, read_idx_file
from lecture_nn.datasets.official import (
    CLASS_NAMES,
    N_TEST,
    N_TRAIN,
    OFFICIAL_FILES,
    OPENML_DATASET_ID,
)
from lecture_nn.tooling.atomic import atomic_writer, remove_stale_temporaries

__all__ = [
    "CACHE_FILE_NAME",
    "DEBIAN_DIR",
    "FIX_HINTS",
    "SOURCES",
    "CacheNotWrittenWarning",
    "DataUnavailableError",
    "FashionMNIST",
    "SourceStatus",
    "default_cache_dir",
    "env_data_dir",
    "keras_dataset_dir",
    "load_arrays",
    "load_fashion_mnist",
    "read_cache",
    "read_idx_folder",
    "source_status",
    "verify_arrays",
    "write_cache",
]

SOURCES = ("folder", "cache", "keras", "debian", "openml")
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CACHE_FILE_NAME = "fashion-mnist-v1.npz"

FIX_HINTS = (
    "To fix this, do one of:\n"
    "  * point LECTURE_NN_DATA at a folder with the four IDX files "
    "(train-images-idx3-ubyte.gz ...);\n"
    "  * on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist;\n"
    "  * connect to the internet and run `lecture-nn data --fetch` (downloads OpenML 40996).\n"
    "A notebook's kernel reads LECTURE_NN_DATA when it starts: after setting it in a terminal, "
    "restart the kernel, or set it in the notebook itself with "
    "%env LECTURE_NN_DATA=/path/to/folder"
)


class DataUnavailableError(RuntimeError):
    """No source could provide verified Fashion-MNIST data; the message lists each attempt."""

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython shows for this error in a notebook: the message alone.

        IPython (Jupyter, Colab) calls this method, when an exception has it, instead of
        formatting the traceback; the message already says what was tried and how to fix
        it, and the library frames above it would only bury that.
        """
        first, *rest = str(self).splitlines() or [""]
        return [f"{type(self).__name__}: {first}", *rest]


class CacheNotWrittenWarning(UserWarning):
    """The data was loaded but could not be stored in the cache (e.g. a read-only folder)."""


@dataclass
class FashionMNIST:
    """Fashion-MNIST arrays and where they came from.

    ``x_train`` has shape (60000, 28, 28) and ``x_test`` (10000, 28, 28), uint8 pixels
    0-255 (or float32 in [0, 1] with ``scale=True``; (n, 784) with ``flatten=True``);
    ``y_train`` and ``y_test`` hold the labels 0-9 as uint8, in the official order.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    def __iter__(self):
        """Unpack as ``(x_train, y_train), (x_test, y_test)``, like keras.datasets."""
        return iter(((self.x_train, self.y_train), (self.x_test, self.y_test)))


# --- locations ------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Return the course's cache folder.

    ``$LECTURE_NN_CACHE``, else ``$XDG_CACHE_HOME/lecture-nn``, else ``~/.cache/lecture-nn``.
    """
    if os.environ.get("LECTURE_NN_CACHE"):
        return Path(os.environ["LECTURE_NN_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "lecture-nn"


def keras_dataset_dir() -> Path:
    """Where ``keras.datasets.fashion_mnist`` keeps the IDX files (``$KERAS_HOME`` respected)."""
    keras_home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(keras_home).expanduser() / "datasets" / "fashion-mnist"


def env_data_dir() -> Path | None:
    """Return the folder named by ``$LECTURE_NN_DATA``, if set."""
    value = os.environ.get("LECTURE_NN_DATA", "").strip()
    return Path(value).expanduser() if value else None


# --- verification -----------------------------------------------------------------------------


def verify_arrays(arrays: dict[str, np.ndarray]) -> None:
    """Check the four arrays against the official checksums; raise :class:`SourceError` if not.

    Each array is re-encoded as its IDX file and hashed, so this is exactly the check of the
    official decompressed files.

    Parameters
    ----------
    arrays : dict of str to numpy.ndarray
        ``x_train`` (60000, 28, 28), ``y_train`` (60000,), ``x_test`` (10000, 28, 28) and
        ``y_test`` (10000,), all uint8.

    Raises
    ------
    TypeError
        When ``arrays`` is not a mapping, or one of its values not a numpy array.
    SourceError
        When an array is missing, has another dtype or shape, or another checksum.
    """
    arrays = _validation.mapping(arrays, "arrays")
    for name, (file_name, sha256, shape) in OFFICIAL_FILES.items():
        array = arrays.get(name)
        if array is None:
            raise SourceError(f"{name} is missing")
        if not isinstance(array, np.ndarray):
            raise TypeError(f"arrays[{name!r}] must be a numpy array, got {type(array).__name__}")
        if array.dtype != np.uint8 or array.shape != shape:
            raise SourceError(
                f"{name} has dtype {array.dtype} and shape {array.shape}, expected uint8 {shape}"
            )
        if idx_sha256(array) != sha256:
            raise SourceError(f"{name} does not match the SHA-256 of the official {file_name}")


# --- sources ---------------------------------------------------------------------------------


def read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    """Read and verify the four IDX files (``.gz`` or uncompressed) in ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder holding ``train-images-idx3-ubyte.gz`` and the three other files.

    Returns
    -------
    dict of str to numpy.ndarray
        The four uint8 arrays (see :func:`verify_arrays`), writable.

    Raises
    ------
    TypeError
        When ``folder`` is not a path.
    SourceError
        When the folder or a file is missing, unreadable or not the official data.
    """
    folder = _validation.path(folder, "folder")
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder")
    arrays = {}
    for name, (file_name, sha256, shape) in OFFICIAL_FILES.items():
        candidates = [folder / f"{file_name}.gz", folder / file_name]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise SourceError(f"{folder} has no {file_name}.gz (nor {file_name})")
        try:
            raw, digest = read_idx_file(path, shape=shape)
        except OSError as error:
            raise SourceError(f"cannot read {path}: {error.strerror or error}") from error
        except IDXFormatError as error:
            raise SourceError(str(error)) from error
        if digest != sha256:
            raise SourceError(f"{path} does not match the SHA-256 of the official {file_name}")
        array = parse_idx(raw, name=path.name)
        if array.shape != shape:
            raise SourceError(f"{path} holds shape {array.shape}, expected {shape}")
        arrays[name] = array.copy()  # writable, like arrays loaded from the cache
    return arrays


def read_cache(path: Path) -> dict[str, np.ndarray]:
    """Read and verify the cache file; raise :class:`SourceError` if it is missing or bad.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.npz`` cache file written by :func:`write_cache`.

    Returns
    -------
    dict of str to numpy.ndarray
        The four verified uint8 arrays.

    Raises
    ------
    TypeError
        When ``path`` is not a path.
    SourceError
        When the file is missing, unreadable or its arrays are not the official data.
    """
    path = _validation.path(path, "path")
    if not path.is_file():
        raise SourceError(f"no cache at {path}")
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in OFFICIAL_FILES if name in stored.files}
    except (OSError, ValueError, EOFError, KeyError) as error:
        raise SourceError(f"cache {path} is unreadable ({type(error).__name__})") from error
    except Exception as error:  # zipfile.BadZipFile and friends from a damaged file
        raise SourceError(f"cache {path} is unreadable ({type(error).__name__})") from error
    try:
        verify_arrays(arrays)
    except SourceError as error:
        raise SourceError(f"cache {path} is corrupted: {error}") from error
    return arrays


def write_cache(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Store verified arrays in the cache file, atomically (temporary file + rename).

    Parameters
    ----------
    arrays : dict of str to numpy.ndarray
        The arrays to store, by name (see :func:`verify_arrays`).
    path : str or pathlib.Path
        The ``.npz`` file to write; missing parent folders are made.

    Raises
    ------
    TypeError
        When ``arrays`` is not a mapping of numpy arrays or ``path`` not a path.
    ValueError
        When ``path`` lies inside a file (a parent of it exists and is no folder).
    OSError
        When the file system refuses the write (no permission, disk full).
    """
    arrays = _validation.mapping(arrays, "arrays")
    for name, array in arrays.items():
        if not isinstance(name, str) or not isinstance(array, np.ndarray):
            raise TypeError(
                f"arrays must map names (str) to numpy arrays, got {name!r}: {type(array).__name__}"
            )
    path = _validation.path(path, "path")
    existing = next(parent for parent in path.absolute().parents if parent.exists())
    if not existing.is_dir():
        raise ValueError(f"path {path} lies inside {existing}, which is not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as handle:
        np.savez(handle, **arrays)


def _source_plan(source: str | None, data_dir: Path | None, cache_file: Path) -> list[tuple]:
    """Return the (kind, location) pairs to try, in order."""
    folder = Path(data_dir).expanduser() if data_dir is not None else env_data_dir()
    plan = {
        "folder": [("folder", folder)] if folder is not None else [],
        "cache": [("cache", cache_file)],
        "keras": [("keras", keras_dataset_dir())],
        "debian": [("debian", DEBIAN_DIR)],
        "openml": [("openml", OPENML_DATASET_ID)],
    }
    if source is None:
        return [step for kind in SOURCES for step in plan[kind]]
    choice(source, "source", SOURCES)
    if source == "folder" and folder is None:
        raise ValueError("source='folder' needs data_dir=... or the LECTURE_NN_DATA variable")
    return plan[source]


def _read_source(kind: str, location) -> dict[str, np.ndarray]:
    if kind == "cache":
        return read_cache(location)
    if kind == "openml":
        from lecture_nn.datasets.openml_source import fetch_openml_arrays

        arrays = fetch_openml_arrays(location)
        verify_arrays(arrays)
        return arrays
    return read_idx_folder(location)


def _cache_file(data_dir, cache_dir) -> Path:
    """Check ``data_dir`` and ``cache_dir`` (paths or None); return the cache file's path."""
    if data_dir is not None:
        _validation.path(data_dir, "data_dir")
    if cache_dir is not None:
        cache_dir = _validation.path(cache_dir, "cache_dir")
    return Path(cache_dir or default_cache_dir()).expanduser() / CACHE_FILE_NAME


def load_arrays(
    *,
    source: str | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> tuple[dict[str, np.ndarray], str]:
    """Return the four verified arrays and a description of their source.

    See :func:`load_fashion_mnist` for the arguments. Data from any source but the cache is
    stored in the cache afterwards; a corrupted cache is replaced.
    """
    cache_file = _cache_file(data_dir, cache_dir)
    # A load killed while writing the cache (kill -9, a power cut) left its temporary file.
    remove_stale_temporaries(cache_file)
    attempts = []
    for kind, location in _source_plan(source, data_dir, cache_file):
        try:
            arrays = _read_source(kind, location)
        except SourceError as error:
            attempts.append(f"{kind}: {error}")
            continue
        if kind != "cache":
            try:
                write_cache(arrays, cache_file)
            except (OSError, ValueError) as error:  # ValueError: the cache lies inside a file
                warnings.warn(
                    f"Fashion-MNIST loaded, but the cache {cache_file} could not be written "
                    f"({getattr(error, 'strerror', None) or error}); set LECTURE_NN_CACHE "
                    "to a writable folder to load faster next time.",
                    CacheNotWrittenWarning,
                    stacklevel=3,
                )
        where = f"OpenML dataset {location}" if kind == "openml" else f"{kind} {location}"
        return arrays, where
    raise DataUnavailableError(
        "Fashion-MNIST could not be loaded from any source. Tried:\n"
        + "\n".join(f"  - {attempt}" for attempt in attempts)
        + "\n"
        + FIX_HINTS
    )


@dataclass
class SourceStatus:
    """Whether one source can provide the data: ``kind``, ``location`` and a short ``detail``."""

    kind: str
    location: str
    available: bool
    detail: str


def _files_present(folder: Path) -> bool:
    return all(
        (folder / f"{name}.gz").is_file() or (folder / name).is_file()
        for name, _, _ in OFFICIAL_FILES.values()
    )


def source_status(
    *, data_dir: str | Path | None = None, cache_dir: str | Path | None = None, verify: bool = False
) -> list[SourceStatus]:
    """Describe every source in search order, without downloading anything.

    With ``verify`` each local source is read and checked against the official checksums
    (about half a second per source); without it only the presence of its files is checked.
    OpenML is listed last as the download used when no local source works.
    """
    verify = boolean(verify, "verify")
    cache_file = _cache_file(data_dir, cache_dir)
    statuses = []
    for kind, location in _source_plan(None, data_dir, cache_file):
        if kind == "openml":
            statuses.append(
                SourceStatus(kind, f"OpenML dataset {location}", False, "downloaded on first use")
            )
            continue
        present = location.is_file() if kind == "cache" else _files_present(location)
        if not present:
            detail = "no cache file" if kind == "cache" else "no IDX files"
            statuses.append(SourceStatus(kind, str(location), False, detail))
        elif not verify:
            statuses.append(SourceStatus(kind, str(location), True, "files present"))
        else:
            try:
                _read_source(kind, location)
            except SourceError as error:
                statuses.append(SourceStatus(kind, str(location), False, str(error)))
            else:
                statuses.append(SourceStatus(kind, str(location), True, "verified"))
    return statuses


def _stratified_indices(labels: np.ndarray, size: int, seed: int, argument: str) -> np.ndarray:
    """Return the indices of a class-stratified random subset of ``size`` labels, in order."""
    size = integer(size, argument, minimum=10, maximum=len(labels))
    if size == len(labels):
        return np.arange(len(labels))
    from sklearn.model_selection import train_test_split

    chosen, _ = train_test_split(
        np.arange(len(labels)), train_size=size, stratify=labels, random_state=seed
    )
    return np.sort(chosen)


def load_fashion_mnist(
    *,
    source: str | None = None,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    flatten: bool = False,
    scale: bool = False,
) -> FashionMNIST:
    """Load Fashion-MNIST with the official train/test split, verified against its checksums.

    Parameters
    ----------
    source
        None tries every source in order (folder, cache, keras, debian, openml); or name one.
    data_dir
        Folder with the four IDX files (default: ``$LECTURE_NN_DATA``).
    cache_dir
        Folder of the course cache (default: :func:`default_cache_dir`).
    n_train, n_test
        Size of a class-stratified random subset of each split (seeded by ``seed``), kept in
        the original order; None for the whole split.
    flatten
        Return images as vectors of shape (n, 784) instead of (n, 28, 28).
    scale
        Return float32 pixels in [0, 1] instead of uint8 0-255.

    Raises
    ------
    DataUnavailableError
        When no source works; the message lists what was tried and how to fix it.
    """
    flatten = boolean(flatten, "flatten")
    scale = boolean(scale, "scale")
    seed = seed_rule(seed)
    if n_train is not None:
        n_train = integer(n_train, "n_train", minimum=10, maximum=N_TRAIN)
    if n_test is not None:
        n_test = integer(n_test, "n_test", minimum=10, maximum=N_TEST)
    arrays, where = load_arrays(source=source, data_dir=data_dir, cache_dir=cache_dir)
    x_train, y_train, x_test, y_test = (
        arrays[name] for name in ("x_train", "y_train", "x_test", "y_test")
    )
    if n_train is not None:
        keep = _stratified_indices(y_train, n_train, seed, "n_train")
        x_train, y_train = x_train[keep], y_train[keep]
    if n_test is not None:
        keep = _stratified_indices(y_test, n_test, seed, "n_test")
        x_test, y_test = x_test[keep], y_test[keep]
    if flatten:
        x_train = x_train.reshape(len(x_train), -1)
        x_test = x_test.reshape(len(x_test), -1)
    if scale:
        x_train = x_train.astype(np.float32) / 255.0
        x_test = x_test.astype(np.float32) / 255.0
    return FashionMNIST(x_train, y_train, x_test, y_test, CLASS_NAMES, where)
