"""Frames of the static site's widgets: count, bytes and drawing time per widget, site total.

Runs the code cells of the course notebooks that hold widgets (01-05) in this process,
collects every ``interactive_figure`` they make, and draws each widget's frames as
``lecture-nn build`` does (``lecture_nn._site_frames.render_frames``) with the frame budget
of the chosen mode. Prints per widget the grid (values per control), the combinations, the
distinct frames, their bytes, the median time to draw and encode one frame and the total,
then the site's total (frames shared between widgets counted once) against the budgets of
``lecture_nn.tooling._site_widgets``, and the seconds all frames took (what the frames add
to a build).

    LECTURE_NN_QUICK=1 python3 bench/site_frames.py --mode full   # full-mode frames
    python3 bench/site_frames.py --mode quick --notebooks 01 03

The notebooks' own computations run in the run mode of ``LECTURE_NN_QUICK`` (quick keeps
Keras short); ``--mode`` sets only the frames' budget.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def notebook_widgets(path: Path) -> list:
    """Run the notebook's code cells here; return the widgets they made, in order."""
    from IPython.core.inputtransformer2 import TransformerManager

    from lecture_nn.widgets import collect_figures

    transform = TransformerManager().transform_cell
    nb = json.loads(path.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    with collect_figures() as widgets, contextlib.redirect_stdout(io.StringIO()):
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":  # magics (only on Colab) become Python
                exec(compile(transform(source), str(path), "exec"), namespace)
    return list(widgets)


def measure(widget, mode: str) -> tuple[dict, list[float]]:
    """Draw a widget's frames with ``mode``'s budget; return the manifest and frame times."""
    from lecture_nn import _site_frames as frames
    from lecture_nn.widgets import _control_spec

    specs = {
        name: _control_spec(name, spec, widget.values[name]) for name, spec in widget.specs.items()
    }
    times: list[float] = []
    update = widget.update

    def timed_update(**values):
        start = time.perf_counter()
        png = update(**values)
        times.append(time.perf_counter() - start)
        return png

    widget.update = timed_update
    try:
        encode = frames.encode_frame

        def timed_encode(png):
            start = time.perf_counter()
            data = encode(png)
            times[-1] += time.perf_counter() - start
            return data

        frames.encode_frame = timed_encode
        manifest = frames.render_frames(
            widget, specs, frames.frame_budget(mode), full_menus=mode == "full"
        )
    finally:
        frames.encode_frame = encode
        del widget.update
    # The last update puts the widget back; frames drawn by an earlier widget are shared.
    return manifest, times[:-1]


def main(argv=None) -> int:
    from lecture_nn.tooling._site_widgets import MAX_SITE_FRAME_BYTES, MAX_WIDGET_BYTES
    from lecture_nn.tooling.paths import course_notebooks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("full", "quick"), default="full")
    parser.add_argument("--notebooks", nargs="*", default=["01", "02", "03", "04", "05"])
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    from lecture_nn.style import use_course_style

    use_course_style()
    site: dict[str, int] = {}
    print(f"frames of the static site's widgets, {args.mode} mode")
    print(
        f"{'widget':<34} {'grid':<22} {'comb':>5} {'frames':>6} {'bytes':>10} "
        f"{'ms/frame':>8} {'s':>6}"
    )
    seconds = 0.0
    for path in course_notebooks():
        if not any(path.stem.startswith(prefix) for prefix in args.notebooks):
            continue
        for number, widget in enumerate(notebook_widgets(path)):
            manifest, times = measure(widget, args.mode)
            if manifest is None:
                continue
            sizes = {}
            for encoded in manifest["images"]:
                data = base64.b64decode(encoded)
                sizes[hashlib.sha256(data).hexdigest()] = len(data)
            site.update(sizes)
            grid = "x".join(f"{len(c['values'])}/{c['count']}" for c in manifest["controls"])
            total = sum(sizes.values())
            flag = "  over budget" if total > MAX_WIDGET_BYTES else ""
            print(
                f"{path.stem[:2]}#{number} {manifest['widget']:<29} {grid:<22} "
                f"{len(manifest['grid']):>5} {len(sizes):>6} {total:>10,} "
                f"{1000 * statistics.median(times) if times else 0:>8.0f} {sum(times):>6.1f}"
                f"{'  (frames shared)' if not times else ''}{flag}"
            )
            seconds += sum(times)
    total = sum(site.values())
    print(
        f"site: {len(site)} distinct frames, {total:,} bytes ({total / 2**20:.1f} MiB); "
        f"budget {MAX_SITE_FRAME_BYTES / 2**20:.0f} MiB of frames, "
        f"{MAX_WIDGET_BYTES / 2**20:.0f} MiB per widget; {seconds:.0f} s to draw and encode"
    )
    return 0 if total <= MAX_SITE_FRAME_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
