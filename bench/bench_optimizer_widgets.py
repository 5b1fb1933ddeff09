"""Benchmark: redraw time of the optimizer notebook's widgets, figure rendered to PNG.

Each redraw is what one control change costs in the notebook: clear the figure, simulate
(where the widget does), draw the contour and the paths, encode the PNG. Prints the median
of several redraws per widget (target: under 60 ms each).

Run: python bench/bench_optimizer_widgets.py [--runs N]
"""

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from lecture_nn.optimizer_plots import PathsExplorer, plot_paths
from lecture_nn.optimizers import ZOO, make_optimizer, simulate, simulate_zoo
from lecture_nn.surfaces import get_surface
from lecture_nn.widgets import interactive_figure

BEALE = get_surface("beale")
ZOO_PATHS = simulate_zoo("beale")


def sgd_learning_rate(fig, learning_rate=0.02, iterations=100):
    path = simulate(make_optimizer("sgd", learning_rate), BEALE)
    plot_paths({"SGD": path}, BEALE, ax=fig.subplots(), iterations=iterations)


def compare_two(fig, first="sgd_decay", second="sgd_cyclic", iterations=100):
    plot_paths(
        {n: ZOO_PATHS[n] for n in (first, second)}, BEALE, ax=fig.subplots(), iterations=iterations
    )


EXPLORER = PathsExplorer({name: simulate_zoo(name) for name in ("beale", "rosenbrock")})
optimizer_zoo = EXPLORER.draw


WIDGETS = {
    "SGD learning rate (simulates each time)": (
        sgd_learning_rate,
        {"learning_rate": (0.005, 0.045, 0.005), "iterations": (1, 100, 1)},
        (6, 4.5),
        [{"learning_rate": 0.03}, {"learning_rate": 0.035}],
    ),
    "compare two optimizers": (
        compare_two,
        {"first": list(ZOO), "second": list(ZOO), "iterations": (1, 100, 1)},
        (6, 4.5),
        [{"first": "sgd"}, {"first": "adam"}],
    ),
    "zoo, iterations slider (12 paths)": (
        optimizer_zoo,
        {"surface": ["beale", "rosenbrock"], "iterations": (1, 100, 1)},
        (8, 4.5),
        [{"iterations": 99}, {"iterations": 100}],
    ),
    "zoo, another surface": (
        optimizer_zoo,
        {"surface": ["beale", "rosenbrock"], "iterations": (1, 100, 1)},
        (8, 4.5),
        [{"surface": "rosenbrock"}, {"surface": "beale"}],
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print("optimizer widget redraws (figure rendered to PNG), target < 60 ms:")
    for label, (draw, controls, size, changes) in WIDGETS.items():
        clear = draw is not optimizer_zoo  # the explorer updates its figure in place
        widget = interactive_figure(draw, figsize=size, layout=None, clear=clear, **controls)
        widget.update(**changes[0])  # warm-up
        times = []
        for run in range(args.runs):
            start = time.perf_counter()
            widget.update(**changes[run % 2])
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"  {label:<44} median {statistics.median(times):5.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}, {args.runs} redraws)"
        )
    times = first_view_times(max(3, args.runs // 4))
    label = "zoo, first view of a surface (once each)"
    print(f"  {label:<44} median {statistics.median(times):5.1f} ms")


def first_view_times(runs: int) -> list[float]:
    """A surface shown for the first time: full draw plus the background picture."""
    from matplotlib.figure import Figure

    times = []
    for _ in range(runs):
        explorer = PathsExplorer({"beale": ZOO_PATHS})
        figure = Figure(figsize=(8, 4.5))
        start = time.perf_counter()
        explorer.draw(figure, surface="beale", iterations=100)
        times.append((time.perf_counter() - start) * 1000)
    return times


if __name__ == "__main__":
    main()
