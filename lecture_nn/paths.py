"""Where the course's files live: the notebooks, and the places Fashion-MNIST is looked for."""

from __future__ import annotations

import os
from pathlib import Path

#: The four files of the original Fashion-MNIST release.
FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def notebooks_dir() -> Path:
    """Return the folder holding the course notebooks.

    A wheel carries them inside the package (``lecture_nn/notebooks``); a source checkout
    or an editable install has them at the top of the repository.
    """
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "notebooks", package_dir.parent / "notebooks"):
        if any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    raise FileNotFoundError(
        f"the course notebooks were not found next to {package_dir}; "
        "reinstall lecture-nn (pip install lecture-nn) or run from a checkout of the repository"
    )


def course_notebooks() -> list[Path]:
    """Return the numbered course notebooks (``01_*.ipynb`` ...) in course order."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def fashion_mnist_candidates() -> list[Path]:
    """Return the folders that may hold the four Fashion-MNIST IDX files, in search order."""
    folders = []
    if os.environ.get("LECTURE_NN_DATA"):
        folders.append(Path(os.environ["LECTURE_NN_DATA"]).expanduser())
    folders.append(Path.home() / ".keras" / "datasets" / "fashion-mnist")
    folders.append(Path("/usr/share/datasets/fashion-mnist"))
    return folders


def find_local_fashion_mnist() -> Path | None:
    """Return the first candidate folder that has all four IDX files, or None."""
    for folder in fashion_mnist_candidates():
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
            return folder
    return None
