"""The course notebooks: they run headless without errors or warnings, every widget leaves its
default figure in the executed copy, and the committed files are small and tidy. The
notebooks are executed once per session (fixture ``executed_course`` in conftest.py).

nbval (``--nbval-lax`` in the README's test command) separately re-runs each notebook and
compares the cells tagged ``nbval-check-output`` with their committed output.
"""

import itertools
import json
import re
import shlex

import pytest

from lecture_nn.tooling.notebook_runner import CHECK_OUTPUT_TAG
from lecture_nn.tooling.paths import course_notebooks

NOTEBOOKS = course_notebooks()
IDS = [path.stem for path in NOTEBOOKS]
MAX_COMMITTED_BYTES = 200_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TRAINING_CALLS = (".fit(", "run_experiment(", "run_final_fit(")
# What Colab ships and the set-up cells must leave alone, and what they may add with its
# dependencies (KerasTuner: it needs nothing newer than Colab has).
COLAB_OWNS = {"keras", "tensorflow", "ipywidgets", "ipython", "ipykernel", "numpy", "matplotlib"}
NOT_ON_COLAB = {"keras-tuner"}


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_course_has_all_its_notebooks():
    assert set(IDS) == {
        "01_architecture",
        "02_training",
        "03_activations",
        "04_initialization",
        "05_optimizers",
        "06_keras_fashion_mnist",
        "07_model_selection",
    }


@pytest.mark.parametrize("name", IDS)
def test_runs_headless_without_errors_or_warnings(executed_course, name, report):
    result = executed_course[name]
    assert result.ok, (
        f"cell {result.failed_cell_index} failed: {result.error_name}: {result.error_message}"
    )
    assert result.warnings == []
    report.append(f"{name} ran in {result.seconds:.0f} s (quick mode, a student's kernel)")


def stderr_outputs(notebook):
    """The stderr texts of a notebook's code cells, as (code cell number, text) pairs."""
    found = []
    for number, cell in enumerate(code_cells(notebook), start=1):
        for output in cell["outputs"]:
            if output["output_type"] == "stream" and output["name"] == "stderr":
                text = output["text"]
                found.append((number, "".join(text) if isinstance(text, list) else text))
    return found


@pytest.mark.parametrize("name", IDS)
def test_no_cell_writes_to_stderr_in_a_students_kernel(executed_course, name):
    # The kernel had a student's environment (conftest.NOT_A_STUDENT), so this is the red
    # box a student would see: TensorFlow's start-up notices, warnings, library logs.
    assert stderr_outputs(load(executed_course[name].output_path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_the_set_up_cell_imports_lecture_nn_before_any_keras_import(path):
    # ``import lecture_nn`` keeps TensorFlow's start-up notices out of the notebook, but only
    # for a TensorFlow imported after it (lecture_nn.tooling.environment.quiet_tensorflow_startup).
    first = source(code_cells(load(path))[0])
    assert re.search(r"^import lecture_nn\b", first, re.MULTILINE), first


@pytest.mark.parametrize("name", IDS)
def test_every_widget_leaves_its_default_figure(executed_course, name):
    notebook = load(executed_course[name].output_path)
    widget_cells = [cell for cell in code_cells(notebook) if "interactive_figure(" in source(cell)]
    assert widget_cells or name != "01_architecture"
    for cell in widget_cells:
        kinds = [set(output.get("data", {})) for output in cell["outputs"]]
        assert any("image/png" in kind for kind in kinds), source(cell)[:80]


@pytest.mark.parametrize("name", IDS)
def test_figure_only_cells_are_tagged_hide_input(executed_course, name):
    notebook = load(executed_course[name].output_path)
    for cell in code_cells(notebook):
        outputs = cell["outputs"]
        figure_only = outputs and all(
            output["output_type"] == "display_data"
            and set(output["data"]) & {"image/png", WIDGET_VIEW}
            for output in outputs
        )
        # A training cell's live learning curves are a by-product of its real work (fit):
        # its code is the lesson, so it stays visible.
        trains = any(call in source(cell) for call in TRAINING_CALLS)
        if figure_only and not trains:
            assert "hide-input" in cell["metadata"].get("tags", []), source(cell)[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_is_small_and_stripped(path):
    assert path.stat().st_size < MAX_COMMITTED_BYTES
    notebook = load(path)
    assert "widgets" not in notebook["metadata"]
    for cell in code_cells(notebook):
        for output in cell["outputs"]:
            assert "image/png" not in output.get("data", {}), "images are not committed"
        checked = CHECK_OUTPUT_TAG in cell["metadata"].get("tags", [])
        if checked:
            assert cell["outputs"], f"checked cell without expected output: {source(cell)[:60]}"
        else:
            assert cell["outputs"] == [], f"unchecked cell with output: {source(cell)[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_installs_on_colab_only(path):
    first = source(code_cells(load(path))[0])
    assert 'if "google.colab" in sys.modules:' in first
    after = first.split('if "google.colab" in sys.modules:')[1].splitlines()
    body = list(itertools.takewhile(lambda line: not line.strip() or line[:1] == " ", after))
    rest = after[len(body) :]
    assert all(not line.startswith("%pip") for line in rest), "installs only on Colab"
    installs = [shlex.split(line, comments=True)[2:] for line in body if line.strip()]
    assert installs, "the set-up cell installs nothing on Colab"
    for arguments in installs:
        options = {word for word in arguments if word.startswith("-")}
        names = {re.split(r"[\s@=<>!~\[;]", word)[0].lower() for word in arguments} - set(options)
        assert not options & {"-U", "--upgrade", "--force-reinstall"}
        assert not names & COLAB_OWNS, f"never reinstall what Colab ships: {names & COLAB_OWNS}"
        if "lecture-nn" in names:
            assert "--no-deps" in options  # its other dependencies would upgrade Colab's
        else:
            assert "--no-deps" in options or names <= NOT_ON_COLAB, names
