"""Look at course figures as colour-blind readers see them, and print the measured ΔE'.

Renders three figures (a network diagram with seeded random weights, colour bar and labelled
nodes; and the optimizer explorer's default frame from notebook 05: every optimizer of the
zoo on the Beale surface, 100 updates; and that frame again with the path styles proposed
in tests/test_colour_vision.py) and writes, for each, one PNG with four panels:
normal vision, then protanopia, deuteranopia and tritanopia simulated at severity 100 with
the model of Machado, Oliveira & Fernandes (2009) (colorspacious' "sRGB1+CVD", pixel by
pixel, clipped to sRGB). It then prints, for every colour set that
tests/test_colour_vision.py checks, the smallest CAM02-UCS difference ΔE' per vision.

Run: python bench/colour_vision.py [--output /tmp/colour-vision] [--dpi 100]
"""

import argparse
import importlib.util
import io
import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from colorspacious import cspace_convert
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lecture_nn.diagrams import draw_network
from lecture_nn.optimizer_plots import PathsExplorer
from lecture_nn.optimizers import simulate_zoo
from lecture_nn.style import course_style
from lecture_nn.surfaces import SURFACES

ROOT = Path(__file__).resolve().parents[1]
DEFICIENCIES = ("protanomaly", "deuteranomaly", "tritanomaly")
TITLES = {"normal": "normal vision", "protanomaly": "protanopia",
          "deuteranomaly": "deuteranopia", "tritanomaly": "tritanopia"}  # fmt: skip


def _checks():
    """The test module, imported by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "test_colour_vision", ROOT / "tests" / "test_colour_vision.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network_png(dpi: int) -> np.ndarray:
    """The network diagram, RGB array of shape (height, width, 3) in [0, 1]."""
    rng = np.random.default_rng(0)
    sizes = [4, 6, 6, 3]
    kernels = [rng.normal(0, 1, (a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.5, b) for b in sizes[1:]]
    with course_style("screen"):
        fig = Figure(figsize=(8, 4.5), dpi=dpi)
        draw_network(sizes, ax=fig.subplots(), weights=kernels, biases=biases,
                     draw_bias=True, labels=True, colorbar=True)  # fmt: skip
        return _pixels(fig)


def explorer_png(dpi: int) -> np.ndarray:
    """The optimizer explorer's default frame (Beale, 100 updates), RGB array in [0, 1]."""
    explorer = PathsExplorer({name: list(simulate_zoo(name).values()) for name in SURFACES})
    with course_style("screen"):
        fig = Figure(figsize=(8, 4.5), dpi=dpi)
        # The paths are blitted onto the saved background: read the PNG the widget shows
        # (a plain redraw would leave out its animated artists).
        png = explorer.draw(fig, "beale", 100)
    return plt.imread(io.BytesIO(png), format="png")[..., :3]


def proposal_png(dpi: int, checks) -> np.ndarray:
    """The same frame with the proposed path styles: 7 colours, solid then dashed."""
    from lecture_nn.optimizer_plots import fit_legend, plot_paths

    paths = simulate_zoo("beale")
    labels = [path.name for path in paths.values()]
    colours, dashes = checks.PROPOSED_PATH_COLORS, checks.PROPOSED_PATH_DASHES
    styles = {label: (colours[i % len(colours)], dashes[i // len(colours)])
              for i, label in enumerate(labels)}  # fmt: skip
    with course_style("screen"):
        fig = Figure(figsize=(8, 4.5), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.02, 0.03, 0.64, 0.94))
        colors = {label: colour for label, (colour, _) in styles.items()}
        plot = plot_paths(list(paths.values()), "beale", ax=ax, colors=colors)
        for label, artists in plot.paths.items():
            artists.shafts.set_linestyle(styles[label][1])
        for handle, label in zip(plot.legend.legend_handles, labels):
            handle.set_linestyle(styles[label][1])
        fit_legend(plot)
        return _pixels(fig)


def _pixels(fig: Figure) -> np.ndarray:
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0


def simulate(image: np.ndarray, deficiency: str) -> np.ndarray:
    """``image`` (RGB in [0, 1]) as seen with ``deficiency`` at severity 100."""
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(image, space, "sRGB1"), 0.0, 1.0)


def four_panels(image: np.ndarray, title: str, path: Path) -> None:
    """Write normal vision and the three simulations of ``image`` as one 2 x 2 PNG."""
    height, width = image.shape[:2]
    fig = Figure(figsize=(2 * width / 100, 2 * height / 100 + 0.6), dpi=100)
    axes = fig.subplots(2, 2).ravel()
    views = {"normal": image} | {d: simulate(image, d) for d in DEFICIENCIES}
    for ax, (vision, pixels) in zip(axes, views.items()):
        ax.imshow(pixels, interpolation="nearest")
        ax.set_title(TITLES[vision])
        ax.set_axis_off()
    fig.suptitle(f"{title}, simulated after Machado et al. (2009), severity 100")
    fig.savefig(path)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("/tmp/colour-vision"))
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    checks = _checks()
    four_panels(network_png(args.dpi), "Network diagram, weights coloured by sign (RdBu_r)",
                args.output / "network_diagram_cvd.png")  # fmt: skip
    four_panels(explorer_png(args.dpi), "Optimizer explorer, Beale surface, 100 updates",
                args.output / "optimizer_explorer_cvd.png")  # fmt: skip
    four_panels(proposal_png(args.dpi, checks), "Proposed path styles (7 colours x 2 dashes)",
                args.output / "optimizer_explorer_proposal_cvd.png")  # fmt: skip

    print(
        "\nsmallest ΔE' (CAM02-UCS) between colours shown together; "
        f"threshold {checks.MIN_DELTA_E:g}"
    )
    print(f"{'set':58} " + " ".join(f"{TITLES[v][:12]:>12}" for v in checks.VISIONS))
    sets = dict(checks.CATEGORICAL)
    sets["proposal: PROPOSED_PATH_COLORS"] = (lambda: list(checks.PROPOSED_PATH_COLORS), 1.0)
    sets["proposal: PROPOSED_NODE_COLORS"] = (
        lambda: list(checks.PROPOSED_NODE_COLORS.values()), 1.0)  # fmt: skip
    sets["proposal: PROPOSED_TEN_CLASSES"] = (lambda: list(checks.PROPOSED_TEN_CLASSES), 1.0)
    for name, (colours, alpha) in sets.items():
        colours = colours()
        srgb = checks.over_white(colours, alpha)
        row = [checks.closest_pair(colours, v, srgb)[0] for v in checks.VISIONS]
        flag = "" if min(row) >= checks.MIN_DELTA_E else "  FAILS"
        print(f"{name:58} " + " ".join(f"{d:12.1f}" for d in row) + flag)
    plt.close("all")


if __name__ == "__main__":
    main()
