"""The IDX file format of MNIST and Fashion-MNIST: parse it, and write it back.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the data in C order. Fashion-MNIST
uses unsigned bytes (type code 0x08) for both images (3 dimensions) and labels (1).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from lecture_nn import _validation

__all__ = [
    "MAX_IDX_BYTES",
    "IDXFormatError",
    "idx_bytes",
    "idx_sha256",
    "parse_idx",
    "read_idx_file",
]

_UBYTE = 0x08


class IDXFormatError(ValueError):
    """The bytes are not a well-formed unsigned-byte IDX file."""


def parse_idx(data: bytes, *, name: str = "data") -> np.ndarray:
    """Return the uint8 array stored in the IDX bytes ``data`` (a read-only view, no copy).

    Parameters
    ----------
    data : bytes
        A whole IDX file: header and data (``bytes``, ``bytearray`` or ``memoryview``).
    name : str
        What the bytes are called in error messages (a file name), not empty.

    Returns
    -------
    numpy.ndarray
        The uint8 array, of the shape the header announces.

    Raises
    ------
    TypeError
        When ``data`` is not bytes-like or ``name`` not a string.
    IDXFormatError
        When the bytes are not a well-formed unsigned-byte IDX file (it names ``data``).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes (an IDX file), got {type(data).__name__}")
    name = _validation.text(name, "name")
    if len(data) < 4:
        raise IDXFormatError(f"data ({name}): {len(data)} bytes is too short for an IDX header")
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
    array = _uint8_array(array)
    header = struct.pack(f">HBB{array.ndim}I", 0, _UBYTE, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def _uint8_array(array) -> np.ndarray:
    """Check an array IDX can store: uint8 with at least one axis (C-contiguous copy if needed)."""
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise ValueError(
            f"array must be a uint8 array with at least one axis for IDX, got dtype "
            f"{array.dtype} and shape {array.shape}"
        )
    return np.ascontiguousarray(array)


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 (hex) of the IDX encoding of ``array``, computed without building the bytes.

    Parameters
    ----------
    array : numpy.ndarray
        A uint8 array with at least one axis.

    Returns
    -------
    str
        The hex digest, equal to that of ``idx_bytes(array)``.

    Raises
    ------
    ValueError
        When ``array`` is not a uint8 array with at least one axis.
    """
    array = _uint8_array(array)
    digest = hashlib.sha256(struct.pack(f">HBB{array.ndim}I", 0, _UBYTE, array.ndim, *array.shape))
    digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


#: The largest IDX file (decompressed bytes) read when no shape is expected: above the
#: 47 MB of Fashion-MNIST's training images, far below what would exhaust a laptop.
MAX_IDX_BYTES = 64 * 2**20

#: Bytes of compressed input handed to the decompressor at a time.
_CHUNK = 2**16


class _Reader:
    """Reads exactly the bytes asked for from a plain or gzip file, decompressing on demand.

    Only what is asked for is ever decompressed, so a small file that decompresses to
    gigabytes (a gzip bomb) costs no more memory than the bytes the header announces.
    """

    def __init__(self, handle: BinaryIO, name: str, compressed: bool) -> None:
        """Read from the open binary file ``handle`` (called ``name`` in messages)."""
        self.handle, self.name, self.compressed = handle, name, compressed
        self.inflater = zlib.decompressobj(wbits=31) if compressed else None
        self.tail = b""  # compressed bytes read but not yet decompressed

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes: fewer only at the end of the data."""
        if not self.compressed:
            return self.handle.read(size)
        out = bytearray()
        while len(out) < size:
            if not self.tail:
                self.tail = self.inflater.unused_data if self.inflater.eof else b""
                if self.inflater.eof:
                    self.tail = self.tail or self.handle.read(_CHUNK)
                    if not self.tail:
                        break  # the end of the last gzip member
                    self.inflater = zlib.decompressobj(wbits=31)  # another member follows
                else:
                    self.tail = self.handle.read(_CHUNK)
                    if not self.tail:
                        raise IDXFormatError(
                            f"{self.name}: not a complete gzip file (it ends inside the data)"
                        )
            try:
                out += self.inflater.decompress(self.tail, size - len(out))
            except zlib.error as error:
                raise IDXFormatError(f"{self.name}: not a complete gzip file ({error})") from error
            # at the end of a member what follows it is in unused_data, read next
            self.tail = b"" if self.inflater.eof else self.inflater.unconsumed_tail
        return bytes(out)


def read_idx_file(
    path: Path, *, shape: tuple[int, ...] | None = None, max_bytes: int = MAX_IDX_BYTES
) -> tuple[bytes, str]:
    """Read an IDX file, gzip-compressed (``.gz``) or not, checking its header first.

    The header is read (and decompressed) before anything else: the shape it announces
    must be ``shape`` when given, and its data at most ``max_bytes`` otherwise. Then exactly
    that many bytes are decompressed, and one more byte is asked for to find a file that
    holds more than its header says. A gzip bomb is so refused after a few kilobytes.

    Parameters
    ----------
    path
        The file; a name ending in ``.gz`` is decompressed.
    shape
        The shape the header must announce (e.g. ``(60000, 28, 28)``), or None for any.
    max_bytes
        The largest data size accepted when ``shape`` is None, in bytes: an integer >= 1.

    Returns
    -------
    raw : bytes
        The decompressed file: header and data, as :func:`parse_idx` takes it.
    sha256 : str
        The SHA-256 (hex) of ``raw``.

    Raises
    ------
    TypeError
        When ``path`` is not a path or ``max_bytes`` not an integer.
    ValueError
        When ``max_bytes`` is not positive.
    OSError
        When the file cannot be read.
    IDXFormatError
        When the header is not an unsigned-byte IDX header, announces another shape (or
        too much data), or the file is truncated, longer than announced or a corrupt gzip.
    """
    path = _validation.path(path, "path")
    max_bytes = _validation.positive_int(max_bytes, "max_bytes")
    with path.open("rb") as handle:
        reader = _Reader(handle, path.name, compressed=path.suffix == ".gz")
        header = _read_header(reader, path.name)
        found = struct.unpack(f">{header[3]}I", header[4:])
        size = int(np.prod(found, dtype=np.int64))
        if shape is not None and found != tuple(shape):
            raise IDXFormatError(
                f"{path.name}: the header announces shape {found}, expected {tuple(shape)}"
            )
        if shape is None and size > max_bytes:
            raise IDXFormatError(
                f"{path.name}: the header announces {size:,} bytes of data (shape {found}), "
                f"more than the {max_bytes:,} allowed"
            )
        data = reader.read(size)
        if len(data) < size:
            raise IDXFormatError(
                f"{path.name}: {len(data):,} bytes of data, but the header (shape {found}) "
                f"needs {size:,}"
            )
        if reader.read(1):
            raise IDXFormatError(
                f"{path.name}: more data than the header (shape {found}) announces; refused"
            )
    raw = header + data
    return raw, hashlib.sha256(raw).hexdigest()


def _read_header(reader: _Reader, name: str) -> bytes:
    """Read the magic number and the dimensions of an unsigned-byte IDX file."""
    magic = reader.read(4)
    if len(magic) < 4:
        raise IDXFormatError(f"{name}: {len(magic)} bytes is too short for an IDX header")
    zero, type_code, n_dims = struct.unpack(">HBB", magic)
    if zero != 0 or type_code != _UBYTE or n_dims == 0:
        raise IDXFormatError(
            f"{name}: not an unsigned-byte IDX file (magic {magic.hex()}, expected 0000 08 0n)"
        )
    dims = reader.read(4 * n_dims)
    if len(dims) < 4 * n_dims:
        raise IDXFormatError(f"{name}: truncated header")
    return magic + dims
