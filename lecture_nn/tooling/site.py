"""Build the static course site: every notebook executed and rendered to HTML, offline.

``lecture-nn build`` calls :func:`build_site`. Each course notebook is executed headless (as
``lecture-nn run`` does, with ``LECTURE_NN_SITE_FRAMES=1``, so every widget leaves the figure
of its default values and the frames of its controls for the page's live widgets), then
rendered with nbconvert's JupyterLab template and the course's own additions
(``templates/course_site``): a contents page, previous/next links, figure-only cells (tag
``hide-input``) with their code folded away, and MathJax served from the site itself. Nothing
is fetched from the network, neither while building nor when a page is opened.

The site is assembled in a temporary folder beside the target and moved into place only
when every page is written, so an interrupted or failed build never leaves a half-written
site where the previous one was.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.resources
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import lecture_nn
from lecture_nn import _validation as check
from lecture_nn.tooling import _site_widgets as site_widgets
from lecture_nn.tooling.atomic import current_umask
from lecture_nn.tooling.environment import is_tensorflow_startup_noise
from lecture_nn.tooling.notebook_runner import (
    DEFAULT_TIMEOUT,
    NotebookResult,
    _as_text,
    _first_line,
    check_output_folder,
    execute_notebook,
)

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "COURSE_DESCRIPTION",
    "COURSE_TITLE",
    "DEFAULT_SITE_DIR",
    "NAVIGATION_MARK",
    "STATIC_DIR",
    "SiteBuild",
    "SiteBuildError",
    "SitePage",
    "build_site",
    "notebook_summary",
    "prepare_for_site",
]

#: Where ``lecture-nn build`` writes the site unless told otherwise.
DEFAULT_SITE_DIR = Path("build") / "site"

#: The site's folder of shared files (style sheet, MathJax).
STATIC_DIR = "_static"

COURSE_TITLE = "Training neural networks"
COURSE_DESCRIPTION = (
    "An interactive course on how neural networks are trained: from logistic regression "
    "drawn as a neuron to Keras on Fashion-MNIST. This is the executed course, with every "
    "figure; its sliders and menus switch between figures drawn when the site was built. "
    "Open the notebooks in JupyterLab, on Colab or on Binder to run the code and try every "
    "value."
)

_TEMPLATE_NAME = "course_site"
_TEMPLATES = importlib.resources.files("lecture_nn.tooling") / "templates"
_MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class SiteBuildError(RuntimeError):
    """A notebook could not be executed, so no site was written."""

    def __init__(self, failures: Sequence[NotebookResult]):
        self.failures = list(failures)
        lines = [
            f"{result.path.name}: code cell {result.failed_code_cell}: "
            f"{result.error_name}: {_first_line(result.error_message)}"
            for result in self.failures
        ]
        super().__init__("the site was not built; these notebooks failed:\n  " + "\n  ".join(lines))


@dataclass
class SitePage:
    """One notebook's page: where it came from, where it went, what it shows."""

    notebook: Path
    href: str
    title: str
    summary: str
    images: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    widgets: list[site_widgets.WidgetSummary] = field(default_factory=list)


@dataclass
class SiteBuild:
    """The outcome of :func:`build_site`: the site's folder, its pages and the time it took."""

    output_dir: Path
    pages: list[SitePage]
    seconds: float
    mode: str

    @property
    def index(self) -> Path:
        """The contents page, ``index.html``."""
        return self.output_dir / "index.html"


def build_site(
    output_dir: Path | str = DEFAULT_SITE_DIR,
    notebooks: Sequence[Path] | None = None,
    *,
    execute: bool = True,
    executed_dir: Path | str | None = None,
    timeout: int | None = DEFAULT_TIMEOUT,
) -> SiteBuild:
    """Execute ``notebooks`` (default: the course) and write the static site to ``output_dir``.

    Parameters
    ----------
    output_dir
        Folder of the site; replaced as a whole once the new site is complete.
    notebooks
        Notebook files in reading order; None: the course notebooks.
    execute
        False: render the notebooks as they are (already executed elsewhere).
    executed_dir
        Keep the executed copies of the notebooks here (default: a temporary folder).
    timeout
        Limit for each cell in seconds while executing (None: no limit).

    Raises
    ------
    SiteBuildError
        A notebook failed to execute; the previous site, if any, is left untouched.
    """
    from lecture_nn.experiments import run_mode
    from lecture_nn.tooling.paths import course_notebooks

    start = time.perf_counter()
    mode = run_mode()
    notebooks = course_notebooks() if notebooks is None else check.paths(notebooks, "notebooks")
    output_dir = check.path(output_dir, "output_dir")
    execute = check.boolean(execute, "execute")
    if executed_dir is not None:
        executed_dir = check.path(executed_dir, "executed_dir")
    if timeout is not None:
        timeout = check.positive_int(timeout, "timeout")
    _check_inputs(notebooks, output_dir, executed_dir)
    output_dir = Path(output_dir)

    with tempfile.TemporaryDirectory(prefix="lecture-nn-executed-") as scratch:
        sources, results = _executed_sources(
            notebooks, Path(executed_dir or scratch), execute, timeout
        )
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
        try:
            pages = _write_site(staging, sources, results, mode)
            _replace_folder(staging, output_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return SiteBuild(output_dir, pages, time.perf_counter() - start, mode)


def _check_inputs(notebooks: list[Path], output_dir: Path, executed_dir) -> None:
    if not notebooks:
        raise ValueError("notebooks is empty: give at least one notebook to build a site from")
    for path in notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks: {path} is not a notebook file (*.ipynb)")
    stems = [path.stem for path in notebooks]
    if len(set(stems)) != len(stems):
        raise ValueError(
            f"notebooks: two notebooks share a name, their pages would collide: {stems}"
        )
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"output_dir: {output_dir} exists and is not a folder")
    resolved = output_dir.resolve()
    for path in notebooks:
        if resolved in path.resolve().parents:
            raise ValueError(
                f"output_dir: {output_dir} holds the notebook {path.name}; the build replaces "
                "that folder as a whole, choose another one"
            )
    if executed_dir is not None and Path(executed_dir).resolve() in {
        path.resolve().parent for path in notebooks
    }:
        raise ValueError(
            f"executed_dir: {executed_dir} holds the notebooks, whose executed copies would "
            "overwrite them"
        )
    for name, folder, replaced in (
        ("output_dir", output_dir, True),
        ("executed_dir", executed_dir, False),
    ):
        try:
            if folder is not None:
                check_output_folder(Path(folder), replaced=replaced)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None


def _executed_sources(
    notebooks: list[Path], executed_dir: Path, execute: bool, timeout: int | None
) -> tuple[list[Path], list[NotebookResult | None]]:
    """Execute the notebooks into ``executed_dir``; return the files to render and results."""
    if not execute:
        return notebooks, [None] * len(notebooks)
    with _site_frames_flag():
        results = [execute_notebook(path, executed_dir, timeout) for path in notebooks]
    failures = [result for result in results if not result.ok]
    if failures:
        raise SiteBuildError(failures)
    return [result.output_path for result in results], results


@contextlib.contextmanager
def _site_frames_flag() -> Iterator[None]:
    """Set ``LECTURE_NN_SITE_FRAMES=1`` for the kernels started in the block, then restore it.

    The kernels inherit this process's environment
    (:func:`~lecture_nn.tooling.notebook_runner.kernel_environment`); with the flag, each
    widget also stores the frames of its controls for the site's live widgets.
    """
    from lecture_nn._site_frames import SITE_FRAMES_VARIABLE

    before = os.environ.get(SITE_FRAMES_VARIABLE)
    os.environ[SITE_FRAMES_VARIABLE] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SITE_FRAMES_VARIABLE, None)
        else:
            os.environ[SITE_FRAMES_VARIABLE] = before


def _write_site(
    site_dir: Path, sources: list[Path], results: list[NotebookResult | None], mode: str
) -> list[SitePage]:
    """Render every page, the contents page and the static files into ``site_dir``."""
    import nbformat

    notebooks = [nbformat.read(path, as_version=4) for path in sources]
    links = [
        {"href": f"{path.stem}.html", "title": _notebook_title(nb, path)}
        for path, nb in zip(sources, notebooks)
    ]
    exporter = _exporter()
    pages = []
    frames: dict[str, bytes] = {}
    for index, (path, nb, result) in enumerate(zip(sources, notebooks, results)):
        page_nb, widgets = _prepare_page(nb, frames)
        resources = {
            "metadata": {"name": links[index]["title"]},
            "site": {
                "course": COURSE_TITLE,
                "static": STATIC_DIR,
                "previous": links[index - 1] if index > 0 else None,
                "next": links[index + 1] if index + 1 < len(links) else None,
            },
        }
        html, _ = exporter.from_notebook_node(page_nb, resources=resources)
        (site_dir / links[index]["href"]).write_text(html, encoding="utf-8")
        pages.append(
            SitePage(
                notebook=result.path if result else path,
                href=links[index]["href"],
                title=links[index]["title"],
                summary=notebook_summary(nb),
                images=_count_images(page_nb),
                seconds=result.seconds if result else 0.0,
                warnings=list(result.warnings) if result else [],
                widgets=widgets,
            )
        )
    _write_static(site_dir / STATIC_DIR, frames)
    (site_dir / "index.html").write_text(_index_html(pages, mode), encoding="utf-8")
    return pages


def _exporter():
    """Return the nbconvert HTML exporter with the course template and the site's own MathJax."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(_TEMPLATES)],
        template_name=_TEMPLATE_NAME,
        mathjax_url=f"{STATIC_DIR}/mathjax/MathJax.js?config={_MATHJAX_CONFIG}",
    )
    return exporter


def _write_static(static_dir: Path, frames: dict[str, bytes]) -> None:
    """Copy the style sheets, the widget script, MathJax (jupyter-server-mathjax) and frames."""
    import jupyter_server_mathjax

    static_dir.mkdir(parents=True)
    for name in ("site.css", site_widgets.SCRIPT, site_widgets.STYLE):
        (static_dir / name).write_bytes((_TEMPLATES / _TEMPLATE_NAME / name).read_bytes())
    for name, data in sorted(frames.items()):
        path = static_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (mathjax / "MathJax.js").is_file():
        raise FileNotFoundError(
            f"MathJax is missing from {mathjax}; reinstall jupyter-server-mathjax"
        )
    shutil.copytree(mathjax, static_dir / "mathjax")


def _index_html(pages: list[SitePage], mode: str) -> str:
    import jinja2

    source = (_TEMPLATES / _TEMPLATE_NAME / "course_index.html.j2").read_text(encoding="utf-8")
    template = jinja2.Template(source)
    return template.render(
        course=COURSE_TITLE,
        description=COURSE_DESCRIPTION,
        pages=pages,
        static=STATIC_DIR,
        mode=mode,
        version=lecture_nn.__version__,
    )


def _replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` where ``target`` is, removing the old ``target`` afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    target.chmod(0o777 & ~current_umask())  # mkdtemp's folder is private; the site is not
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


#: The first line of a notebook's navigation cell (links to the previous and next notebook).
NAVIGATION_MARK = "<!-- course navigation -->"


def prepare_for_site(nb: NotebookNode) -> NotebookNode:
    """Return a copy of ``nb`` as the site shows it.

    Live widget views are dropped (a static page cannot run them; the figure each widget
    drew for its default values stays), and TensorFlow's C++ start-up log lines are taken
    out of stderr outputs; outputs left empty are removed. The notebook's own links to the
    previous and next notebook (a markdown cell opening with :data:`NAVIGATION_MARK`) point
    at ``.ipynb`` files; the page shows its own links to the neighbouring pages instead.
    A widget output that holds the frames of its controls (executed with
    ``LECTURE_NN_SITE_FRAMES=1``, as :func:`build_site` does) becomes HTML controls that
    switch between them (``lecture_nn.tooling._site_widgets``); :func:`build_site` writes
    the frame files they refer to into :data:`STATIC_DIR`.

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping).
    """
    return _prepare_page(nb, {})[0]


def _prepare_page(
    nb: NotebookNode, frames: dict[str, bytes]
) -> tuple[NotebookNode, list[site_widgets.WidgetSummary]]:
    """:func:`prepare_for_site`, adding the widgets' frame files to ``frames``.

    Returns the page's notebook and a summary of each of its live widgets.
    """
    check.mapping(nb, "nb", keys=("cells", "metadata"))
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.cells = [
        cell
        for cell in nb.cells
        if not (cell.cell_type == "markdown" and _as_text(cell.source).startswith(NAVIGATION_MARK))
    ]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            if output.output_type in ("display_data", "execute_result"):
                if _WIDGET_VIEW in output.data:
                    continue
            elif output.output_type == "stream" and output.name == "stderr":
                output.text = _strip_startup_log(_as_text(output.text))
                if not output.text:
                    continue
            outputs.append(output)
        cell.outputs = outputs
    return nb, site_widgets.replace_frames_outputs(nb, STATIC_DIR, frames)


def _strip_startup_log(text: str) -> str:
    """Remove TensorFlow's start-up notices (``is_tensorflow_startup_noise``) from ``text``.

    The course's kernels start TensorFlow without them (``import lecture_nn`` comes first);
    this only tidies notebooks executed elsewhere.
    """
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not is_tensorflow_startup_noise(line))


def _notebook_title(nb: NotebookNode, path: Path) -> str:
    """Return the first level-1 heading (``# 1. Architecture: ...``), else the file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in _as_text(cell.source).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem.replace("_", " ")


def notebook_summary(nb: NotebookNode, max_chars: int = 300) -> str:
    """Return the first paragraph after the title, as plain text of at most ``max_chars``.

    A longer paragraph is cut after its last whole sentence that fits, or, if even the first
    sentence is too long, after a whole word (ending in an ellipsis).

    Raises
    ------
    TypeError
        When ``nb`` is no notebook (mapping) or ``max_chars`` no integer.
    ValueError
        When ``max_chars`` is below 1.
    """
    check.mapping(nb, "nb", keys=("cells",))
    max_chars = check.positive_int(max_chars, "max_chars")
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs = [block.strip() for block in _as_text(cell.source).split("\n\n")]
        for block in paragraphs:
            if block and not block.startswith("#"):
                plain = re.sub(r"[*_`$]|\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(block.split()))
                if len(plain) <= max_chars:
                    return plain
                head = plain[: max_chars + 1]
                if ". " in head:  # whole sentences
                    return head.rsplit(". ", 1)[0] + "."
                return head.rsplit(" ", 1)[0].rstrip(",;:") + " \N{HORIZONTAL ELLIPSIS}"
        return ""
    return ""


def _count_images(nb: NotebookNode) -> int:
    """Return the number of image outputs (PNG, JPEG or SVG, or a static widget) in ``nb``."""
    kinds = ("image/png", "image/jpeg", "image/svg+xml")
    return sum(
        any(kind in output.get("data", {}) for kind in kinds)
        or bool(output.get("metadata", {}).get(site_widgets.OUTPUT_MARK))
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
