"""The optimizer test surfaces: gradients against finite differences, minima, windows, names."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_nn.surfaces import SURFACES, Surface, get_surface

NAMES = list(SURFACES)


def central_difference(function, x, y, h=1e-6):
    """float64 central differences (df/dx, df/dy), step h scaled to the coordinate."""
    hx = h * max(1.0, abs(x))
    hy = h * max(1.0, abs(y))
    dx = (function(x + hx, y) - function(x - hx, y)) / (2 * hx)
    dy = (function(x, y + hy) - function(x, y - hy)) / (2 * hy)
    return dx, dy


def test_the_four_surfaces_exist_in_order():
    assert NAMES == ["beale", "rosenbrock", "quadratic", "himmelblau"]
    for name, surface in SURFACES.items():
        assert isinstance(surface, Surface)
        assert surface.name == name
        assert surface.title.startswith("$")
        assert surface.title.endswith("$")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    surface = SURFACES[name]
    x_min, x_max, y_min, y_max = surface.window

    @settings(max_examples=200, deadline=None)
    @given(
        x=st.floats(x_min, x_max, allow_nan=False, allow_infinity=False),
        y=st.floats(y_min, y_max, allow_nan=False, allow_infinity=False),
    )
    def check(x, y):
        analytic = np.array(surface.gradient(x, y), dtype=np.float64)
        numeric = np.array(central_difference(surface.function, x, y))
        # Rounding error of the difference quotient grows with |f| / h.
        scale = 1e-7 * max(1.0, abs(surface.function(x, y)))
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=scale)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_function_and_gradient_broadcast_and_keep_float32(name):
    surface = SURFACES[name]
    x_min, x_max, y_min, y_max = surface.window
    rng = np.random.default_rng(0)
    x = rng.uniform(x_min, x_max, size=(4, 5))
    y = rng.uniform(y_min, y_max, size=(4, 5))
    z = surface.function(x, y)
    gx, gy = surface.gradient(x, y)
    assert z.shape == gx.shape == gy.shape == (4, 5)
    for i, j in [(0, 0), (3, 4), (2, 1)]:
        assert z[i, j] == pytest.approx(surface.function(float(x[i, j]), float(y[i, j])))
        assert gx[i, j] == pytest.approx(surface.gradient(float(x[i, j]), float(y[i, j]))[0])
    # Broadcasting a row against a column, as for a contour-plot mesh.
    assert surface.function(x[:1, :], y[:, :1]).shape == (4, 5)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    assert surface.function(x32, y32).dtype == np.float32
    assert all(g.dtype == np.float32 for g in surface.gradient(x32, y32))


@pytest.mark.parametrize("name", NAMES)
def test_minima_have_zero_value_and_zero_gradient(name):
    surface = SURFACES[name]
    assert len(surface.minima) == (4 if name == "himmelblau" else 1)
    for x, y in surface.minima:
        assert abs(surface.function(x, y)) < 1e-20
        np.testing.assert_allclose(surface.gradient(x, y), (0.0, 0.0), atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_global_on_the_window(name):
    surface = SURFACES[name]
    x_min, x_max, y_min, y_max = surface.window
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, 301), np.linspace(y_min, y_max, 301))
    assert surface.function(xs, ys).min() >= -1e-12


@pytest.mark.parametrize("name", NAMES)
def test_window_contains_minima_and_start_and_levels_fit(name):
    surface = SURFACES[name]
    x_min, x_max, y_min, y_max = surface.window
    assert x_min < x_max
    assert y_min < y_max
    for point in (*surface.minima, surface.start):
        assert surface.contains(*point), point
    assert not surface.contains(x_max + 1.0, y_min)
    # The start is not a minimum, and the gradient there is finite and non-zero.
    assert surface.function(*surface.start) > 0.1
    assert np.all(np.isfinite(surface.gradient(*surface.start)))
    levels = surface.levels
    assert levels.ndim == 1
    assert len(levels) >= 10
    assert np.all(np.diff(levels) > 0)
    assert levels[0] > 0
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # log-spaced
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, 101), np.linspace(y_min, y_max, 101))
    z = surface.function(xs, ys)
    assert levels[0] < np.median(z) < levels[-1]
    assert not levels.flags.writeable


def test_quadratic_is_ill_conditioned():
    # Hessian of (x^2 + 25 y^2) / 10 by finite differences of the gradient.
    surface = SURFACES["quadratic"]
    h = 1e-3
    gx1, gy1 = surface.gradient(h, 0.0)
    gx2, gy2 = surface.gradient(0.0, h)
    hessian = np.array([[gx1, gy1], [gx2, gy2]]) / h
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert 20 <= eigenvalues.max() / eigenvalues.min() <= 50


def test_surface_is_frozen_and_comparable():
    beale = SURFACES["beale"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        beale.start = (0.0, 0.0)
    assert beale == get_surface("beale")
    assert beale != SURFACES["rosenbrock"]
    assert hash(beale) == hash(get_surface("beale"))


def test_get_surface_names():
    assert get_surface("beale") is SURFACES["beale"]
    assert get_surface(" Rosenbrock ") is SURFACES["rosenbrock"]
    assert get_surface(SURFACES["quadratic"]) is SURFACES["quadratic"]


@pytest.mark.parametrize("bad", ["", "bael", "booth", "beale2"])
def test_unknown_surface_lists_the_valid_names(bad):
    # the message names both the parameter (name) and what it is (a surface)
    with pytest.raises(ValueError, match="unknown surface name") as info:
        get_surface(bad)
    for name in NAMES:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize("bad", [None, 3, ("beale",), b"beale"])
def test_surface_name_must_be_a_string(bad):
    with pytest.raises(TypeError, match="surface must be"):
        get_surface(bad)
