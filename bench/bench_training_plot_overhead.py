"""Benchmark: extra time per epoch of the live TrainingPlot on the lecture's baseline fit.

The lecture's baseline (784-512-512-10 ReLU, He-normal, RMSprop, batch 512, sparse
categorical cross-entropy, accuracy) trains on the 60,000 Fashion-MNIST training images
with the 10,000 test images as validation data, once without and once with
``TrainingPlot(live=True)`` (rendering as in Jupyter, throttled by its defaults), same
seed, same process, alternating without/with (then with/without) a few times. An epoch's
time runs from one epoch end to the next (the last: to the end of training), measured by a
callback placed after the plot, so it includes the plot's drawing; the first epoch
(tracing) is left out. Prints the median and mean wall-clock and CPU time per epoch of
each, the overhead in % (target: under 3 %), and how often and how long the plot rendered,
as a share of the training time. First compares ``steps_per_execution`` values without
the plot and uses the faster one.

Data: ``$LECTURE_NN_DATA`` or the Debian package (see ``lecture_nn.datasets.loader``).

Run: python bench/bench_training_plot_overhead.py [--epochs N] [--repeats N] [--spe 1 8]
"""

import argparse
import itertools
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")

import keras

from lecture_nn.datasets.loader import load_fashion_mnist
from lecture_nn.keras_callbacks import TrainingPlot
from lecture_nn.keras_models import compile_classifier, lecture_model

SEED = 0
BATCH_SIZE = 512


class EpochTimer(keras.callbacks.Callback):
    """Seconds from one epoch end to the next (the first: from the start), wall and CPU.

    CPU time (all threads of this process) is less disturbed by other programs on a busy
    machine than wall-clock time.
    """

    def on_train_begin(self, logs=None):
        self.ends = [(time.perf_counter(), time.process_time())]

    def on_epoch_end(self, epoch, logs=None):
        self.ends.append((time.perf_counter(), time.process_time()))

    def on_train_end(self, logs=None):
        # The plot renders a skipped last epoch in its own on_train_end, which runs before
        # this one: count that render in the last epoch.
        self.ends[-1] = (time.perf_counter(), time.process_time())

    def seconds(self, clock: int = 0) -> list[float]:
        """Duration of every epoch after the first: wall (clock=0) or CPU (1) seconds."""
        ends = [end[clock] for end in self.ends]
        return [b - a for a, b in itertools.pairwise(ends[1:])]

    def total(self) -> float:
        """Wall-clock seconds from the start of training to its end."""
        return self.ends[-1][0] - self.ends[0][0]


def timed_plot() -> tuple[TrainingPlot, list[float]]:
    """A live TrainingPlot whose every refresh (draw + PNG + display) is timed."""
    plot = TrainingPlot(live=True)
    refresh_seconds = []
    refresh = plot._refresh

    def timed_refresh():
        start = time.perf_counter()
        refresh()
        refresh_seconds.append(time.perf_counter() - start)

    plot._refresh = timed_refresh
    return plot, refresh_seconds


def fit_once(data, epochs: int, steps_per_execution: int, plot=None) -> EpochTimer:
    """Train a fresh baseline (same seed); return the timer holding its epoch times."""
    x_train, y_train, x_test, y_test = data
    keras.utils.set_random_seed(SEED)
    model = compile_classifier(lecture_model("baseline"), steps_per_execution=steps_per_execution)
    timer = EpochTimer()
    callbacks = [timer] if plot is None else [plot, timer]
    model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        validation_data=(x_test, y_test),
        callbacks=callbacks,
        verbose=0,
    )
    return timer


def describe(seconds: list[float]) -> str:
    return (
        f"median {statistics.median(seconds):.3f} s, mean {statistics.mean(seconds):.3f} s "
        f"({len(seconds)} epochs)"
    )


def compare_steps_per_execution(data, epochs: int, values: list[int]) -> int:
    """Time the baseline without the plot for each steps_per_execution; return the fastest."""
    medians = {}
    for value in values:
        medians[value] = statistics.median(fit_once(data, epochs, value).seconds())
        print(f"steps_per_execution={value:>3}: median {medians[value]:.3f} s per epoch")
    best = min(medians, key=medians.get)
    reference = medians[values[0]]
    print(
        f"fastest: steps_per_execution={best} "
        f"({100 * (medians[best] / reference - 1):+.1f} % vs {values[0]})"
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6, help="epochs per fit (>= 3)")
    parser.add_argument("--repeats", type=int, default=3, help="without/with pairs")
    parser.add_argument("--spe", type=int, nargs="+", default=[1, 8], help="steps_per_execution")
    args = parser.parse_args()
    if args.epochs < 3:
        parser.error("--epochs must be at least 3 (the first epoch is left out)")

    start = time.perf_counter()
    fashion = load_fashion_mnist(flatten=True, scale=True)
    data = (fashion.x_train, fashion.y_train, fashion.x_test, fashion.y_test)
    print(
        f"Fashion-MNIST from {fashion.source}: {len(data[0])} training, {len(data[2])} "
        f"validation images ({time.perf_counter() - start:.1f} s); keras {keras.__version__}, "
        f"backend {keras.backend.backend()}, batch {BATCH_SIZE}, {args.epochs} epochs per fit"
    )

    steps_per_execution = compare_steps_per_execution(data, args.epochs, args.spe)
    without, with_plot, without_cpu, with_plot_cpu = [], [], [], []
    refreshes, renders, plotted_seconds = [], [], 0.0
    for repeat in range(args.repeats):
        order = (False, True) if repeat % 2 == 0 else (True, False)
        for plotted in order:
            if plotted:
                plot, refresh_seconds = timed_plot()
                timer = fit_once(data, args.epochs, steps_per_execution, plot)
                with_plot += timer.seconds()
                with_plot_cpu += timer.seconds(clock=1)
                plotted_seconds += timer.total()
                refreshes += refresh_seconds
                renders.append(plot.render_count)
            else:
                timer = fit_once(data, args.epochs, steps_per_execution)
                without += timer.seconds()
                without_cpu += timer.seconds(clock=1)

    print(f"steps_per_execution={steps_per_execution}")
    for clock, plain, plotted in (
        ("wall", without, with_plot),
        ("CPU", without_cpu, with_plot_cpu),
    ):
        print(f"{clock} time without TrainingPlot: {describe(plain)}")
        print(f"{clock} time with TrainingPlot(live=True): {describe(plotted)}")
        median_overhead = 100 * (statistics.median(plotted) / statistics.median(plain) - 1)
        mean_overhead = 100 * (statistics.mean(plotted) / statistics.mean(plain) - 1)
        print(
            f"{clock} overhead per epoch: {median_overhead:+.2f} % (medians), "
            f"{mean_overhead:+.2f} % (means); target < 3 %"
        )
    # The plot's own cost, free of the machine's noise: its refreshes over the training time.
    print(
        f"renders per fit: {renders} of {args.epochs} epochs; refresh (draw + PNG): median "
        f"{1000 * statistics.median(refreshes):.0f} ms; refresh time / training time: "
        f"{100 * sum(refreshes) / plotted_seconds:.2f} %"
    )


if __name__ == "__main__":
    main()
