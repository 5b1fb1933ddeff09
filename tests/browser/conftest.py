"""Browser fixtures: Debian's Chromium driven by Playwright, and JupyterLab on loopback.

Every server and browser started here is stopped in the fixture's teardown, also when a test
fails. Helpers are in browser_support.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM_ARGS,
    JupyterLab,
    browser_page,
    chromium_executable,
    serve_folder,
    unavailable,
)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Playwright's sync API), closed at the end of the session."""
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install playwright")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def served_site(course_site):
    """The built course site (fixture ``course_site``) served on 127.0.0.1: its base URL."""
    with serve_folder(course_site.output_dir) as url:
        yield url


@pytest.fixture
def page(browser):
    """A new 1200 x 900 page in its own browser context, 30 s default timeout; closed after."""
    with browser_page(browser, 1200, 900, timeout_ms=30_000) as page:
        yield page


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with the course copied to a temporary folder; stopped at the end."""
    lab = JupyterLab(tmp_path_factory.mktemp("lab"))
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()
