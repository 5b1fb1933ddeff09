"""Helpers of the browser tests: Chromium's launch options, JupyterLab through ``lecture-nn lab``,
a static file server, and a watcher of what goes wrong in a page. The fixtures are in conftest.py.

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` (Debian's ``chromium``
package; ``LECTURE_NN_CHROMIUM`` names another executable). Where Chromium or Playwright is
missing, the browser tests are skipped with the reason, unless ``LECTURE_NN_REQUIRE_BROWSER``
is set (as ``.ci/run`` does): then they fail.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REQUIRE_VARIABLE = "LECTURE_NN_REQUIRE_BROWSER"
CHROMIUM_VARIABLE = "LECTURE_NN_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"

# As root, in a container, on a machine without network: no sandbox, no GPU, and none of
# the background connections Chromium would otherwise try (and be refused) at start-up.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]

# JupyterLab settings for a test run: no news or update checks (they would reach out to
# the network and open notifications), and every cell in the DOM (no virtual scrolling).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def unavailable(reason: str):
    if os.environ.get(REQUIRE_VARIABLE, "").strip() not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE_VARIABLE} is set, so the browser tests must run)")
    pytest.skip(reason)


def chromium_executable() -> str:
    """The Chromium to drive: ``$LECTURE_NN_CHROMIUM``, else Debian's ``/usr/bin/chromium``."""
    path = os.environ.get(CHROMIUM_VARIABLE) or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        unavailable(f"no Chromium at {path}: apt-get install chromium, or set {CHROMIUM_VARIABLE}")
    return path


class PageWatch:
    """What went wrong while a page was open: failed requests, HTTP errors, console errors."""

    def __init__(self, page):
        self.failed_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _request_failed(self, request):
        # MathJax 2 measures fonts against a blank @font-face whose source is about:blank on
        # purpose; Chromium reports that as a failed request. It never reaches the network.
        if request.url.startswith(("http:", "https:")):
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def _console(self, message):
        # The console echoes the about:blank font check above twice (a CORS note and a
        # failed load whose location is about:blank); neither is a missing asset.
        blank_font = "about:blank" in message.text or message.location.get("url") == "about:blank"
        if message.type == "error" and not blank_font:
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")


@contextlib.contextmanager
def browser_page(browser, width: int, height: int, timeout_ms: int):
    """A new page of ``width`` x ``height`` CSS pixels in its own context; closed on exit."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    try:
        yield page
    finally:
        context.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class JupyterLab:
    """A JupyterLab server started through ``lecture-nn lab`` for one test session."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = root / "course"
        self.log_path = root / "lab.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        """The ``lecture-nn lab`` command line; writes the temporary JupyterLab settings."""
        settings = self.root / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "lecture_nn.tooling.cli",
            "lab",
            "--dir",
            str(self.workdir),
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.root / 'lab-workspaces'}",
        ]
        return command  # as root, lecture-nn lab itself adds --allow-root, as for a student

    def environment(self) -> dict[str, str]:
        """Our environment for a live kernel (not headless) with temporary Jupyter folders."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("LECTURE_NN_HEADLESS", "JUPYTER_TOKEN", "MPLBACKEND")
        }
        env["JUPYTER_CONFIG_DIR"] = str(self.root / "jupyter-config")
        env["JUPYTER_RUNTIME_DIR"] = str(self.root / "jupyter-runtime")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        return env

    def start(self, timeout: float = 120) -> None:
        """Start the server in its own process group; return once its REST API answers."""
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lecture-nn lab exited early:\n{self.log()}")
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log()}")

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API at ``/api/{path}``; return the decoded JSON, or None."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` in a fresh JupyterLab workspace."""
        return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"

    def log(self) -> str:
        """The last 4,000 characters the server printed."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """Shut the kernels down, then the server's whole process group (killed if need be)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(Exception):
            for kernel in self.api("kernels"):
                self.api(f"kernels/{kernel['id']}", method="DELETE")
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
