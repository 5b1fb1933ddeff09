"""The course on another Keras backend: every notebook runs under JAX as a student runs it.

The notebooks are executed once (fixture ``executed_course_jax`` in conftest.py), in quick
mode, in a kernel with a student's environment and ``KERAS_BACKEND=jax``; they must run
through, print no warning and write nothing to stderr, as under TensorFlow
(tests/test_course_notebooks.py). A static check keeps TensorFlow-only APIs out of them.
"""

import json
import re
from pathlib import Path

import pytest

import lecture_nn
from lecture_nn.paths import course_notebooks

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


def test_the_course_package_uses_no_tensorflow_only_api():
    # The notebooks call these helpers, so they too must run on every backend.
    package = Path(lecture_nn.__file__).parent
    found = [
        f"{path.relative_to(package)}: {match.group(0).strip()}"
        for path in sorted(package.rglob("*.py"))
        for match in TENSORFLOW_ONLY.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_tensorflow_only_pattern_finds_what_it_should():
    for text in ("import tensorflow as tf", "x = tf.constant(1)", "tensorflow.keras.layers"):
        assert TENSORFLOW_ONLY.search(text), text
    for text in ("import keras", "keras.ops.mean(x)", "# runs on tensorflow, jax or torch"):
        assert not TENSORFLOW_ONLY.search(text), text
