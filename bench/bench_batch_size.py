"""Benchmark: notebook 6's batch-size experiments in full (or quick) mode, with their figures.

Runs exactly the calls of the notebook's section "Batch size and learning rate" (same
seeds and settings; the data from ``course_data``) and prints what the text quotes: the
gradient spread against the closed form, the generalisation-gap runs, and the decaying
learning rate against the growing batch (largest per-epoch difference of the validation
accuracies, updates of both runs), with the time each part took.

Run: python -u bench/bench_batch_size.py [--mode full|quick] [--parts noise,gap,schedule]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from lecture_nn import batch_size
from lecture_nn.experiments import course_data, epochs_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("full", "quick"), default="full")
    parser.add_argument("--parts", default="noise,gap,schedule", help="comma-separated parts")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not parts <= {"noise", "gap", "schedule"}:
        parser.error(f"--parts takes noise, gap and schedule, got {args.parts!r}")
    data = course_data(args.mode)
    print(data.describe())

    if "noise" in parts:
        noise_part(data)
    if "gap" in parts:
        gap_part(data, args.mode)
    if "schedule" in parts:
        schedule_part(data, args.mode)


def noise_part(data) -> None:
    """The gradient spread of the initial network on the first 1,000 training images."""
    start = time.perf_counter()
    network = batch_size.small_model(seed=0)
    gradient = batch_size.keras_gradient(network, data.x_train[:1000], data.y_train[:1000])
    noise = batch_size.gradient_spread(gradient, 1000, [4, 16, 64, 256], draws=32, seed=0)
    print(noise.table())
    ratio = noise.spread / noise.expected
    print(f"measured / closed form: {np.round(ratio, 3).tolist()}; slope {noise.slope():.3f}")
    print(f"[gradient noise: {time.perf_counter() - start:.1f} s]")


def gap_part(data, mode: str) -> None:
    """Training and validation accuracy after training with batches of 16, 128 and 1024."""
    start = time.perf_counter()
    runs = batch_size.batch_size_runs(
        data,
        [16, 128, 1024],
        epochs=epochs_for(20, mode),
        learning_rate=0.01,
        momentum=0.9,
        report=print,
    )
    accuracy = runs[0].val_accuracy
    error = np.sqrt(accuracy * (1 - accuracy) / len(data.y_val))
    print(f"one standard error of a validation accuracy: {error:.4f}")
    train_accuracy = [run.train_accuracy for run in runs]
    print("training accuracy falls as the batch grows:", all(np.diff(train_accuracy) < 0))
    print("the smallest batch has the largest gap:", runs[0].gap == max(r.gap for r in runs))
    print(f"[generalisation gap: {time.perf_counter() - start:.1f} s]")


def schedule_part(data, mode: str) -> None:
    """Smith et al. (2018): decaying learning rate against growing batch size."""
    start = time.perf_counter()
    decay, growth = batch_size.decay_versus_growth(
        data,
        epochs_per_phase=epochs_for(10, mode),
        factor=5,
        learning_rate=0.1,
        batch_size=32,
        momentum=0.9,
        report=print,
    )
    difference = np.abs(np.subtract(decay.history["val_accuracy"], growth.history["val_accuracy"]))
    print("validation accuracy per epoch:")
    print("  decaying learning rate:", np.round(decay.history["val_accuracy"], 4).tolist())
    print("  growing batch size:    ", np.round(growth.history["val_accuracy"], 4).tolist())
    print(f"largest per-epoch difference: {difference.max():.4f} (epoch {difference.argmax() + 1})")
    print(
        f"updates: {decay.updates[-1]:,} (decaying) and {growth.updates[-1]:,} (growing), "
        f"ratio {growth.updates[-1] / decay.updates[-1]:.3f}"
    )
    print(f"[decay versus growth: {time.perf_counter() - start:.1f} s]")


if __name__ == "__main__":
    main()
