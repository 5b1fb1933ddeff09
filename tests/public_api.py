"""The public API of lecture_nn, one small valid call per entry point, and its bad inputs.

A support module (not collected by pytest) shared by ``tests/test_bad_inputs.py``,
``tests/test_public_api_smoke.py`` and ``bench/probe_bad_inputs.py``.

* :func:`public_modules` walks the package (private ``_`` modules and the exercises are left
  out); :func:`public_callables` lists what each module makes public (its ``__all__``, else
  the functions and classes it defines whose names do not start with ``_``).
* :data:`REGISTRY` holds, for every public callable, a builder of one small valid call and the
  kind of every parameter (``size``, ``rate``, ``bool``, ``ax``, ...). Parameters come from
  ``inspect.signature``, so a parameter added without an entry is reported by
  :func:`missing_parameters`. Entries are keyed ``module.name`` by the module's last dotted
  part; :func:`lookup` falls back to former homes (:data:`MODULE_ALIASES`) and to the bare
  name, so the registry follows modules that move between sub-packages.
* :func:`bad_values` gives the bad values of each kind, :func:`run_case` calls an entry with
  one parameter replaced in a forked child under a wall-time and a memory limit, and
  :func:`classify` sorts what happened: ``clear`` (ValueError/TypeError naming the
  parameter), ``unclear``, ``silent`` (returned normally), ``hang`` or ``memory``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import pickle
import pkgutil
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

#: Where the Fashion-MNIST IDX files are on this machine (Debian's package).
DATA_DIR = os.environ.get("LECTURE_NN_DATA", "/usr/share/datasets/fashion-mnist")

#: Modules whose import loads Keras (and so TensorFlow): tests use them sparingly.
KERAS_MODULES = ("keras_models", "keras_callbacks", "keras_schedules")

#: Registry keys of names that left the public API during issue 14 (kept so that the probe
#: still measures a checkout from before it).
FORMER = {"widgets.is_headless", "widgets.render_png", "widgets.canvas_png"}

#: Former module homes: ``{current last part: former last part}`` for look-ups.
MODULE_ALIASES = {"loader": ("fashion_mnist",), "fashion_mnist": ("loader",)}

NAN = float("nan")
INF = float("inf")


# --------------------------------------------------------------------------- discovery


def public_modules(package: str = "lecture_nn") -> list[str]:
    """Names of the package's public modules: no ``_`` part, no exercises."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") for part in parts) or parts[0] == "exercises":
            continue
        if info.ispkg and not _has_public_names(info.name):
            continue
        names.append(info.name)
    return names


def _has_public_names(module_name: str) -> bool:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return True
    return bool(public_names(module))


def public_names(module: types.ModuleType) -> list[str]:
    """The module's ``__all__``, else the non-``_`` functions and classes it defines."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


def all_public_names() -> set[str]:
    """Every public name of every public module (re-exports and aliases included)."""
    return {
        name
        for module_name in public_modules()
        for name in public_names(importlib.import_module(module_name))
    }


def public_callables() -> list[tuple[str, str, object]]:
    """``(module name, public name, object)`` for every public callable, each object once.

    An object re-exported by a second module (``lecture_nn.fashion_mnist`` re-exports the
    loader) is listed under the module that defines it.
    """
    seen: dict[int, tuple[str, str, object]] = {}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in public_names(module):
            value = getattr(module, name)
            if not (inspect.isroutine(value) or inspect.isclass(value)):
                continue  # constants, even callable ones (a colormap)
            key = id(value)
            home = getattr(value, "__module__", module_name)
            if key not in seen or home == module_name:
                seen[key] = (module_name, name, value)
    return sorted(seen.values(), key=lambda item: (item[0], item[1]))


# --------------------------------------------------------------------------- registry


@dataclass
class Entry:
    """One valid call of a public callable and the kind of each of its parameters.

    ``valid`` builds ``{parameter: value}`` (parameters left out keep their defaults);
    ``kinds`` maps every named parameter to a kind of :data:`BAD_VALUES` (``any``: not
    probed). ``documented`` maps ``parameter`` or ``parameter=label`` to the reason a bad
    value may be accepted or fail otherwise. ``heavy``: ``keras`` (loads Keras), ``train``
    (trains a tiny Keras model), ``slow`` (longer than the probe's time limit), ``data``
    (reads the Fashion-MNIST files), ``kernel`` (starts a Jupyter kernel), ``network``
    (reaches for the internet). ``enter``: the result is a context manager to enter (or an
    iterator to exhaust) before bad input shows.
    """

    valid: Callable[[], dict]
    kinds: dict[str, str]
    documented: dict[str, str] = field(default_factory=dict)
    heavy: str | None = None
    enter: bool = False


@dataclass
class Record:
    """A public name that is no entry point: a result record or an exception class."""

    reason: str


def _find(name: str, *modules: str):
    """``name`` from the first of ``modules`` that has it (modules moved in issue 14)."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"{name} is in none of {modules}")


_LOADER = ("lecture_nn.datasets.loader", "lecture_nn.fashion_mnist")
_IDX = ("lecture_nn.datasets.idx", "lecture_nn.idx")


def _figure_ax():
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _two_axes():
    import matplotlib.pyplot as plt

    return plt.subplots(1, 2)[1]


def _moons(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def _fitted_model():
    from sklearn.linear_model import LogisticRegression

    X, y = _moons()
    return LogisticRegression().fit(X, y), X, y


def _network():
    from lecture_nn.network import Network

    return Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)


def _run():
    from lecture_nn.network import train

    X, y = _moons(16)
    return train(_network(), X, y.reshape(-1, 1), steps=3, learning_rate=0.1, seed=0)


def _images(n=40):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), np.arange(n) % 10


CLASS_NAMES = tuple(f"class {i}" for i in range(10))


def _course_data():
    from lecture_nn.experiments import CourseData

    rng = np.random.default_rng(0)

    def split(n):
        return rng.random((n, 784), dtype=np.float32), (np.arange(n) % 10).astype(np.int64)

    (xt, yt), (xv, yv), (xs, ys) = split(40), split(20), split(20)
    return CourseData(xt, yt, xv, yv, xs, ys, CLASS_NAMES, "quick", "synthetic")


def _tiny_model():
    from lecture_nn.keras_models import build_dense, compile_classifier

    return compile_classifier(build_dense((4,), seed=0), optimizer="sgd", learning_rate=0.01)


def _paths():
    from lecture_nn.optimizers import make_optimizer, simulate

    return {
        "sgd": simulate(make_optimizer("sgd", 0.001), "beale", steps=5),
        "adam": simulate(make_optimizer("adam", 0.01), "beale", steps=5),
    }


def _notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A title\n\nA summary sentence."),
        nbformat.v4.new_code_cell("1 + 1"),
    ]
    return nb


def _tmp(name=""):
    folder = Path(tempfile.mkdtemp(prefix="probe-"))
    return folder / name if name else folder


def _nb_file():
    import nbformat

    path = _tmp("a.ipynb")
    nbformat.write(_notebook(), path)
    return path


@functools.cache
def _idx_folder_arrays():
    return _find("read_idx_folder", *_LOADER)(Path(DATA_DIR))


def _gradient(indices):
    return np.asarray(indices, dtype=float)[:1] * 0 + np.mean(indices)


def _noise():
    from lecture_nn.batch_size import gradient_spread

    return gradient_spread(_gradient, 64, [1, 4], draws=4, variance_draws=8, seed=0)


def _schedule_runs():
    from lecture_nn.batch_size import ScheduleRun

    history = {"val_accuracy": [0.5, 0.6], "accuracy": [0.5, 0.7]}
    return [ScheduleRun("decay", [0.1, 0.02], [32, 32], [10, 20], history)]


def _stats():
    from lecture_nn.initialization import signal_propagation

    return signal_propagation("tanh", depth=3, width=8, n_samples=16, seed=0)


def _momentum_parts():
    from lecture_nn.optimizer_plots import momentum_step_parts

    return momentum_step_parts("beale", [1.0, 1.0], [0.1, 0.1], 0.01, 0.9)


def _paths_plot():
    from lecture_nn.optimizer_plots import plot_paths

    return plot_paths(_paths(), "beale", ax=_figure_ax())


def _results():
    from lecture_nn.experiments import ExperimentResult

    return [ExperimentResult("a", 10, 2, 1, 0.5, 0.4, 1.0, {"val_accuracy": [0.4, 0.5]})]


def _env():
    return {"PATH": os.environ.get("PATH", "/usr/bin")}


def _draw(fig, value=1):
    fig.add_subplot().plot([0, value])


_ARR2 = "array"
R = REGISTRY = {}

# activation_plots
R["activation_plots.plot_activation"] = Entry(
    lambda: {"name": "relu", "ax": _figure_ax(), "num": 21},
    {
        "name": "name",
        "ax": "ax",
        "derivative": "bool",
        "z_range": "range",
        "num": "size",
        "negative_slope": "nonneg",
    },
)
R["activation_plots.plot_softmax"] = Entry(
    lambda: {"ax": _figure_ax(), "num": 21},
    {"ax": "ax", "other_logits": "floats", "z_range": "range", "num": "size"},
)
R["activation_plots.plot_output_activation"] = Entry(
    lambda: {"name": "sigmoid", "ax": _figure_ax()}, {"name": "name", "ax": "ax"}
)
R["activation_plots.plot_activation_grid"] = Entry(
    lambda: {"names": ("relu", "tanh")}, {"names": "names", "derivative": "bool", "fig": "fig"}
)
R["activation_plots.ActivationPlot"] = Record("result of the plot_activation* helpers")

# activations: elementwise functions of any shape; NaN in gives NaN out.
_ELEMENTWISE_DOC = {"z=NaN": "elementwise: NaN in gives NaN out"}
for _name in ("sigmoid", "tanh", "relu", "linear"):
    for _suffix in ("", "_derivative"):
        R[f"activations.{_name}{_suffix}"] = Entry(
            lambda: {"z": np.linspace(-2, 2, 5)}, {"z": "values"}, dict(_ELEMENTWISE_DOC)
        )
for _suffix in ("", "_derivative"):
    R[f"activations.leaky_relu{_suffix}"] = Entry(
        lambda: {"z": np.linspace(-2, 2, 5)},
        {"z": "values", "negative_slope": "nonneg"},
        dict(_ELEMENTWISE_DOC),
    )
R["activations.softmax"] = Entry(
    lambda: {"z": np.array([[1.0, 2.0, 3.0]])},
    {"z": "values", "axis": "axis"},
    {"z=NaN": "NaN logits give NaN probabilities, as in Keras"},
)
R["activations.softmax_jacobian"] = Entry(
    lambda: {"z": np.array([1.0, 2.0, 3.0])},
    {"z": "array"},
    {"z=wrong shape": "documented: leading axes are a batch, z (..., k) gives (..., k, k)"},
)
R["activations.softmax_vjp"] = Entry(
    lambda: {"z": np.array([[1.0, 2.0, 3.0]]), "upstream": np.array([[0.1, 0.2, 0.3]])},
    {"z": "array", "upstream": "array"},
)
R["activations.Activation"] = Record("record of get_activation")
R["activations.get_activation"] = Entry(lambda: {"name": "tanh"}, {"name": "name"})

# atomic (course tooling)
R["atomic.atomic_writer"] = Entry(
    lambda: {"path": _tmp("a.bin"), "mode": 0o644},
    {"path": "out_path", "mode": "file_mode"},
    enter=True,
)
R["atomic.write_atomic"] = Entry(
    lambda: {"path": _tmp("a.bin"), "data": b"abc", "mode": 0o644},
    {"path": "out_path", "data": "bytes", "mode": "file_mode"},
    documented={"data=b''": "empty bytes write an empty file, a valid file"},
)
R["atomic.remove_stale_temporaries"] = Entry(
    lambda: {"path": _tmp("a.bin")},
    {"path": "path", "older_than": "nonneg"},
    documented={"older_than=inf": "never stale by age: only files of ended writers go"},
)
R["atomic.current_umask"] = Entry(dict, {})

# batch_size
R["batch_size.updates_per_epoch"] = Entry(
    lambda: {"n_examples": 100, "batch_size": 32}, {"n_examples": "size", "batch_size": "size"}
)
R["batch_size.expected_gradient_spread"] = Entry(
    lambda: {"variance": 2.0, "n_examples": 100, "batch_size": 10},
    {"variance": "nonneg", "n_examples": "size", "batch_size": "size"},
)
R["batch_size.GradientNoise"] = Record("result of gradient_spread")
R["batch_size.gradient_spread"] = Entry(
    lambda: {
        "gradient": _gradient,
        "n_examples": 64,
        "batch_sizes": [1, 4],
        "draws": 4,
        "variance_draws": 8,
    },
    {
        "gradient": "callable",
        "n_examples": "size",
        "batch_sizes": "sizes",
        "draws": "size",
        "variance_draws": "size",
        "seed": "seed",
    },
)
R["batch_size.keras_gradient"] = Entry(
    lambda: {
        "model": _tiny_model(),
        "x": np.zeros((8, 784), np.float32),
        "y": np.zeros(8, np.int64),
    },
    {"model": "object", "x": "array", "y": "array"},
    heavy="keras",
)
R["batch_size.small_model"] = Entry(
    lambda: {"hidden_units": 4}, {"seed": "seed", "hidden_units": "size"}, heavy="keras"
)
R["batch_size.BatchSizeRun"] = Record("result of batch_size_runs")
R["batch_size.batch_size_runs"] = Entry(
    lambda: {"data": _course_data(), "batch_sizes": [20], "epochs": 1},
    {
        "data": "object",
        "batch_sizes": "sizes",
        "epochs": "size",
        "learning_rate": "rate",
        "momentum": "probability",
        "seed": "seed",
        "report": "callable_or_none",
    },
    heavy="train",
)
R["batch_size.ScheduleRun"] = Record("result of decay_versus_growth")
R["batch_size.decay_versus_growth"] = Entry(
    lambda: {
        "data": _course_data(),
        "epochs_per_phase": 1,
        "phases": 1,
        "factor": 2,
        "batch_size": 20,
    },
    {
        "data": "object",
        "epochs_per_phase": "size",
        "phases": "size",
        "factor": "size",
        "learning_rate": "rate",
        "batch_size": "size",
        "momentum": "probability",
        "seed": "seed",
        "report": "callable_or_none",
    },
    heavy="train",
)
R["batch_size.plot_gradient_spread"] = Entry(
    lambda: {"noise": _noise(), "ax": _figure_ax()}, {"noise": "object", "ax": "ax"}
)
R["batch_size.plot_decay_versus_growth"] = Entry(
    lambda: {"runs": _schedule_runs(), "axes": _two_axes()},
    {"runs": "objects", "axes": "axes"},
)

# boundaries
R["boundaries.DecisionGrid"] = Record("result of decision_grid")
R["boundaries.BoundaryPlot"] = Record("result of plot_decision_boundary")
R["boundaries.FitResult"] = Record("record of MoonsActivationComparison")


def _grid_call(**extra):
    model, X, y = _fitted_model()
    return {"model": model, "X": X, "resolution": 20, **extra}


R["boundaries.decision_grid"] = Entry(
    _grid_call,
    {"model": "object", "X": "array", "resolution": "size", "margin": "nonneg"},
    {"X=wrong shape": "documented: the probe's wrong shape (2, 2) is two valid 2-d points"},
)
R["boundaries.plot_decision_boundary"] = Entry(
    lambda: _grid_call(y=_moons()[1], ax=_figure_ax()),
    {
        "model": "object",
        "X": "array",
        "y": "array_or_none",
        "ax": "ax",
        "resolution": "size",
        "margin": "nonneg",
        "alpha": "probability",
    },
)
R["boundaries.MoonsActivationComparison"] = Entry(
    lambda: {"n_samples": 30, "units": 3, "resolution": 20},
    {"n_samples": "size", "noise": "nonneg", "units": "size", "seed": "seed", "resolution": "size"},
)

# cli (course tooling): the console command and its parser (its helpers are private)
R["cli.UsageError"] = Record("exception class")
R["cli.main"] = Record("the console command; tests/test_cli.py runs it")
R["cli.build_parser"] = Entry(dict, {})

# dataset_plots
R["dataset_plots.ExampleGrid"] = Record("result of plot_examples*")
R["dataset_plots.ConfusionFacts"] = Record("result of confusion_facts")


def _examples_call(**extra):
    images, labels = _images()
    return {"images": images, "labels": labels, "class_names": CLASS_NAMES, **extra}


def _grid_axes(rows, columns):
    import matplotlib.pyplot as plt

    return plt.subplots(rows, columns)[1]


R["dataset_plots.plot_examples"] = Entry(
    lambda: _examples_call(rows=1, columns=3, axes=_grid_axes(1, 3)),
    {
        "images": "array",
        "labels": "array",
        "class_names": "names",
        "rows": "size",
        "columns": "size",
        "seed": "seed",
        "axes": "axes",
    },
)
R["dataset_plots.plot_examples_per_class"] = Entry(
    lambda: _examples_call(per_class=1, axes=_grid_axes(10, 1)),
    {
        "images": "array",
        "labels": "array",
        "class_names": "names",
        "per_class": "size",
        "seed": "seed",
        "axes": "axes",
    },
)
R["dataset_plots.confusion_facts"] = Entry(
    lambda: {
        "y_true": np.arange(20) % 10,
        "y_pred": np.arange(20) % 10,
        "class_names": CLASS_NAMES,
    },
    {"y_true": "array", "y_pred": "array", "class_names": "names"},
)

# diagrams
R["diagrams.NetworkDrawing"] = Record("result of draw_network")
R["diagrams.count_parameters"] = Entry(
    lambda: {"layer_sizes": [3, 4, 2]}, {"layer_sizes": "sizes", "use_bias": "bool"}
)
R["diagrams.check_layer_sizes"] = Entry(
    lambda: {"layer_sizes": [3, 4, 2]}, {"layer_sizes": "sizes", "maximum": "size_or_none"}
)
R["diagrams.check_dropped"] = Entry(
    lambda: {"dropped": 0.5, "layer_sizes": [3, 4, 2]},
    {"dropped": "probability_or_none", "layer_sizes": "sizes", "seed": "seed_or_none"},
)
R["diagrams.draw_network"] = Entry(
    lambda: {"layer_sizes": [3, 4, 2], "ax": _figure_ax()},
    {
        "layer_sizes": "sizes",
        "ax": "ax",
        "draw_bias": "bool",
        "use_bias": "bool",
        "labels": "bool",
        "weight_labels": "bool_or_none",
        "activation_symbols": "bool",
        "output_activation": "name_or_none",
        "activations": "names_or_none",
        "output_labels": "bool",
        "counts": "bool",
        "weights": "name_or_none",
        "biases": "any",
        "seed": "seed_or_none",
        "colorbar": "bool_or_none",
        "weight_limit": "rate_or_none",
        "max_nodes": "size",
        "dropped": "probability_or_none",
    },
)

# environment (course tooling)
for _name in ("keras_backend", "installed_backends", "backend_choice", "quiet_tensorflow_startup"):
    R[f"environment.{_name}"] = Entry(dict, {})
R["environment.environment_report"] = Entry(dict, {}, heavy="keras")
R["environment.package_version"] = Entry(
    lambda: {"distribution": "numpy"}, {"distribution": "text"}
)
R["environment.format_report"] = Entry(lambda: {"report": {"numpy": "2.0"}}, {"report": "mapping"})
R["environment.is_tensorflow_startup_noise"] = Entry(lambda: {"line": "hello"}, {"line": "text"})
R["environment.filtered_stderr"] = Entry(dict, {}, enter=True)

# experiments
R["experiments.run_mode"] = Entry(dict, {})
R["experiments.epochs_for"] = Entry(
    lambda: {"full_epochs": 10, "mode": "quick"},
    {"full_epochs": "size", "mode": "name_or_none"},
)
R["experiments.CourseData"] = Record("result of course_data")
R["experiments.course_data"] = Entry(
    lambda: {"mode": "quick"}, {"mode": "name_or_none", "seed": "seed"}, heavy="data"
)
R["experiments.ExperimentResult"] = Record("result of run_experiment")
for _name in ("run_experiment", "run_final_fit"):
    R[f"experiments.{_name}"] = Entry(
        lambda: {
            "name": "tiny",
            "model": _tiny_model(),
            "data": _course_data(),
            "epochs": 1,
            "batch_size": 20,
        },
        {
            "name": "text",
            "model": "object",
            "data": "object",
            "epochs": "size",
            "batch_size": "size",
            "callbacks": "objects",
            "verbose": "verbosity",
        },
        heavy="train",
    )
R["experiments.moving_average"] = Entry(
    lambda: {"values": np.array([1.0, 2.0, 3.0]), "smoothing": 0.5},
    {"values": "array", "smoothing": "probability"},
)
R["experiments.early_stopping_epochs"] = Entry(
    lambda: {"values": np.array([3.0, 2.0, 2.5, 2.6]), "patience": 1},
    {"values": "array", "patience": "count", "smoothing": "probability", "mode": "name"},
)
R["experiments.best_epoch"] = Entry(
    lambda: {"values": np.array([0.5, 0.7, 0.6])},
    {"values": "array", "mode": "name"},
    {"values=NaN": "documented: a NaN score never counts as the best"},
)
R["experiments.per_class_recall"] = Entry(
    lambda: {"y_true": np.arange(20) % 10, "y_pred": np.arange(20) % 10},
    {"y_true": "array", "y_pred": "array", "n_classes": "size"},
)
R["experiments.results_table"] = Entry(lambda: {"results": _results()}, {"results": "objects"})

# fashion_mnist / datasets
for _name in ("DataUnavailableError", "SourceError", "IDXFormatError", "SiteBuildError"):
    R[_name] = Record("exception class")
R["CacheNotWrittenWarning"] = Record("warning class")
R["fashion_mnist.FashionMNIST"] = Record("result of load_fashion_mnist")
R["fashion_mnist.SourceStatus"] = Record("result of source_status")
for _name in ("default_cache_dir", "keras_dataset_dir", "env_data_dir"):
    R[f"fashion_mnist.{_name}"] = Entry(dict, {})
R["fashion_mnist.verify_arrays"] = Entry(
    lambda: {"arrays": _idx_folder_arrays()}, {"arrays": "mapping"}, heavy="data"
)
R["fashion_mnist.read_idx_folder"] = Entry(
    lambda: {"folder": Path(DATA_DIR)}, {"folder": "path"}, heavy="data"
)


def _cache_file():
    path = _tmp("cache.npz")
    _find("write_cache", *_LOADER)(_idx_folder_arrays(), path)
    return path


R["fashion_mnist.read_cache"] = Entry(
    lambda: {"path": _cache_file()}, {"path": "path"}, heavy="data"
)
R["fashion_mnist.write_cache"] = Entry(
    lambda: {"arrays": _idx_folder_arrays(), "path": _tmp("cache.npz")},
    {"arrays": "mapping", "path": "out_path"},
    heavy="data",
)
R["fashion_mnist.load_arrays"] = Entry(
    lambda: {"source": "folder", "data_dir": Path(DATA_DIR), "cache_dir": _tmp()},
    {"source": "name_or_none", "data_dir": "path_or_none", "cache_dir": "path_or_none"},
    heavy="data",
)
R["fashion_mnist.source_status"] = Entry(
    lambda: {"data_dir": DATA_DIR, "cache_dir": _tmp()},
    {"data_dir": "path_or_none", "cache_dir": "path_or_none", "verify": "bool"},
)
R["fashion_mnist.load_fashion_mnist"] = Entry(
    lambda: {
        "source": "folder",
        "data_dir": DATA_DIR,
        "cache_dir": _tmp(),
        "n_train": 50,
        "n_test": 20,
    },
    {
        "source": "name_or_none",
        "data_dir": "path_or_none",
        "cache_dir": "path_or_none",
        "n_train": "size_or_none",
        "n_test": "size_or_none",
        "seed": "seed",
        "flatten": "bool",
        "scale": "bool",
    },
    heavy="data",
)

# idx
R["idx.parse_idx"] = Entry(
    lambda: {"data": _idx_bytes(), "name": "labels"}, {"data": "bytes", "name": "text"}
)
R["idx.idx_bytes"] = Entry(
    lambda: {"array": np.arange(6, dtype=np.uint8).reshape(2, 3)}, {"array": "array"}
)
R["idx.idx_sha256"] = Entry(
    lambda: {"array": np.arange(6, dtype=np.uint8).reshape(2, 3)}, {"array": "array"}
)


def _idx_bytes():
    return _find("idx_bytes", *_IDX)(np.arange(6, dtype=np.uint8).reshape(2, 3))


def _idx_file():
    path = _tmp("a-idx1-ubyte")
    path.write_bytes(_idx_bytes())
    return path


R["idx.read_idx_file"] = Entry(
    lambda: {"path": _idx_file()},
    {"path": "path", "shape": "shape_or_none", "max_bytes": "size"},
)

# initialization
R["initialization.SignalStatistics"] = Record("result of signal_propagation")
R["initialization.TransferResult"] = Record("result of transfer_learning")
R["initialization.signal_propagation"] = Entry(
    lambda: {"depth": 3, "width": 8, "n_samples": 16},
    {
        "activation": "name",
        "scheme": "name",
        "depth": "size",
        "width": "size",
        "n_samples": "size",
        "seed": "seed",
    },
)
R["initialization.plot_signal_propagation"] = Entry(
    lambda: {"stats": _stats(), "axes": _two_axes()}, {"stats": "object", "axes": "axes"}
)
R["initialization.SignalPropagationExplorer"] = Entry(
    lambda: {"width": 8, "n_samples": 16}, {"width": "size", "n_samples": "size", "seed": "seed"}
)
R["initialization.describe_signal"] = Entry(lambda: {"stats": _stats()}, {"stats": "object"})
R["initialization.transfer_learning"] = Entry(
    lambda: {"n_labelled": 10, "progress": False},
    {"seed": "seed", "n_labelled": "size", "progress": "bool"},
    heavy="slow",
)

# initializers
R["initializers.check_initializer_name"] = Entry(
    lambda: {"name": "he_normal"}, {"name": "name", "argument": "text"}
)
R["initializers.expected_std"] = Entry(
    lambda: {"name": "he_normal", "fan_in": 4, "fan_out": 3},
    {"name": "name", "fan_in": "size", "fan_out": "size", "stddev": "rate"},
)
R["initializers.truncated_normal"] = Entry(
    lambda: {"rng": np.random.default_rng(0), "shape": (3, 2), "std": 0.1},
    {"rng": "object", "shape": "shape", "std": "rate"},
)
R["initializers.initialize"] = Entry(
    lambda: {"name": "he_normal", "fan_in": 4, "fan_out": 3, "seed": 0},
    {
        "name": "name",
        "fan_in": "size",
        "fan_out": "size",
        "rng": "object_or_none",
        "seed": "seed_or_none",
        "stddev": "rate",
    },
)

# keras_callbacks, keras_models, keras_schedules
R["keras_callbacks.FitProgress"] = Entry(
    lambda: {"label": "fit", "total": 3},
    {"label": "text", "total": "size_or_none", "monitor": "text_or_none"},
    heavy="keras",
)
R["keras_callbacks.SmoothedEarlyStopping"] = Entry(
    lambda: {"smoothing": 0.5}, {"smoothing": "probability"}, heavy="keras"
)
R["keras_callbacks.TrainingPlot"] = Entry(
    lambda: {"metrics": ["loss"], "live": False},
    {
        "metrics": "strings_or_none",
        "monitor": "text_or_none",
        "mode": "name",
        "figsize": "figsize_or_none",
        "min_interval": "nonneg",
        "max_overhead": "rate_or_none",
        "live": "bool_or_none",
    },
    heavy="keras",
)
R["keras_models.build_dense"] = Entry(
    lambda: {"hidden": (4,), "n_inputs": 6, "n_classes": 3, "seed": 0},
    {
        "hidden": "sizes",
        "n_inputs": "size",
        "n_classes": "size",
        "activation": "name",
        "kernel_initializer": "name",
        "dropout": "probability",
        "l1": "nonneg",
        "l2": "nonneg",
        "batch_norm": "bool",
        "seed": "seed_or_none",
        "name": "text_or_none",
    },
    {"hidden=[]": "no hidden layer: a softmax regression"},
    heavy="keras",
)
R["keras_models.compile_classifier"] = Entry(
    lambda: {"model": _tiny_model(), "optimizer": "sgd", "learning_rate": 0.01},
    {
        "model": "object",
        "optimizer": "name",
        "learning_rate": "rate_or_none",
        "label_smoothing": "probability",
        "sparse": "bool",
        "steps_per_execution": "size",
        "metrics": "strings",
    },
    heavy="keras",
)
R["keras_models.count_dense_parameters"] = Entry(
    lambda: {"hidden": (4,), "n_inputs": 6, "n_classes": 3},
    {"hidden": "sizes", "n_inputs": "size", "n_classes": "size", "batch_norm": "bool"},
    {"hidden=[]": "no hidden layer: a softmax regression"},
    heavy="keras",
)
R["keras_models.lecture_model"] = Entry(
    lambda: {"name": next(iter(_lecture_models()))}, {"name": "name"}, heavy="keras"
)


def _lecture_models():
    from lecture_nn.keras_models import LECTURE_MODELS

    return LECTURE_MODELS


_CYCLICAL_KINDS = {
    "initial_learning_rate": "rate",
    "maximal_learning_rate": "rate",
    "step_size": "rate",
    "mode": "name",
    "gamma": "rate",
}
R["keras_schedules.to_keras"] = Entry(
    lambda: {"schedule": _schedules()["decay"]}, {"schedule": "object"}, heavy="keras"
)
R["keras_schedules.CyclicalLearningRate"] = Entry(
    lambda: {"initial_learning_rate": 0.001, "maximal_learning_rate": 0.01, "step_size": 10},
    {**_CYCLICAL_KINDS, "name": "text"},
    heavy="keras",
)

# losses
R["losses.check_loss_name"] = Entry(
    lambda: {"name": "mean_squared_error"}, {"name": "name", "argument": "text"}
)
for _name in ("loss_value", "loss_gradient"):
    R[f"losses.{_name}"] = Entry(
        lambda: {
            "name": "binary_crossentropy",
            "y_true": np.array([[1.0], [0.0]]),
            "y_pred": np.array([[0.8], [0.3]]),
        },
        {"name": "name", "y_true": "array", "y_pred": "array"},
    )

# network
for _name in ("DenseLayer", "ForwardPass", "Gradients", "TrainingRun"):
    R[f"network.{_name}"] = Record("record of Network / train")
R["network.activation_backward"] = Entry(
    lambda: {"name": "tanh", "z": np.ones((2, 3)), "grad_a": np.ones((2, 3))},
    {"name": "name", "z": "array", "grad_a": "array"},
)
R["network.Network"] = Entry(
    lambda: {"layer_sizes": [2, 3, 1], "activations": ["tanh", "sigmoid"]},
    {
        "layer_sizes": "sizes",
        "activations": "names",
        "loss": "name",
        "initializer": "name",
        "seed": "seed",
        "dtype": "dtype",
    },
)
R["network.minibatch_indices"] = Entry(
    lambda: {"n_samples": 10, "batch_size": 4, "steps": 3, "seed": 0},
    {"n_samples": "size", "batch_size": "size", "steps": "count", "seed": "seed"},
)
R["network.train"] = Entry(
    lambda: {
        "network": _network(),
        "X": _moons(16)[0],
        "y": _moons(16)[1].reshape(-1, 1),
        "steps": 3,
        "batch_size": 8,
    },
    {
        "network": "object",
        "X": "array",
        "y": "array",
        "learning_rate": "rate",
        "steps": "count",
        "batch_size": "size_or_none",
        "seed": "seed",
    },
)

# notebook_runner (course tooling)
R["notebook_runner.NotebookResult"] = Record("result of execute_notebook")
R["notebook_runner.in_site_packages"] = Entry(lambda: {"path": _tmp()}, {"path": "path"})
R["notebook_runner.kernel_environment"] = Entry(
    lambda: {"headless": True, "base": _env()}, {"headless": "bool", "base": "mapping_or_none"}
)
R["notebook_runner.check_output_folder"] = Entry(
    lambda: {"folder": _tmp("out")}, {"folder": "out_path", "replaced": "bool"}
)
R["notebook_runner.write_notebook"] = Entry(
    lambda: {"nb": _notebook(), "path": _tmp("b.ipynb")}, {"nb": "object", "path": "out_path"}
)
R["notebook_runner.resolve_notebooks"] = Entry(
    lambda: {"names": ["01"], "course": [Path("01_a.ipynb"), Path("02_b.ipynb")]},
    {"names": "strings", "course": "objects"},
)
R["notebook_runner.execute_notebook"] = Entry(
    lambda: {"path": _nb_file(), "output_dir": _tmp("out"), "timeout": 60},
    {
        "path": "path",
        "output_dir": "out_path",
        "timeout": "rate_or_none",
        "kernel_name": "text_or_none",
    },
    heavy="kernel",
)
R["notebook_runner.find_warnings"] = Entry(lambda: {"nb": _notebook()}, {"nb": "object"})
R["notebook_runner.strip_outputs"] = Entry(
    lambda: {"nb": _notebook()}, {"nb": "object", "keep_tag": "text"}
)
R["notebook_runner.strip_file"] = Entry(
    lambda: {"path": _nb_file()}, {"path": "path", "keep_tag": "text"}
)

# openml_source
R["openml_source.table_to_arrays"] = Entry(
    lambda: {"pixels": np.zeros((70000, 784), np.uint8), "labels": np.arange(70000) % 10},
    {"pixels": "array", "labels": "array"},
)
R["openml_source.network_timeouts"] = Entry(
    lambda: {"connect": 1.0, "read": 1.0},
    {"connect": "rate_or_none", "read": "rate_or_none"},
    enter=True,
)
R["openml_source.fetch_openml_arrays"] = Entry(
    lambda: {"dataset_id": 40996}, {"dataset_id": "size"}, heavy="network"
)

# optimizer_experiments
R["optimizer_experiments.adam_wrong_correction_ratio"] = Entry(
    lambda: {"gradients": np.ones(5)},
    {"gradients": "array", "beta_1": "probability", "beta_2": "probability"},
)
R["optimizer_experiments.direction_changes"] = Entry(
    lambda: {"path": _paths()["sgd"]}, {"path": "object", "axis": "axis"}
)
R["optimizer_experiments.sutskever_momentum"] = Entry(
    lambda: {"step": np.arange(5)},
    {"step": "values", "period": "size", "maximum": "probability"},
)

# optimizer_plots
for _name in ("PathArtists", "PathsPlot", "MomentumStep"):
    R[f"optimizer_plots.{_name}"] = Record("result of the optimizer_plots helpers")
R["optimizer_plots.path_style"] = Entry(lambda: {"index": 3}, {"index": "count"})
R["optimizer_plots.plot_surface"] = Entry(
    lambda: {"surface": "beale", "ax": _figure_ax()}, {"surface": "name", "ax": "ax"}
)
R["optimizer_plots.plot_paths"] = Entry(
    lambda: {"paths": _paths(), "surface": "beale", "ax": _figure_ax()},
    {
        "paths": "mapping",
        "surface": "name",
        "ax": "ax",
        "iterations": "count_or_none",
        "colors": "mapping_or_none",
        "legend": "bool",
    },
)
R["optimizer_plots.PathsExplorer"] = Entry(
    lambda: {"paths_by_surface": {"beale": _paths()}}, {"paths_by_surface": "mapping"}
)
R["optimizer_plots.fit_legend"] = Entry(
    lambda: {"plot": _paths_plot()}, {"plot": "object", "pad": "nonneg"}
)


def _schedules():
    from lecture_nn.schedules import ExponentialDecay

    return {"decay": ExponentialDecay(0.1, 10, 0.5)}


R["optimizer_plots.plot_learning_rates"] = Entry(
    lambda: {"schedules": _schedules(), "steps": 20, "ax": _figure_ax()},
    {"schedules": "mapping", "steps": "size", "ax": "ax"},
)
R["optimizer_plots.momentum_step_parts"] = Entry(
    lambda: {
        "surface": "beale",
        "point": [1.0, 1.0],
        "velocity": [0.1, 0.1],
        "learning_rate": 0.01,
        "momentum": 0.9,
    },
    {
        "surface": "name",
        "point": "point",
        "velocity": "point",
        "learning_rate": "rate",
        "momentum": "probability",
    },
)
R["optimizer_plots.plot_momentum_step"] = Entry(
    lambda: {"parts": _momentum_parts(), "ax": _figure_ax(), "nesterov": True},
    {"parts": "object", "ax": "ax", "nesterov": "bool", "zoom": "rate_or_none"},
)

# optimizers
R["optimizers.OptimizerConfig"] = Record("record of make_optimizer")
R["optimizers.OptimizerPath"] = Record("result of simulate")
R["optimizers.make_optimizer"] = Entry(
    lambda: {"kind": "adam", "learning_rate": 0.01},
    {"kind": "name", "learning_rate": "rate_or_none", "label": "text_or_none"},
)
R["optimizers.simulate"] = Entry(
    lambda: {"config": _make_config(), "surface": "beale", "steps": 5},
    {
        "config": "object",
        "surface": "name",
        "start": "point_or_none",
        "steps": "count",
        "stop_outside_window": "bool",
    },
)


def _make_config():
    from lecture_nn.optimizers import make_optimizer

    return make_optimizer("sgd", 0.001)


R["optimizers.simulate_zoo"] = Entry(
    lambda: {"surface": "beale", "names": ["sgd"], "steps": 5},
    {"surface": "name", "names": "names_or_none", "steps": "count", "start": "point_or_none"},
    {"names=[]": "an empty selection gives an empty zoo"},
)

# paths (course tooling)
R["paths.notebooks_dir"] = Entry(dict, {})
R["paths.course_notebooks"] = Entry(dict, {})

# schedules (numpy)
R["schedules.Schedule"] = Record("abstract base class of the schedules")
R["schedules.CosineDecay"] = Entry(
    lambda: {"initial_learning_rate": 0.1, "decay_steps": 10},
    {
        "initial_learning_rate": "rate",
        "decay_steps": "rate",
        "alpha": "probability",
        "warmup_target": "rate_or_none",
        "warmup_steps": "nonneg",
    },
)
R["schedules.CosineDecayRestarts"] = Entry(
    lambda: {"initial_learning_rate": 0.1, "first_decay_steps": 10},
    {
        "initial_learning_rate": "rate",
        "first_decay_steps": "rate",
        "t_mul": "rate",
        "m_mul": "rate",
        "alpha": "probability",
    },
)
R["schedules.CyclicalLearningRate"] = Entry(
    lambda: {"initial_learning_rate": 0.001, "maximal_learning_rate": 0.01, "step_size": 10},
    dict(_CYCLICAL_KINDS),
)
for _name in ("ExponentialDecay", "InverseTimeDecay"):
    R[f"schedules.{_name}"] = Entry(
        lambda: {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
        {
            "initial_learning_rate": "rate",
            "decay_steps": "rate",
            "decay_rate": "rate",
            "staircase": "bool",
        },
    )
# InverseTimeDecay's decay_rate may be 0 (1 + 0 * step / decay_steps = 1: a constant rate,
# as in Keras); a rate > 0 is needed only by ExponentialDecay, where 0 would zero the rate.
R["schedules.InverseTimeDecay"].documented.update(
    {
        f"decay_rate={zero}": "documented: 0 is allowed, a constant learning rate (as in Keras)"
        for zero in ("0", "0.0", "-0.0")
    }
)
R["schedules.PiecewiseConstantDecay"] = Entry(
    lambda: {"boundaries": (10, 20), "values": (0.1, 0.01, 0.001)},
    {"boundaries": "counts", "values": "floats"},
)
R["schedules.PolynomialDecay"] = Entry(
    lambda: {"initial_learning_rate": 0.1, "decay_steps": 10},
    {
        "initial_learning_rate": "rate",
        "decay_steps": "rate",
        "end_learning_rate": "nonneg",
        "power": "rate",
        "cycle": "bool",
    },
)

# site (course tooling)
R["site.SitePage"] = Record("record of build_site")
R["site.SiteBuild"] = Record("result of build_site")
R["site.build_site"] = Entry(
    lambda: {"output_dir": _tmp("site"), "notebooks": [_nb_file()], "execute": False},
    {
        "output_dir": "out_path",
        "notebooks": "paths_or_none",
        "execute": "bool",
        "executed_dir": "path_or_none",
        "timeout": "rate_or_none",
    },
    heavy="kernel",
)
R["site.prepare_for_site"] = Entry(lambda: {"nb": _notebook()}, {"nb": "object"})
R["site.notebook_summary"] = Entry(
    lambda: {"nb": _notebook()}, {"nb": "object", "max_chars": "size"}
)

# solutions (course tooling)
R["solutions.fill_answers"] = Entry(lambda: {"nb": _notebook()}, {"nb": "object"})
R["solutions.write_solutions"] = Entry(
    lambda: {"notebooks": [_nb_file()], "output_dir": _tmp("solutions")},
    {"notebooks": "paths", "output_dir": "out_path"},
)

# style
R["style.default_medium"] = Entry(dict, {})
for _name in ("style_rc", "use_course_style"):
    R[f"style.{_name}"] = Entry(lambda: {"medium": "screen"}, {"medium": "name_or_none"})
R["style.course_style"] = Entry(
    lambda: {"medium": "screen"}, {"medium": "name_or_none"}, enter=True
)
R["style.figsize"] = Entry(
    lambda: {"width": 6.0, "height": 4.0},
    {"width": "rate", "height": "rate", "medium": "name_or_none"},
)

# surfaces
R["surfaces.Surface"] = Record("record of get_surface")
R["surfaces.get_surface"] = Entry(lambda: {"name": "beale"}, {"name": "name"})

# training_plots
R["training_plots.ReplayArtists"] = Record("record of TrainingReplay")
R["training_plots.TrainingReplay"] = Entry(
    lambda: {
        "network": _network(),
        "run": _run(),
        "X": _moons(16)[0],
        "y": _moons(16)[1],
        "resolution": 10,
    },
    {
        "network": "object",
        "run": "object",
        "X": "array",
        "y": "array",
        "resolution": "size",
        "margin": "nonneg",
    },
)

# widgets
R["widgets.agg_png"] = Entry(lambda: {"fig": _figure()}, {"fig": "fig"})
R["widgets.single_threaded_blas"] = Entry(dict, {}, enter=True)
R["widgets.collect_figures"] = Entry(dict, {}, enter=True)
R["widgets.is_headless"] = Entry(dict, {})


def _drawn_canvas():
    fig = _figure()
    fig.canvas.draw()
    return fig.canvas


def _figure():
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(1, 1))


R["widgets.render_png"] = Entry(lambda: {"fig": _figure()}, {"fig": "fig"})
R["widgets.canvas_png"] = Entry(lambda: {"canvas": _drawn_canvas()}, {"canvas": "object"})
R["widgets.decimals"] = Entry(lambda: {"value": 0.25}, {"value": "finite"})
R["widgets.readout_format"] = Entry(
    lambda: {"low": 0.0, "step": 0.1}, {"low": "finite", "step": "rate"}
)
R["widgets.StatusLine"] = Entry(lambda: {"text": "hello"}, {"text": "text"})
R["widgets.InteractiveFigure"] = Entry(
    lambda: {"draw": _draw, "controls": {"value": (0, 2, 1)}, "figsize": (2.0, 2.0)},
    {
        "draw": "callable",
        "controls": "mapping",
        "figsize": "figsize",
        "print_values": "objects_or_none",
        "layout": "name_or_none",
        "clear": "bool",
        "cache": "bool",
    },
)
R["widgets.interactive_figure"] = Entry(
    lambda: {"draw": _draw, "figsize": (2.0, 2.0), "value": (0, 2, 1)},
    {
        "draw": "callable",
        "figsize": "figsize",
        "print_values": "objects_or_none",
        "layout": "name_or_none",
        "clear": "bool",
        "cache": "bool",
    },
)


def lookup(module_name: str, name: str) -> Entry | Record | None:
    """The registry entry for ``module_name.name``, following moved modules."""
    parts = module_name.split(".")
    keys = [f"{'.'.join(parts[1:])}.{name}", f"{parts[-1]}.{name}"]
    keys += [f"{alias}.{name}" for alias in MODULE_ALIASES.get(parts[-1], ())]
    keys.append(name)
    for key in keys:
        if key in REGISTRY:
            return REGISTRY[key]
    matches = [entry for key, entry in REGISTRY.items() if key.rsplit(".", 1)[-1] == name]
    return matches[0] if len(matches) == 1 else None


def named_parameters(func) -> list[inspect.Parameter]:
    """The parameters of ``func`` that a caller names (no ``*args`` / ``**kwargs``)."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    return [
        p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def missing_parameters() -> list[str]:
    """``module.name(parameter)`` for every public parameter without a kind, and every
    public callable without an entry."""
    problems = []
    for module_name, name, func in public_callables():
        entry = lookup(module_name, name)
        if entry is None:
            problems.append(f"{module_name}.{name} (no registry entry)")
            continue
        if isinstance(entry, Record):
            continue
        for parameter in named_parameters(func):
            if parameter.name not in entry.kinds:
                problems.append(f"{module_name}.{name}({parameter.name})")
    return problems


@dataclass
class Target:
    """One public entry point with its registry entry."""

    module: str
    name: str
    func: object
    entry: Entry

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def keras(self) -> bool:
        return self.entry.heavy in ("keras", "train", "slow") or self.module.rsplit(".", 1)[-1] in (
            KERAS_MODULES
        )

    def parameters(self) -> list[str]:
        """The probed parameters: those of the signature with a kind other than ``any``."""
        names = [p.name for p in named_parameters(self.func)]
        return [n for n in names if self.entry.kinds.get(n, "any") != "any"]


def warm_up() -> None:
    """Import here what the valid calls import, so that forked children do not each pay
    for (or, under heavy load, time out on) the same imports."""
    import matplotlib.pyplot  # noqa: F401
    import nbformat  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    public_callables()


def targets(*, heavy: tuple[str | None, ...] | None = None) -> list[Target]:
    """Every public entry point that has an :class:`Entry` (``heavy``: only those kinds)."""
    found = []
    for module_name, name, func in public_callables():
        entry = lookup(module_name, name)
        if isinstance(entry, Entry) and (heavy is None or entry.heavy in heavy):
            found.append(Target(module_name, name, func, entry))
    return found


# --------------------------------------------------------------------------- bad values


def _closed_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plt.close(fig)
    return ax


def _figure_value():
    import matplotlib.pyplot as plt

    return plt.figure()


def _array_bad(valid):
    """Bad variants of a valid array: wrong shape, NaN, complex, empty, strings, None."""
    a = np.asarray(valid)
    bad = {
        "wrong shape": lambda: np.zeros((*a.shape, 2)) if a.ndim else np.zeros((2, 2)),
        "NaN": lambda: np.full(a.shape, np.nan),
        "complex": lambda: a.astype(complex) + 1j,
        "empty": lambda: np.zeros((0, *a.shape[1:])),
        "strings": lambda: np.full(a.shape if a.size else (3,), "a"),
        "None": lambda: None,
    }
    return bad


class Const:
    """A factory of one fixed bad value (with a readable repr for test reports)."""

    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value

    def __repr__(self):
        return f"Const({self.value!r})"


_const = Const


def _plain(values):
    return {repr(v): _const(v) for v in values}


_SIZE = [0, -1, 2.5, 2.0, 1e12, True, "3", NAN, INF, 10**12]
_RATE = [0, -1, NAN, INF, "0.1", True]
_PROB = [-0.1, 1.5, NAN, "0.5", True]
_NAME = ["no-such-name", 3, ""]
_PATH = [3]

#: Bad values of each kind: a list of plain values, or a function of the valid value giving
#: ``{label: factory}``. A kind ending in ``_or_none`` takes None as valid.
BAD_VALUES: dict[str, object] = {
    "bool": ["False", "yes", 1.5, None, 1],
    "size": [*_SIZE, None],
    "count": [-1, 2.5, True, "3", NAN, INF, None],
    "rate": [*_RATE, None],
    "nonneg": [-1, NAN, INF, "0.1", True, None],
    "finite": [NAN, INF, "0.1", True, None],
    "probability": [*_PROB, None],
    "seed": [-1, 2.5, "0", True, None],
    "axis": [2.5, "0", True, None, 99],
    "verbosity": [-1, 2.5, "1", None, 7],
    "file_mode": [-1, 2.5, "644", 0o10000, True],
    "name": [*_NAME, None],
    "text": [3, b"bytes", None],
    "path": [*_PATH, None],
    # A place where nothing can be written (a folder inside a character device).
    "out_path": [3, None, "/dev/null/x"],
    "paths": [3, "a.ipynb", [3], None],
    "bytes": ["text", 3, None, b""],
    "callable": [3, "f", None],
    "sizes": [[], [0, 3], [2.5, 3], "23", [True, 2], 5, None, [-1, 2], [10**6, 10**6]],
    "counts": [[-1, 2], [2.5], "12", 5, None],
    "names": [["no-such-name"], [3], [], None, 5],
    "strings": [[3], "abc", None, 5],
    "floats": [[NAN, 1.0], "ab", 3, None, [[1.0]]],
    "range": [(6.0, -6.0), (NAN, 1.0), "ab", (1.0,), (1.0, 1.0), (0.0, INF), None],
    "figsize": [(0.0, 2.0), (-1.0, 2.0), (NAN, 2.0), "ab", (2.0,), None],
    "point": [[NAN, 1.0], [1.0], [1.0, 2.0, 3.0], "ab", None, [INF, 0.0]],
    "shape": [(-1, 2), (2.5,), "ab", None, (10**6, 10**6)],
    "mapping": [3, "x", [1], None],
    "object": [None, 3, "x"],
    "objects": [3, "x", [3], None],
    "dtype": ["int8", 3, "no-such-dtype"],
    "ax": lambda valid: {
        "1": _const(1),
        "'ax'": _const("ax"),
        "a Figure": _figure_value,
        "closed axes": _closed_axes,
    },
    "axes": lambda valid: {
        "1": _const(1),
        "'ax'": _const("ax"),
        "a Figure": _figure_value,
        "one Axes": _figure_ax,
        "closed axes": lambda: np.array([_closed_axes() for _ in np.ravel(valid)]).reshape(
            np.shape(valid)
        ),
    },
    "fig": lambda valid: {"1": _const(1), "'fig'": _const("fig"), "an Axes": _figure_ax},
    "array": _array_bad,
    "values": lambda valid: {
        k: v for k, v in _array_bad(valid).items() if k in ("complex", "strings", "None", "NaN")
    },
}


#: Stress values: legal in principle but huge. Accepting one is fine when the call returns
#: (e.g. counting the parameters of a 10**6 x 10**6 network); hanging or blowing the memory
#: up is not. numpy refusing at once to allocate (``MemoryError: Unable to allocate``) is
#: accepted too: nothing was allocated and the message gives the size it refused.
STRESS_LABELS = {repr(10**12), repr([10**6, 10**6]), repr((10**6, 10**6))}


def acceptable(outcome: Outcome, label: str, reason: str | None = None) -> bool:
    """Whether a bad-value outcome meets the rule: a clear error; for a stress value also a
    normal return or an immediate refusal to allocate; with a documented ``reason`` anything
    but a hang or a memory blow-up."""
    if outcome.outcome == "clear":
        return True
    if reason and outcome.outcome not in ("hang", "memory"):
        return True
    if label in STRESS_LABELS:
        return outcome.outcome == "silent" or refused_allocation(outcome)
    return False


def refused_allocation(outcome: Outcome) -> bool:
    """numpy's immediate MemoryError for an array it cannot allocate."""
    return (
        outcome.outcome == "memory"
        and outcome.error == "MemoryError"
        and outcome.message.startswith("Unable to allocate")
        and outcome.seconds < 2.0
    )


def bad_values(kind: str, valid=None) -> dict[str, Callable[[], object]]:
    """``{label: factory}`` of the bad values of ``kind`` (``valid``: the valid value)."""
    optional = kind.endswith("_or_none")
    base = kind.removesuffix("_or_none")
    spec = BAD_VALUES[base]
    values = spec(valid) if callable(spec) else _plain(spec)
    if optional:
        values.pop("None", None)
    return values


def names_parameter(message: str, parameter: str) -> bool:
    """Whether an error message names ``parameter`` (as a word of its own)."""
    pattern = rf"(?<![A-Za-z0-9_]){re.escape(parameter)}(?![A-Za-z0-9_])"
    return re.search(pattern, message) is not None


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What one bad-value call did."""

    outcome: str  # clear | unclear | silent | hang | memory | setup
    error: str = ""
    message: str = ""
    seconds: float = 0.0


def classify(exc: BaseException | None, parameter: str) -> str:
    """Sort an exception (None: the call returned) into clear/unclear/silent/memory."""
    if exc is None:
        return "silent"
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, (ValueError, TypeError)) and names_parameter(str(exc), parameter):
        return "clear"
    return "unclear"


def call(target: Target, values: dict):
    """Call ``target`` with ``values`` (positional-only parameters passed by position)."""
    args, kwargs = [], dict(values)
    for p in named_parameters(target.func):
        if p.kind == p.POSITIONAL_ONLY and p.name in kwargs:
            args.append(kwargs.pop(p.name))
    result = target.func(*args, **kwargs)
    if target.entry.enter:
        if hasattr(result, "__enter__"):
            with result:
                pass
        elif hasattr(result, "__iter__"):
            for _ in result:
                pass
    return result


def _child_body(target: Target, parameter: str | None, label: str | None, write_fd: int):
    import warnings

    warnings.simplefilter("ignore")
    os.chdir(tempfile.mkdtemp(prefix="probe-cwd-"))
    try:
        values = target.entry.valid()
        if parameter is not None:
            kind = target.entry.kinds[parameter]
            values[parameter] = bad_values(kind, values.get(parameter))[label]()
    except BaseException as exc:
        result = Outcome("setup", type(exc).__name__, _short(exc))
    else:
        start = time.perf_counter()
        try:
            call(target, values)
        except BaseException as exc:
            kind = classify(exc, parameter) if parameter else "error"
            result = Outcome(kind, type(exc).__name__, _short(exc))
            if parameter is None:
                result.message += "\n" + "".join(traceback.format_exc(limit=-3))[-1500:]
        else:
            result = Outcome("silent" if parameter else "ok")
        result.seconds = time.perf_counter() - start
    os.write(write_fd, pickle.dumps(result))


class TimeLimitExceeded(BaseException):
    """Raised by the alarm of :func:`run_in_process` (a BaseException: no ``except
    Exception`` in the code under test swallows it)."""


@contextlib.contextmanager
def limits(timeout: float = 10.0, memory_bytes: int = 2 * 1024**3):
    """In this process: raise TimeLimitExceeded after ``timeout`` s, and MemoryError
    beyond ``memory_bytes`` more address space; both lifted on exit."""

    def alarm(signum, frame):
        raise TimeLimitExceeded(f"no result after {timeout:g} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_size() + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    previous = signal.signal(signal.SIGALRM, alarm)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_in_process(
    target: Target,
    parameter: str,
    make_value,
    *,
    timeout: float = 10.0,
    memory_bytes: int = 2 * 1024**3,
) -> Outcome:
    """Call ``target`` with ``parameter`` set to ``make_value()`` here, under :func:`limits`."""
    values = target.entry.valid()
    values[parameter] = make_value()
    start = time.perf_counter()
    try:
        with limits(timeout, memory_bytes):
            call(target, values)
    except TimeLimitExceeded as exc:
        return Outcome("hang", "", str(exc), time.perf_counter() - start)
    except Exception as exc:
        return Outcome(
            classify(exc, parameter), type(exc).__name__, _short(exc), time.perf_counter() - start
        )
    return Outcome("silent", seconds=time.perf_counter() - start)


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:400]


class Running:
    """One bad-value call running in a forked child; :meth:`poll` until it gives an Outcome.

    The child's address space may grow by ``memory_bytes`` beyond the parent's; after
    ``timeout`` seconds it is killed (``hang``); killed by the memory limit or a signal
    without a result: ``memory``.
    """

    def __init__(
        self, target, parameter, label, *, timeout=10.0, memory_bytes=2 * 1024**3, quiet=True
    ):
        self.target, self.parameter, self.label = target, parameter, label
        self.timeout = timeout
        read_fd, write_fd = os.pipe()
        self.start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                os.close(read_fd)
                os.setpgid(0, 0)
                if quiet:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 1)
                    os.dup2(devnull, 2)
                # A safety net should the parent die: the child ends itself.
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.alarm(int(timeout) + 30)
                limit = _vm_size() + memory_bytes
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                _child_body(target, parameter, label, write_fd)
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        self.pid, self.fd, self.chunks = pid, read_fd, []

    def poll(self) -> Outcome | None:
        """The outcome once the child is done (or killed at its time limit), else None."""
        self._read()
        done, status = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self._read()
            os.close(self.fd)
            return self._outcome(status)
        if time.perf_counter() - self.start > self.timeout:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.fd)
            return Outcome("hang", "", f"no result after {self.timeout:g} s", self.timeout)
        return None

    def _read(self):
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    def _outcome(self, status) -> Outcome:
        seconds = time.perf_counter() - self.start
        if self.chunks:
            with contextlib.suppress(Exception):
                return pickle.loads(b"".join(self.chunks))
        if os.WIFSIGNALED(status):
            return Outcome("memory", f"killed by signal {os.WTERMSIG(status)}", "", seconds)
        return Outcome("memory", f"exited {os.WEXITSTATUS(status)} without a result", "", seconds)


def run_case(target, parameter, label, *, timeout=10.0, memory_bytes=2 * 1024**3) -> Outcome:
    """Run one call (``parameter=None``: the valid call) in a forked child; see Running."""
    running = Running(target, parameter, label, timeout=timeout, memory_bytes=memory_bytes)
    while (outcome := running.poll()) is None:
        time.sleep(0.01)
    return outcome


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def cases(target: Target) -> list[tuple[str, str]]:
    """``(parameter, label)`` of every bad-value case of ``target``."""
    return [
        (parameter, label)
        for parameter in target.parameters()
        for label in bad_values(target.entry.kinds[parameter])
    ]


def documented(target: Target, parameter: str, label: str) -> str | None:
    """The documented reason a bad value may be accepted, or None."""
    docs = target.entry.documented
    return docs.get(f"{parameter}={label}") or docs.get(parameter)


if __name__ == "__main__":  # pragma: no cover - a listing for people
    for problem in missing_parameters():
        print(problem, file=sys.stderr)
    for t in targets():
        print(t.qualname, t.parameters())
