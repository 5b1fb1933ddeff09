"""The course on another Keras backend: every notebook runs under JAX as a student runs it.

The notebooks are executed once (fixture ``executed_course_jax`` in conftest.py), in quick
mode, in a kernel with a student's environment and ``KERAS_BACKEND=jax``; they must run
through, print no warning and write nothing to stderr, as under TensorFlow
(tests/test_course_notebooks.py). A static check keeps TensorFlow-only APIs out of them.
"""

import ast
import json
import re
from pathlib import Path

import pytest

import lecture_nn
from lecture_nn.tooling.paths import course_notebooks

NOTEBOOKS = course_notebooks()
IDS = [path.stem for path in NOTEBOOKS]
# Calls that exist only under TensorFlow: the tensorflow module itself, tf.keras, tf.data,
# GradientTape, tf.function. Keras 3 code that runs on every backend uses keras.ops.
TENSORFLOW_ONLY = re.compile(
    r"^\s*(import tensorflow|from tensorflow)|\btf\.|tensorflow\.keras|GradientTape",
    re.MULTILINE,
)


def code_of(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def stderr_texts(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(output["text"])
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if output["output_type"] == "stream" and output["name"] == "stderr"
    ]


@pytest.mark.parametrize("name", IDS)
def test_notebook_runs_under_jax_without_stderr_or_warnings(executed_course_jax, name):
    result = executed_course_jax[name]
    assert result.ok, (
        f"cell {result.failed_cell_index} failed under JAX: "
        f"{result.error_name}: {result.error_message}"
    )
    assert result.warnings == []
    assert stderr_texts(result.output_path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_uses_no_tensorflow_only_api(path):
    found = [
        match.group(0).strip()
        for source in code_of(path)
        for match in TENSORFLOW_ONLY.finditer(source)
    ]
    assert found == []


# Functions that are the TensorFlow branch of a per-backend choice (each backend has its own
# branch, and the others are tested too): module -> function names.
TENSORFLOW_BRANCHES = {"batch_size.py": {"_tensorflow_gradient"}}


def function_source(text: str, name: str) -> tuple[int, int]:
    """The line range [start, end) of the top-level function ``name`` in the source ``text``."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node.lineno - 1, node.end_lineno
    raise LookupError(name)


def without_functions(text: str, names: set[str]) -> str:
    """``text`` (Python source) with the top-level functions ``names`` blanked out."""
    lines = text.splitlines(keepends=True)
    for name in names:
        start, end = function_source(text, name)
        lines[start:end] = ["\n"] * (end - start)
    return "".join(lines)


def test_the_course_package_uses_no_tensorflow_only_api():
    # The notebooks call these helpers, so they too must run on every backend.
    package = Path(lecture_nn.__file__).parent
    found = [
        f"{path.relative_to(package)}: {match.group(0).strip()}"
        for path in sorted(package.rglob("*.py"))
        for match in TENSORFLOW_ONLY.finditer(
            without_functions(
                path.read_text(encoding="utf-8"),
                TENSORFLOW_BRANCHES.get(path.relative_to(package).as_posix(), set()),
            )
        )
    ]
    assert found == []


def test_the_tensorflow_branches_exist_beside_other_backends():
    from lecture_nn import batch_size

    assert set(batch_size._GRADIENTS) == {"tensorflow", "jax", "torch"}
    for module, names in TENSORFLOW_BRANCHES.items():
        text = (Path(lecture_nn.__file__).parent / module).read_text(encoding="utf-8")
        for name in names:
            start, end = function_source(text, name)
            branch = "".join(text.splitlines(keepends=True)[start:end])
            assert TENSORFLOW_ONLY.search(branch), (module, name)
