"""Helpers for the lecture-nn course: network diagrams, activation functions and widgets.

Importing this package never loads TensorFlow or Keras; the modules that need Keras
import it inside the functions that use it. It does arrange for TensorFlow, whenever it is
imported later, to start without its C++ start-up notices on stderr
(``lecture_nn.tooling.environment.quiet_tensorflow_startup``), so a notebook whose first code cell
imports ``lecture_nn`` shows no such lines under any Keras backend.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lecture-nn")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

from lecture_nn.tooling.environment import quiet_tensorflow_startup

quiet_tensorflow_startup()

__all__ = ["__version__"]
