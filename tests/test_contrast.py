"""Contrast of the figure colours that carry meaning (WCAG 2.1 success criterion 1.4.11).

WCAG 2.1, 1.4.11 Non-text Contrast (level AA, https://www.w3.org/TR/WCAG21/#non-text-contrast):
"parts of graphics required to understand the content" need a contrast ratio of at least 3:1
against the adjacent colours. The course's figures are drawn on white, so every line and
marker colour that tells one series, path or class from another is checked against white
(and class markers also against the tinted regions they sit on). Text drawn in figures
(images of text, 1.4.3) needs 4.5:1: the ink on the diagram's node fills.

The contrast ratio is computed as WCAG 2.1 defines it, written out here (the reference for
the browser test's outline check too):

* relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance): for each sRGB
  channel C8 in 0..255, C = C8 / 255; C_lin = C / 12.92 if C <= 0.03928 else
  ((C + 0.055) / 1.055) ** 2.4; L = 0.2126 R_lin + 0.7152 G_lin + 0.0722 B_lin.
  (The sRGB standard's threshold is 0.04045; no 8-bit value lies between the two.)
* contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio): (L1 + 0.05) / (L2 + 0.05),
  L1 the lighter colour's luminance.

Independent reference values: black on white is 21:1 by the definition; #767676 on white is
4.54:1, the lightest grey that reaches 4.5:1, and #777777 4.48:1 (the values WebAIM's contrast
checker gives).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.colors as mcolors
import pytest

import lecture_nn
from lecture_nn import optimizer_plots, style

WHITE = "#ffffff"
NON_TEXT_MIN = 3.0  # 1.4.11 (graphical objects)
TEXT_MIN = 4.5  # 1.4.3 (text and images of text, normal size)

PACKAGE = Path(lecture_nn.__file__).parent
ROOT = Path(__file__).resolve().parents[1]

#: Colours in the package's source that are not line or marker colours on white, each with
#: the reason it is exempt from the 3:1 check against white (module, literal): reason.
EXEMPT = {
    ("diagrams.py", "0.93"): "fill of a dropped unit: 'dropped' is shown by the vermillion cross",
    ("diagrams.py", "0.6"): "outline of a dropped unit: faded on purpose, crossed out in "
    "vermillion",
    ("activation_plots.py", "0.6"): "the axes' zero lines, a reference the tick labels give "
    "too (WCAG's Understanding 1.4.11: gridlines are not required when values are labelled)",
    ("training_plots.py", "0.85"): "the whole loss curve as faint context behind the curve "
    "drawn so far (in the cycle's blue), which carries the figure",
}


def relative_luminance(colour) -> float:
    """WCAG 2.1 relative luminance of a matplotlib colour (hex, grey level, name)."""
    rgb8 = [round(channel * 255) for channel in mcolors.to_rgb(colour)]
    linear = []
    for value in rgb8:
        c = value / 255
        linear.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first, second) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 (equal) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over_white(colour, alpha: float) -> str:
    """``colour`` drawn with opacity ``alpha`` on white, as a hex colour."""
    rgb = mcolors.to_rgb(colour)
    return mcolors.to_hex([alpha * channel + (1 - alpha) for channel in rgb])


def failures(colours, background=WHITE, minimum=NON_TEXT_MIN) -> list[str]:
    """The colours under ``minimum`` against ``background``, with their ratio."""
    return [
        f"{colour}: {contrast_ratio(colour, background):.2f}:1 against {background}"
        for colour in colours
        if contrast_ratio(colour, background) < minimum
    ]


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    assert round(contrast_ratio("#767676", WHITE), 2) == 4.54
    assert round(contrast_ratio("#777777", WHITE), 2) == 4.48
    assert contrast_ratio("#0072B2", WHITE) == pytest.approx(contrast_ratio(WHITE, "#0072B2"))


#: How many colours of the cycle reach 3:1 on white: style.py puts them first, so a figure
#: with up to this many series never draws a light one.
CYCLE_COLOURS_ON_WHITE = 5


def test_colour_cycle_lines_stand_out_from_white(report):
    """The course's colour cycle (style_rc's axes.prop_cycle): its first five colours >= 3:1;
    the light ones after them (for a sixth series and beyond) are reported."""
    cycle = [entry["color"] for entry in style.style_rc("screen")["axes.prop_cycle"]]
    assert cycle == list(style.OKABE_ITO)
    assert failures(cycle[:CYCLE_COLOURS_ON_WHITE]) == []
    light = failures(cycle[CYCLE_COLOURS_ON_WHITE:])
    report.append(f"contrast: colour cycle entries 6-8 (for > 5 series): {light or 'all >= 3:1'}")


def test_helpers_pick_cycle_colours_among_the_first_five():
    """Every ``OKABE_ITO[i]`` in the package has i < 5; the helpers that pick ``k % 8``
    (softmax classes) draw no more than five curves by default."""
    from lecture_nn.activation_plots import plot_softmax

    indices = []
    for path in sorted(PACKAGE.glob("*.py")):
        indices += [int(i) for i in re.findall(r"OKABE_ITO\[(\d+)\]", path.read_text("utf-8"))]
    assert indices, "the scan no longer finds the helpers' cycle colours"
    assert max(indices) < CYCLE_COLOURS_ON_WHITE
    curves = [line.get_color() for line in plot_softmax().lines.values()]
    assert 2 <= len(curves) <= CYCLE_COLOURS_ON_WHITE
    assert failures(curves) == []


def test_optimizer_path_colours_stand_out_from_white():
    """The paths of the optimizers (PATH_COLORS, on the white surface plot) >= 3:1."""
    assert failures(optimizer_plots.PATH_COLORS) == []


def test_class_colours_stand_out_from_white():
    """Two-class markers (BINARY_CMAP) >= 3:1 on white. On the decision-boundary plots each
    point has a white edge, the colour adjacent to its fill; the regions' tint (alpha 0.3)
    is separated by the black boundary line."""
    classes = [mcolors.to_hex(colour) for colour in style.BINARY_CMAP.colors]
    assert failures(classes) == []


def notebook_07_point_alpha() -> float:
    """The opacity notebook 07 draws its ten classes' points with (its scatter call)."""
    notebook = json.loads((ROOT / "notebooks" / "07_model_selection.ipynb").read_text("utf-8"))
    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    calls = [
        call
        for source in sources
        for call in re.findall(r"ax\.scatter\([^\n]*color=colors\[label\][^\n]*", source)
    ]
    assert len(calls) == 1, calls
    match = re.search(r"alpha=([\d.]+)", calls[0])
    return float(match.group(1)) if match else 1.0


def test_ten_class_points_stand_out_from_white():
    """Notebook 07's ten classes (TEN_CLASS_COLORS) at the opacity it draws them with."""
    alpha = notebook_07_point_alpha()
    assert failures([over_white(colour, alpha) for colour in style.TEN_CLASS_COLORS]) == []


def test_node_labels_are_legible_on_the_node_fills():
    """Network diagrams write black labels on the node fills: text contrast >= 4.5:1."""
    assert failures(style.NODE_COLORS.values(), background="black", minimum=TEXT_MIN) == []


def literal_colours() -> dict[tuple[str, str], list[int]]:
    """Every hex colour and grey level given as a colour in lecture_nn/*.py: {(file, colour):
    line numbers}; style.py's palettes and the PATH_COLORS tuple are checked above."""
    colour_words = r"(?:colou?rs?|ink|grey|gray|outline|edgecolors?|_FACE|_CROSS)"
    patterns = [
        re.compile(r"""["'](#[0-9A-Fa-f]{6})["']"""),  # a hex colour
        # a grey level given to a colour argument or variable (also inside np.where(...))
        re.compile(colour_words + r"""\s*=\s*(?:np\.where\([^)]*?)?["'](0?\.\d+)["']"""),
        # a grey level in a (..., "0.3", "label") row, as plot_momentum_step lists its arrows
        re.compile(r""",\s*["'](0?\.\d+)["'],\s*["'][a-z ]+["']\)"""),
    ]
    palette_entry = re.compile(r"""^\s*["']#[0-9A-Fa-f]{6}["'],\s*(#.*)?$""")
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "style.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if path.name == "optimizer_plots.py" and palette_entry.match(line):
                continue  # an entry of PATH_COLORS
            for pattern in patterns:
                for match in pattern.finditer(line):
                    found.setdefault((path.name, match.group(1)), []).append(number)
    return found


def test_line_and_marker_colours_in_the_plot_helpers_stand_out_from_white():
    """Every other colour the helpers draw with (hex literals and grey levels in
    lecture_nn/*.py) >= 3:1 on white, but for :data:`EXEMPT` (each with its reason)."""
    colours = literal_colours()
    # the scan still sees what it is meant to see: the diagram's plain edges and the arrows
    assert ("diagrams.py", "0.55") in colours
    assert ("optimizer_plots.py", "#009E73") in colours
    problems = [
        f"{module}:{lines} {colour}: {contrast_ratio(colour, WHITE):.2f}:1 on white"
        for (module, colour), lines in sorted(colours.items())
        if (module, colour) not in EXEMPT and contrast_ratio(colour, WHITE) < NON_TEXT_MIN
    ]
    assert problems == []
