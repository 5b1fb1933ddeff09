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
