"""Where the course's notebooks live."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "course_notebooks",
    "notebooks_dir",
]


def notebooks_dir() -> Path:
    """Return the folder holding the course notebooks.

    A wheel carries them inside the package (``lecture_nn/notebooks``); a source checkout
    or an editable install has them at the top of the repository.
    """
    package_dir = Path(__file__).resolve().parent.parent  # lecture_nn/, above tooling/
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
