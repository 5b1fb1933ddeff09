"""Benchmark: redraw of the 'more layers' widget figure, rendered to PNG.

The case is the lecture's widget at its largest: 5 inputs, 6 hidden layers of 12 nodes,
5 outputs, with the weight and bias counts. Each run clears the widget's figure, draws the
network and renders the PNG, which is what one slider move costs. Prints the median and
quartiles of several runs (target: median under 40 ms).

Run: python bench/bench_diagram_redraw.py [--runs N]
"""

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from lecture_nn.diagrams import draw_network
from lecture_nn.widgets import interactive_figure

LAYER_SIZES = [5] + [12] * 6 + [5]


def more_layers(fig, hidden_layers=6, nodes_per_layer=12):
    """The notebook's widget figure."""
    draw_network([5] + [nodes_per_layer] * hidden_layers + [5], ax=fig.subplots(), counts=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    widget = interactive_figure(
        more_layers,
        hidden_layers=(0, 6, 1),
        nodes_per_layer=(1, 12, 1),
        figsize=(8, 4),
        layout=None,
    )
    widget.update(hidden_layers=6, nodes_per_layer=12)  # warm-up: fonts, caches
    times = []
    for run in range(args.runs):
        # alternate between two values so every run really redraws
        start = time.perf_counter()
        png = widget.update(nodes_per_layer=12 if run % 2 == 0 else 11)
        times.append((time.perf_counter() - start) * 1000)
    quartiles = statistics.quantiles(times, n=4)
    print(f"network diagram redraw ({LAYER_SIZES}, counts, PNG {len(png) // 1024} KiB):")
    print(
        f"  median {statistics.median(times):.1f} ms  (quartiles {quartiles[0]:.1f} - "
        f"{quartiles[2]:.1f} ms, {args.runs} runs; target < 40 ms)"
    )


if __name__ == "__main__":
    main()
