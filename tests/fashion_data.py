"""Where the tests find the real Fashion-MNIST IDX files (never downloaded at test time).

Looked for in ``$LECTURE_NN_DATA``, the workplace's ``shared/data/fashion-mnist`` beside the
repository, and the Debian package's folder. Without them the data tests are skipped,
unless ``LECTURE_NN_REQUIRE_DATA=1`` (set by CI), which makes them fail instead.
"""

import os
from pathlib import Path

import pytest

FILE_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def candidate_folders() -> list[Path]:
    folders = []
    if os.environ.get("LECTURE_NN_DATA"):
        folders.append(Path(os.environ["LECTURE_NN_DATA"]))
    folders.append(Path(__file__).resolve().parents[2] / "shared" / "data" / "fashion-mnist")
    folders.append(Path("/usr/share/datasets/fashion-mnist"))
    return folders


def official_idx_folder() -> Path:
    """Return a folder with the four official files, or skip (fail under CI) the test."""
    for folder in candidate_folders():
        if all((folder / name).is_file() for name in FILE_NAMES):
            return folder
    message = "Fashion-MNIST IDX files not found in: " + ", ".join(map(str, candidate_folders()))
    if os.environ.get("LECTURE_NN_REQUIRE_DATA") == "1":
        pytest.fail(message + " (LECTURE_NN_REQUIRE_DATA=1)")
    pytest.skip(message)
