"""Instructor copies (lecture_nn.tooling.solutions and ``lecture-nn solutions``).

Every solution copy is executed headless, and every check in it must print "Correct". The
Keras notebooks 06 and 07 run in quick mode here (about 1.5 min together); their student
copies run in full mode under nbval.
"""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lecture_nn.exercises import ANSWER_TAG, CHECK_TAG, MODULES, get_exercise
from lecture_nn.tooling.cli import main
from lecture_nn.tooling.notebook_runner import execute_notebook
from lecture_nn.tooling.paths import course_notebooks
from lecture_nn.tooling.solutions import fill_answers, write_solutions

NOTEBOOKS = course_notebooks()
EXECUTED = ("01", "02", "03", "04", "05", "06", "07")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


@pytest.fixture(scope="module")
def solution_dir(tmp_path_factory):
    output = tmp_path_factory.mktemp("solutions")
    written = write_solutions(NOTEBOOKS, output)
    assert written == [output / path.name for path in NOTEBOOKS]
    return output


def test_every_answer_cell_is_filled_and_nothing_else_changes(solution_dir):
    for original_path in NOTEBOOKS:
        original = load(original_path)
        solved = load(solution_dir / original_path.name)
        assert len(solved["cells"]) == len(original["cells"])
        answers = 0
        for before, after in zip(original["cells"], solved["cells"]):
            if ANSWER_TAG in before["metadata"].get("tags", []):
                answers += 1
                exercise = get_exercise(before["metadata"]["exercise"])
                assert source(before) == exercise.blank
                assert source(after) == exercise.solution_code
                assert {key: value for key, value in after.items() if key != "source"} == {
                    key: value for key, value in before.items() if key != "source"
                }
            else:
                assert after == before
        if f"nb{original_path.name[:2]}" in MODULES:  # a notebook with exercises
            assert answers >= 2, original_path.name


@pytest.fixture(scope="module")
def executed(solution_dir, tmp_path_factory):
    output = tmp_path_factory.mktemp("executed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LECTURE_NN_QUICK", "1")
        return {
            path.name[:2]: execute_notebook(solution_dir / path.name, output)
            for path in NOTEBOOKS
            if path.name[:2] in EXECUTED
        }


@pytest.mark.parametrize("number", EXECUTED)
def test_solution_notebook_runs_and_every_check_is_correct(executed, number):
    result = executed[number]
    assert result.ok, f"{result.error_name}: {result.error_message}"
    assert result.warnings == []
    checks = [
        cell
        for cell in load(result.output_path)["cells"]
        if CHECK_TAG in cell["metadata"].get("tags", [])
    ]
    assert len(checks) >= 2
    for cell in checks:
        printed = "".join(
            "".join(output.get("text", "")) for output in cell["outputs"] if "text" in output
        )
        assert printed.startswith("✓ Correct: "), (cell["metadata"]["exercise"], printed)
        # only printed text (the kernel may deliver it in several pieces), no "True" result
        assert {output["output_type"] for output in cell["outputs"]} == {"stream"}


def test_cli_writes_all_course_notebooks(tmp_path, capsys):
    assert main(["solutions", "--output", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"wrote  {tmp_path / path.name}" for path in NOTEBOOKS]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in NOTEBOOKS]


def test_cli_writes_the_notebooks_named(tmp_path, capsys):
    assert main(["solutions", "03", "05_optimizers", "--output", str(tmp_path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["03_activations.ipynb", "05_optimizers.ipynb"]


def test_cli_refuses_to_overwrite_the_notebooks(capsys):
    folder = NOTEBOOKS[0].parent
    assert main(["solutions", "01", "--output", str(folder)]) == 2
    assert "would be overwritten" in capsys.readouterr().err


def test_cli_reports_an_unknown_notebook(tmp_path, capsys):
    assert main(["solutions", "no_such_notebook", "--output", str(tmp_path)]) == 2
    assert "notebook 'no_such_notebook'" in capsys.readouterr().err


def answer_cell(exercise=None):
    metadata = {"tags": [ANSWER_TAG]}
    if exercise is not None:
        metadata["exercise"] = exercise
    return new_code_cell("answer = ...", metadata=metadata)


def test_fill_answers_rejects_answer_cells_without_a_known_exercise():
    with pytest.raises(ValueError, match="cell 1 is tagged 'exercise-answer' but its metadata"):
        fill_answers(new_notebook(cells=[answer_cell()]))
    with pytest.raises(ValueError, match="cell 2: unknown exercise 'nb09.nothing'"):
        fill_answers(new_notebook(cells=[new_code_cell("1"), answer_cell("nb09.nothing")]))
    nb = new_notebook(cells=[answer_cell("nb03.stable_softmax"), new_code_cell("x = 1")])
    assert fill_answers(nb) == 1
    assert nb.cells[0].source == get_exercise("nb03.stable_softmax").solution_code
    assert nb.cells[1].source == "x = 1"


def test_a_bad_notebook_writes_nothing_and_the_cli_says_why(tmp_path, capsys):
    good = tmp_path / "good.ipynb"
    bad = tmp_path / "bad.ipynb"
    nbformat.write(new_notebook(cells=[answer_cell("nb01.count_parameters")]), good)
    nbformat.write(new_notebook(cells=[answer_cell("nb09.nothing")]), bad)
    output = tmp_path / "out"
    with pytest.raises(ValueError, match="bad.ipynb: cell 1: unknown exercise"):
        write_solutions([good, bad], output)
    assert not output.exists()
    assert main(["solutions", str(good), str(bad), "--output", str(output)]) == 1
    assert "unknown exercise 'nb09.nothing'" in capsys.readouterr().err
    assert main(["solutions", str(good), "--output", str(output)]) == 0
    solved = nbformat.read(output / "good.ipynb", as_version=4)
    assert "parameter_counts = (weights, biases)" in solved.cells[0].source


@pytest.mark.parametrize(
    ("arguments", "error", "argument"),
    [
        ({"notebooks": "a.ipynb"}, TypeError, "notebooks"),
        ({"notebooks": [3]}, TypeError, "notebooks"),
        ({"notebooks": None}, TypeError, "notebooks"),
        ({"output_dir": 3}, TypeError, "output_dir"),
        ({"output_dir": "/dev/null/x"}, ValueError, "output_dir"),
    ],
)
def test_write_solutions_refuses_bad_arguments_by_name(tmp_path, arguments, error, argument):
    """A single path for ``notebooks``, or an output folder that cannot be made, is named."""
    path = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(), path)
    values = {"notebooks": [path], "output_dir": tmp_path / "out", **arguments}
    with pytest.raises(error, match=rf"\b{argument}\b"):
        write_solutions(**values)
    assert not (tmp_path / "out").exists()


def test_fill_answers_refuses_what_is_no_notebook():
    """``nb`` that is no mapping gets a TypeError naming it, not an AttributeError."""
    with pytest.raises(TypeError, match=r"\bnb\b"):
        fill_answers(None)
