"""The static course site in Chromium: every page loads with its figures, its math typeset,
no error output, no console error and no failed or external request.

The site is built once per session from the executed course notebooks (fixture
``course_site`` in tests/conftest.py) and served from 127.0.0.1.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from browser_support import PageWatch

from lecture_nn.tooling.paths import course_notebooks

PAGES = [f"{path.stem}.html" for path in course_notebooks()]

MATHJAX_DONE = """
() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0
  && MathJax.Hub.queue.running === 0
"""

IMAGES_LOADED = """
() => Array.from(document.images).map((img) => ({
  complete: img.complete, width: img.naturalWidth, src: img.src.slice(0, 40)
}))
"""


def open_page(page, url):
    """Load ``url`` and wait until the network is idle; return what went wrong meanwhile."""
    watch = PageWatch(page)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    return watch, requests


def test_index_links_every_notebook_page(page, served_site, course_site):
    watch, _ = open_page(page, f"{served_site}/index.html")
    links = page.locator("ol li a")
    assert links.evaluate_all("links => links.map(a => a.getAttribute('href'))") == PAGES
    titles = links.all_inner_texts()
    assert titles == [page_info.title for page_info in course_site.pages]
    assert all(title[0].isdigit() for title in titles)
    assert watch.failed_requests == []
    assert watch.console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_with_figures_and_no_errors(page, served_site, course_site, name):
    info = next(item for item in course_site.pages if item.href == name)
    watch, requests = open_page(page, f"{served_site}/{name}")
    page.wait_for_function(MATHJAX_DONE)

    hosts = {urlparse(url).netloc for url in requests if url.startswith("http")}
    assert hosts == {urlparse(served_site).netloc}, "a request left the site"
    assert watch.failed_requests == []
    assert watch.console_errors == []
    assert watch.page_errors == []

    images = page.evaluate(IMAGES_LOADED)
    assert info.images > 0, "every course notebook draws figures"
    assert len(images) == info.images
    broken = [image for image in images if not image["complete"] or image["width"] == 0]
    assert broken == [], json.dumps(broken)

    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
    assert page.locator(".MathJax_Error, merror").count() == 0
    assert page.locator(".MathJax, .MathJax_Display").count() > 0


@pytest.mark.parametrize("name", PAGES)
def test_figure_code_is_folded_until_asked_for(page, served_site, executed_course, name):
    notebook = json.loads(executed_course[name[:-5]].output_path.read_text(encoding="utf-8"))
    hidden = [
        cell for cell in notebook["cells"] if "hide-input" in cell["metadata"].get("tags", [])
    ]
    open_page(page, f"{served_site}/{name}")
    folds = page.locator("details.course-hidden-input")
    assert folds.count() == len(hidden)
    if not hidden:
        return
    first = folds.first
    code = first.locator(".jp-InputArea-editor")
    assert not code.is_visible()
    first.locator("summary").click()
    assert code.is_visible()
    assert "".join(hidden[0]["source"]).splitlines()[0].strip() in code.inner_text()
