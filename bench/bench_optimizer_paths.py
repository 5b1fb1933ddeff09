"""Benchmark: the optimizer zoo on the Beale surface, numpy simulator vs the lecture's TF loop.

1. ``lecture_nn.optimizers.simulate_zoo("beale")``: all 12 ZOO optimizers, 100 steps each
   (target: median under 20 ms).
2. If TensorFlow is installed: its import time, and the same paths computed the way the
   lecture did it, for the lecture's 8 optimizers (sgd, sgd_decay, momentum, nesterov,
   adagrad, rmsprop, adam, sgd_cyclic): a ``tf.Variable`` per coordinate, a
   ``tf.GradientTape`` on the surface function and ``optimizer.apply_gradients`` per step,
   in eager mode. Also prints how far those paths are from the simulator's (TensorFlow
   differentiates the float32 formula, the simulator uses the float64 analytic gradient).

Run: python bench/bench_optimizer_paths.py [--runs N] [--tf-runs N] [--no-tf]
"""

import argparse
import importlib.util
import os
import statistics
import time

import numpy as np

from lecture_nn.optimizers import ZOO, simulate, simulate_zoo
from lecture_nn.surfaces import get_surface

LECTURE_OPTIMIZERS = [
    "sgd",
    "sgd_decay",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "sgd_cyclic",
]
STEPS = 100


def timed(function, runs):
    """Run ``function`` ``runs`` times; return the list of wall times in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times):
    """'median x ms (min - max, n runs)'."""
    return (
        f"median {statistics.median(times):8.1f} ms  "
        f"(min {min(times):.1f}, max {max(times):.1f}, {len(times)} runs)"
    )


def lecture_loop(tf, beale):
    """The lecture's TensorFlow loop, for its 8 optimizers; returns {name: (101, 2) array}."""
    paths = {}
    for name in LECTURE_OPTIMIZERS:
        optimizer = ZOO[name].to_keras()  # the lecture's hyperparameters, built fresh
        x = tf.Variable(np.float32(beale.start[0]))
        y = tf.Variable(np.float32(beale.start[1]))
        history = [(x.numpy(), y.numpy())]
        for _ in range(STEPS):
            with tf.GradientTape() as tape:
                loss = beale.function(x, y)
            gradients = tape.gradient(loss, [x, y])
            optimizer.apply_gradients(zip(gradients, [x, y]))
            history.append((x.numpy(), y.numpy()))
        paths[name] = np.array(history, dtype=np.float32)
    return paths


def row(label, text):
    """Print one aligned result line."""
    print(f"  {label + ':':<42} {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31, help="simulator runs (>= 7)")
    parser.add_argument("--tf-runs", type=int, default=7, help="TensorFlow loop runs (>= 1)")
    parser.add_argument("--no-tf", action="store_true", help="skip the TensorFlow part")
    args = parser.parse_args()
    runs = max(7, args.runs)

    beale = get_surface("beale")
    simulate_zoo(beale)  # warm-up
    zoo_times = timed(lambda: simulate_zoo(beale, steps=STEPS), runs)
    lecture_times = timed(
        lambda: [simulate(ZOO[name], beale, steps=STEPS) for name in LECTURE_OPTIMIZERS], runs
    )
    print(f"Optimizer paths on Beale, {STEPS} steps each, start {beale.start}")
    row(f"numpy simulator, all {len(ZOO)} ZOO optimizers", summary(zoo_times) + "  target < 20 ms")
    row(f"numpy simulator, the lecture's {len(LECTURE_OPTIMIZERS)}", summary(lecture_times))
    per_optimizer = {
        name: statistics.median(timed(lambda c=config: simulate(c, beale), 7))
        for name, config in ZOO.items()
    }
    print(
        "  per optimizer (median ms): "
        + ", ".join(f"{k} {v:.2f}" for k, v in per_optimizer.items())
    )

    if args.no_tf or importlib.util.find_spec("tensorflow") is None:
        print("  TensorFlow: not installed or skipped (--no-tf)")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    start = time.perf_counter()
    import tensorflow as tf

    import_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    import keras  # noqa: F401  (Keras 3, what tf.keras resolves to)

    keras_ms = (time.perf_counter() - start) * 1000
    row(
        f"TensorFlow {tf.__version__} import",
        f"{import_ms:8.0f} ms  (then keras {keras_ms:.0f} ms)",
    )

    first = timed(lambda: lecture_loop(tf, beale), 1)
    tf_times = timed(lambda: lecture_loop(tf, beale), max(1, args.tf_runs))
    row("TF eager loop (lecture), first run", f"{first[0]:8.1f} ms  (warm-up included)")
    row(f"TF eager loop (lecture), the {len(LECTURE_OPTIMIZERS)}", summary(tf_times))
    speedup = statistics.median(tf_times) / statistics.median(lecture_times)
    row("speed-up of the simulator (lecture's 8)", f"{speedup:8.0f} x")

    tf_paths = lecture_loop(tf, beale)
    ours = {name: simulate(ZOO[name], beale, steps=STEPS) for name in LECTURE_OPTIMIZERS}
    print("  max |TF path - simulator path| over the steps both have. TF differentiates the")
    print("  float32 formula, the simulator uses the float64 analytic gradient; the difference")
    print("  grows by orders of magnitude per step where a path turns unstable (sgd_cyclic):")
    for name in LECTURE_OPTIMIZERS:
        path = ours[name]
        n = len(path.points)
        difference = np.abs(tf_paths[name][:n] - path.points).max()
        note = (
            f" (simulator stops after {path.n_steps} steps: left the window)"
            if path.diverged
            else ""
        )
        print(f"    {name:11s} {difference:.2e}{note}")


if __name__ == "__main__":
    main()
