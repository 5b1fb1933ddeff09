"""The static course site (``lecture-nn build``): pages, folding, offline assets, bad input.

The whole course's site is opened in Chromium by tests/browser/test_course_site.py; here the
builder is checked on small notebooks written by the tests, and on the course's pages as HTML.
"""

from __future__ import annotations

import html.parser
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from notebook_files import save_notebook

from lecture_nn.tooling import site

# Lines TensorFlow 2.21's C++ runtime writes to stderr when Keras is imported (copied from
# an executed notebook); ipykernel forwards them to the notebook as a stderr stream.
TF_STARTUP_LOG = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795664762.708371    7437 port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results.\n"
    "I0000 00:00:1795664762.709526    7437 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.\n"
    "I0000 00:00:1795664762.812694    7437 cpu_feature_guard.cc:227] This TensorFlow binary "
    "is optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.\n"
    "E0000 00:00:1795664765.513567    7437 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error\n"
)

FIGURE_CODE = (
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(2, 2))\n"
    "ax.plot([0, 1], [1, 0])\n"
    "plt.show()"
)


def small_course(folder):
    """Two notebooks: a figure-only cell (hide-input), a printing cell, math in markdown."""
    folder.mkdir(parents=True, exist_ok=True)
    first = save_notebook(
        folder / "01_first.ipynb",
        [
            new_markdown_cell(
                "# 1. First steps\n\nA [short](https://example.org) *introduction* with "
                "$x^2$. Second sentence.\n\n## More\n\nText."
            ),
            new_code_cell(FIGURE_CODE, metadata={"tags": ["hide-input"]}),
            new_code_cell('print("visible " + "code")'),
        ],
    )
    second = save_notebook(
        folder / "02_second.ipynb",
        [new_markdown_cell("# 2. Second\n\n$$a = b$$"), new_code_cell("1 + 1")],
    )
    return [first, second]


class Links(html.parser.HTMLParser):
    """Every src and href attribute of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def external_urls(page_html: str) -> list[str]:
    parser = Links()
    parser.feed(page_html)
    return [url for url in parser.urls if url.startswith(("http:", "https:", "//"))]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """The site of the two small notebooks, built with execution (a real kernel)."""
    root = tmp_path_factory.mktemp("small")
    notebooks = small_course(root / "notebooks")
    built = site.build_site(root / "site", notebooks, executed_dir=root / "executed")
    return built, notebooks, root


def test_build_executes_the_notebooks_and_writes_one_page_each(small_site):
    built, notebooks, root = small_site
    assert [page.href for page in built.pages] == ["01_first.html", "02_second.html"]
    assert (root / "executed" / "01_first.ipynb").is_file()
    first = (built.output_dir / "01_first.html").read_text(encoding="utf-8")
    assert "visible code" in first  # the printed output, so the cell really ran
    assert first.count('src="data:image/png;base64,') == 1
    assert [page.images for page in built.pages] == [1, 0]
    assert built.pages[0].seconds > 0


def test_index_lists_every_page_with_title_and_summary(small_site):
    built, _, _ = small_site
    index = built.index.read_text(encoding="utf-8")
    assert 'href="01_first.html">1. First steps</a>' in index
    assert 'href="02_second.html">2. Second</a>' in index
    # Markdown links and emphasis reduced to their text, math delimiters dropped.
    assert "A short introduction with x^2. Second sentence." in index


def test_figure_only_code_is_folded_and_other_code_is_not(small_site):
    built, _, _ = small_site
    page = (built.output_dir / "01_first.html").read_text(encoding="utf-8")
    assert page.count('<details class="course-hidden-input">') == 1
    folded = page.split('<details class="course-hidden-input">')[1].split("</details>")[0]
    assert "subplots" in folded
    assert "visible" not in folded


def test_pages_link_to_their_neighbours_and_the_index(small_site):
    built, _, _ = small_site
    first = (built.output_dir / "01_first.html").read_text(encoding="utf-8")
    second = (built.output_dir / "02_second.html").read_text(encoding="utf-8")
    assert 'class="course-next" href="02_second.html"' in first
    assert "course-previous" not in first
    assert 'class="course-previous" href="01_first.html"' in second
    assert 'href="index.html"' in first


def test_site_needs_no_network(small_site):
    built, _, _ = small_site
    for page in ["index.html", "01_first.html", "02_second.html"]:
        text = (built.output_dir / page).read_text(encoding="utf-8")
        assert external_urls(text) == ["https://example.org"] * ("01" in page), page
        assert "cdnjs" not in text
        assert "unpkg" not in text
    mathjax = built.output_dir / site.STATIC_DIR / "mathjax"
    assert (mathjax / "MathJax.js").is_file()
    assert (mathjax / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()
    assert (built.output_dir / site.STATIC_DIR / "site.css").is_file()


def test_startup_log_lines_are_removed_and_other_stderr_kept():
    kept = "UserWarning: a real warning\n"
    assert site._strip_startup_log(TF_STARTUP_LOG) == ""
    assert site._strip_startup_log(TF_STARTUP_LOG + kept) == kept
    assert site._strip_startup_log("I0000 is not a log record\n") == "I0000 is not a log record\n"


def test_prepare_for_site_keeps_figures_and_drops_widget_views_and_log():
    image = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    widget = new_output(
        "display_data",
        data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "HBox"},
    )
    log = new_output("stream", name="stderr", text=TF_STARTUP_LOG)
    printed = new_output("stream", name="stdout", text="hello\n")
    cell = new_code_cell("x", outputs=[widget, image, log, printed])
    nb = new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    shown = site.prepare_for_site(nb)
    assert [output.output_type for output in shown.cells[0].outputs] == ["display_data", "stream"]
    assert "image/png" in shown.cells[0].outputs[0].data
    assert "widgets" not in shown.metadata
    assert len(nb.cells[0].outputs) == 4  # the original is not modified


def test_prepare_for_site_drops_the_notebooks_own_links_to_its_neighbours():
    navigation = new_markdown_cell(site.NAVIGATION_MARK + "\nNext: [2. Two](02_two.ipynb) →")
    text = new_markdown_cell("See [notebook 2](02_two.ipynb).")
    nb = new_notebook(cells=[new_markdown_cell("# 1. One"), text, navigation])
    shown = site.prepare_for_site(nb)
    assert [cell.source for cell in shown.cells] == ["# 1. One", text.source]


def test_summary_is_cut_at_a_sentence():
    sentence = "This sentence has exactly fifty characters in it. "
    nb = new_notebook(cells=[new_markdown_cell("# Title\n\n" + sentence * 10)])
    summary = site.notebook_summary(nb, max_chars=120)
    assert summary == (sentence * 2).strip()
    assert site.notebook_summary(nb, max_chars=50) == sentence.strip()


def test_summary_without_a_sentence_end_is_cut_at_a_word():
    nb = new_notebook(cells=[new_markdown_cell("# Title\n\n" + "word, " * 40 + "end.")])
    summary = site.notebook_summary(nb, max_chars=30)
    assert summary == "word, word, word, word, word \N{HORIZONTAL ELLIPSIS}"
    assert len(summary) <= 32


def test_failed_notebook_stops_the_build_and_keeps_the_old_site(tmp_path):
    broken = save_notebook(tmp_path / "03_broken.ipynb", [new_code_cell("1 / 0")])
    output = tmp_path / "site"
    output.mkdir()
    (output / "index.html").write_text("old site", encoding="utf-8")
    with pytest.raises(
        site.SiteBuildError, match=r"03_broken.ipynb: code cell 1: ZeroDivisionError"
    ):
        site.build_site(output, [broken])
    assert (output / "index.html").read_text(encoding="utf-8") == "old site"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["03_broken.ipynb", "site"]


def test_a_new_build_replaces_the_old_site_as_a_whole(tmp_path):
    notebooks = small_course(tmp_path / "notebooks")
    output = tmp_path / "site"
    output.mkdir()
    (output / "stale.html").write_text("left over", encoding="utf-8")
    site.build_site(output, notebooks[1:], execute=False)
    assert not (output / "stale.html").exists()
    assert (output / "02_second.html").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notebooks", "site"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"notebooks": []}, "notebooks is empty"),
        ({"notebooks": ["missing.ipynb"]}, "is not a notebook file"),
        ({"output_dir": "a_file.txt"}, "output_dir: .* is not a folder"),
        ({"output_dir": "notebooks"}, "output_dir: .* holds the notebook"),
        ({"executed_dir": "notebooks"}, "executed_dir: .* would overwrite them"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    notebooks = small_course(tmp_path / "notebooks")
    (tmp_path / "a_file.txt").write_text("not a folder", encoding="utf-8")
    options = {"output_dir": "site", "notebooks": notebooks, "execute": False, **arguments}
    with pytest.raises(ValueError, match=message):
        site.build_site(**options)
    assert not (tmp_path / "site").exists()


def test_two_notebooks_with_one_name_are_refused(tmp_path):
    first = small_course(tmp_path / "a")[0]
    second = small_course(tmp_path / "b")[0]
    with pytest.raises(ValueError, match="share a name"):
        site.build_site(tmp_path / "site", [first, second], execute=False)


def run_cli(*arguments, cwd, **variables):
    env = {**os.environ, **variables} if variables else None
    return subprocess.run(
        [sys.executable, "-m", "lecture_nn.tooling.cli", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_command_line_builds_the_site(tmp_path):
    notebooks = small_course(tmp_path / "notebooks")
    done = run_cli("build", *map(str, notebooks), "--output", "out", "--quick", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # Exactly one line per page, then the summary; nothing on stderr (no kernel messages).
    assert re.sub(r" +\d+\.\d s\b", " N s", done.stdout) == (
        "01_first.html N s    1 figure\n"
        "02_second.html N s    0 figures\n"
        f"site built in N s (quick mode): {Path('out', 'index.html')}\n"
    )
    assert done.stderr == ""
    assert (tmp_path / "out" / "index.html").is_file()


def test_command_line_reports_a_failed_notebook(tmp_path):
    broken = save_notebook(tmp_path / "broken.ipynb", [new_code_cell("raise ValueError('no')")])
    done = run_cli("build", str(broken), "--output", "out", cwd=tmp_path)
    assert done.returncode == 1
    assert "broken.ipynb: code cell 1: ValueError: no" in done.stderr
    assert not (tmp_path / "out").exists()


def test_command_line_refuses_an_output_that_is_a_file(tmp_path):
    notebooks = small_course(tmp_path / "notebooks")
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    done = run_cli("build", str(notebooks[0]), "--output", "taken", "--no-execute", cwd=tmp_path)
    assert done.returncode == 2
    assert "--output" in done.stderr


WIDGET_CODE = """\
from lecture_nn.widgets import interactive_figure

def slope_line(fig, slope=1.0, width=1):
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope], linewidth=width)
    ax.set_ylim(0, 2)

interactive_figure(slope_line, slope=(0.1, 2.0, 0.1), width=(1, 4, 1), figsize=(2, 2))
"""


def frame_files(site_dir):
    return {
        path.name: path.read_bytes() for path in sorted((site_dir / "_static/frames").iterdir())
    }


def test_command_line_builds_live_widgets_in_quick_mode_and_from_executed_copies(tmp_path):
    """``build --quick`` executes with the site's frames (quick budget); ``--no-execute``
    renders a copy that ``lecture-nn run`` executed with ``LECTURE_NN_SITE_FRAMES=1``."""
    from lecture_nn._site_frames import QUICK_FRAME_BUDGET

    notebook = save_notebook(tmp_path / "01_widget.ipynb", [new_code_cell(WIDGET_CODE)])
    done = run_cli("build", str(notebook), "--output", "quick", "--quick", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "quick" / "01_widget.html").read_text(encoding="utf-8")
    assert page.count('<figure class="lnn-widget"') == 1
    assert "of its 20 values)" in page  # the slope cut down, and the page says so
    quick = frame_files(tmp_path / "quick")
    assert 1 < len(quick) <= QUICK_FRAME_BUDGET

    variables = {"LECTURE_NN_QUICK": "1", "LECTURE_NN_SITE_FRAMES": "1"}
    done = run_cli("run", str(notebook), "--output", "executed", cwd=tmp_path, **variables)
    assert done.returncode == 0, done.stderr
    executed = str(tmp_path / "executed" / notebook.name)
    done = run_cli("build", executed, "--output", "copy", "--no-execute", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert frame_files(tmp_path / "copy") == quick  # the same frames, byte for byte


def interactive_figure_calls() -> int:
    """How many widgets the course notebooks' code makes (calls of interactive_figure)."""
    from lecture_nn.tooling.paths import course_notebooks

    calls = 0
    for path in course_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                calls += len(re.findall(r"^\s*interactive_figure\(", cell.source, re.M))
    return calls


def test_the_course_site_has_every_widget_live_within_its_size_budgets(course_site):
    """Every widget of the course is live on the site; its frames, the site's frames and
    the whole site stay within the budgets the README states (``site_widgets``)."""
    from lecture_nn.tooling import _site_widgets as site_widgets

    widgets = [widget for page in course_site.pages for widget in page.widgets]
    assert len(widgets) == interactive_figure_calls() > 0
    for widget in widgets:
        assert 1 < widget.frames <= widget.combinations
        assert widget.bytes <= site_widgets.MAX_WIDGET_BYTES, widget
    root = course_site.output_dir
    frames = sum(path.stat().st_size for path in (root / "_static/frames").iterdir())
    total = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    assert frames <= site_widgets.MAX_SITE_FRAME_BYTES
    assert total <= site_widgets.MAX_SITE_BYTES
    pages = {page.href: page for page in course_site.pages}
    for href, page in pages.items():
        html_text = (root / href).read_text(encoding="utf-8")
        assert html_text.count('<figure class="lnn-widget"') == len(page.widgets)


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: site.prepare_for_site(None), TypeError, "nb"),
        (lambda: site.notebook_summary("x"), TypeError, "nb"),
        (lambda: site.notebook_summary(new_notebook(), max_chars=0), ValueError, "max_chars"),
        (lambda: site.notebook_summary(new_notebook(), max_chars=2.5), TypeError, "max_chars"),
    ],
)
def test_page_helpers_refuse_bad_arguments_by_name(call, error, argument):
    """A notebook that is no mapping, or a length that is no size, is named in the error."""
    with pytest.raises(error, match=rf"\b{argument}\b"):
        call()
