"""Diagrams of dense (fully connected) neural networks.

:func:`draw_network` draws a network from its layer sizes: nodes, edges, optional bias
nodes, labels (x_i, h_i, o_i, w_ij), the activation inside each node, the number of
weights and biases, and the hidden units that dropout removes in one training step.
Given real weight matrices (from Keras' ``model.get_weights()`` or the
course's numpy network) it colours each edge by the sign of its weight and sizes it by
the magnitude, with a colour bar.

All edges are one ``LineCollection`` and all nodes one ``EllipseCollection``: a network with
thousands of edges is two artists, not thousands (``bench/bench_diagram_redraw.py`` times a
redraw of notebook 01's widget). Only the drawn nodes cost memory: a layer wider than
``max_nodes`` is drawn with an ellipsis, and ``weights="random"`` draws only the weights of
the edges drawn.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import EllipseCollection, LineCollection
from matplotlib.colors import Normalize
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from lecture_nn import _plotting, style
from lecture_nn import _validation as check

__all__ = [
    "MAX_LAYER_SIZE",
    "MAX_NODES_DRAWN",
    "NetworkDrawing",
    "check_dropped",
    "check_layer_sizes",
    "count_parameters",
    "draw_network",
]

#: Layers with more nodes than this are drawn with an ellipsis in the middle.
MAX_NODES_DRAWN = 20

#: The widest layer :func:`draw_network` accepts (ten million units). A diagram draws at
#: most ``max_nodes`` of a layer's nodes, but dropout masks hold one entry per unit, so a
#: wider layer is refused with a ValueError instead of filling the memory.
MAX_LAYER_SIZE = 10_000_000

#: Above this many edges, weight labels would be unreadable and are not drawn.
_MAX_WEIGHT_LABELS = 30

#: Smallest font size (points) of any text in a diagram: legible on screen and in print.
_MIN_FONT = 8.0

#: Face colour of a dropped unit, and colour of the cross over it.
_DROPPED_FACE = "0.93"
_DROPPED_CROSS = style.OKABE_ITO[1]

_OUTPUT_SYMBOLS = {"sigmoid": r"\sigma", "softmax": "g", "linear": "g", None: "g"}


class NetworkDrawing(_plotting.Drawing):
    """What :func:`draw_network` drew, and the numbers behind it: a :class:`Drawing`.

    Its artists, read as attributes (``drawing.edges``) or by name (``drawing["edges"]``):

    - ``nodes`` (EllipseCollection), ``edges`` and ``crosses`` (LineCollection; ``crosses``
      is None without dropout), ``texts`` (list of Text), ``colorbar`` and ``mappable``
      (None without real weights);
    - ``n_weights``, ``n_biases`` (int): the counts of the whole network;
    - ``node_positions[l]``: array of shape (n_drawn_l, 2), the data coordinates of the
      drawn nodes of layer ``l`` (bias node excluded); ``node_indices[l]``: the 0-based
      index in the layer of each drawn node (they differ when a layer is truncated);
    - ``dropped[l]``: boolean array of shape (layer_sizes[l],), True for the units that
      dropout removed (always False for the input and output layers);
    - ``kept_edges``: boolean array over every edge of the full drawing (dropout ignored,
      in drawing order), True for the edges drawn (None without dropout); ``edge_values``
      holds the weights of the drawn edges (None for black edges);
    - ``layer_sizes`` (list of int), ``draw_bias`` (bool).
    """

    def update_weights(self, weights: Sequence, biases: Sequence | None = None) -> None:
        """Recolour and resize the edges for new weights (same shapes), without redrawing.

        Used to replay training: the colour scale stays the one the drawing was made with
        (choose it with ``draw_network(weight_limit=...)``), so colours compare across steps.

        Parameters
        ----------
        weights : sequence of array_like
            One kernel of shape (n_in, n_out) per pair of consecutive layers.
        biases : sequence of array_like, optional
            One bias of shape (n_out,) per layer after the input.

        Raises
        ------
        ValueError
            If the drawing has no real weights, or a shape does not match.
        """
        if self.mappable is None:
            raise ValueError("update_weights needs a drawing made with real weights")
        shapes = list(itertools.pairwise(self.layer_sizes))
        kernels = _check_matrices(weights, shapes, "weights")
        bias_values = (
            _check_matrices(biases, [(b,) for _, b in shapes], "biases")
            if biases is not None
            else None
        )
        values = _edge_values(kernels, bias_values, self.node_indices, self.draw_bias)
        if self.kept_edges is not None:
            values = values[self.kept_edges]
        self.artists["edge_values"] = values
        colors, widths = _edge_style(values, self.mappable)
        self.edges.set_color(colors)
        self.edges.set_linewidths(widths)


def count_parameters(layer_sizes: Sequence[int], use_bias: bool = True) -> tuple[int, int]:
    """Count the weights and biases of a dense network with these layer sizes.

    A dense layer from ``n_in`` to ``n_out`` nodes has ``n_in * n_out`` weights and, with
    biases, ``n_out`` biases. This is what ``keras.Model.count_params()`` reports.

    Parameters
    ----------
    layer_sizes : sequence of int
        Nodes per layer, input first; at least two layers, each >= 1.
    use_bias : bool
        Whether the layers have biases.

    Returns
    -------
    (int, int)
        The number of weights and the number of biases.

    Raises
    ------
    TypeError, ValueError
        If ``layer_sizes`` or ``use_bias`` breaks the rules above (the message names it).
    """
    sizes = check_layer_sizes(layer_sizes)
    use_bias = check.boolean(use_bias, "use_bias")
    n_weights = sum(a * b for a, b in itertools.pairwise(sizes))
    n_biases = sum(sizes[1:]) if use_bias else 0
    return n_weights, n_biases


def check_layer_sizes(layer_sizes) -> list[int]:
    """Validate ``layer_sizes`` and return it as a list of Python ints.

    A network needs at least two layers (input and output), each an integer number of
    nodes >= 1 (a numpy integer counts; ``2.0`` does not): the rule
    :func:`lecture_nn._validation.sizes`, the same as :class:`lecture_nn.network.Network`'s.

    Parameters
    ----------
    layer_sizes : sequence of int
        Nodes per layer, input first.

    Returns
    -------
    list of int
        The sizes.

    Raises
    ------
    TypeError
        If ``layer_sizes`` is not a sequence, or a size is not an integer.
    ValueError
        If there are fewer than two sizes, or a size is below 1.
    """
    return check.sizes(layer_sizes, "layer_sizes", minimum_length=2)


def _sizes_to_draw(layer_sizes) -> list[int]:
    """Check ``layer_sizes`` as :func:`check_layer_sizes` does, each <= MAX_LAYER_SIZE."""
    return check.sizes(layer_sizes, "layer_sizes", minimum_length=2, maximum=MAX_LAYER_SIZE)


def _check_matrices(values, shapes: list[tuple[int, ...]], argument: str) -> list[np.ndarray]:
    """Validate a list of weight (or bias) arrays against the expected shapes."""
    if isinstance(values, (str, bytes, np.ndarray)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{argument} must be a list with one array per layer, got {type(values).__name__}"
        )
    if len(values) != len(shapes):
        raise ValueError(
            f"{argument} must have one array per pair of consecutive layers ({len(shapes)}), "
            f"got {len(values)}"
        )
    arrays = []
    for layer, (value, shape) in enumerate(zip(values, shapes)):
        array = check.as_array(value, f"{argument}[{layer}]")
        if array.shape != shape:
            raise ValueError(
                f"{argument}[{layer}] has shape {array.shape}, but layers {layer} -> {layer + 1} "
                f"need shape {shape} (inputs x outputs, as in Keras' Dense kernel)"
            )
        arrays.append(array)
    return arrays


def check_dropped(dropped, layer_sizes: Sequence[int], seed: int | None = 0) -> list[np.ndarray]:
    """Validate ``draw_network``'s ``dropped`` and return one boolean mask per layer.

    Parameters
    ----------
    dropped : None, float or sequence
        None (no dropout), a rate in [0, 1) (every hidden unit is dropped independently
        with that probability, as Keras' ``Dropout(rate)`` does in a training step; drawn
        with ``numpy.random.default_rng(seed)``), or a sequence with one entry per hidden
        layer: None (nothing dropped there) or a boolean array of shape (n_units,), True
        for a dropped unit.
    layer_sizes : sequence of int
        Nodes per layer, input first, each from 1 to :data:`MAX_LAYER_SIZE`.
    seed : int or None
        Seed of the draw for a rate (None: a random draw).

    Returns
    -------
    list of numpy.ndarray
        One boolean array of shape (layer_sizes[l],) per layer, all False for the input
        and output layers.

    Raises
    ------
    TypeError, ValueError
        If ``dropped`` is none of the above, or does not fit the hidden layers.
    """
    sizes = _sizes_to_draw(layer_sizes)
    seed = None if seed is None else check.seed(seed)
    masks = [np.zeros(size, dtype=bool) for size in sizes]
    if dropped is None:
        return masks
    hidden = sizes[1:-1]
    allowed = (
        "None, a dropout rate in [0, 1), or one boolean mask (True = dropped) or None "
        "per hidden layer"
    )
    if isinstance(dropped, (bool, np.bool_, str, bytes)):
        raise TypeError(f"dropped must be {allowed}, got {dropped!r}")
    if not hidden:
        raise ValueError(
            f"dropped: dropout is drawn on hidden layers, and layer_sizes {sizes} has none"
        )
    if isinstance(dropped, numbers.Real):
        rate = check.probability(dropped, "dropped", include_one=False)
        rng = np.random.default_rng(seed)
        for layer, size in enumerate(hidden, start=1):
            masks[layer] = rng.random(size) < rate
        return masks
    if not isinstance(dropped, (Sequence, np.ndarray)):
        raise TypeError(f"dropped must be {allowed}, got {type(dropped).__name__}")
    if len(dropped) != len(hidden):
        raise ValueError(
            f"dropped must have one mask (or None) per hidden layer ({len(hidden)}: sizes "
            f"{hidden}), got {len(dropped)}"
        )
    for position, (mask, size) in enumerate(zip(dropped, hidden)):
        if mask is None:
            continue
        array = np.asarray(mask)
        if array.dtype != bool:
            raise TypeError(
                f"dropped[{position}] must be a boolean mask (True = dropped unit), "
                f"got an array of dtype {array.dtype}"
            )
        if array.shape != (size,):
            raise ValueError(
                f"dropped[{position}] has shape {array.shape}, but hidden layer "
                f"{position + 1} has {size} units: it needs shape ({size},)"
            )
        masks[position + 1] = array.copy()
    return masks


def _drawn_indices(size: int, max_nodes: int) -> tuple[np.ndarray, bool]:
    """Return the indices of the nodes drawn for a layer of ``size``, and if it is truncated."""
    if size <= max_nodes:
        return np.arange(size), False
    head = max_nodes // 2
    tail = max_nodes - 1 - head
    return np.concatenate([np.arange(head), np.arange(size - tail, size)]), True


def _axes_size_in_points(ax: Axes) -> tuple[float, float]:
    position = ax.get_position()
    width_in, height_in = ax.figure.get_size_inches()
    return position.width * width_in * 72.0, position.height * height_in * 72.0


def _edge_values(kernels, bias_values, node_indices, draw_bias: bool) -> np.ndarray:
    """Return the value of every drawn edge, in the order the edges are drawn.

    Per pair of layers: the kernel entries of the drawn nodes (row-major: source i, then
    target j), then, with bias nodes, the biases of the drawn target nodes (0 without them).
    """
    values = []
    for link, kernel in enumerate(kernels):
        rows, cols = node_indices[link], node_indices[link + 1]
        values.append(kernel[np.ix_(rows, cols)].ravel())
        if draw_bias:
            values.append(
                bias_values[link][cols] if bias_values is not None else np.zeros(len(cols))
            )
    return np.concatenate(values)


def _edge_style(values: np.ndarray, mappable: ScalarMappable) -> tuple[np.ndarray, np.ndarray]:
    """Colours (by sign, on the diverging map) and line widths (by magnitude) of edges."""
    limit = mappable.norm.vmax
    return mappable.to_rgba(values), 0.4 + 2.6 * np.minimum(np.abs(values) / limit, 1.0)


def _optional_boolean(value, argument: str) -> bool | None:
    """Check a yes/no argument that may also be None (meaning: choose for me)."""
    return None if value is None else check.boolean(value, argument)


@dataclass
class _Options:
    """The checked arguments of :func:`draw_network`."""

    sizes: list[int]
    draw_bias: bool
    use_bias: bool
    labels: bool
    weight_labels: bool | None
    activation_symbols: bool
    output_activation: str | None
    activations: list[str] | None
    output_labels: bool
    counts: bool
    colorbar: bool | None
    weight_limit: float | None
    max_nodes: int
    seed: int | None

    @property
    def n_links(self) -> int:
        """Number of weight layers (pairs of consecutive layers)."""
        return len(self.sizes) - 1


_FLAGS = ("draw_bias", "use_bias", "labels", "activation_symbols", "output_labels", "counts")


def _check_options(layer_sizes, **options) -> _Options:
    """Check every argument of :func:`draw_network` but the weights, biases and dropout."""
    sizes = _sizes_to_draw(layer_sizes)
    flags = {name: check.boolean(options[name], name) for name in _FLAGS}
    if flags["draw_bias"] and not flags["use_bias"]:
        raise ValueError("draw_bias=True needs use_bias=True: there are no biases to draw")
    output_activation = options["output_activation"]
    if output_activation is not None:
        check.choice(output_activation, "output_activation", ("sigmoid", "softmax", "linear"))
    n_links = len(sizes) - 1
    activations = options["activations"]
    if activations is not None:
        if isinstance(activations, str) or not isinstance(activations, Sequence):
            raise TypeError(
                f"activations must list one name per non-input layer ({n_links}), "
                f"got {activations!r}"
            )
        if len(activations) != n_links or not all(isinstance(a, str) for a in activations):
            raise ValueError(
                f"activations must list one name per non-input layer ({n_links}, strings), "
                f"got {activations!r}"
            )
        activations = list(activations)
    weight_limit = options["weight_limit"]
    seed = options["seed"]
    return _Options(
        sizes=sizes,
        weight_labels=_optional_boolean(options["weight_labels"], "weight_labels"),
        output_activation=output_activation,
        activations=activations,
        colorbar=_optional_boolean(options["colorbar"], "colorbar"),
        weight_limit=None if weight_limit is None else check.positive(weight_limit, "weight_limit"),
        max_nodes=check.integer(options["max_nodes"], "max_nodes", minimum=3),
        seed=None if seed is None else check.seed(seed),
        **flags,
    )


def _parameters(weights, biases, options: _Options, node_indices):
    """Return the kernels and biases to colour the edges with, and the node indices.

    Returns ``(kernels, bias_values, indices, real)``: None, None for black edges. Random
    weights are drawn only for the drawn nodes (so ``indices`` count from 0 in each drawn
    layer): a layer of 20,000 units costs no more than one of ``max_nodes``. For a network
    drawn whole they are the same numbers as drawing every weight.
    """
    shapes = list(itertools.pairwise(options.sizes))
    if isinstance(weights, str):
        if weights != "random":
            raise ValueError(f"weights must be None, 'random' or a list of arrays, got {weights!r}")
        if biases is not None:
            raise ValueError("biases can only be given together with a list of weights")
        rng = np.random.default_rng(options.seed)
        drawn = [len(indices) for indices in node_indices]
        kernels = [rng.standard_normal((drawn[k], drawn[k + 1])) for k in range(len(shapes))]
        bias_values = [rng.standard_normal(drawn[k + 1]) for k in range(len(shapes))]
        return kernels, bias_values, [np.arange(n) for n in drawn], False
    if weights is None:
        if biases is not None:
            raise ValueError("biases can only be given together with a list of weights")
        return None, None, node_indices, False
    kernels = _check_matrices(weights, shapes, "weights")
    bias_values = (
        _check_matrices(biases, [(b,) for _, b in shapes], "biases") if biases is not None else None
    )
    return kernels, bias_values, node_indices, True


def _colour_scale(ax, kernels, bias_values, options: _Options, real: bool):
    """Make the mappable of the edge colours (None for black edges) and its colour bar."""
    if kernels is None:
        return None, None
    magnitudes = [np.abs(k).max() for k in kernels]
    if options.draw_bias and bias_values is not None:
        magnitudes += [np.abs(b).max() for b in bias_values]
    limit = max(max(magnitudes), 1e-12) if options.weight_limit is None else options.weight_limit
    mappable = ScalarMappable(Normalize(-limit, limit), style.DIVERGING_CMAP)
    if not (real if options.colorbar is None else options.colorbar):
        return mappable, None
    cbar = ax.figure.colorbar(mappable, ax=ax, shrink=0.7, fraction=0.05, pad=0.02)
    cbar.set_label("weight")
    return mappable, cbar


@dataclass
class _Layout:
    """Where everything goes: data coordinates (node spacing 1) and font sizes in points."""

    drawn: list[tuple[np.ndarray, bool]]
    slots: list[int]
    positions: list[np.ndarray]
    bias_positions: list[tuple[float, float]]
    ellipsis_positions: list[tuple[int, float, float] | None]
    dx: float
    radius: float
    points_per_unit: float
    node_font: float
    label_font: float
    base_font: float

    @property
    def max_slots(self) -> int:
        """Slots of the tallest layer."""
        return max(self.slots)

    @property
    def node_indices(self) -> list[np.ndarray]:
        """The index in its layer of every drawn node, per layer."""
        return [indices for indices, _ in self.drawn]


def _layout(ax, options: _Options) -> _Layout:
    """Lay out the layers: one slot per node, the bias node and the ellipsis; spacing 1."""
    n_links = options.n_links
    drawn = [_drawn_indices(size, options.max_nodes) for size in options.sizes]
    slots = []
    for layer, (indices, truncated) in enumerate(drawn):
        has_bias_node = options.draw_bias and layer < n_links
        slots.append(len(indices) + int(truncated) + int(has_bias_node))
    max_slots = max(slots)
    top_pad = 1.0 if options.labels else 0.3
    bottom_pad = (0.9 if options.counts else 0.3) + (0.6 if options.activations else 0.0)
    y_top = (max_slots - 1) / 2 + 0.5 + top_pad
    y_bottom = -(max_slots - 1) / 2 - 0.5 - bottom_pad
    height = y_top - y_bottom
    width_pt, height_pt = _axes_size_in_points(ax)
    side_margin = 0.8 if options.output_labels else 0.6
    available = height * width_pt / max(height_pt, 1e-9) - 2 * side_margin
    dx = min(max(available / max(n_links, 1), 1.0), 4.0 + 0.6 * max_slots)
    x_span = dx * n_links + 2 * side_margin
    ax.set_xlim(-side_margin, dx * n_links + side_margin)
    ax.set_ylim(y_bottom, y_top)
    ax.set_aspect("equal", adjustable="box")
    points_per_unit = min(width_pt / x_span, height_pt / height)
    radius = min(0.32, 0.3 * dx)
    base_font = float(mpl.rcParams["font.size"])

    positions, bias_positions, ellipsis_positions = [], [], []
    for layer, (indices, truncated) in enumerate(drawn):
        x = layer * dx
        y = (slots[layer] - 1) / 2 - np.arange(slots[layer], dtype=float)
        if options.draw_bias and layer < n_links:
            bias_positions.append((x, y[0]))
            y = y[1:]
        if truncated:
            head = options.max_nodes // 2
            ellipsis_positions.append((layer, x, y[head]))
            y = np.delete(y, head)
        else:
            ellipsis_positions.append(None)
        positions.append(np.column_stack([np.full(len(indices), x), y]))
    return _Layout(
        drawn=drawn,
        slots=slots,
        positions=positions,
        bias_positions=bias_positions,
        ellipsis_positions=ellipsis_positions,
        dx=dx,
        radius=radius,
        points_per_unit=points_per_unit,
        node_font=float(np.clip(radius * points_per_unit * 0.85, 3.0, 13.0)),
        label_font=float(np.clip(points_per_unit * 0.45, 5.0, base_font)),
        base_font=base_font,
    )


@dataclass
class _Edges:
    """The edge collection and what it needs to be redrawn or labelled."""

    collection: LineCollection
    values: np.ndarray | None
    kept_edges: np.ndarray | None
    kept_nodes: list[np.ndarray]
    count: int


def _draw_edges(ax, layout: _Layout, options, dropped_masks, colouring) -> _Edges:
    """All edges as one LineCollection, without the edges of dropped units.

    ``colouring`` is ``(kernels, bias_values, indices, mappable)`` (kernels None: black).
    """
    positions, draw_bias = layout.positions, options.draw_bias
    segments = []
    for link in range(options.n_links):
        source, target = positions[link], positions[link + 1]
        starts = np.repeat(source, len(target), axis=0)
        ends = np.tile(target, (len(source), 1))
        segments.append(np.stack([starts, ends], axis=1))
        if draw_bias:
            bias_start = np.repeat(np.array([layout.bias_positions[link]]), len(target), axis=0)
            segments.append(np.stack([bias_start, target], axis=1))
    all_segments = np.concatenate(segments, axis=0)
    # dropout: a dropped unit's edges (in, out and from the bias node) are not drawn
    kept_nodes = [
        ~dropped_masks[layer][indices] for layer, indices in enumerate(layout.node_indices)
    ]
    kept_edges = None
    if any(mask.any() for mask in dropped_masks):
        keep = []
        for link in range(options.n_links):
            keep.append(np.outer(kept_nodes[link], kept_nodes[link + 1]).ravel())
            if draw_bias:
                keep.append(kept_nodes[link + 1])
        kept_edges = np.concatenate(keep)
        all_segments = all_segments[kept_edges]
    kernels, bias_values, indices, mappable = colouring
    if kernels is not None:
        # without biases, the bias edges are drawn neutral (value 0)
        values = _edge_values(kernels, bias_values, indices, draw_bias)
        if kept_edges is not None:
            values = values[kept_edges]
        colors, widths = _edge_style(values, mappable)
        edges = LineCollection(all_segments, colors=colors, linewidths=widths, alpha=0.9, zorder=1)
    else:
        values = None
        edges = LineCollection(all_segments, colors="0.55", linewidths=0.7, zorder=1)
    ax.add_collection(edges, autolim=False)
    return _Edges(edges, values, kept_edges, kept_nodes, len(all_segments))


def _draw_nodes(ax, layout: _Layout, kinds, kept_nodes):
    """All nodes as one EllipseCollection; a cross over every dropped unit.

    Returns ``(nodes, crosses, centres)``: ``crosses`` is None when nothing is dropped and
    ``centres`` (n, 2) holds every node's centre, bias nodes last.
    """
    positions, bias_positions, radius = layout.positions, layout.bias_positions, layout.radius
    centres = list(positions) + ([np.array(bias_positions)] if bias_positions else [])
    face = [style.NODE_COLORS[kinds[layer]] for layer, p in enumerate(positions) for _ in p]
    face += [style.NODE_COLORS["bias"]] * len(bias_positions)
    node_dropped = np.concatenate([*kept_nodes, np.ones(len(bias_positions), dtype=bool)]) == 0
    face = [_DROPPED_FACE if gone else colour for colour, gone in zip(face, node_dropped)]
    outline = np.where(node_dropped, "0.6", "black")
    offsets = np.concatenate(centres, axis=0)
    diameters = np.full(len(offsets), 2 * radius)
    nodes = EllipseCollection(
        diameters,
        diameters,
        np.zeros(len(offsets)),
        units="xy",
        offsets=offsets,
        offset_transform=ax.transData,
        facecolors=face,
        edgecolors=list(outline),
        linewidths=0.8,
        zorder=3,
    )
    ax.add_collection(nodes, autolim=False)
    crosses = None
    if node_dropped.any():
        arm = radius * 0.75
        cross_segments = []
        for x, y in offsets[node_dropped]:
            cross_segments.append([(x - arm, y - arm), (x + arm, y + arm)])
            cross_segments.append([(x - arm, y + arm), (x + arm, y - arm)])
        crosses = LineCollection(
            cross_segments, colors=_DROPPED_CROSS, linewidths=1.6, zorder=5, capstyle="round"
        )
        ax.add_collection(crosses, autolim=False)
    return nodes, crosses, offsets


class _TextWriter:
    """Writes the diagram's texts into ``ax`` (centred, node font, above the nodes)."""

    def __init__(self, ax, node_font: float):
        self.ax, self.node_font, self.texts = ax, node_font, []

    def put(self, x, y, s, **kwargs) -> None:
        """Write ``s`` at (x, y) in data coordinates."""
        kwargs.setdefault("ha", "center")
        kwargs.setdefault("va", "center")
        kwargs.setdefault("fontsize", self.node_font)
        kwargs.setdefault("zorder", 4)
        self.texts.append(self.ax.text(x, y, s, **kwargs))


def _node_texts(put, layout: _Layout, options: _Options, kinds, kept_nodes) -> None:
    """Labels, activation symbols and outputs in and beside the nodes; bias "1"; ellipses."""
    node_font, radius, sizes = layout.node_font, layout.radius, options.sizes
    output_symbol = _OUTPUT_SYMBOLS[options.output_activation]
    for layer, (centre, (indices, _)) in enumerate(zip(layout.positions, layout.drawn)):
        kind = kinds[layer]
        for (x, y), index, kept in zip(centre, indices, kept_nodes[layer]):
            number = index + 1
            ink = "black" if kept else "0.55"
            if options.activation_symbols and kind != "input":
                symbol = "f" if kind == "hidden" else output_symbol
                z = "z" if kind == "output" and sizes[-1] == 1 else f"z_{{{number}}}"
                symbol_font = max(node_font * 0.8, _MIN_FONT)
                put(x, y, rf"${z}\,|\,{symbol}$", fontsize=symbol_font, color=ink)
            elif options.labels:
                letter = {"input": "x", "hidden": "h", "output": "o"}[kind]
                put(x, y, rf"${letter}_{{{number}}}$", color=ink)
            if options.output_labels and kind != "input" and kept:
                if kind == "hidden":
                    name = f"a_{{{number}}}"
                else:
                    name = r"\hat{y}" if sizes[-1] == 1 else rf"\hat{{y}}_{{{number}}}"
                put(
                    x + radius * 1.15,
                    y,
                    f"${name}$",
                    ha="left",
                    fontsize=node_font,
                    color=style.OKABE_ITO[0] if kind == "hidden" else style.OKABE_ITO[1],
                )
    for x, y in layout.bias_positions:
        put(x, y, "$1$")
    for item in layout.ellipsis_positions:
        if item is not None:
            layer, x, y = item
            put(x, y, r"$\vdots$", fontsize=node_font * 1.4)
            put(
                x + radius * 1.3,
                y,
                f"{sizes[layer]:,} nodes",
                ha="left",
                fontsize=max(layout.label_font * 0.85, _MIN_FONT),
                color="0.3",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )


def _layer_texts(ax, put, layout: _Layout, options: _Options, kinds) -> None:
    """Layer titles, the softmax frame and the activation names under the layers."""
    dx, label_font, radius, n_links = layout.dx, layout.label_font, layout.radius, options.n_links
    if options.labels:
        title_font = min(label_font, dx * layout.points_per_unit * 0.2)
        for layer, kind in enumerate(kinds):
            title = f"hidden {layer}" if kind == "hidden" and n_links > 2 else kind
            y = (layout.max_slots - 1) / 2 + 0.75
            put(layer * dx, y, title, fontsize=title_font, va="bottom")
    if options.activation_symbols and options.output_activation == "softmax":
        outputs = layout.positions[-1]
        pad = radius * 1.35
        x0, y0 = outputs[:, 0].min() - pad, outputs[:, 1].min() - pad
        box = FancyBboxPatch(
            (x0, y0),
            2 * pad,
            outputs[:, 1].max() - outputs[:, 1].min() + 2 * pad,
            boxstyle=f"round,pad=0,rounding_size={pad * 0.6}",
            fill=False,
            linestyle="--",
            edgecolor=style.OKABE_ITO[1],
            linewidth=1.0,
            zorder=2,
        )
        ax.add_patch(box)
        put(outputs[0, 0], y0 - 0.15, "softmax", fontsize=label_font, va="top",
            color=style.OKABE_ITO[1])  # fmt: skip
    for layer, name in enumerate(options.activations or (), start=1):
        layer_bottom = -(layout.slots[layer] - 1) / 2 - 0.5
        put(layer * dx, layer_bottom - 0.15, name, fontsize=label_font, va="top",
            style="italic", color="0.25")  # fmt: skip


def _weight_label_texts(ax, texts, layout: _Layout, options: _Options, edges: _Edges, centres):
    """Write the names w_ij on the edges where they overlap no node and no other text."""
    positions, drawn, sizes = layout.positions, layout.drawn, options.sizes
    wanted = []
    for link in range(options.n_links):
        single_output = sizes[link + 1] == 1
        n_targets = len(positions[link + 1])
        sources = list(zip(positions[link], drawn[link][0] + 1, edges.kept_nodes[link]))
        if options.draw_bias:
            sources.insert(0, (layout.bias_positions[link], 0, True))
        targets = list(zip(positions[link + 1], drawn[link + 1][0], edges.kept_nodes[link + 1]))
        for (xs, ys), i, source_kept in sources:
            for position, ((xt, yt), j, target_kept) in enumerate(targets):
                if not (source_kept and target_kept):
                    continue  # a dropped unit's edge is not drawn, nor its label
                name = f"w_{{{i}}}" if single_output else f"w_{{{i},{j + 1}}}"
                # first choice: one source's labels spread along its edges
                t = 0.3 + 0.4 * position / max(n_targets - 1, 1)
                wanted.append(((xs, ys), (xt, yt), f"${name}$", t))
    return _place_edge_labels(
        ax,
        wanted,
        obstacles=[t for t in texts if t.get_transform() == ax.transData],
        circles=centres,
        radius=layout.radius,
        points_per_unit=layout.points_per_unit,
        fontsize=max(layout.node_font * 0.75, _MIN_FONT),
    )


def _draw_texts(ax, layout: _Layout, options: _Options, kinds, edges: _Edges, centres, *,
                coloured: bool) -> list[Text]:  # fmt: skip
    """Write every text in the nodes, beside them, on the layers and on the edges."""
    writer = _TextWriter(ax, layout.node_font)
    _node_texts(writer.put, layout, options, kinds, edges.kept_nodes)
    _layer_texts(ax, writer.put, layout, options, kinds)
    texts = writer.texts
    show_weight_labels = options.weight_labels
    if show_weight_labels is None:  # small, uncoloured, labelled networks only
        show_weight_labels = options.labels and not coloured and edges.count <= _MAX_WEIGHT_LABELS
    if show_weight_labels:
        texts += _weight_label_texts(ax, texts, layout, options, edges, centres)
    return texts


def _result(ax, options: _Options, layout: _Layout, drawn, colours, dropped_masks):
    """Write the counts (if asked) and gather what was drawn into a NetworkDrawing."""
    nodes, edges, crosses, texts = (drawn[k] for k in ("nodes", "edges", "crosses", "texts"))
    cbar, mappable = colours
    n_weights, n_biases = count_parameters(options.sizes, use_bias=options.use_bias)
    if options.counts:
        texts.append(
            ax.text(0.5, 0.01, f"{n_weights:,} weights, {n_biases:,} biases",
                    transform=ax.transAxes, ha="center", va="bottom", fontsize=layout.base_font)
        )  # fmt: skip
    artists = {
        "nodes": nodes,
        "edges": edges.collection,
        "n_weights": n_weights,
        "n_biases": n_biases,
        "node_positions": layout.positions,
        "node_indices": layout.node_indices,
        "edge_values": edges.values,
        "texts": texts,
        "colorbar": cbar,
        "mappable": mappable,
        "layer_sizes": options.sizes,
        "draw_bias": options.draw_bias,
        "dropped": dropped_masks,
        "crosses": crosses,
        "kept_edges": edges.kept_edges,
    }
    coloured = edges.values is not None
    description = _describe(options.sizes, n_weights, n_biases, dropped_masks, coloured)
    if max(options.sizes) > options.max_nodes:
        head = options.max_nodes // 2
        tail = options.max_nodes - 1 - head
        description = (
            description[:-1] + f"; layers of more than {options.max_nodes} units show their "
            f"first {head} and last {tail} nodes, with an ellipsis between."
        )
    return NetworkDrawing(axes=(ax,), artists=artists, description=description)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _describe(sizes: list[int], n_weights: int, n_biases: int, dropped, coloured: bool) -> str:
    """One sentence saying what the diagram shows, from its sizes and counts."""
    hidden = sizes[1:-1]
    if not hidden:
        middle = "no hidden layer"
    else:
        widths = hidden[0] if len(set(hidden)) == 1 else None
        layers = "one hidden layer" if len(hidden) == 1 else f"{len(hidden)} hidden layers"
        if widths is not None:
            middle = f"{layers} of {_plural(widths, 'unit')}"
        else:
            listed = ", ".join(f"{w:,}" for w in hidden[:-1]) + f" and {hidden[-1]:,}"
            middle = f"{layers} of {listed} units"
    biases = _plural(n_biases, "bias").replace("biass", "biases") if n_biases else "no biases"
    text = (
        f"Network diagram: {_plural(sizes[0], 'input')}, {middle}, "
        f"{_plural(sizes[-1], 'output')}; {_plural(n_weights, 'weight')} and {biases}"
    )
    if coloured:
        text += "; edges coloured by the sign of each weight and sized by its magnitude"
    n_dropped = int(sum(mask.sum() for mask in dropped))
    if n_dropped:
        text += f"; dropout removes {n_dropped:,} of {sum(hidden):,} hidden units"
    return text + "."


def draw_network(
    layer_sizes: Sequence[int],
    *,
    ax: Axes | None = None,
    draw_bias: bool = False,
    use_bias: bool = True,
    labels: bool = False,
    weight_labels: bool | None = None,
    activation_symbols: bool = False,
    output_activation: str | None = None,
    activations: Sequence[str] | None = None,
    output_labels: bool = False,
    counts: bool = False,
    weights: str | Sequence | None = None,
    biases: Sequence | None = None,
    seed: int | None = 0,
    colorbar: bool | None = None,
    weight_limit: float | None = None,
    max_nodes: int = MAX_NODES_DRAWN,
    dropped: float | Sequence | None = None,
) -> NetworkDrawing:
    """Draw a dense neural network.

    Parameters
    ----------
    layer_sizes : sequence of int
        Nodes per layer, input first, e.g. ``[2, 3, 1]``: at least two layers, each an
        integer from 1 to :data:`MAX_LAYER_SIZE`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created only when None.
    draw_bias, use_bias : bool
        Draw a bias node "1" on top of every layer but the last, with its edges; whether
        the network has biases (the counts; must be True with ``draw_bias``).
    labels : bool
        Label nodes (x_i inputs, h_i hidden, o_i outputs) and layers.
    weight_labels : bool or None
        Label edges w_ij (bias edges w_0j). None: with ``labels`` on small, uncoloured
        networks (at most 30 edges).
    activation_symbols : bool
        Write "z | f" inside hidden nodes and "z | g" inside output nodes (σ for a sigmoid
        output); a softmax output layer is framed and marked, since softmax couples its nodes.
    output_activation : {"sigmoid", "softmax", "linear"} or None
        Output activation for the marking.
    activations : sequence of str, optional
        One activation name per non-input layer, written under the layer.
    output_labels, counts : bool
        Write each node's output next to it (a_i hidden, ŷ outputs); write "N weights,
        M biases" under the network.
    weights : None, "random" or sequence of array_like
        None (black edges), ``"random"`` (seeded random weights, for illustration; drawn
        only for the edges drawn), or a list of arrays of shape (n_in, n_out), one per
        layer, as ``model.get_weights()[0::2]``. Edges are then coloured by sign and their
        width scales with |w|.
    biases : sequence of array_like, optional
        With a list of ``weights``: a list of arrays of shape (n_out,), for the bias edges.
    seed : int or None
        Seed of the random weights and of a dropout rate's draw.
    colorbar : bool or None
        A colour bar for coloured weights (None: only for real weights).
    weight_limit : float, optional
        The colour scale runs from -weight_limit to +weight_limit (default: the largest
        magnitude drawn); larger weights get the end colours and the widest lines.
    max_nodes : int
        Layers with more nodes are drawn with an ellipsis (first and last nodes only); >= 3.
    dropped : None, float or sequence
        Dropout in one training step: the hidden units it removes are drawn faded and
        crossed out, without their edges (in, out and bias), since a dropped unit outputs 0
        in that step. Either a rate in [0, 1) (each hidden unit is dropped independently
        with this probability, as by Keras' ``Dropout(rate)``, drawn with ``seed``) or one
        entry per hidden layer: a boolean array of shape (n_units,) (True = dropped) or
        None. Input and output layers are never dropped. (The kept units' outputs are
        scaled by 1 / (1 - rate) in that step, inverted dropout; that is not drawn.)

    Returns
    -------
    NetworkDrawing
        The artists drawn and the weight and bias counts; its ``description`` says in one
        sentence what the diagram shows.

    Raises
    ------
    TypeError, ValueError
        If an argument breaks the rules above (the message names it).
    """
    options = _check_options(
        layer_sizes, draw_bias=draw_bias, use_bias=use_bias, labels=labels,
        weight_labels=weight_labels, activation_symbols=activation_symbols,
        output_activation=output_activation, activations=activations,
        output_labels=output_labels, counts=counts, colorbar=colorbar,
        weight_limit=weight_limit, max_nodes=max_nodes, seed=seed,
    )  # fmt: skip
    dropped_masks = check_dropped(dropped, options.sizes, options.seed)
    node_indices = [_drawn_indices(size, options.max_nodes)[0] for size in options.sizes]
    kernels, bias_values, indices, real = _parameters(weights, biases, options, node_indices)
    ax = _plotting.axes_or_new(ax, (6, 4))
    ax.set_axis_off()
    mappable, cbar = _colour_scale(ax, kernels, bias_values, options, real)

    layout = _layout(ax, options)
    colouring = (kernels, bias_values, indices, mappable)
    edges = _draw_edges(ax, layout, options, dropped_masks, colouring)
    kinds = ["input"] + ["hidden"] * (options.n_links - 1) + ["output"]
    nodes, crosses, centres = _draw_nodes(ax, layout, kinds, edges.kept_nodes)
    texts = _draw_texts(ax, layout, options, kinds, edges, centres, coloured=kernels is not None)
    drawn = {"nodes": nodes, "edges": edges, "crosses": crosses, "texts": texts}
    return _result(ax, options, layout, drawn, (cbar, mappable), dropped_masks)


_LABEL_BOX = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def _text_size(text: Text, renderer) -> tuple[float, float]:
    """Width and height in points of a text artist (its drawn extent, position aside)."""
    extent = text.get_window_extent(renderer)
    scale = 72.0 / text.figure.dpi
    return extent.width * scale, extent.height * scale


def _text_box(text: Text, size_pt, points_per_unit: float) -> np.ndarray:
    """Box (x0, y0, x1, y1) in data units of a text placed in data coordinates."""
    width, height = size_pt[0] / points_per_unit, size_pt[1] / points_per_unit
    x, y = text.get_position()
    x0 = {"left": x, "center": x - width / 2, "right": x - width}[text.get_horizontalalignment()]
    va = text.get_verticalalignment()
    y0 = {"bottom": y, "baseline": y, "center": y - height / 2, "center_baseline": y - height / 2}
    y0 = y0.get(va, y - height)  # "top"
    return np.array([x0, y0, x0 + width, y0 + height])


def _place_edge_labels(
    ax, wanted, *, obstacles, circles, radius, points_per_unit, fontsize
) -> list[Text]:
    """Write each weight's name on its edge where it overlaps no node and no other text.

    ``wanted`` holds (source (x, y), target (x, y), text, preferred fraction t along the
    edge). Every label is measured, then put at the free position along its edge (t in
    [0.12, 0.88]) nearest its preferred one; where no position is free (a crowded network),
    at the one with the least overlap. Positions are in data units; the diagram's aspect is
    equal, so ``points_per_unit`` converts text sizes in points to data units.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(1, 1, ax.figure.dpi)  # measures text; draws nothing
    fixed = [_text_box(t, _text_size(t, renderer), points_per_unit) for t in obstacles]
    gap = 0.1 * fontsize / points_per_unit  # the white box's pad around the text
    fractions = np.linspace(0.12, 0.88, 39)
    labels, candidates, base_cost = [], [], []
    for (xs, ys), (xt, yt), name, preferred in wanted:
        label = ax.text(
            xs, ys, name, ha="center", va="center", fontsize=fontsize, zorder=4, bbox=_LABEL_BOX
        )
        width_pt, height_pt = _text_size(label, renderer)
        half_w = width_pt / points_per_unit / 2 + gap
        half_h = height_pt / points_per_unit / 2 + gap
        x = xs + fractions * (xt - xs)
        y = ys + fractions * (yt - ys)
        boxes = np.column_stack([x - half_w, y - half_h, x + half_w, y + half_h])
        cost = np.abs(fractions - preferred)  # a small pull towards the preferred place
        for other in fixed:
            cost += 1e6 * _overlap_area(boxes, other)
        for centre in circles:
            cost += 1e6 * _circle_overlap(boxes, centre, radius)
        labels.append(label)
        candidates.append(boxes)
        base_cost.append(cost)

    # Greedy placement in order, then a few rounds in which every label moves to its best
    # place given all the others, until no label overlaps another.
    chosen: list[int] = []
    for k in range(len(labels)):
        cost = base_cost[k].copy()
        for m in range(k):
            cost += 1e6 * _overlap_area(candidates[k], candidates[m][chosen[m]])
        chosen.append(int(np.argmin(cost)))
    for _ in range(20):
        moved = False
        for k in range(len(labels)):
            cost = base_cost[k].copy()
            for m in range(len(labels)):
                if m != k:
                    cost += 1e6 * _overlap_area(candidates[k], candidates[m][chosen[m]])
            best = int(np.argmin(cost))
            if cost[best] < cost[chosen[k]] - 1e-12:
                chosen[k], moved = best, True
        if not moved:
            break
    for label, boxes, best in zip(labels, candidates, chosen):
        x0, y0, x1, y1 = boxes[best]
        label.set_position(((x0 + x1) / 2, (y0 + y1) / 2))
    return labels


def _overlap_area(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Area of the intersection of each of ``boxes`` (n, 4) with ``box`` (4,)."""
    width = np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0])
    height = np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _circle_overlap(boxes: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """How deep each box (n, 4) reaches into the circle (0 when they do not meet)."""
    nearest_x = np.clip(centre[0], boxes[:, 0], boxes[:, 2])
    nearest_y = np.clip(centre[1], boxes[:, 1], boxes[:, 3])
    distance = np.hypot(nearest_x - centre[0], nearest_y - centre[1])
    return np.clip(radius - distance, 0, None) ** 2
