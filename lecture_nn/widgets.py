"""One-line interactive figures that also render when a notebook runs headless.

:func:`interactive_figure` turns a drawing function ``draw(fig, **values)`` into a small
widget: ipywidgets controls above one figure that is redrawn in place whenever a control
changes. The figure is shown as a PNG through an IPython display handle, so

* the live notebook updates one image in place (no growing stack of figures, no flicker);
* a notebook executed headless (``lecture-nn run``, nbval, CI) stores the figure drawn with
  the default values as an ordinary image output, so the executed and printed copies show it;
* in print mode (``LECTURE_NN_MEDIUM=print``) a small grid of values, if given, is drawn
  one figure after another instead of the controls;
* executed headless with ``LECTURE_NN_SITE_FRAMES=1`` (``lecture-nn build`` does so), the
  default figure's output also holds the figures of a grid of control values, which the
  static course site switches between without a kernel (:mod:`lecture_nn._site_frames`).

The default of every control is the default of the matching keyword argument of ``draw``,
so the figure is a function of a few named parameters with defaults.

Redraws are kept short (the course's target: a new figure in the browser within 250 ms of
moving a control): the figure is drawn once per change with the Agg renderer (no second
layout pass, as ``savefig`` does), numpy's BLAS runs single-threaded while a figure is drawn
(the matrices are small; idle BLAS threads spinning on a busy two-core machine made a
20-layer forward/backward pass ten times slower), and the PNG of every combination of
values already shown is kept, so going back to a setting costs no drawing at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import decimal
import inspect
import numbers
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence

from matplotlib.figure import Figure

from lecture_nn import _validation as check
from lecture_nn import style
from lecture_nn._descriptions import figure_description
from lecture_nn._rendering import (
    canvas_png,
    is_headless,
    render_png,  # noqa: F401  (its former home; tests import it here)
)
from lecture_nn._site_frames import site_frames_on

__all__ = [
    "DESCRIPTION_STYLE",
    "MAX_CACHED_IMAGES",
    "MAX_READOUT_DECIMALS",
    "InteractiveFigure",
    "StatusLine",
    "agg_png",
    "collect_figures",
    "decimals",
    "interactive_figure",
    "readout_format",
    "single_threaded_blas",
]

#: How many PNGs (one per combination of control values) a widget keeps; about 100 kB each.
MAX_CACHED_IMAGES = 256

# The lists that collect_figures() blocks fill; a context variable, so nothing outlives the
# ``with`` block and concurrent blocks (threads, asyncio tasks) do not see each other's.
_COLLECTORS: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar(
    "lecture_nn_widget_collectors", default=()
)


@contextlib.contextmanager
def collect_figures() -> Iterator[list]:
    """Collect every :class:`InteractiveFigure` made inside the ``with`` block.

    Yields a list that receives each figure as soon as it has drawn its default values;
    for tests that check what a notebook's widgets show (e.g. that no text leaves the
    canvas). Blocks may be nested; each sees the figures made inside it.
    """
    collected: list = []
    token = _COLLECTORS.set((*_COLLECTORS.get(), collected))
    try:
        yield collected
    finally:
        _COLLECTORS.reset(token)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# Controls size their description box to the label ("initial"), so no label is cut off
# ("hidden la..."); the same style key works in ipywidgets 7.x (Colab) and 8.x.
DESCRIPTION_STYLE = {"description_width": "initial"}
MAX_READOUT_DECIMALS = 8


def decimals(value) -> int:
    """Count the decimals needed to write ``value`` exactly as typed (0.005 -> 3, 2.5e-05 -> 6).

    Uses the shortest repr of the float, so 0.1 counts 1 decimal, not 55.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    int
        Decimal places, 0 for a whole number.
    """
    value = check.finite_real(value, "value")
    exponent = decimal.Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def readout_format(low, step) -> str:
    """d3-format string for a float slider's readout with the precision of its values.

    The values are ``low + k * step``: as many decimals as ``low`` and ``step`` need, at least
    one and at most ``MAX_READOUT_DECIMALS`` (so step 0.005 shows 0.005, 0.010, 0.035).
    """
    low, step = check.finite_real(low, "low"), check.positive(step, "step")
    places = max(1, decimals(low), decimals(step))
    return f".{min(places, MAX_READOUT_DECIMALS)}f"


def _control_spec(name: str, spec, default) -> tuple[str, dict]:
    """Check a control's spec against its default; return (widget class name, its arguments)."""
    description = name.replace("_", " ")
    labelled = {"description": description, "style": dict(DESCRIPTION_STYLE)}
    if type(spec).__module__.startswith("ipywidgets"):
        return "given", {}
    if isinstance(spec, bool):
        return "Checkbox", {"value": bool(default), **labelled}
    if isinstance(spec, tuple) and len(spec) == 3 and all(_is_number(v) for v in spec):
        low, high, step = spec
        if not low < high or step <= 0:
            raise ValueError(
                f"control {name!r}: a slider needs (min, max, step) with min < max and step > 0, "
                f"got {spec!r}"
            )
        if not _is_number(default) or not low <= default <= high:
            raise ValueError(
                f"control {name!r}: the default {default!r} of draw() lies outside {low}..{high}"
            )
        integral = all(isinstance(v, numbers.Integral) for v in (*spec, default))
        arguments = {"value": default, "min": low, "max": high, "step": step, **labelled}
        if integral:
            return "IntSlider", arguments
        return "FloatSlider", {**arguments, "readout_format": readout_format(low, step)}
    if isinstance(spec, Sequence) and not isinstance(spec, str) and len(spec) > 0:
        options = list(spec)
        if default not in options:
            raise ValueError(
                f"control {name!r}: the default {default!r} of draw() is not one of {options!r}"
            )
        return "Dropdown", {"options": options, "value": default, **labelled}
    raise TypeError(
        f"control {name!r} must be a (min, max, step) tuple, a list of options, a bool or an "
        f"ipywidgets widget, got {spec!r}"
    )


def _make_control(name: str, spec, default):
    """Build the ipywidgets control for ``spec``, starting at ``default``."""
    import ipywidgets

    kind, arguments = _control_spec(name, spec, default)
    if kind == "given":
        spec.value = default
        style = getattr(spec, "style", None)
        if getattr(style, "description_width", None) == "":  # the default, which truncates
            style.description_width = DESCRIPTION_STYLE["description_width"]
        return spec
    return getattr(ipywidgets, kind)(**arguments)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the ``with`` block with numpy's BLAS limited to one thread.

    A widget's redraw multiplies small matrices (a 256 x 100 batch through 20 layers, a
    decision boundary on a 80 x 80 grid), where a second thread saves nothing; on a machine
    whose cores are busy, OpenBLAS threads that spin while waiting for a core made such a
    pass 10 to 15 times slower (1.3 s instead of 0.1 s, measured). Without threadpoolctl
    (installed with scikit-learn) the block runs unchanged.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def agg_png(fig) -> bytes:
    """Draw ``fig`` once with the Agg renderer at its own dpi and return it as PNG bytes.

    The same pixels as :func:`lecture_nn._rendering.render_png`, in about 20 % less time:
    ``savefig`` runs a figure's layout engine twice (a hidden draw, then the real one).
    The figure gets an Agg canvas if it has none.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render.

    Returns
    -------
    bytes
        The PNG (RGBA, the figure's size in inches times its dpi, in pixels).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return canvas_png(canvas)


def _cache_key(values: Mapping):
    """Return a hashable key for a combination of control values (None if one is unhashable)."""
    key = tuple(sorted(values.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


class StatusLine:
    """One line of progress text that a notebook updates in place (nothing outside IPython).

    Executed headless, the notebook keeps only the last text: a summary, not a log. (It
    writes to the cell's display, never to stderr.)

    Parameters
    ----------
    text : str
        The first text shown.
    """

    def __init__(self, text: str):
        from IPython import get_ipython

        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")

        self._handle = None
        if get_ipython() is not None:
            from IPython.display import display

            self._handle = display({"text/plain": text}, raw=True, display_id=True)

    def update(self, text: str) -> None:
        """Replace the line's text with ``text`` (nothing happens outside IPython)."""
        if self._handle is not None:
            self._handle.update({"text/plain": text}, raw=True)


class InteractiveFigure:
    """A figure drawn by ``draw(fig, **values)`` with controls that redraw it in place.

    Use :func:`interactive_figure` to make one (its parameters are this class's).
    Displaying the object in a notebook shows the controls and the figure; :meth:`update`
    redraws programmatically (tests, benchmarks).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure, drawn with the current :attr:`values` (drawn on reading if a cached
        image was shown instead).
    values : dict
        The current value of every control, by name.
    defaults : dict
        The starting values: the defaults of ``draw``'s keyword arguments.
    controls : dict
        The ipywidgets controls by name, once displayed with a front-end.
    """

    def __init__(
        self,
        draw: Callable,
        controls: Mapping,
        figsize: tuple[float, float],
        print_values: Sequence[Mapping] | None = None,
        layout: str | None = "constrained",
        clear: bool = True,
        cache: bool = True,
    ):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(fig, **values), got {draw!r}")
        if not isinstance(cache, bool):
            raise TypeError(f"cache must be True or False, got {cache!r}")
        clear = check.boolean(clear, "clear")
        if not isinstance(controls, Mapping):
            raise TypeError(f"controls must be a mapping of names to specs, got {controls!r}")
        if not isinstance(figsize, Sequence) or len(figsize) != 2:
            raise TypeError(f"figsize must be (width, height) in inches, got {figsize!r}")
        figsize = (check.positive(figsize[0], "figsize"), check.positive(figsize[1], "figsize"))
        if print_values is not None and (
            not isinstance(print_values, Sequence)
            or not all(isinstance(values, Mapping) for values in print_values)
        ):
            raise TypeError(
                f"print_values must be a list of {{control: value}} dicts, got {print_values!r}"
            )
        parameters = inspect.signature(draw).parameters
        self.defaults = {}
        for name in controls:
            parameter = parameters.get(name)
            if parameter is None or parameter.default is inspect.Parameter.empty:
                raise ValueError(
                    f"control {name!r} needs a keyword argument {name}=<default> in "
                    f"{getattr(draw, '__name__', 'draw')}()"
                )
            self.defaults[name] = parameter.default
            _control_spec(name, controls[name], parameter.default)
        self.draw = draw
        self.clear = clear
        self.cache = cache
        self.specs = dict(controls)
        self.print_values = [dict(values) for values in print_values or []]
        for values in self.print_values:
            unknown = set(values) - set(self.defaults)
            if unknown:
                raise ValueError(f"print_values names unknown controls {sorted(unknown)}")
        self._figure = Figure(figsize=style.figsize(*figsize), layout=layout)
        self.values = dict(self.defaults)
        self.controls: dict = {}
        self.box = None  # the ipywidgets box of the controls, once displayed
        self._handle = None
        self._png: bytes | None = None
        self._stale = False  # True while the figure lags behind ``values`` (a cached image)
        # (PNG, description) of each combination shown, least recently shown first
        self._images: OrderedDict = OrderedDict()
        self._description = ""
        self._redraw()
        for collected in _COLLECTORS.get():
            collected.append(self)

    @property
    def figure(self) -> Figure:
        """The matplotlib figure, drawn with the current values."""
        if self._stale:
            self._redraw()
        return self._figure

    def _redraw(self) -> None:
        if self.clear:
            self._figure.clear()
        with single_threaded_blas():
            drawn = self.draw(self._figure, **self.values)
        # A draw function that renders the figure itself (e.g. by blitting) returns the PNG.
        self._png = drawn if isinstance(drawn, bytes) else None
        self._description = figure_description(self._figure)
        self._stale = False

    @property
    def description(self) -> str:
        """What the figure shows for the current values, in words (its alternative text)."""
        return self._description

    def _alt(self) -> dict:
        return {"alt": self._description} if self._description else {}

    def update(self, **values) -> bytes:
        """Redraw with some values changed and return the new PNG.

        Parameters
        ----------
        **values
            New values of some controls, by name.

        Returns
        -------
        bytes
            The figure as PNG. A combination of values shown before is not drawn again:
            its PNG is kept (with ``cache``, the default).

        Raises
        ------
        ValueError
            If a name is not one of the figure's controls.
        """
        unknown = set(values) - set(self.defaults)
        if unknown:
            raise ValueError(
                f"unknown control(s) {sorted(unknown)}; this figure has {sorted(self.defaults)}"
            )
        self.values.update(values)
        key = _cache_key(self.values) if self.cache else None
        if key is not None and key in self._images:
            self._images.move_to_end(key)
            self._png, self._description = self._images[key]
            self._stale = True  # drawn only if someone reads ``figure``
        else:
            self._redraw()
        png = self.png()
        if self._handle is not None:
            from IPython.display import Image

            self._handle.update(Image(data=png, format="png", metadata=self._alt()))
        return png

    def png(self) -> bytes:
        """Return the current figure as PNG bytes."""
        if self._png is None:
            with single_threaded_blas():
                self._png = agg_png(self._figure)
        key = _cache_key(self.values) if self.cache else None
        if key is not None:
            self._images[key] = (self._png, self._description)
            while len(self._images) > MAX_CACHED_IMAGES:
                self._images.popitem(last=False)
        return self._png

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if style.default_medium() == "print" and self.print_values:
            for values in self.print_values:
                self.values = {**self.defaults, **values}
                self._redraw()
                display(Image(data=self.png(), format="png", metadata=self._alt()))
            return
        if is_headless() and site_frames_on():
            self._display_with_frames()
            return
        if not is_headless():
            import ipywidgets

            for name, spec in self.specs.items():
                control = _make_control(name, spec, self.values[name])
                control.observe(
                    lambda change, name=name: self.update(**{name: change["new"]}), names="value"
                )
                self.controls[name] = control
            # Wrap onto a second row rather than squeeze or cut off controls in a narrow page.
            row = ipywidgets.Layout(flex_flow="row wrap")
            self.box = ipywidgets.HBox(list(self.controls.values()), layout=row)
            display(self.box)
        self._handle = display(
            Image(data=self.png(), format="png", metadata=self._alt()), display_id=True
        )

    def _display_with_frames(self) -> None:
        """Show the current figure, with the static site's frames beside it in the same output.

        One display output: ``image/png`` (what JupyterLab and nbval show) and the frames
        of a grid of control values (:mod:`lecture_nn._site_frames`), drawn by :meth:`update`.
        """
        import base64

        from IPython.display import display

        from lecture_nn._site_frames import FRAMES_MIME, render_frames

        specs = {
            name: _control_spec(name, spec, self.values[name]) for name, spec in self.specs.items()
        }
        frames = render_frames(self, specs)
        bundle = {
            "text/plain": repr(self),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
        }
        if frames is not None:
            bundle[FRAMES_MIME] = frames
        metadata = {"image/png": self._alt()} if self._description else None
        self._handle = display(bundle, raw=True, metadata=metadata, display_id=True)

    def __repr__(self) -> str:
        """Show the draw function's name and the current values."""
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"<InteractiveFigure {getattr(self.draw, '__name__', 'draw')}({values})>"


def interactive_figure(
    draw: Callable,
    *,
    figsize: tuple[float, float] = (6.0, 4.0),
    print_values: Sequence[Mapping] | None = None,
    layout: str | None = "constrained",
    clear: bool = True,
    cache: bool = True,
    **controls,
) -> InteractiveFigure:
    """Make an interactive figure from ``draw(fig, **values)`` and its controls.

    Parameters
    ----------
    draw
        Function that draws into an empty matplotlib ``Figure``; every control is one of its
        keyword arguments, whose default is the control's starting value. If it returns
        bytes, they are taken as the PNG it rendered itself (for draw functions that blit).
    figsize
        Nominal figure size in inches (scaled by the course style's medium).
    print_values
        For print mode: a list of ``{control: value}`` dicts, each drawn as its own figure.
    layout
        Matplotlib layout engine of the figure; None skips the layout pass (faster), for
        drawings such as network diagrams that fill their axes without tick labels.
    clear
        Clear the figure before each redraw (default). With False, ``draw`` receives the
        figure as it left it and may update its artists in place (much faster redraws).
    cache
        Keep the PNG of every combination of values shown (the latest
        ``MAX_CACHED_IMAGES``), so that going back to one shows it without drawing. Needs
        ``draw`` to depend on its values only (not on variables changed later); False
        draws every time.
    **controls
        ``name=(min, max, step)`` for a slider, ``name=[option, ...]`` for a drop-down,
        ``name=True/False`` for a check box, or any ipywidgets widget.

    Returns
    -------
    InteractiveFigure
        Shows itself when it is the last expression of a notebook cell.
    """
    if not controls:
        raise ValueError("interactive_figure needs at least one control, e.g. n_layers=(1, 6, 1)")
    return InteractiveFigure(draw, controls, figsize, print_values, layout, clear, cache)
