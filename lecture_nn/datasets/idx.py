"""The IDX file format of MNIST and Fashion-MNIST: parse it, and write it back.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the data in C order. Fashion-MNIST
uses unsigned bytes (type code 0x08) for both images (3 dimensions) and labels (1).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

_UBYTE = 0x08


class IDXFormatError(ValueError):
    """The bytes are not a well-formed unsigned-byte IDX file."""


def parse_idx(data: bytes, *, name: str = "data") -> np.ndarray:
    """Return the uint8 array stored in the IDX bytes ``data`` (a read-only view, no copy)."""
    if len(data) < 4:
        raise IDXFormatError(f"{name}: {len(data)} bytes is too short for an IDX header")
    zero, type_code, n_dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code != _UBYTE or n_dims == 0:
        raise IDXFormatError(
            f"{name}: not an unsigned-byte IDX file (magic {data[:4].hex()}, expected 0000 08 0n)"
        )
    header_size = 4 + 4 * n_dims
    if len(data) < header_size:
        raise IDXFormatError(f"{name}: truncated header")
    shape = struct.unpack(f">{n_dims}I", data[4:header_size])
    expected = header_size + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        raise IDXFormatError(
            f"{name}: {len(data):,} bytes, but the header (shape {shape}) needs {expected:,}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def idx_bytes(array: np.ndarray) -> bytes:
    """Return the IDX encoding (header + data) of a uint8 array."""
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise ValueError(f"IDX needs a uint8 array with at least one axis, got {array.dtype}")
    header = struct.pack(f">HBB{array.ndim}I", 0, _UBYTE, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 (hex) of the IDX encoding of ``array``, computed without building the bytes."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(struct.pack(f">HBB{array.ndim}I", 0, _UBYTE, array.ndim, *array.shape))
    digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def read_idx_file(path: Path) -> tuple[bytes, str]:
    """Read an IDX file, gzip-compressed (``.gz``) or not; return (decompressed bytes, SHA-256).

    Raises ``OSError`` when the file cannot be read and :class:`IDXFormatError` when a
    ``.gz`` file is corrupt or truncated.
    """
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise IDXFormatError(f"{path.name}: not a complete gzip file ({error})") from error
    return raw, hashlib.sha256(raw).hexdigest()
