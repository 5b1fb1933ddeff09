"""The README's module table lists every public module of the package by its home, and no other.

Public: no part of the dotted name starts with ``_``. The exercise definitions of each
notebook (``lecture_nn.exercises.nb01`` ... ``nb07``) are covered by the exercises row, which
names them as ``nb01`` ... ``nb07``.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import lecture_nn

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def public_modules() -> set[str]:
    """Dotted names of the package's public modules and sub-packages."""
    return {
        module.name
        for module in pkgutil.walk_packages(lecture_nn.__path__, "lecture_nn.")
        if not any(part.startswith("_") for part in module.name.split(".")[1:])
    }


def module_table() -> str:
    """The rows of the README's table headed ``| module | what it holds |``."""
    start = README.index("| module | what it holds |")
    rows = []
    for line in README[start:].splitlines():
        if not line.startswith("|"):
            break
        rows.append(line)
    return "\n".join(rows)


def test_every_public_module_is_in_the_readme_module_table():
    table = module_table()
    exercise_notebooks = re.compile(r"lecture_nn\.exercises\.nb0\d$")
    missing = sorted(
        name
        for name in public_modules()
        if f"`{name}`" not in table and not exercise_notebooks.match(name)
    )
    assert missing == [], f"public modules missing from the README's module table: {missing}"
    numbers = sorted(name[-4:] for name in public_modules() if exercise_notebooks.match(name))
    assert numbers == [f"nb0{n}" for n in range(1, 8)]
    assert "`nb01` ... `nb07`" in table


def test_the_readme_module_table_names_only_modules_that_exist():
    named = set(re.findall(r"`(lecture_nn(?:\.\w+)+)`", module_table()))
    assert named, "the module table names no module"
    assert sorted(named - public_modules()) == []


def test_the_table_puts_tooling_and_data_loading_under_their_headings():
    table = module_table()
    tooling, data = table.index("**course tooling**"), table.index("**data loading**")
    for name in public_modules():
        row = table.index(f"`{name}`") if f"`{name}`" in table else None
        if row is None:
            continue
        if name.startswith("lecture_nn.tooling"):
            assert tooling < row < data, name
        elif name.startswith("lecture_nn.datasets"):
            assert row > data, name
        elif name.count(".") == 1:
            assert row < tooling, name
