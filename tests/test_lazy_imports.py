"""Importing the package and its helpers must not load TensorFlow, Keras, JAX or PyTorch.

The modules are found with ``pkgutil.walk_packages`` (every module of lecture_nn, new ones
included); only those in :data:`NEED_KERAS` may load Keras, because Keras is what they are
about.
"""

import pkgutil
import subprocess
import sys

import lecture_nn

#: Modules that import Keras at module level on purpose, with the reason.
NEED_KERAS = {
    "lecture_nn.keras_callbacks": "Keras callbacks subclass keras.callbacks.Callback",
    "lecture_nn.keras_models": "builds Keras models (keras.layers at module level)",
    "lecture_nn.keras_schedules": "Keras learning-rate schedules subclass a Keras class",
}

HEAVY = ("tensorflow", "keras", "jax", "torch")


def all_modules() -> list[str]:
    """Every module and package of lecture_nn, found on disk, not listed by hand."""
    names = ["lecture_nn"]
    names += [
        info.name for info in pkgutil.walk_packages(lecture_nn.__path__, prefix="lecture_nn.")
    ]
    return sorted(names)


def light_modules() -> list[str]:
    return [name for name in all_modules() if name not in NEED_KERAS]


def test_the_module_list_is_derived_and_complete():
    names = all_modules()
    for expected in ("lecture_nn.diagrams", "lecture_nn.tooling.cli", "lecture_nn.datasets.idx"):
        assert expected in names
    assert set(NEED_KERAS) <= set(names), "an exception names a module that no longer exists"


def test_helpers_do_not_import_tensorflow_or_keras():
    code = (
        "import importlib, sys\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = {}\n"
        f"for name in {light_modules()!r}:\n"
        "    before = {m for m in heavy if m in sys.modules}\n"
        "    importlib.import_module(name)\n"
        "    new = sorted(m for m in heavy if m in sys.modules and m not in before)\n"
        "    if new:\n"
        "        loaded[name] = new\n"
        "from lecture_nn.diagrams import draw_network\n"
        "draw_network([2, 3, 1], counts=True)\n"
        "late = sorted(m for m in heavy if m in sys.modules)\n"
        "print(loaded or '', late or '')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MPLBACKEND": "Agg", "PATH": ""},
    )
    assert result.stdout.strip() == "", f"modules that loaded a heavy library: {result.stdout}"
