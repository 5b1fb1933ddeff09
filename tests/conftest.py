"""Shared test set-up: a non-interactive matplotlib backend and no figures left open."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class _Report:
    """Pytest plugin that prints the collected lines in the terminal summary."""

    def __init__(self):
        self.lines = []

    def pytest_terminal_summary(self, terminalreporter):
        for line in self.lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def report(request):
    """A list of lines that a test module fills and pytest prints at the end of the run."""
    plugin = _Report()
    request.config.pluginmanager.register(plugin)
    return plugin.lines


@pytest.fixture(scope="session")
def executed_course(tmp_path_factory):
    """Every course notebook executed once, headless, as ``lecture-nn run`` does: {stem: result}.

    The Keras notebooks run in quick mode here; nbval runs them in full mode (the README's
    test command), so both modes are exercised without training everything twice. The
    notebook tests and the static-site tests share these executed copies.
    """
    from lecture_nn.notebook_runner import execute_notebook
    from lecture_nn.paths import course_notebooks

    output_dir = tmp_path_factory.mktemp("executed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LECTURE_NN_QUICK", "1")
        return {path.stem: execute_notebook(path, output_dir) for path in course_notebooks()}


@pytest.fixture(scope="session")
def course_site(executed_course, tmp_path_factory):
    """The static course site built (``lecture_nn.site.build_site``) from the executed copies."""
    from lecture_nn.site import build_site

    failed = [name for name, result in executed_course.items() if not result.ok]
    if failed:
        pytest.fail(f"the site needs every notebook to run; these failed: {failed}")
    executed = [result.output_path for result in executed_course.values()]
    return build_site(tmp_path_factory.mktemp("site") / "site", executed, execute=False)
