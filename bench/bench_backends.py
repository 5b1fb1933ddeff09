"""Benchmark: one training epoch of the lecture's baseline network under each Keras backend.

For every installed backend (TensorFlow, JAX, PyTorch) a fresh Python process, started
with ``KERAS_BACKEND`` set, trains ``lecture_model("baseline")`` (784-512-512-10, compiled
by ``compile_classifier``: RMSprop, sparse cross-entropy, accuracy) on the training split of
``course_data`` with batches of 512 images, as notebooks 06 and 07 do. The first epoch
(which includes tracing and compiling the training step) is timed apart; then ``--repeats``
single epochs are timed and their median is printed with the fastest and slowest. Not a
test: run it by hand, on an otherwise idle machine.

Run: python bench/bench_backends.py [--mode quick|full] [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
BATCH_SIZE = 512


def measure(mode: str, repeats: int) -> dict:
    """In this process (its backend already chosen): time the epochs; return the figures."""
    start = time.perf_counter()
    import keras

    import_seconds = time.perf_counter() - start
    from lecture_nn.experiments import course_data
    from lecture_nn.keras_models import compile_classifier, lecture_model

    data = course_data(mode)
    keras.utils.set_random_seed(0)
    model = compile_classifier(lecture_model("baseline"))

    def epoch() -> float:
        begin = time.perf_counter()
        model.fit(data.x_train, data.y_train, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        return time.perf_counter() - begin

    first = epoch()
    times = [epoch() for _ in range(repeats)]
    return {
        "backend": keras.config.backend(),
        "images": len(data.x_train),
        "import_seconds": import_seconds,
        "first_epoch": first,
        "epochs": times,
    }


def installed(backend: str) -> bool:
    """Tell whether the library of ``backend`` can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec(backend) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("quick", "full"), default="full")
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs (default: 7)")
    parser.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.mode, args.repeats)))
        return

    backends = [name for name in BACKENDS if installed(name)]
    print(
        f"one epoch of lecture_model('baseline'), batch {BATCH_SIZE}, {args.mode} data, "
        f"median of {args.repeats} epochs after a first one; {os.cpu_count()} CPUs"
    )
    print(f"{'backend':<11} {'median':>8} {'fastest':>8} {'slowest':>8} {'1st epoch':>10}")
    for backend in backends:
        command = [sys.executable, __file__, "--child", backend, "--mode", args.mode]
        command += ["--repeats", str(args.repeats)]
        env = {**os.environ, "KERAS_BACKEND": backend}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{backend:<11} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        times = result["epochs"]
        print(
            f"{result['backend']:<11} {statistics.median(times):7.2f}s {min(times):7.2f}s "
            f"{max(times):7.2f}s {result['first_epoch']:9.2f}s"
        )
    print("(seconds per epoch; the first epoch includes compiling the training step)")


if __name__ == "__main__":
    main()
