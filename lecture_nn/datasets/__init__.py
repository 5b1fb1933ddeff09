"""Data loading for the course: Fashion-MNIST from a folder, a cache, Debian, Keras or OpenML.

The notebooks and instructors use :func:`lecture_nn.fashion_mnist.load_fashion_mnist`;
the modules here are its parts: ``loader`` (sources, verification, cache), ``openml_source``,
``idx`` (the IDX file format) and ``official`` (the release's constants).
"""

__all__: list[str] = []  # the modules are imported by name
