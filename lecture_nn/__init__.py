"""Helpers for the lecture-nn course: network diagrams, activation functions and widgets.

Importing this package never loads TensorFlow or Keras; the modules that need Keras
import it inside the functions that use it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lecture-nn")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
