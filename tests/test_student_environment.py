"""What a student sees on stderr: TensorFlow starts without its C++ notices, on every Keras
backend, while real warnings stay visible; the course's own errors show their message alone.

The notebooks themselves are checked in a student's kernel in test_course_notebooks.py
(TensorFlow) and test_backends.py (JAX).
"""

import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from lecture_nn.tooling.environment import is_tensorflow_startup_noise
from lecture_nn.tooling.notebook_runner import kernel_environment

# Start-up lines of TensorFlow 2.21 on CPU-only machines, as this machine and the issue
# report printed them (the oneDNN and cuInit lines come from machines with other CPUs/drivers).
STARTUP_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795993151.595562    8892 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.",
    "I0000 00:00:1795993151.846105    8892 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.",
    "I0000 00:00:1732790000.123456    7437 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.",
    "E0000 00:00:1732790000.223456    7437 cuda_executor.cc:1228] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
]
REAL_LINES = [
    "W0000 00:00:1732790000.323456    7437 op_level_cost_estimator.cc:699] Error in "
    "PredictCost() for the op: a real warning",
    "E0000 00:00:1732790000.423456    7437 some_kernel.cc:12] INVALID_ARGUMENT: a real error",
    "/work/notebook.py:3: UserWarning: a Python warning",
    "I0000 is not a log record",
]
NOT_A_STUDENT = ("TF_CPP_MIN_LOG_LEVEL", "TF_CPP_MAX_VLOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")


def student_environment(**variables):
    env = {k: v for k, v in os.environ.items() if k not in NOT_A_STUDENT}
    return {**env, **variables}


@pytest.mark.parametrize("line", STARTUP_LINES)
def test_tensorflow_startup_lines_are_noise(line):
    assert is_tensorflow_startup_noise(line + "\n")


@pytest.mark.parametrize("line", REAL_LINES)
def test_warnings_and_errors_are_not_noise(line):
    assert not is_tensorflow_startup_noise(line + "\n")


def test_filtered_stderr_passes_on_everything_else_in_order():
    # Written to file descriptor 2 directly, as TensorFlow's C++ code does.
    code = textwrap.dedent(
        """
        import os, sys
        from lecture_nn.tooling.environment import filtered_stderr
        lines = sys.argv[1:]
        with filtered_stderr():
            for line in lines:
                os.write(2, (line + "\\n").encode())
        os.write(2, b"after the block\\n")
        """
    )
    mixed = [STARTUP_LINES[0], REAL_LINES[0], STARTUP_LINES[1], REAL_LINES[2], STARTUP_LINES[3]]
    done = subprocess.run(
        [sys.executable, "-c", code, *mixed], capture_output=True, text=True, check=True
    )
    assert done.stderr == f"{REAL_LINES[0]}\n{REAL_LINES[2]}\nafter the block\n"


def test_tensorflow_starts_quietly_after_import_lecture_nn_even_under_jax():
    # Under JAX, keras.utils.set_random_seed imports TensorFlow to seed it as well: without
    # lecture_nn this printed the start-up lines in notebooks 04, 06 and 07.
    pytest.importorskip("jax")
    code = (
        "import os, sys, lecture_nn, keras\n"
        "keras.utils.set_random_seed(0)\n"
        "import tensorflow as tf\n"
        "tf.constant(1.0) + 1  # the first operation: this machine wrote 'failed call to cuInit'\n"
        "print(keras.config.backend(), 'tensorflow' in sys.modules,"
        " os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=student_environment(KERAS_BACKEND="jax"),
        timeout=600,
    )
    assert done.stdout == "jax True 1\n"
    assert done.stderr == ""


def test_a_students_own_log_level_is_kept():
    code = "import os, lecture_nn, tensorflow\nprint(os.environ['TF_CPP_MIN_LOG_LEVEL'])\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=student_environment(TF_CPP_MIN_LOG_LEVEL="0"),
        timeout=600,
    )
    assert done.stdout == "0\n"


def test_course_error_shows_its_message_alone_in_a_notebook():
    nb = new_notebook(
        cells=[
            new_code_cell("from lecture_nn.datasets.loader import DataUnavailableError"),
            new_code_cell(
                "def load():\n    raise DataUnavailableError('nothing found:\\n  - a\\nfix it')"
            ),
            new_code_cell("load()"),
        ]
    )
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    with client.setup_kernel(env=kernel_environment(headless=True)):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    (error,) = nb.cells[2].outputs
    assert error.output_type == "error"
    assert error.ename == "DataUnavailableError"
    assert error.traceback == ["DataUnavailableError: nothing found:", "  - a", "fix it"]
    assert nbformat.validate(nb) is None
