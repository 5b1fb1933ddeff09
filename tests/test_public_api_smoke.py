"""Every public plotting function draws with small valid input, on the axes it is given.

The plotting functions are found in the package, not listed by hand: public names starting
with ``plot_`` or ``draw_`` and public callables whose return annotation names a drawing
(``...Plot``, ``...Drawing``, ``ExampleGrid``, ``Axes``, a matplotlib collection or line).
Each is called with its registered valid input (``tests/public_api.py``). When the call
passes ``ax=``/``axes=``/``fig=``, the drawing must land there and no new figure may open.
"""

import inspect

import matplotlib.pyplot as plt
import numpy as np
import public_api
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

DRAWING_RETURNS = ("Plot", "Drawing", "ExampleGrid", "Axes", "Collection", "Line2D", "Artist")
TARGET_PARAMETERS = ("ax", "axes", "fig")


def _is_plotting(target) -> bool:
    if target.name.startswith(("plot_", "draw_")):
        return True
    try:
        annotation = inspect.signature(target.func).return_annotation
    except (TypeError, ValueError):
        return False
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return any(word in str(text) for word in DRAWING_RETURNS)


PLOTTING = [t for t in public_api.targets() if _is_plotting(t)]


def _axes_in(value) -> list[Axes]:
    if isinstance(value, Axes):
        return [value]
    if isinstance(value, Figure):
        return list(value.axes)
    return [ax for ax in np.ravel(np.asarray(value, dtype=object)) if isinstance(ax, Axes)]


def _drawn(ax: Axes) -> bool:
    return bool(ax.lines or ax.collections or ax.images or ax.patches or ax.texts or ax.has_data())


def test_the_plotting_functions_are_found():
    names = {t.name for t in PLOTTING}
    assert {"draw_network", "plot_activation", "plot_decision_boundary", "plot_paths"} <= names


@pytest.mark.parametrize("target", PLOTTING, ids=lambda t: t.qualname)
def test_plotting_function_draws_on_the_given_axes(target):
    values = target.entry.valid()
    given = {name: values[name] for name in TARGET_PARAMETERS if name in values}
    figures_before = set(plt.get_fignums())
    result = public_api.call(target, values)
    assert result is not None, f"{target.qualname} returns nothing; it should return what it drew"
    if not given:
        assert plt.get_fignums(), f"{target.qualname} drew without any figure"
        return
    assert set(plt.get_fignums()) == figures_before, (
        f"{target.qualname} opened a figure although {sorted(given)} was given"
    )
    for name, value in given.items():
        if name == "fig":
            assert value.axes, f"{target.qualname} drew nothing on the given fig"
            continue
        axes = _axes_in(value)
        assert axes, f"{target.qualname}: the registry's {name} holds no Axes"
        assert any(_drawn(ax) for ax in axes), f"{target.qualname} drew nothing on the given {name}"
