"""Course tooling: the ``lecture-nn`` command, the notebook runner, the static site, solutions.

Nothing here is imported by the notebooks; ``environment`` sets up a kernel (imported by
``lecture_nn`` itself), ``paths`` finds the notebooks, ``atomic`` writes files atomically.
"""

__all__: list[str] = []  # the modules are imported by name
