"""Benchmark: redraw of the 'watch it learn' widget (notebook 02), figure rendered to PNG.

The training run (a 2-4-4-1 network, 300 full-batch SGD updates on two moons) is computed
once; each redraw moves the replay to another step: recolour the diagram's edges with the
actual weights, recompute the decision boundary image, update the loss curve, render.
Prints the median of several redraws (target: under 80 ms).

Run: python bench/bench_training_replay.py [--runs N]
"""

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from sklearn.datasets import make_moons

from lecture_nn.network import Network, train
from lecture_nn.training_plots import TrainingReplay
from lecture_nn.widgets import interactive_figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    points, labels = make_moons(n_samples=200, noise=0.2, random_state=0)
    network = Network([2, 4, 4, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    start = time.perf_counter()
    run = train(network, points, labels.reshape(-1, 1), learning_rate=0.3, steps=300)
    print(f"training run (300 updates, recorded): {(time.perf_counter() - start) * 1000:.0f} ms")
    replay = TrainingReplay(network, run, points, labels)
    widget = interactive_figure(
        replay.draw, step=(0, replay.steps, 1), figsize=(12, 4), layout=None, clear=False
    )
    times = []
    for run_index in range(args.runs):
        step = (run_index * 37) % (replay.steps + 1)
        begin = time.perf_counter()
        widget.update(step=step)
        times.append((time.perf_counter() - begin) * 1000)
    print(
        f"replay redraw (diagram + boundary + loss, PNG): median {statistics.median(times):.1f} ms "
        f"(min {min(times):.1f}, max {max(times):.1f}, {args.runs} redraws; target < 80 ms)"
    )


if __name__ == "__main__":
    main()
