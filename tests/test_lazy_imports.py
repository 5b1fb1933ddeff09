"""Importing the package and its drawing helpers must not load TensorFlow or Keras."""

import subprocess
import sys

LIGHT_MODULES = [
    "lecture_nn",
    "lecture_nn.activations",
    "lecture_nn.activation_plots",
    "lecture_nn.batch_size",
    "lecture_nn.boundaries",
    "lecture_nn.dataset_plots",
    "lecture_nn.diagrams",
    "lecture_nn.experiments",
    "lecture_nn.initialization",
    "lecture_nn.initializers",
    "lecture_nn.losses",
    "lecture_nn.network",
    "lecture_nn.optimizer_experiments",
    "lecture_nn.optimizer_plots",
    "lecture_nn.optimizers",
    "lecture_nn.schedules",
    "lecture_nn.surfaces",
    "lecture_nn.training_plots",
    "lecture_nn.tooling.paths",
    "lecture_nn.style",
    "lecture_nn.widgets",
    "lecture_nn.tooling.cli",
]


def test_helpers_do_not_import_tensorflow_or_keras():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in LIGHT_MODULES)
        + "from lecture_nn.diagrams import draw_network\n"
        + "draw_network([2, 3, 1], counts=True)\n"
        + "heavy = sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules)\n"
        + "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MPLBACKEND": "Agg", "PATH": ""},
    )
    assert result.stdout.strip() == ""
