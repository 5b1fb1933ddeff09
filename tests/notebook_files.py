"""Small notebooks written to disk for the tests that execute or render them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

#: The kernel every test notebook names: the one ipykernel installs.
PYTHON3_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def save_notebook(path: Path, cells: Iterable[nbformat.NotebookNode]) -> Path:
    """Write a python3-kernel notebook of ``cells`` to ``path`` (folders made); return the path."""
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(PYTHON3_KERNELSPEC)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
