"""Instructor copies of the notebooks: every exercise answer cell filled with its solution.

An answer cell is a code cell tagged ``exercise-answer`` whose metadata names its exercise
(``{"exercise": "nb03.leaky_relu"}``); its source is replaced by that exercise's reference
solution. Everything else is copied unchanged, outputs included (the course notebooks have
none in their exercise cells).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lecture_nn import _validation as check
from lecture_nn.exercises import ANSWER_TAG, get_exercise
from lecture_nn.tooling.atomic import write_atomic

__all__ = ["fill_answers", "write_solutions"]


def fill_answers(nb) -> int:
    """Replace the source of every answer cell of the notebook ``nb`` (in place).

    Returns the number of cells filled. Raises ValueError naming the cell when an answer
    cell names no exercise or an unknown one.

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping).
    """
    check.mapping(nb, "nb", keys=("cells",))
    filled = 0
    for index, cell in enumerate(nb.cells):
        if ANSWER_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        name = cell.metadata.get("exercise")
        if not name:
            raise ValueError(
                f"cell {index + 1} is tagged {ANSWER_TAG!r} but its metadata names no exercise"
            )
        try:
            exercise = get_exercise(name)
        except ValueError as exc:
            raise ValueError(f"cell {index + 1}: {exc}") from None
        cell.source = exercise.solution_code
        filled += 1
    return filled


def write_solutions(notebooks: Iterable[Path | str], output_dir: Path | str) -> list[Path]:
    """Write a copy of each notebook, answer cells filled in, to ``output_dir``.

    The copies keep the notebooks' file names and are written atomically; ``output_dir``
    is created if needed. Returns the paths written, in the order given. Raises
    ValueError when ``output_dir`` holds one of the notebooks (it would be overwritten),
    when two notebooks share a file name, or when an answer cell names no known exercise.

    Raises
    ------
    TypeError
        When ``notebooks`` is no sequence of paths (one path alone included) or
        ``output_dir`` no path.
    """
    import nbformat

    paths = check.paths(notebooks, "notebooks")
    output_dir = check.path(output_dir, "output_dir")
    names: dict[str, Path] = {}
    for path in paths:
        if output_dir.resolve() == path.resolve().parent:
            raise ValueError(f"{output_dir} holds {path.name}, which would be overwritten")
        other = names.setdefault(path.name, path)
        if other.resolve() != path.resolve():
            raise ValueError(f"{other} and {path} have the same file name")

    filled = []  # all notebooks first, so that a bad one leaves nothing half written
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            fill_answers(nb)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        filled.append((output_dir / path.name, nbformat.writes(nb)))

    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ValueError(f"output_dir: cannot write to {output_dir}: {reason}") from None
    for target, text in filled:
        write_atomic(target, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return [target for target, _ in filled]
