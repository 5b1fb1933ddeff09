"""Shared test set-up: a non-interactive matplotlib backend and no figures left open.

Nothing here quiets TensorFlow: the tests see the stderr a student sees.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

#: Variables that tune libraries for tests or benchmarks, which a student does not have;
#: kernels that stand for a student's are started without them.
NOT_A_STUDENT = (
    "TF_CPP_MIN_LOG_LEVEL",
    "TF_CPP_MAX_VLOG_LEVEL",
    "TF_ENABLE_ONEDNN_OPTS",
    "PYTHONWARNINGS",
    "MPLBACKEND",
)


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


def execute_course_as_a_student(output_dir, **variables):
    """Execute every course notebook as ``lecture-nn run`` does for a student: {stem: result}.

    The kernels get the student's environment: this process's, without
    :data:`NOT_A_STUDENT`, with ``LECTURE_NN_QUICK=1`` (the Keras notebooks in quick mode,
    as the README offers) and ``variables`` (e.g. ``KERAS_BACKEND="jax"``).
    """
    from lecture_nn.tooling.notebook_runner import execute_notebook
    from lecture_nn.tooling.paths import course_notebooks

    with pytest.MonkeyPatch.context() as patch:
        for name in NOT_A_STUDENT:
            patch.delenv(name, raising=False)
        patch.setenv("LECTURE_NN_QUICK", "1")
        for name, value in variables.items():
            patch.setenv(name, value)
        return {path.stem: execute_notebook(path, output_dir) for path in course_notebooks()}


@pytest.fixture(scope="session")
def executed_course(tmp_path_factory):
    """Every course notebook executed once, headless, in a student's environment (quick mode).

    nbval runs the notebooks in full mode (the README's test command), so both modes are
    exercised without training everything twice. The notebook tests and the static-site
    tests share these executed copies. The kernels run with ``LECTURE_NN_SITE_FRAMES=1``, as
    ``lecture-nn build`` runs them, because the site (``course_site``) is built from these
    copies: each widget's output also holds the frames of its controls (quick mode's budget,
    ``lecture_nn._site_frames.QUICK_FRAME_BUDGET`` per widget), beside its usual image.
    """
    return execute_course_as_a_student(
        tmp_path_factory.mktemp("executed"), LECTURE_NN_SITE_FRAMES="1"
    )


@pytest.fixture(scope="session")
def executed_course_jax(tmp_path_factory):
    """Every course notebook executed as in ``executed_course``, under ``KERAS_BACKEND=jax``."""
    pytest.importorskip("jax", reason="JAX is not installed (.ci/run installs it)")
    return execute_course_as_a_student(tmp_path_factory.mktemp("executed-jax"), KERAS_BACKEND="jax")


@pytest.fixture(scope="session")
def course_site(executed_course, tmp_path_factory):
    """The static course site built (``tooling.site.build_site``) from the executed copies."""
    from lecture_nn.tooling.site import build_site

    failed = [name for name, result in executed_course.items() if not result.ok]
    if failed:
        pytest.fail(f"the site needs every notebook to run; these failed: {failed}")
    executed = [result.output_path for result in executed_course.values()]
    return build_site(tmp_path_factory.mktemp("site") / "site", executed, execute=False)


#: Fixtures that execute notebooks or build environments: a test using one is slow.
SLOW_FIXTURES = {"executed_course", "executed_course_jax", "course_site"}
#: Test modules whose every test executes notebooks, installs packages or starts servers.
SLOW_MODULES = {
    "test_environments",
    "test_readme",
    "test_student_environment",
    "test_widget_legibility",
}


def pytest_collection_modifyitems(config, items):
    """Mark as ``slow`` what executes notebooks (nbval's cells included) or builds environments.

    ``python3 -m pytest -m "not slow and not browser"`` is then the quick loop of a few minutes.
    """
    for item in items:
        module = getattr(item, "module", None)
        fixtures = set(getattr(item, "fixturenames", ()))
        if (
            module is None  # nbval's notebook cells
            or module.__name__.rpartition(".")[2] in SLOW_MODULES
            or fixtures & SLOW_FIXTURES
        ):
            item.add_marker(pytest.mark.slow)
