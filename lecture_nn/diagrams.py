"""Diagrams of dense (fully connected) neural networks.

:func:`draw_network` draws a network from its layer sizes: nodes, edges, optional bias
nodes, labels (x_i, h_i, o_i, w_ij), the activation inside each node, the number of
weights and biases, and the hidden units that dropout removes in one training step.
Given real weight matrices (from Keras' ``model.get_weights()`` or the
course's numpy network) it colours each edge by the sign of its weight and sizes it by
the magnitude, with a colour bar.

All edges are one ``LineCollection`` and all nodes one ``EllipseCollection``: a network with
thousands of edges is two artists, not thousands (``bench/bench_diagram_redraw.py`` times a
redraw of notebook 01's widget).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import EllipseCollection, LineCollection
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Normalize
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from lecture_nn import style

#: Layers with more nodes than this are drawn with an ellipsis in the middle.
MAX_NODES_DRAWN = 20

#: Above this many edges, weight labels would be unreadable and are not drawn.
_MAX_WEIGHT_LABELS = 30

#: Smallest font size (points) of any text in a diagram: legible on screen and in print.
_MIN_FONT = 8.0

#: Face colour of a dropped unit, and colour of the cross over it.
_DROPPED_FACE = "0.93"
_DROPPED_CROSS = style.OKABE_ITO[1]

_OUTPUT_SYMBOLS = {"sigmoid": r"\sigma", "softmax": "g", "linear": "g", None: "g"}


@dataclass
class NetworkDrawing:
    """What :func:`draw_network` drew, and the numbers behind it.

    ``node_positions[l]`` is an array of shape (n_drawn_l, 2) with the data coordinates of
    the drawn nodes of layer ``l`` (bias node excluded); ``node_indices[l]`` holds the
    0-based index in the layer of each drawn node (they differ when a layer is truncated).

    ``dropped[l]`` is a boolean array of shape (layer_sizes[l],), True for the units that
    dropout removed (always False for the input and output layers); ``crosses`` holds the
    crosses over the drawn dropped units (None without dropout). ``kept_edges`` is a boolean
    array over every edge of the full drawing (dropout ignored, in drawing order) that is
    True for the edges actually drawn; ``edges`` and ``edge_values`` hold only those.
    """

    ax: Axes
    nodes: EllipseCollection
    edges: LineCollection
    n_weights: int
    n_biases: int
    node_positions: list[np.ndarray]
    node_indices: list[np.ndarray]
    edge_values: np.ndarray | None = None
    texts: list[Text] = field(default_factory=list)
    colorbar: Colorbar | None = None
    mappable: ScalarMappable | None = None
    layer_sizes: list[int] = field(default_factory=list)
    draw_bias: bool = False
    dropped: list[np.ndarray] = field(default_factory=list)
    crosses: LineCollection | None = None
    kept_edges: np.ndarray | None = None

    def update_weights(self, weights: Sequence, biases: Sequence | None = None) -> None:
        """Recolour and resize the edges for new weights (same shapes), without redrawing.

        Used to replay training: the colour scale stays the one the drawing was made with
        (choose it with ``draw_network(weight_limit=...)``), so colours compare across steps.
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
        self.edge_values = values if self.kept_edges is None else values[self.kept_edges]
        colors, widths = _edge_style(self.edge_values, self.mappable)
        self.edges.set_color(colors)
        self.edges.set_linewidths(widths)


def count_parameters(layer_sizes: Sequence[int], use_bias: bool = True) -> tuple[int, int]:
    """Return (number of weights, number of biases) of a dense network with these layer sizes.

    A dense layer from ``n_in`` to ``n_out`` nodes has ``n_in * n_out`` weights and, with
    biases, ``n_out`` biases. This is what ``keras.Model.count_params()`` reports.
    """
    sizes = check_layer_sizes(layer_sizes)
    n_weights = sum(a * b for a, b in itertools.pairwise(sizes))
    n_biases = sum(sizes[1:]) if use_bias else 0
    return n_weights, n_biases


def check_layer_sizes(layer_sizes) -> list[int]:
    """Validate ``layer_sizes`` and return it as a list of Python ints.

    A network needs at least two layers (input and output), each with a positive whole
    number of nodes.
    """
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (Sequence, np.ndarray)):
        raise TypeError(
            "layer_sizes must be a list of node counts such as [2, 3, 1], "
            f"got {type(layer_sizes).__name__}"
        )
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least two layers (input and output), got {len(sizes)}: {sizes!r}"
        )
    checked = []
    for position, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            if (
                not isinstance(size, bool)
                and isinstance(size, numbers.Real)
                and float(size).is_integer()
            ):
                size = int(size)
            else:
                raise ValueError(
                    f"layer_sizes[{position}] must be a whole number of nodes, got {size!r}"
                )
        if size < 1:
            raise ValueError(f"layer_sizes[{position}] must be at least 1 node, got {size}")
        checked.append(int(size))
    return checked


def _check_matrices(values, shapes: list[tuple[int, ...]], argument: str) -> list[np.ndarray]:
    """Validate a list of weight (or bias) arrays against the expected shapes."""
    if isinstance(values, np.ndarray) or not isinstance(values, Sequence):
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
        array = np.asarray(value, dtype=float)
        if array.shape != shape:
            raise ValueError(
                f"{argument}[{layer}] has shape {array.shape}, but layers {layer} -> {layer + 1} "
                f"need shape {shape} (inputs x outputs, as in Keras' Dense kernel)"
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{argument}[{layer}] contains nan or inf")
        arrays.append(array)
    return arrays


def check_dropped(dropped, layer_sizes: Sequence[int], seed: int | None = 0) -> list[np.ndarray]:
    """Validate ``draw_network``'s ``dropped`` and return one boolean mask per layer.

    ``dropped`` is None (no dropout), a rate in [0, 1) (every hidden unit is dropped
    independently with that probability, as Keras' ``Dropout(rate)`` does in a training
    step; drawn with ``numpy.random.default_rng(seed)``), or a sequence with one entry per
    hidden layer: None (nothing dropped there) or a boolean array of shape (n_units,),
    True for a dropped unit. The result has one boolean array of shape (layer_sizes[l],)
    per layer, all False for the input and output layers.
    """
    sizes = check_layer_sizes(layer_sizes)
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
        rate = float(dropped)
        if not 0 <= rate < 1:
            raise ValueError(f"dropped must be a dropout rate in [0, 1), got {dropped!r}")
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
    """Indices of the nodes drawn for a layer of ``size`` nodes, and whether it is truncated."""
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
    """The value of every drawn edge, in the order the edges are drawn.

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


def draw_network(
    layer_sizes: Sequence[int],
    ax: Axes | None = None,
    *,
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
    layer_sizes
        Nodes per layer, input first, e.g. ``[2, 3, 1]``.
    ax
        Axes to draw into; a new figure is created only when None.
    draw_bias
        Draw a bias node "1" on top of every layer but the last, with its edges.
    use_bias
        Whether the network has biases (affects the counts). Must be True with ``draw_bias``.
    labels
        Label nodes (x_i inputs, h_i hidden, o_i outputs) and layers.
    weight_labels
        Label edges w_ij (bias edges w_0j). Default: with ``labels`` on small, uncoloured
        networks (at most 30 edges).
    activation_symbols
        Write "z | f" inside hidden nodes and "z | g" inside output nodes (σ for a sigmoid
        output); a softmax output layer is framed and marked, since softmax couples its nodes.
    output_activation
        Output activation for the marking: "sigmoid", "softmax", "linear" or None.
    activations
        One activation name per non-input layer, written under the layer.
    output_labels
        Write each node's output next to it: a_i for hidden nodes, ŷ for outputs.
    counts
        Write "N weights, M biases" under the network.
    weights
        None (black edges), ``"random"`` (seeded random weights, for illustration), or a
        list of arrays of shape (n_in, n_out), one per layer, as ``model.get_weights()[0::2]``.
        Edges are then coloured by sign and their width scales with |w|.
    biases
        With ``weights``: a list of arrays of shape (n_out,), used for the bias edges.
    seed
        Seed of the random weights.
    colorbar
        Draw a colour bar for coloured weights (default: only for real weights).
    weight_limit
        The colour scale runs from -weight_limit to +weight_limit (default: the largest
        magnitude drawn); larger weights get the end colours and the widest lines.
    max_nodes
        Layers with more nodes are drawn with an ellipsis (first and last nodes only).
    dropped
        Dropout in one training step: the hidden units it removes are drawn faded and
        crossed out, without their edges (in, out and bias), since a dropped unit outputs 0
        in that step. Either a rate in [0, 1) (each hidden unit is dropped independently
        with this probability, as by Keras' ``Dropout(rate)``, drawn with ``seed``) or one
        entry per hidden layer: a boolean array of shape (n_units,) (True = dropped) or
        None. The input and output layers are never dropped here. The kept units' outputs
        are scaled by 1 / (1 - rate) in that step (inverted dropout); that is not drawn.

    Returns
    -------
    NetworkDrawing
        The artists drawn and the weight and bias counts.
    """
    sizes = check_layer_sizes(layer_sizes)
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, numbers.Integral) or max_nodes < 3:
        raise ValueError(f"max_nodes must be an integer >= 3, got {max_nodes!r}")
    if draw_bias and not use_bias:
        raise ValueError("draw_bias=True needs use_bias=True: there are no biases to draw")
    if output_activation not in _OUTPUT_SYMBOLS:
        raise ValueError(
            "output_activation must be one of 'sigmoid', 'softmax', 'linear' or None, "
            f"got {output_activation!r}"
        )
    n_links = len(sizes) - 1
    if activations is not None and (isinstance(activations, str) or len(activations) != n_links):
        raise ValueError(
            f"activations must list one name per non-input layer ({n_links}), got {activations!r}"
        )

    dropped_masks = check_dropped(dropped, sizes, seed)

    kernel_shapes = [(a, b) for a, b in itertools.pairwise(sizes)]
    real_weights = weights is not None and not (isinstance(weights, str) and weights == "random")
    if isinstance(weights, str) and weights != "random":
        raise ValueError(f"weights must be None, 'random' or a list of arrays, got {weights!r}")
    if biases is not None and not real_weights:
        raise ValueError("biases can only be given together with a list of weights")
    if weights == "random":
        rng = np.random.default_rng(seed)
        kernels = [rng.standard_normal(shape) for shape in kernel_shapes]
        bias_values = [rng.standard_normal(shape[1]) for shape in kernel_shapes]
    elif real_weights:
        kernels = _check_matrices(weights, kernel_shapes, "weights")
        bias_values = (
            _check_matrices(biases, [(b,) for _, b in kernel_shapes], "biases")
            if biases is not None
            else None
        )
    else:
        kernels = bias_values = None
    if colorbar is None:
        colorbar = real_weights
    if weight_limit is not None and (
        not isinstance(weight_limit, numbers.Real)
        or isinstance(weight_limit, bool)
        or not np.isfinite(weight_limit)
        or weight_limit <= 0
    ):
        raise ValueError(f"weight_limit must be a positive number, got {weight_limit!r}")

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=style.figsize(6, 4))
    fig = ax.figure
    ax.set_axis_off()

    mappable = None
    if kernels is not None:
        magnitudes = [np.abs(k).max() for k in kernels]
        if draw_bias and bias_values is not None:
            magnitudes += [np.abs(b).max() for b in bias_values]
        limit = max(max(magnitudes), 1e-12) if weight_limit is None else float(weight_limit)
        mappable = ScalarMappable(Normalize(-limit, limit), style.DIVERGING_CMAP)
    cbar = None
    if colorbar and mappable is not None:
        cbar = fig.colorbar(mappable, ax=ax, shrink=0.7, fraction=0.05, pad=0.02)
        cbar.set_label("weight")

    # --- layout: one slot per node, the bias node and the ellipsis; slot spacing 1 ---------
    drawn = [_drawn_indices(size, max_nodes) for size in sizes]
    slots = []
    for layer, (indices, truncated) in enumerate(drawn):
        has_bias_node = draw_bias and layer < n_links
        slots.append(len(indices) + int(truncated) + int(has_bias_node))
    max_slots = max(slots)
    top_pad = 1.0 if labels else 0.3
    bottom_pad = (0.9 if counts else 0.3) + (0.6 if activations is not None else 0.0)
    y_top = (max_slots - 1) / 2 + 0.5 + top_pad
    y_bottom = -(max_slots - 1) / 2 - 0.5 - bottom_pad
    height = y_top - y_bottom
    width_pt, height_pt = _axes_size_in_points(ax)
    side_margin = 0.8 if output_labels else 0.6
    available = height * width_pt / max(height_pt, 1e-9) - 2 * side_margin
    dx = min(max(available / max(n_links, 1), 1.0), 4.0 + 0.6 * max_slots)
    x_span = dx * n_links + 2 * side_margin
    ax.set_xlim(-side_margin, dx * n_links + side_margin)
    ax.set_ylim(y_bottom, y_top)
    ax.set_aspect("equal", adjustable="box")
    points_per_unit = min(width_pt / x_span, height_pt / height)
    radius = min(0.32, 0.3 * dx)
    node_font = float(np.clip(radius * points_per_unit * 0.85, 3.0, 13.0))
    base_font = float(mpl.rcParams["font.size"])
    label_font = float(np.clip(points_per_unit * 0.45, 5.0, base_font))

    positions, bias_positions, ellipsis_positions = [], [], []
    for layer, (indices, truncated) in enumerate(drawn):
        x = layer * dx
        y = (slots[layer] - 1) / 2 - np.arange(slots[layer], dtype=float)
        has_bias_node = draw_bias and layer < n_links
        if has_bias_node:
            bias_positions.append((x, y[0]))
            y = y[1:]
        if truncated:
            head = max_nodes // 2
            ellipsis_positions.append((layer, x, y[head]))
            y = np.delete(y, head)
        else:
            ellipsis_positions.append(None)
        positions.append(np.column_stack([np.full(len(indices), x), y]))

    # --- edges ----------------------------------------------------------------------------
    segments = []
    for link in range(n_links):
        source, target = positions[link], positions[link + 1]
        starts = np.repeat(source, len(target), axis=0)
        ends = np.tile(target, (len(source), 1))
        segments.append(np.stack([starts, ends], axis=1))
        if draw_bias:
            bias_start = np.repeat(np.array([bias_positions[link]]), len(target), axis=0)
            segments.append(np.stack([bias_start, target], axis=1))
    all_segments = np.concatenate(segments, axis=0)
    node_indices = [indices for indices, _ in drawn]
    # dropout: a dropped unit's edges (in, out and from the bias node) are not drawn
    kept_nodes = [~dropped_masks[layer][indices] for layer, indices in enumerate(node_indices)]
    any_dropped = any(mask.any() for mask in dropped_masks)
    kept_edges = None
    if any_dropped:
        keep = []
        for link in range(n_links):
            keep.append(np.outer(kept_nodes[link], kept_nodes[link + 1]).ravel())
            if draw_bias:
                keep.append(kept_nodes[link + 1])
        kept_edges = np.concatenate(keep)
        all_segments = all_segments[kept_edges]
    if kernels is not None:
        # without biases, the bias edges are drawn neutral (value 0)
        edge_values = _edge_values(kernels, bias_values, node_indices, draw_bias)
        if kept_edges is not None:
            edge_values = edge_values[kept_edges]
        colors, widths = _edge_style(edge_values, mappable)
        edges = LineCollection(all_segments, colors=colors, linewidths=widths, alpha=0.9, zorder=1)
    else:
        edge_values = None
        edges = LineCollection(all_segments, colors="0.55", linewidths=0.7, zorder=1)
    ax.add_collection(edges, autolim=False)

    # --- nodes ----------------------------------------------------------------------------
    kinds = ["input"] + ["hidden"] * (n_links - 1) + ["output"]
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

    texts: list[Text] = []

    def put(x, y, s, **kwargs):
        kwargs.setdefault("ha", "center")
        kwargs.setdefault("va", "center")
        kwargs.setdefault("fontsize", node_font)
        kwargs.setdefault("zorder", 4)
        texts.append(ax.text(x, y, s, **kwargs))

    output_symbol = _OUTPUT_SYMBOLS[output_activation]
    for layer, (centre, (indices, _)) in enumerate(zip(positions, drawn)):
        kind = kinds[layer]
        for (x, y), index, kept in zip(centre, indices, kept_nodes[layer]):
            number = index + 1
            ink = "black" if kept else "0.55"
            if activation_symbols and kind != "input":
                symbol = "f" if kind == "hidden" else output_symbol
                z = "z" if kind == "output" and sizes[-1] == 1 else f"z_{{{number}}}"
                symbol_font = max(node_font * 0.8, _MIN_FONT)
                put(x, y, rf"${z}\,|\,{symbol}$", fontsize=symbol_font, color=ink)
            elif labels:
                letter = {"input": "x", "hidden": "h", "output": "o"}[kind]
                put(x, y, rf"${letter}_{{{number}}}$", color=ink)
            if output_labels and kind != "input" and kept:
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
    for x, y in bias_positions:
        put(x, y, "$1$")
    for item in ellipsis_positions:
        if item is not None:
            layer, x, y = item
            put(x, y, r"$\vdots$", fontsize=node_font * 1.4)
            put(
                x + radius * 1.3,
                y,
                f"{sizes[layer]:,} nodes",
                ha="left",
                fontsize=max(label_font * 0.85, _MIN_FONT),
                color="0.3",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )

    if labels:
        title_font = min(label_font, dx * points_per_unit * 0.2)
        for layer, kind in enumerate(kinds):
            title = f"hidden {layer}" if kind == "hidden" and n_links > 2 else kind
            put(layer * dx, (max_slots - 1) / 2 + 0.75, title, fontsize=title_font, va="bottom")

    if activation_symbols and output_activation == "softmax" and n_links >= 1:
        outputs = positions[-1]
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
        put(
            outputs[0, 0],
            y0 - 0.15,
            "softmax",
            fontsize=label_font,
            va="top",
            color=style.OKABE_ITO[1],
        )

    if activations is not None:
        for layer, name in enumerate(activations, start=1):
            layer_bottom = -(slots[layer] - 1) / 2 - 0.5
            put(
                layer * dx,
                layer_bottom - 0.15,
                name,
                fontsize=label_font,
                va="top",
                style="italic",
                color="0.25",
            )

    if weight_labels is None:
        weight_labels = labels and kernels is None and len(all_segments) <= _MAX_WEIGHT_LABELS
    if weight_labels:
        wanted = []
        for link in range(n_links):
            single_output = sizes[link + 1] == 1
            n_targets = len(positions[link + 1])
            sources = list(zip(positions[link], drawn[link][0] + 1, kept_nodes[link]))
            if draw_bias:
                sources.insert(0, (bias_positions[link], 0, True))
            for (xs, ys), i, source_kept in sources:
                for position, ((xt, yt), j, target_kept) in enumerate(
                    zip(positions[link + 1], drawn[link + 1][0], kept_nodes[link + 1])
                ):
                    if not (source_kept and target_kept):
                        continue  # a dropped unit's edge is not drawn, nor its label
                    name = f"w_{{{i}}}" if single_output else f"w_{{{i},{j + 1}}}"
                    # first choice: one source's labels spread along its edges
                    t = 0.3 + 0.4 * position / max(n_targets - 1, 1)
                    wanted.append(((xs, ys), (xt, yt), f"${name}$", t))
        texts += _place_edge_labels(
            ax,
            wanted,
            obstacles=[t for t in texts if t.get_transform() == ax.transData],
            circles=offsets,
            radius=radius,
            points_per_unit=points_per_unit,
            fontsize=max(node_font * 0.75, _MIN_FONT),
        )

    n_weights, n_biases = count_parameters(sizes, use_bias=use_bias)
    if counts:
        texts.append(
            ax.text(
                0.5,
                0.01,
                f"{n_weights:,} weights, {n_biases:,} biases",
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=base_font,
            )
        )

    return NetworkDrawing(
        ax=ax,
        nodes=nodes,
        edges=edges,
        n_weights=n_weights,
        n_biases=n_biases,
        node_positions=positions,
        node_indices=node_indices,
        edge_values=edge_values,
        texts=texts,
        colorbar=cbar,
        mappable=mappable,
        layer_sizes=sizes,
        draw_bias=draw_bias,
        dropped=dropped_masks,
        crosses=crosses,
        kept_edges=kept_edges,
    )


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
