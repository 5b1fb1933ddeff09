"""The course's colours stay readable for colour-blind readers (issue 15, keyboard and contrast).

Method
------
* Colour-vision deficiency (CVD) is simulated with the model of Machado, Oliveira &
  Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
  Deficiency", IEEE TVCG 15(6), 1291-1298 (doi:10.1109/TVCG.2009.113), as implemented by
  ``colorspacious`` (``"sRGB1+CVD"``): protanopia, deuteranopia and tritanopia, i.e.
  protanomaly, deuteranomaly and tritanomaly at severity 100. The simulated colour is clipped
  to the sRGB gamut. The first test checks colorspacious against the matrices the authors
  published, applied here independently in linear sRGB. (Machado et al.'s model is built on
  cone-shift data for the red-green deficiencies; their tritanopia simulation is the least
  validated of the three.)
* Colour difference is the Euclidean distance ΔE' in CAM02-UCS (Luo, Cui & Li 2006, "Uniform
  colour spaces based on CIECAM02 colour appearance model", Color Res. Appl. 31(4)), the
  perceptually uniform space matplotlib's colormap documentation uses; J' is its lightness
  (0 for black, 100 for white).
* Threshold: colours that tell categories apart in one figure differ by ΔE' >= 10 under
  normal vision and under each simulated CVD. One unit of a uniform colour space is about
  a just-noticeable difference for large patches seen side by side; crowd-sourced studies of
  chart marks (Stone, Szafir & Setlur 2014, "An engineering model for color difference as a
  function of size", Color Imaging Conf.; Szafir 2018, "Modeling Color Difference for
  Visualization Design", IEEE TVCG 24(1)) found that thin lines and small points need
  several times more, so we ask for ten times the patch threshold: the lower end of the
  10-15 range used for adjacent categories. The measured minimum of each set, per vision,
  is printed at the end of the run.
* Diverging weight map: its two ends differ by ΔE' >= 10 under every vision, weights of
  either sign whose magnitude is at least a quarter of the scale differ by ΔE' >= 10 too,
  and lightness J' rises strictly from each end to the centre (so magnitude reads without
  hue; the sign is carried by hue, which every simulated vision keeps apart). Sequential maps
  rise or fall strictly in J' under every vision.
* Non-text contrast (WCAG 2.1, success criterion 1.4.11) against the white background is
  computed with WCAG's relative luminance and reported; the proposed replacements below
  reach 3:1.

The colours were changed where this check first failed (the optimizer paths, the momentum
figure's grey arrow, the output-node fill, notebook 07's ten classes, the order of the colour
cycle): each set below is measured on the figure the course draws.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from colorspacious import cspace_convert

from lecture_nn import style

ROOT = Path(__file__).resolve().parents[1]

#: Normal vision and the three dichromacies (colorspacious' names, severity 100).
VISIONS = ("normal", "protanomaly", "deuteranomaly", "tritanomaly")
#: Minimum ΔE' (CAM02-UCS) between colours that tell categories apart in one figure.
MIN_DELTA_E = 10.0
#: WCAG 2.1 SC 1.4.11: contrast of graphical objects against adjacent colours.
MIN_NON_TEXT_CONTRAST = 3.0

# --- the model ---------------------------------------------------------------------------


def rgb(colours) -> np.ndarray:
    """sRGB in [0, 1], shape (n, 3), of matplotlib colours (alpha dropped)."""
    return np.array([mpl.colors.to_rgb(c) for c in colours], dtype=float).reshape(-1, 3)


def over_white(colours, alpha: float) -> np.ndarray:
    """sRGB, shape (n, 3), of ``colours`` drawn with ``alpha`` on white (as Agg blends)."""
    return alpha * rgb(colours) + (1 - alpha)


def seen(srgb, vision: str) -> np.ndarray:
    """CAM02-UCS (J', a', b'), shape (n, 3), of sRGB colours as ``vision`` sees them."""
    srgb = np.asarray(srgb, dtype=float).reshape(-1, 3)
    if vision != "normal":
        space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        srgb = np.clip(cspace_convert(srgb, space, "sRGB1"), 0.0, 1.0)
    return cspace_convert(srgb, "sRGB1", "CAM02-UCS")


def closest_pair(colours, vision: str, srgb=None) -> tuple[float, tuple[str, str]]:
    """The smallest ΔE' between two of ``colours`` seen by ``vision``, and that pair."""
    ucs = seen(rgb(colours) if srgb is None else srgb, vision)
    return min(
        (float(np.linalg.norm(ucs[i] - ucs[j])), (colours[i], colours[j]))
        for i, j in itertools.combinations(range(len(colours)), 2)
    )


def relative_luminance(colour) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (0 black, 1 white)."""
    c = rgb([colour])[0]
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(colour, background="white") -> float:
    """WCAG 2.1 contrast ratio of two colours, 1 .. 21."""
    low, high = sorted([relative_luminance(colour), relative_luminance(background)])
    return (high + 0.05) / (low + 0.05)


def lut(name: str) -> np.ndarray:
    """The entries of a matplotlib colour map, sRGB shape (N, 3), from low to high."""
    cmap = mpl.colormaps[name]
    return cmap(np.arange(cmap.N))[:, :3]


# --- the model checked against its references ---------------------------------------------

#: Machado et al. (2009), supplementary tables: the severity-1.0 matrices, for linear RGB.
MACHADO_SEVERITY_1 = {
    "protanomaly": [[0.152286, 1.052583, -0.204868],
                    [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998]],
    "deuteranomaly": [[0.367322, 0.860646, -0.227968],
                      [0.280085, 0.672501, 0.047413],
                      [-0.011820, 0.042940, 0.968881]],
    "tritanomaly": [[1.255528, -0.076749, -0.178779],
                    [-0.078411, 0.930809, 0.147602],
                    [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


@pytest.mark.parametrize("vision", VISIONS[1:])
def test_simulation_is_machados_published_matrix_in_linear_srgb(vision):
    colours = rgb((*style.OKABE_ITO, "#332288", "#CC6677", "#117733", "#DDCC77", "0.5"))
    linear = np.where(colours <= 0.04045, colours / 12.92, ((colours + 0.055) / 1.055) ** 2.4)
    simulated = np.clip(linear @ np.array(MACHADO_SEVERITY_1[vision]).T, 0, 1)
    encoded = np.where(
        simulated <= 0.0031308, 12.92 * simulated, 1.055 * simulated ** (1 / 2.4) - 0.055
    )
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    theirs = np.clip(cspace_convert(colours, space, "sRGB1"), 0, 1)
    np.testing.assert_allclose(theirs, encoded, atol=1e-6)


def test_cam02_ucs_scale_and_wcag_contrast_anchor_points():
    # CIECAM02 gives the adopted white J = 100, and J' = 1.7 J / (1 + 0.007 J) keeps it at 100
    # (sRGB white and colorspacious' D65 white agree to four digits).
    np.testing.assert_allclose(seen([[1, 1, 1], [0, 0, 0]], "normal")[:, 0], [100, 0], atol=0.01)
    # Every simulated vision leaves greys as they are (each matrix row sums to 1).
    greys = rgb(["0.0", "0.3", "0.5", "0.85", "1.0"])
    for vision in VISIONS[1:]:
        space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        np.testing.assert_allclose(cspace_convert(greys, space, "sRGB1"), greys, atol=1e-4)
    # WCAG: black on white is 21:1; #767676 is the lightest grey at 4.5:1 on white (4.54).
    assert contrast_ratio("black") == pytest.approx(21.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#777777") < 4.5


# --- (a) categorical colours shown together -------------------------------------------------


def _explorer_styles() -> list[tuple[str, str]]:
    """(colour, line style) of each path of the explorer's default figure (notebook 05)."""
    from lecture_nn.optimizer_plots import plot_paths
    from lecture_nn.optimizers import simulate_zoo

    plot = plot_paths(list(simulate_zoo("beale").values()), "beale")
    return [
        (mpl.colors.to_hex(p.shafts.get_color()), p.shafts.get_linestyle())
        for p in plot.paths.values()
    ]


def _explorer_paths(linestyle: str):
    """Colours of the explorer's paths drawn with ``linestyle`` (told apart by colour alone)."""
    return lambda: [c for c, style_ in _explorer_styles() if style_ == linestyle]


def _three_adaptive_paths() -> list[str]:
    """Colours of notebook 05's ``compare_three`` figure (four paths)."""
    from lecture_nn.optimizer_plots import plot_paths
    from lecture_nn.optimizers import simulate_zoo

    zoo = simulate_zoo("beale")
    names = ("sgd", "adagrad", "rmsprop", "rmsprop_momentum")
    plot = plot_paths({name: zoo[name] for name in names}, "beale")
    return [mpl.colors.to_hex(p.shafts.get_color()) for p in plot.paths.values()]


def _learning_rate_curves() -> list[str]:
    """Colours of the busier axes of notebook 05's schedule figure (five schedules)."""
    from lecture_nn.optimizer_plots import plot_learning_rates

    constant = {f"rate {k}": (lambda steps, k=k: np.full(len(steps), 0.01 * k)) for k in range(5)}
    drawing = plot_learning_rates(constant, steps=10)
    return [mpl.colors.to_hex(line.get_color()) for line in drawing.lines]


def _momentum_step_arrows() -> list[str]:
    """Colours of notebook 05's momentum figure: the path and the four arrows on it."""
    from lecture_nn.momentum import momentum_step_parts
    from lecture_nn.optimizer_plots import plot_momentum_step, plot_paths
    from lecture_nn.optimizers import simulate_zoo
    from lecture_nn.surfaces import get_surface

    momentum = simulate_zoo("beale")["momentum"]
    velocity = momentum.details["velocity"][9]
    parts = momentum_step_parts(
        get_surface("beale"), momentum.points[10], velocity, learning_rate=0.005, momentum=0.9
    )
    plot = plot_paths({"momentum path": momentum}, "beale", legend=False)
    drawing = plot_momentum_step(parts, ax=plot.ax, nesterov=False)
    arrows = [a for name, a in drawing.artists.items() if name != "legend"]
    path = [p.shafts.get_color() for p in plot.paths.values()]
    return [mpl.colors.to_hex(c) for c in path + [a.get_facecolor()[0] for a in arrows]]


def _softmax_classes() -> list[str]:
    """Colours of notebook 03's softmax curves (``plot_softmax``, three classes)."""
    from lecture_nn.activation_plots import plot_softmax

    return [mpl.colors.to_hex(line.get_color()) for line in plot_softmax().lines.values()]


def _notebook_hex_sets() -> list[tuple[str, list[str]]]:
    """Every notebook code cell that names two or more hex colours: (where, colours)."""
    sets = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] == "code":
                found = re.findall(r"#[0-9A-Fa-f]{6}\b", "".join(cell["source"]))
                colours = list(dict.fromkeys(c.upper() for c in found))
                if len(colours) >= 2:
                    sets.append((f"{path.stem} cell {index}", colours))
    return sets


#: name -> (colours, or a function drawing the figure and returning its colours; alpha on white).
CATEGORICAL = {
    "colour cycle (style.OKABE_ITO, all 8)": (lambda: list(style.OKABE_ITO), 1.0),
    "class colours (style.BINARY_CMAP)": (lambda: list(style.BINARY_CMAP.colors), 1.0),
    "class regions (BINARY_CMAP at alpha 0.3)": (lambda: list(style.BINARY_CMAP.colors), 0.3),
    "softmax classes (plot_softmax)": (_softmax_classes, 1.0),
    "learning-rate curves (5 schedules)": (_learning_rate_curves, 1.0),
    "optimizer paths (compare_three, 4 paths)": (_three_adaptive_paths, 1.0),
    "momentum step (path + 4 arrows)": (_momentum_step_arrows, 1.0),
    "optimizer explorer, solid paths": (_explorer_paths("-"), 1.0),
    "optimizer explorer, dashed paths": (_explorer_paths("--"), 1.0),
    "network node fills (style.NODE_COLORS)": (lambda: list(style.NODE_COLORS.values()), 1.0),
    "ten classes (TEN_CLASS_COLORS, notebook 07)": (lambda: list(style.TEN_CLASS_COLORS), 1.0),
}


def _categorical_params():
    for name, (colours, alpha) in CATEGORICAL.items():
        yield pytest.param(name, colours, alpha, id=name)
    for where, colours in _notebook_hex_sets():
        yield pytest.param(f"{where} hex colours", lambda c=colours: c, 1.0, id=where)


def _measure(report, name, colours, alpha) -> dict[str, tuple[float, tuple[str, str]]]:
    srgb = over_white(colours, alpha)
    measured = {vision: closest_pair(colours, vision, srgb) for vision in VISIONS}
    cells = ", ".join(f"{v[:4]} {d:.1f}" for v, (d, _) in measured.items())
    report.append(f"colour vision: min ΔE' {name} ({len(colours)} colours): {cells}")
    return measured


@pytest.mark.parametrize(("name", "colours", "alpha"), _categorical_params())
def test_categories_shown_together_stay_apart_for_every_vision(name, colours, alpha, report):
    colours = colours()
    assert len(colours) >= 2
    measured = _measure(report, name, colours, alpha)
    too_close = {v: (round(d, 1), pair) for v, (d, pair) in measured.items() if d < MIN_DELTA_E}
    assert not too_close, f"{name}: ΔE' under {MIN_DELTA_E}: {too_close}"


# --- (b) the diverging weight map --------------------------------------------------------


def _diverging_uses():
    """The diverging map as drawn: diagram edges (alpha 0.9), replay probabilities (0.55)."""
    return [("network edges", style.DIVERGING_CMAP, 0.9),
            ("replay probability image", style.DIVERGING_CMAP, 0.55)]  # fmt: skip


@pytest.mark.parametrize(("use", "name", "alpha"), _diverging_uses(), ids=lambda v: str(v))
def test_diverging_map_ends_and_signs_stay_apart_for_every_vision(use, name, alpha, report):
    entries = alpha * lut(name) + (1 - alpha)
    n = len(entries)
    half = n // 2
    for vision in VISIONS:
        ucs = seen(entries, vision)
        ends = float(np.linalg.norm(ucs[0] - ucs[-1]))
        # entry half - 1 - k and half + k stand for -w and +w, |w| = (k + 0.5) / half of the scale
        signs = np.linalg.norm(
            ucs[half - 1 - np.arange(half)] - ucs[half + np.arange(half)], axis=1
        )
        magnitude = (np.arange(half) + 0.5) / half
        apart = magnitude[np.argmax(signs >= MIN_DELTA_E)] if (signs >= MIN_DELTA_E).any() else 1.0
        report.append(
            f"colour vision: {name} ({use}, alpha {alpha}) {vision[:4]}: ends ΔE' {ends:.1f}; "
            f"signs ΔE' >= {MIN_DELTA_E:g} from |w| = {apart:.2f} of the scale"
        )
        assert ends >= MIN_DELTA_E, (use, vision, ends)
        quarter = magnitude >= 0.25
        assert signs[quarter].min() >= MIN_DELTA_E, (use, vision, signs[quarter].min())


@pytest.mark.parametrize("vision", VISIONS)
def test_diverging_map_lightness_rises_from_each_end_to_the_centre(vision):
    for alpha in (1.0, 0.9, 0.55):
        lightness = seen(alpha * lut(style.DIVERGING_CMAP) + (1 - alpha), vision)[:, 0]
        half = len(lightness) // 2
        assert np.all(np.diff(lightness[:half]) > 0), (alpha, "negative half")
        assert np.all(np.diff(lightness[half:]) < 0), (alpha, "positive half")
        # the centre (±0) is the lightest: within 0.1 of J' of one another
        assert lightness.max() - max(lightness[half - 1], lightness[half]) < 0.1


# --- (c) sequential maps, and every map the course names -----------------------------------

SEQUENTIAL = (style.SEQUENTIAL_CMAP, "gray_r")
DIVERGING = (style.DIVERGING_CMAP,)
QUALITATIVE: tuple[str, ...] = ()  # categories are checked above, as sets of colours


def _named_maps() -> set[str]:
    """Every colour map named in the package's modules and the notebooks' code cells."""
    pattern = re.compile(
        r"""(?:cmap\s*=\s*|get_cmap\(\s*|colormaps\[\s*|_CMAP\s*=\s*)["']([A-Za-z0-9_]+)["']"""
    )
    sources = [p.read_text() for p in sorted((ROOT / "lecture_nn").rglob("*.py"))]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return {name for source in sources for name in pattern.findall(source)}


def test_every_colour_map_the_course_names_is_checked_here():
    named = _named_maps()
    assert {style.SEQUENTIAL_CMAP, style.DIVERGING_CMAP, "gray_r"} <= named
    assert named <= set(SEQUENTIAL + DIVERGING + QUALITATIVE), named


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", SEQUENTIAL)
def test_sequential_maps_are_monotonic_in_lightness_for_every_vision(name, vision, report):
    steps = np.diff(seen(lut(name), vision)[:, 0])
    report.append(
        f"colour vision: {name} {vision[:4]}: J' steps {steps.min():.3f} .. {steps.max():.3f}"
    )
    assert np.all(steps > 0) or np.all(steps < 0)


# --- the adopted colours -------------------------------------------------------------------


def test_every_path_of_the_explorer_has_its_own_colour_and_line_style():
    from lecture_nn.optimizers import ZOO

    styles = _explorer_styles()
    assert len(styles) == len(ZOO)
    assert len(set(styles)) == len(styles), styles


def test_node_fills_carry_black_text():
    """WCAG 1.4.3: the diagrams' node labels are black text on the fills."""
    ratios = {name: contrast_ratio("black", c) for name, c in style.NODE_COLORS.items()}
    assert min(ratios.values()) >= 4.5, ratios


def test_ten_class_colours_are_petroff10_with_its_light_colours_darkened():
    """Petroff's (2021) sequence as matplotlib ships it (style "petroff10"), except the four
    colours under 3:1 on white, each replaced by a dark colour."""
    cycle = [c.lower() for c in plt.style.library["petroff10"]["axes.prop_cycle"].by_key()["color"]]
    ours = [c.lower() for c in style.TEN_CLASS_COLORS]
    kept = [i for i, (a, b) in enumerate(zip(cycle, ours)) if a == b]
    assert len(kept) == 6, kept
    for i in set(range(10)) - set(kept):
        assert contrast_ratio(cycle[i]) < MIN_NON_TEXT_CONTRAST <= contrast_ratio(ours[i])


def test_notebook_07_draws_its_ten_classes_in_the_ten_class_colours():
    cells = json.loads((ROOT / "notebooks" / "07_model_selection.ipynb").read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert any("colors = TEN_CLASS_COLORS" in source for source in sources)


def test_lines_and_points_reach_3_to_1_on_white(report):
    """WCAG 1.4.11 (3:1 on white) of the colours drawn as lines and points."""
    from lecture_nn.optimizer_plots import PATH_COLORS

    for name, colours in (("OKABE_ITO", style.OKABE_ITO), ("PATH_COLORS", PATH_COLORS)):
        ratios = {c: round(contrast_ratio(c), 2) for c in dict.fromkeys(colours)}
        low = {c: r for c, r in ratios.items() if r < MIN_NON_TEXT_CONTRAST}
        report.append(f"colour vision: {name} under 3:1 on white: {low or 'none'}")
    # Every path colour, and the first five of the cycle (lines, class points) reach 3:1.
    assert all(contrast_ratio(c) >= MIN_NON_TEXT_CONTRAST for c in PATH_COLORS)
    assert all(contrast_ratio(c) >= MIN_NON_TEXT_CONTRAST for c in style.OKABE_ITO[:5])
