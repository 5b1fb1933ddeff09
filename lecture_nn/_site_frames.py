"""Frames of an interactive figure for the static course site, drawn in the notebook's kernel.

When ``LECTURE_NN_SITE_FRAMES`` is on (``lecture-nn build`` sets it for the kernels it
starts), a headless :class:`~lecture_nn.widgets.InteractiveFigure` draws, besides its default
figure, the figure of every combination on a grid of control values, with the same draw
function as the live widget. The site (:mod:`lecture_nn.tooling._site_widgets`) turns them
into HTML controls that switch between those frames without a kernel.

The grid (:func:`choose_grid`): menus, check boxes and short sliders (up to 12 values) in
full (in quick mode, only as many options as the frame budget allows); longer sliders every
k-th value with the smallest k that keeps the widget within its frame budget, always with
both ends, the default and (in full mode) the values the text talks about (the widget's
``print_values``). Frames are palette PNGs (256 colours, octree-quantised; a frame that
would change visibly is kept in full colour) and are stored once per distinct image, so a
control that does not change the figure costs no bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import itertools
import math
import numbers
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from lecture_nn import _validation as check
from lecture_nn._validation import env_flag

__all__ = [
    "FORMAT_VERSION",
    "FRAMES_MIME",
    "FULL_FRAME_BUDGET",
    "QUICK_FRAME_BUDGET",
    "SITE_FRAMES_VARIABLE",
    "WHOLE_SLIDER_VALUES",
    "Control",
    "FrameRenderError",
    "choose_grid",
    "control_from_spec",
    "encode_frame",
    "frame_budget",
    "grid_index",
    "render_frames",
    "site_frames_on",
    "slider_values",
]

#: Set (1/true/yes/on; 0/false/no/off or unset: off) by ``lecture-nn build`` for its kernels:
#: headless widgets then also emit the frames of their controls for the static site.
SITE_FRAMES_VARIABLE = "LECTURE_NN_SITE_FRAMES"

#: MIME type of the frames in the widget's display output (beside its ``image/png``).
FRAMES_MIME = "application/vnd.lecture-nn.frames+json"

#: Version of the frames' JSON layout (``controls``, ``images``, ``frames``, ``grid``).
FORMAT_VERSION = 1

#: Frames per widget in full mode (what is kept whole or must be kept may exceed it: two
#: menus of 15 optimizers are 225 combinations, times a slider's two ends).
FULL_FRAME_BUDGET = 150
#: Frames per widget in quick mode (CI): menus are cut down to it as well.
QUICK_FRAME_BUDGET = 12
#: A slider of at most this many values is a choice among a few settings (a learning rate,
#: a number of layers): kept whole, like a menu, where menus are.
WHOLE_SLIDER_VALUES = 12

# A palette frame is kept if it changes the image this little (0..255 channel levels); else
# the frame is stored in full colour.
_MAX_MEAN_ERROR = 3.0
_MAX_P999_ERROR = 48.0


def site_frames_on() -> bool:
    """Tell whether ``LECTURE_NN_SITE_FRAMES`` asks for the static site's frames.

    Raises
    ------
    ValueError
        When the variable holds no yes/no value (:func:`lecture_nn._validation.env_flag`).
    """
    return env_flag(SITE_FRAMES_VARIABLE)


def frame_budget(mode: str | None = None) -> int:
    """Return the frames per widget for ``mode`` ("full" or "quick"; None: the run mode)."""
    from lecture_nn.experiments import MODES, run_mode

    mode = run_mode() if mode is None else check.choice(mode, "mode", MODES)
    return QUICK_FRAME_BUDGET if mode == "quick" else FULL_FRAME_BUDGET


class FrameRenderError(RuntimeError):
    """Drawing one frame of a widget failed; the message names the widget and the values."""


@dataclass(frozen=True)
class Control:
    """One control of a widget as the static page shows it.

    Attributes
    ----------
    name : str
        The keyword argument of ``draw``.
    label : str
        The label of the live control (the name with spaces).
    kind : {"slider", "menu", "checkbox"}
        The HTML control it becomes.
    values : tuple
        Every value the live control can take, in its order.
    default : object
        The value the widget starts with (one of ``values``).
    readout : str
        Python format spec of a slider's readout (``"d"``, ``".3f"``); ``""`` otherwise.
    """

    name: str
    label: str
    kind: str
    values: tuple
    default: object
    readout: str = ""

    def text(self, value) -> str:
        """Return ``value`` as the live control shows it (a slider's readout, an option)."""
        if self.kind == "slider":
            return format(value, self.readout)
        if self.kind == "checkbox":
            return "on" if value else "off"
        return str(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def slider_values(low, high, step, default=None, places: int | None = None) -> tuple:
    """Return the values of a ``(low, high, step)`` slider: ``low + k * step`` up to ``high``.

    Integer sliders (``places`` None and integer ends and step) give integers. Float values
    are rounded to ``places`` decimals (the slider readout's precision,
    :func:`lecture_nn.widgets.readout_format`), so 0.005 + 6 * 0.005 is 0.035. ``high``
    and ``default`` are included even when they are off the step grid.

    Raises
    ------
    ValueError
        When ``low >= high`` or ``step <= 0``.
    """
    integral = places is None and all(_is_integer(v) for v in (low, high, step))
    low, high = check.finite_real(low, "low"), check.finite_real(high, "high")
    step = check.positive(step, "step")
    if not low < high:
        raise ValueError(f"low must be below high, got {low} and {high}")
    extra = [high] + ([] if default is None else [default])
    if integral:
        values = set(range(int(low), int(high) + 1, int(step)))
        values.update(int(v) for v in extra if float(v).is_integer())
        return tuple(sorted(values))
    places = 12 if places is None else check.count(places, "places")
    count = math.floor((high - low) / step + 1e-9)
    values = {round(low + k * step, places) for k in range(count + 1)}
    values.update(round(float(v), places) for v in extra)
    return tuple(sorted(v for v in values if low - 1e-12 <= v <= high + 1e-12))


def control_from_spec(name: str, kind: str, arguments: Mapping) -> Control | None:
    """Return the :class:`Control` for a live control's class name and arguments.

    ``kind`` and ``arguments`` are what :mod:`lecture_nn.widgets` builds the ipywidgets
    control from (``"IntSlider"``, ``"FloatSlider"``, ``"Checkbox"``, ``"Dropdown"``); a
    widget given as it is (``"given"``) has no static form: None.
    """
    label = arguments.get("description", name.replace("_", " "))
    value = arguments.get("value")
    if kind == "Checkbox":
        return Control(name, label, "checkbox", (False, True), bool(value))
    if kind == "Dropdown":
        return Control(name, label, "menu", tuple(arguments["options"]), value)
    if kind in ("IntSlider", "FloatSlider"):
        low, high, step = arguments["min"], arguments["max"], arguments["step"]
        if kind == "IntSlider":
            return Control(name, label, "slider", slider_values(low, high, step, value), value, "d")
        readout = arguments["readout_format"]
        places = int(readout.strip(".f"))
        values = slider_values(low, high, step, value, places)
        return Control(name, label, "slider", values, round(float(value), places), readout)
    return None


def _nearest(values: Sequence, value):
    """Return the element of ``values`` equal to ``value``, or nearest to it for numbers."""
    if value in values:
        return value
    if _is_number(value) and all(_is_number(v) for v in values):
        return min(values, key=lambda v: abs(v - value))
    raise ValueError(f"{value!r} is not one of {list(values)!r}")


def _kept(control: Control, keep: Collection) -> set:
    """Return the values of ``keep`` that ``control`` can show (numbers: the nearest step)."""
    kept = set()
    for value in keep:
        if value in control.values:
            kept.add(value)
        elif control.kind == "slider" and _is_number(value):
            nearest = _nearest(control.values, value)
            if math.isclose(nearest, value, rel_tol=1e-9, abs_tol=1e-12):
                kept.add(nearest)
    return kept


def _slider_levels(control: Control, required: set) -> list[tuple]:
    """Ever larger subsets of a slider's values: every k-th value plus ``required``."""
    values = control.values
    first = values[0]
    if len(values) > 1 and all(_is_number(v) for v in values):
        step = values[1] - values[0]
        ratio = first / step if step else 0.0
        anchor = round(ratio) if math.isclose(ratio, round(ratio), abs_tol=1e-6) else 0
    else:
        anchor = 0
    levels: list[tuple] = [tuple(v for v in values if v in required)]
    for k in range(len(values), 0, -1):
        # Every k-th value, on multiples of k steps (5, 10, 15 rather than 1, 6, 11).
        chosen = {v for i, v in enumerate(values) if (i + anchor) % k == 0} | required
        subset = tuple(v for v in values if v in chosen)
        if levels and len(subset) == len(levels[-1]):
            levels[-1] = subset  # as many values, on a finer stride: more even
        elif not levels or len(subset) > len(levels[-1]):
            levels.append(subset)
    return levels


def _menu_levels(control: Control, required: set, full: bool) -> list[tuple]:
    """Subsets of a menu's options: ``required``, then one option more at a time in order."""
    options = control.values
    if full or control.kind == "checkbox":
        return [tuple(options)]
    levels = [tuple(v for v in options if v in required)]
    chosen = set(required)
    for option in options:
        if option not in chosen:
            chosen.add(option)
            levels.append(tuple(v for v in options if v in chosen))
    return levels


def choose_grid(
    controls: Sequence[Control],
    keep: Mapping[str, Collection] | None = None,
    budget: int = FULL_FRAME_BUDGET,
    full_menus: bool = True,
) -> dict[str, tuple]:
    """Choose the values of each control for which the static page gets a frame.

    Every slider keeps its ends, its default and its ``keep`` values; the rest is every
    k-th value on multiples of k steps, k as small as the budget allows. Menus, check
    boxes and sliders of at most :data:`WHOLE_SLIDER_VALUES` values keep every option when
    ``full_menus`` (else menus keep their default and ``keep`` options, then more in order
    while the budget allows). The controls are grown in turn, the least
    covered first, as long as the product of the sizes stays within ``budget``; what must be
    kept is kept even beyond it.

    Parameters
    ----------
    controls : sequence of Control
        The widget's controls.
    keep : mapping of str to collection, optional
        Values each control must keep, by control name (e.g. those the text talks about).
    budget : int
        Most frames (combinations of values) wanted.
    full_menus : bool
        Keep every option of every menu.

    Returns
    -------
    dict of str to tuple
        The chosen values of each control, in the control's own order.
    """
    keep = {} if keep is None else check.mapping(keep, "keep")
    budget = check.positive_int(budget, "budget")
    full_menus = check.boolean(full_menus, "full_menus")
    levels = []
    for control in controls:
        required = _kept(control, keep.get(control.name, ())) | {control.default}
        if control.kind == "slider" and full_menus and len(control.values) <= WHOLE_SLIDER_VALUES:
            levels.append([tuple(control.values)])
        elif control.kind == "slider":
            required |= {control.values[0], control.values[-1]}
            levels.append(_slider_levels(control, required))
        else:
            levels.append(_menu_levels(control, required, full_menus))
    chosen = [0] * len(controls)

    def size(index: int, level: int) -> int:
        return len(levels[index][level])

    while True:
        total = math.prod(size(i, level) for i, level in enumerate(chosen))
        growable = [
            i
            for i, level in enumerate(chosen)
            if level + 1 < len(levels[i]) and total // size(i, level) * size(i, level + 1) <= budget
        ]
        if not growable:
            break
        least = min(growable, key=lambda i: (size(i, chosen[i]) / len(controls[i].values), i))
        chosen[least] += 1
    return {control.name: levels[i][chosen[i]] for i, control in enumerate(controls)}


def grid_index(chosen: Sequence[Sequence], positions: Sequence[int]) -> int:
    """Position of a combination in the row-major grid of ``chosen`` values (first slowest)."""
    index = 0
    for values, position in zip(chosen, positions):
        index = index * len(values) + position
    return index


def encode_frame(png: bytes) -> bytes:
    """Re-encode a figure's PNG for the site: 256-colour palette PNG, or full colour if needed.

    The palette (Pillow's fast octree quantiser) keeps a matplotlib figure visually equal
    (mean change under 3 levels of 255, 99.9 % of pixels within 48); a frame whose colours
    do not fit is stored as an optimised full-colour PNG. The same input gives the same
    bytes.

    Parameters
    ----------
    png : bytes
        A PNG image (RGB or RGBA).

    Returns
    -------
    bytes
        The PNG to publish.
    """
    import numpy as np
    from PIL import Image

    if not isinstance(png, bytes | bytearray):
        raise TypeError(f"png must be PNG bytes, got {type(png).__name__}")
    image = Image.open(io.BytesIO(png))
    rgb = image.convert("RGB")
    palette = rgb.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    original = np.asarray(rgb, dtype=np.int16)
    error = np.abs(np.asarray(palette.convert("RGB"), dtype=np.int16) - original).max(axis=2)
    out = io.BytesIO()
    if error.mean() <= _MAX_MEAN_ERROR and np.percentile(error, 99.9) <= _MAX_P999_ERROR:
        palette.save(out, format="png", compress_level=9)
    else:
        rgb.save(out, format="png", optimize=True)
    return out.getvalue()


def _json_value(value):
    """``value`` if JSON can hold it as it is, else its text."""
    if value is None or isinstance(value, bool | str):
        return value
    if _is_number(value):
        return value.item() if hasattr(value, "item") else value
    return str(value)


def _description(widget, values: Mapping) -> str:
    """Return what the widget's figure shows now, in words (else a text naming the values).

    The widget's own description of the values shown (its images' alt text), recorded by
    the draw functions' helpers when the figure was drawn.
    """
    text = widget.description.strip()
    if text:
        return text
    settings = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in values.items())
    return f"Figure of {_widget_name(widget)} for {settings}."


# Frames already drawn in this kernel, by draw function, call and figure: widgets that draw
# the same figure (notebook 05's four optimizer comparisons) draw each frame once. Bounded
# (about 30 kB a frame); only for widgets whose draw depends on its values alone
# (``cache=True``) and that start from an empty figure (``clear=True``).
_SHARED: OrderedDict = OrderedDict()
_MAX_SHARED = 4096


def _shared_key(widget, values: Mapping):
    """Return a key naming the figure ``widget`` draws for ``values``, or None."""
    if not (getattr(widget, "cache", False) and getattr(widget, "clear", False)):
        return None
    draw, keywords = widget.draw, {}
    while isinstance(draw, functools.partial):
        if draw.args:
            return None
        keywords = {**draw.keywords, **keywords}
        draw = draw.func
    figure = widget._figure
    engine = figure.get_layout_engine()
    key = (
        draw,
        tuple(sorted({**keywords, **values}.items())),
        tuple(figure.get_size_inches().tolist()),
        figure.dpi,
        type(engine).__name__ if engine is not None else None,
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _remember(key, frame: tuple[bytes, str]) -> None:
    if key is not None:
        _SHARED[key] = frame
        while len(_SHARED) > _MAX_SHARED:
            _SHARED.popitem(last=False)


def _widget_name(widget) -> str:
    draw = widget.draw
    name = getattr(draw, "__name__", None) or getattr(getattr(draw, "func", None), "__name__", "")
    return name or "draw"


def render_frames(
    widget, specs: Mapping, budget: int | None = None, full_menus: bool | None = None
) -> dict | None:
    """Draw a widget's figure for a grid of its control values; return the frames' manifest.

    Uses the widget's own drawing (:meth:`InteractiveFigure.update`), then leaves it at
    the values it had. Returns None when a control has no static form (a given ipywidget).

    Parameters
    ----------
    widget : lecture_nn.widgets.InteractiveFigure
        The widget, drawn at its current values (taken as the page's defaults).
    specs : mapping of str to (str, dict)
        Each control's ipywidgets class name and arguments, by name, starting at the
        widget's current values (``widgets._control_spec``).
    budget : int, optional
        Frames wanted (None: :func:`frame_budget` of the run mode).
    full_menus : bool, optional
        Every option of every menu, and every value of the widget's ``print_values`` (the
        values the text talks about) kept (None: in full mode only; in quick mode the
        budget is a hard limit).

    Returns
    -------
    dict or None
        JSON-ready: ``version``, ``widget`` (draw function's name), ``controls`` (name,
        label, kind, ``values`` chosen and their ``labels``, ``count`` of the live control's
        values, ``default`` position), ``images`` (base64 PNGs, one per distinct image),
        ``frames`` (``[image, description]``, one per distinct pair), ``grid`` (frame of each
        combination, row-major, first control slowest) and ``default`` (frame shown first).

    Raises
    ------
    FrameRenderError
        When a frame cannot be drawn; names the widget and the values.
    """
    from lecture_nn.experiments import run_mode

    if budget is None:
        budget = frame_budget()
    if full_menus is None:
        full_menus = run_mode() == "full"
    start = dict(widget.values)
    controls = [control_from_spec(name, *specs[name]) for name in specs]
    if any(control is None for control in controls):
        return None
    keep: dict[str, list] = {}
    for values in widget.print_values if full_menus else ():  # quick mode: the budget rules
        for name, value in values.items():
            keep.setdefault(name, []).append(value)
    chosen = choose_grid(controls, keep, budget, full_menus)
    grids = [chosen[control.name] for control in controls]

    images: list[str] = []
    image_of: dict[str, int] = {}
    frames: list[list] = []
    frame_of: dict[tuple, int] = {}
    grid: list[int] = []
    try:
        for combination in itertools.product(*grids):
            values = {control.name: value for control, value in zip(controls, combination)}
            shared = _shared_key(widget, values)
            try:
                if shared is not None and shared in _SHARED:
                    encoded, description = _SHARED[shared]
                    _SHARED.move_to_end(shared)
                else:
                    encoded = encode_frame(widget.update(**values))
                    description = _description(widget, values)
                    _remember(shared, (encoded, description))
            except Exception as exc:
                settings = ", ".join(f"{name}={value!r}" for name, value in values.items())
                raise FrameRenderError(
                    f"the static frame of widget {_widget_name(widget)}({settings}) could not "
                    f"be drawn: {type(exc).__name__}: {exc}"
                ) from exc
            digest = hashlib.sha256(encoded).hexdigest()
            if digest not in image_of:
                image_of[digest] = len(images)
                images.append(base64.b64encode(encoded).decode("ascii"))
            key = (image_of[digest], description)
            if key not in frame_of:
                frame_of[key] = len(frames)
                frames.append(list(key))
            grid.append(frame_of[key])
    finally:
        widget.update(**start)
    positions = [values.index(control.default) for control, values in zip(controls, grids)]
    return {
        "version": FORMAT_VERSION,
        "widget": _widget_name(widget),
        "controls": [
            {
                "name": control.name,
                "label": control.label,
                "kind": control.kind,
                "values": [_json_value(v) for v in grid_values],
                "labels": [control.text(v) for v in grid_values],
                "count": len(control.values),
                "default": position,
            }
            for control, grid_values, position in zip(controls, grids, positions)
        ],
        "images": images,
        "frames": frames,
        "grid": grid,
        "default": grid[grid_index(grids, positions)],
    }
