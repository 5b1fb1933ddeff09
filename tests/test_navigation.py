"""Navigation inside the notebooks: each opens with the list of its sections and ends with links
to the previous and next notebook; figure-only cells start collapsed in JupyterLab."""

import json
import re

import pytest

from lecture_nn.tooling.paths import course_notebooks
from lecture_nn.tooling.site import NAVIGATION_MARK

NOTEBOOKS = course_notebooks()
IDS = [path.stem for path in NOTEBOOKS]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def section_headings(notebook):
    return [
        line[3:].strip()
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
        for line in source(cell).splitlines()
        if line.startswith("## ")
    ]


def markdown_links(text):
    return re.findall(r"\[([^\]]+)\]\(([^)]+)\)", text)


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=IDS)
def test_notebook_opens_with_a_list_of_its_sections(index):
    notebook = load(NOTEBOOKS[index])
    contents = source(notebook["cells"][1])
    assert notebook["cells"][1]["cell_type"] == "markdown"
    headings = section_headings(notebook)
    assert len(headings) >= 3
    # Every section, in order, linked by the anchor JupyterLab and nbconvert give a heading.
    assert markdown_links(contents) == [(h, "#" + h.replace(" ", "-")) for h in headings]


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=IDS)
def test_notebook_ends_with_links_to_its_neighbours(index):
    notebook = load(NOTEBOOKS[index])
    last = notebook["cells"][-1]
    assert last["cell_type"] == "markdown"
    assert source(last).startswith(NAVIGATION_MARK)  # the site drops it for its own links
    targets = [target for _text, target in markdown_links(source(last))]
    expected = []
    if index > 0:
        expected.append(NOTEBOOKS[index - 1].name)
    if index + 1 < len(NOTEBOOKS):
        expected.append(NOTEBOOKS[index + 1].name)
    assert targets == expected
    for text, _target in markdown_links(source(last)):
        assert text[0].isdigit(), f"a link names the notebook by its title: {text!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figure_only_cells_start_collapsed_in_jupyterlab(path):
    for cell in load(path)["cells"]:
        if "hide-input" in cell.get("metadata", {}).get("tags", []):
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, source(cell)
