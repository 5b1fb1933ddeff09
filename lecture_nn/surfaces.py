"""Two-dimensional test surfaces on which the lecture races its optimizers.

Each :class:`Surface` bundles a loss function ``f(x, y)``, its analytic gradient, the
global minima, a plotting window, a default start point and contour levels. Functions
and gradients are plain numpy arithmetic (no ``**``, no ufuncs), so they broadcast over
arrays of any shape, keep the dtype of their inputs (float32 in, float32 out) and work on
Python floats too. Coordinates and losses are dimensionless.

Importing this module never loads TensorFlow or Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SURFACES", "Surface", "get_surface"]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface with everything needed to plot it and run optimizers on it.

    Attributes
    ----------
    name : str
        Short key, e.g. ``"beale"``.
    title : str
        LaTeX formula for plot titles.
    function : callable
        ``f(x, y) -> z``; broadcasts over arrays, output shape = broadcast shape.
    gradient : callable
        ``g(x, y) -> (df/dx, df/dy)``; analytic, broadcasts like ``function``.
    minima : tuple of (float, float)
        Global minima as ``(x, y)`` pairs.
    window : (float, float, float, float)
        ``(x_min, x_max, y_min, y_max)`` for plotting; paths stop when they leave it.
    start : (float, float)
        Default start point ``(x, y)`` of optimizer paths.
    levels : numpy.ndarray, shape (k,)
        Increasing, log-spaced contour levels (read-only array).
    """

    name: str
    title: str
    function: Callable
    gradient: Callable
    minima: tuple[tuple[float, float], ...]
    window: tuple[float, float, float, float]
    start: tuple[float, float]
    levels: np.ndarray = field(compare=False, repr=False)

    def contains(self, x: float, y: float) -> bool:
        """Return True if the point ``(x, y)`` lies inside the window (borders included).

        Parameters
        ----------
        x, y : float
            The point's coordinates.

        Returns
        -------
        bool
            Whether the point lies in the window.
        """
        x_min, x_max, y_min, y_max = self.window
        return bool(x_min <= x <= x_max and y_min <= y <= y_max)


def _levels(low: float, high: float, count: int = 25) -> np.ndarray:
    """``count`` contour levels from 10**low to 10**high, as a read-only float64 array."""
    levels = np.logspace(low, high, count)
    levels.setflags(write=False)
    return levels


# --- Beale: a flat plateau, steep walls and a curved valley towards (3, 0.5). ---------


def _beale(x, y):
    y2 = y * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * (y2 * y)
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_gradient(x, y):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    df_dx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
    df_dy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return df_dx, df_dy


# --- Rosenbrock: the banana-shaped valley, minimum at (1, 1). -------------------------


def _rosenbrock(x, y):
    a = 1.0 - x
    b = y - x * x
    return a * a + 100.0 * (b * b)


def _rosenbrock_gradient(x, y):
    b = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * b, 200.0 * b


# --- An ill-conditioned quadratic bowl: Hessian diag(0.2, 5), condition number 25. ----


def _quadratic(x, y):
    return 0.1 * (x * x + 25.0 * (y * y))


def _quadratic_gradient(x, y):
    return 0.2 * x, 5.0 * y


# --- Himmelblau: four global minima with f = 0. ---------------------------------------


def _himmelblau(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


def _himmelblau_gradient(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


SURFACES: dict[str, Surface] = {
    "beale": Surface(
        name="beale",
        title=r"$(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$",
        function=_beale,
        gradient=_beale_gradient,
        minima=((3.0, 0.5),),
        window=(-2.0, 3.5, -3.5, 2.0),
        start=(0.8, 1.6),
        levels=_levels(-0.5, 5.0),
    ),
    "rosenbrock": Surface(
        name="rosenbrock",
        title=r"$(1 - x)^2 + 100\,(y - x^2)^2$",
        function=_rosenbrock,
        gradient=_rosenbrock_gradient,
        minima=((1.0, 1.0),),
        window=(-2.0, 2.0, -1.0, 3.0),
        start=(-1.2, 1.0),
        levels=_levels(-1.0, 3.5),
    ),
    "quadratic": Surface(
        name="quadratic",
        title=r"$\frac{1}{10}\,(x^2 + 25\,y^2)$",
        function=_quadratic,
        gradient=_quadratic_gradient,
        minima=((0.0, 0.0),),
        window=(-5.0, 5.0, -2.5, 2.5),
        start=(-4.5, 1.5),
        levels=_levels(-3.0, 1.5),
    ),
    "himmelblau": Surface(
        name="himmelblau",
        title=r"$(x^2 + y - 11)^2 + (x + y^2 - 7)^2$",
        function=_himmelblau,
        gradient=_himmelblau_gradient,
        # Newton-refined to full float64 precision.
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644034),
        ),
        window=(-5.0, 5.0, -5.0, 5.0),
        start=(-0.5, -1.5),
        levels=_levels(-1.0, 3.0),
    ),
}


def get_surface(name: str | Surface) -> Surface:
    """Return the surface called ``name`` (one of ``SURFACES``); a Surface passes through.

    Parameters
    ----------
    name : str or Surface
        A key of ``SURFACES`` (case and surrounding spaces ignored), or a Surface.

    Returns
    -------
    Surface
        The surface.

    Raises
    ------
    TypeError
        ``name`` is neither a string nor a Surface.
    ValueError
        ``name`` is not a known surface; the message lists the valid names.
    """
    if isinstance(name, Surface):
        return name
    if not isinstance(name, str):
        raise TypeError(
            f"surface must be a surface name (str) or a Surface, got {type(name).__name__}"
        )
    try:
        return SURFACES[name.strip().lower()]
    except KeyError:
        valid = ", ".join(repr(key) for key in SURFACES)
        raise ValueError(f"unknown surface name {name!r}; valid names are {valid}") from None
