"""Benchmark: loading Fashion-MNIST (all 70,000 images), verified against the checksums.

* first load from the IDX files: decompress + verify + write the cache (fresh cache each run);
* load from the course cache (target: median under 0.3 s);
* for comparison, the openml client's own path: a download through the tests' local OpenML
  server (built from the same files), and a load from openml's own cache.

Run: python bench/bench_fashion_mnist_load.py [--data DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lecture_nn.datasets import loader as fm

ROOT = Path(__file__).resolve().parents[1]


def timed(function, runs: int) -> list[float]:
    """Run ``function`` ``runs`` times; return the wall times in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float], target: str = "") -> None:
    print(
        f"{label:<44} median {statistics.median(times):6.3f} s   "
        f"min {min(times):6.3f}  max {max(times):6.3f}  ({len(times)} runs){target}"
    )


def find_idx_folder(given: str | None) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from fashion_data import candidate_folders

    folders = [Path(given)] if given else candidate_folders()
    for folder in folders:
        if (folder / "t10k-labels-idx1-ubyte.gz").is_file():
            return folder
    sys.exit("no Fashion-MNIST IDX folder found; pass --data DIR")


def bench_openml(idx_folder: Path, runs: int) -> None:
    """Time the openml client's path against the tests' local OpenML server."""
    try:
        import openml_server  # tests/openml_server.py, on sys.path via find_idx_folder
    except ImportError as error:
        print(f"openml path skipped: {error}")
        return
    server = openml_server.FakeOpenMLServer(fm.read_idx_folder(idx_folder)).start()
    try:

        def download():
            with (
                tempfile.TemporaryDirectory() as openml_cache,
                tempfile.TemporaryDirectory() as cache,
                openml_server.openml_configured(server.api_url, Path(openml_cache)),
            ):
                fm.load_arrays(source="openml", cache_dir=cache)

        report("OpenML: download (local server) + verify", timed(download, 3))
        with (
            tempfile.TemporaryDirectory() as openml_cache,
            tempfile.TemporaryDirectory() as cache,
            openml_server.openml_configured(server.api_url, Path(openml_cache)),
        ):
            fm.load_arrays(source="openml", cache_dir=cache)  # fills openml's own cache
            again = timed(lambda: fm.load_arrays(source="openml", cache_dir=cache), runs)
            report("OpenML: from openml's own cache + verify", again)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder with the four IDX files")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    idx_folder = find_idx_folder(args.data)
    print(f"IDX files: {idx_folder}")

    def first_load():
        with tempfile.TemporaryDirectory() as cache:
            fm.load_arrays(source="folder", data_dir=idx_folder, cache_dir=cache)

    report("first load: IDX -> verify -> cache", timed(first_load, 3), "   target < 3 s")
    with tempfile.TemporaryDirectory() as cache:
        fm.load_arrays(source="folder", data_dir=idx_folder, cache_dir=cache)
        times = timed(lambda: fm.load_fashion_mnist(source="cache", cache_dir=cache), args.runs)
        report("cached load (70,000 images, verified)", times, "   target < 0.3 s")
    bench_openml(idx_folder, args.runs)


if __name__ == "__main__":
    main()
