"""Static-site widgets: the grid of frames, their encoding, the manifest and the page's HTML.

The frames are drawn in the kernel (``lecture_nn._site_frames``, on with
``LECTURE_NN_SITE_FRAMES``) and turned into HTML controls by the site
(``lecture_nn.tooling._site_widgets``). The course's own widgets are driven in Chromium by
tests/browser/test_site_widgets.py; here the parts are checked on small widgets, and on a
small notebook built into a site (tests/test_site.py checks with the command line that two
executions give the same frames, byte for byte).
"""

from __future__ import annotations

import base64
import html.parser
import io
import json
import os

import matplotlib
import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_notebook, new_output
from notebook_files import save_notebook
from PIL import Image

from lecture_nn import _site_frames as frames
from lecture_nn.tooling import _site_widgets as site_widgets
from lecture_nn.tooling import site
from lecture_nn.widgets import InteractiveFigure, agg_png, interactive_figure

matplotlib.use("Agg")


def slider(name, values, default, readout="d"):
    return frames.Control(name, name.replace("_", " "), "slider", tuple(values), default, readout)


def menu(name, options, default):
    return frames.Control(name, name, "menu", tuple(options), default)


# --- slider values ---------------------------------------------------------------------------


def test_integer_slider_values_are_every_step_to_the_end():
    assert frames.slider_values(1, 10, 3) == (1, 4, 7, 10)  # 10 is off the step grid: kept
    assert frames.slider_values(0, 6, 1) == tuple(range(7))


def test_float_slider_values_are_rounded_to_the_readout():
    values = frames.slider_values(0.005, 0.045, 0.005, 0.02, places=3)
    assert values == (0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045)
    assert 0.035 in values  # not 0.035000000000000003, which 0.005 + 6 * 0.005 gives


def test_a_default_off_the_step_grid_is_a_value_too():
    assert frames.slider_values(0.0, 1.0, 0.5, 0.3, places=1) == (0.0, 0.3, 0.5, 1.0)


def test_control_from_the_live_widgets_arguments():
    control = frames.control_from_spec(
        "learning_rate",
        "FloatSlider",
        {
            "value": 0.02,
            "min": 0.005,
            "max": 0.045,
            "step": 0.005,
            "readout_format": ".3f",
            "description": "learning rate",
        },
    )
    assert (control.kind, control.label, control.default) == ("slider", "learning rate", 0.02)
    assert len(control.values) == 9
    assert control.text(0.035) == "0.035"
    box = frames.control_from_spec("derivative", "Checkbox", {"value": True})
    assert (box.kind, box.values, box.text(False)) == ("checkbox", (False, True), "off")
    assert frames.control_from_spec("x", "given", {}) is None


# --- grid choice -------------------------------------------------------------------------------


def test_a_grid_within_the_budget_is_kept_whole():
    controls = [slider("hidden_layers", range(7), 6), slider("nodes", range(1, 13), 10)]
    chosen = frames.choose_grid(controls, budget=84)
    assert chosen == {"hidden_layers": tuple(range(7)), "nodes": tuple(range(1, 13))}


def test_a_long_slider_keeps_every_kth_value_on_round_multiples():
    iterations = slider("iterations", range(1, 101), 100)
    chosen = frames.choose_grid([iterations], budget=11)["iterations"]
    # every 10th iteration (multiples of 10) and the first: worked out by hand
    assert chosen == (1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


def test_ends_default_and_the_values_the_text_talks_about_are_always_kept():
    step = slider("step", range(0, 301), 300)
    chosen = frames.choose_grid([step], keep={"step": [30, 7]}, budget=8)["step"]
    assert {0, 7, 30, 300} <= set(chosen)
    assert len(chosen) <= 8
    tiny = frames.choose_grid([step], keep={"step": [30, 7, 11, 13]}, budget=2)["step"]
    assert tiny == (0, 7, 11, 13, 30, 300)  # what must be kept beats the budget


def test_menus_are_whole_in_full_mode_and_the_slider_gets_what_is_left():
    first = menu("first", [f"o{i}" for i in range(15)], "o3")
    iterations = slider("iterations", range(1, 101), 100)
    chosen = frames.choose_grid([first, iterations], budget=150, full_menus=True)
    assert chosen["first"] == first.values
    assert len(chosen["first"]) * len(chosen["iterations"]) <= 150
    # 150 / 15 = 10 values: every 12th iteration (8), the first and the last
    assert chosen["iterations"] == (1, 12, 24, 36, 48, 60, 72, 84, 96, 100)


def test_a_short_slider_is_kept_whole_like_a_menu_and_the_long_one_shares_the_rest():
    rate = slider("learning_rate", [round(0.005 * k, 3) for k in range(1, 10)], 0.02, ".3f")
    iterations = slider("iterations", range(1, 101), 100)
    chosen = frames.choose_grid([rate, iterations], budget=150, full_menus=True)
    assert chosen["learning_rate"] == rate.values
    # 150 / 9 = 16 values: every 7th iteration (14), the first and the last, by hand
    assert chosen["iterations"] == (1, *range(7, 99, 7), 100)
    quick = frames.choose_grid([rate, iterations], budget=12, full_menus=False)
    assert len(quick["learning_rate"]) * len(quick["iterations"]) <= 12


def test_quick_mode_cuts_menus_down_to_the_budget_keeping_default_and_text_values():
    first = menu("first", [f"o{i}" for i in range(15)], "o3")
    second = menu("second", [f"o{i}" for i in range(15)], "o5")
    iterations = slider("iterations", range(1, 101), 100)
    chosen = frames.choose_grid(
        [first, second, iterations], keep={"first": ["o9"]}, budget=12, full_menus=False
    )
    sizes = [len(values) for values in chosen.values()]
    assert np.prod(sizes) <= 12
    assert {"o3", "o9"} <= set(chosen["first"])
    assert "o5" in chosen["second"]
    assert {1, 100} <= set(chosen["iterations"])
    assert list(chosen["first"]) == sorted(chosen["first"], key=first.values.index)


def test_grid_index_is_row_major_with_the_first_control_slowest():
    chosen = [(0, 1), ("a", "b", "c")]
    assert [frames.grid_index(chosen, (i, j)) for i in range(2) for j in range(3)] == list(range(6))


# --- encoding ----------------------------------------------------------------------------------


def figure_png(draw) -> bytes:
    fig = Figure(figsize=(4, 3), dpi=100, layout="constrained")
    draw(fig.subplots())
    return agg_png(fig)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_a_figure_frame_is_a_smaller_palette_png_that_looks_the_same():
    x = np.linspace(0, 1, 200)
    png = figure_png(
        lambda ax: (
            [ax.plot(x, x**k, label=f"k={k}") for k in range(6)]
            and ax.contourf(*np.meshgrid(x, x), np.sin(9 * x)[:, None] * x, 20, alpha=0.5)
        )
    )
    encoded = frames.encode_frame(png)
    assert Image.open(io.BytesIO(encoded)).mode == "P"
    assert len(encoded) < len(png) / 2
    error = np.abs(pixels(encoded) - pixels(png)).max(axis=2)
    assert error.mean() < 3
    assert np.percentile(error, 99.9) <= 48
    assert frames.encode_frame(png) == encoded  # same bytes every time


def test_an_image_whose_colours_do_not_fit_a_palette_is_kept_exactly():
    noise = np.random.default_rng(0).integers(0, 256, size=(120, 160, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="png")
    encoded = frames.encode_frame(buffer.getvalue())
    assert np.array_equal(pixels(encoded), noise.astype(np.int16))


# --- frames of a widget -------------------------------------------------------------------------

CALLS = []


def slope_line(fig, slope=1.0, style="solid", grid=False):
    """A line whose slope and style change the figure; ``grid`` changes nothing."""
    CALLS.append((slope, style, grid))
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope], linestyle=style)
    ax.set_ylim(0, 2)


def small_widget(**options):
    return interactive_figure(
        slope_line,
        slope=(0.5, 2.0, 0.5),
        style=["solid", "dashed"],
        grid=False,
        figsize=(2, 2),
        **options,
    )


def specs_of(widget):
    from lecture_nn.widgets import _control_spec

    return {
        name: _control_spec(name, spec, widget.values[name]) for name, spec in widget.specs.items()
    }


def test_frames_are_the_live_drawings_of_each_combination_stored_once():
    widget = small_widget()
    manifest = frames.render_frames(widget, specs_of(widget), budget=100)
    controls = manifest["controls"]
    assert [c["kind"] for c in controls] == ["slider", "menu", "checkbox"]
    assert controls[0]["values"] == [0.5, 1.0, 1.5, 2.0]
    assert controls[0]["labels"] == ["0.5", "1.0", "1.5", "2.0"]
    assert len(manifest["grid"]) == 4 * 2 * 2
    # grid never changes the figure: 8 distinct images for 16 combinations
    assert len(manifest["images"]) == 8
    reference = InteractiveFigure(slope_line, {"slope": (0.5, 2.0, 0.5)}, (2, 2))
    for i, slope in enumerate(controls[0]["values"]):
        for j, style in enumerate(controls[1]["values"]):
            for k in range(2):
                frame = manifest["frames"][
                    manifest["grid"][
                        frames.grid_index(
                            [controls[0]["values"], controls[1]["values"], [0, 1]], (i, j, k)
                        )
                    ]
                ]
                reference.values.update(slope=slope, style=style)
                expected = frames.encode_frame(reference.update())
                assert base64.b64decode(manifest["images"][frame[0]]) == expected
    default = frames.grid_index([controls[0]["values"], controls[1]["values"], [0, 1]], (1, 0, 0))
    assert manifest["default"] == manifest["grid"][default]  # slope 1.0, solid, no grid
    assert widget.values == {"slope": 1.0, "style": "solid", "grid": False}  # left as it was
    json.dumps(manifest)  # JSON-ready


def test_widgets_drawing_the_same_figure_share_their_frames_without_drawing_again():
    from functools import partial

    first = small_widget()
    manifest = frames.render_frames(first, specs_of(first), budget=100)
    second = interactive_figure(
        partial(slope_line, style="dashed"), slope=(0.5, 2.0, 0.5), style=["solid", "dashed"],
        grid=False, figsize=(2, 2),
    )  # fmt: skip
    CALLS.clear()
    again = frames.render_frames(second, specs_of(second), budget=100)
    assert CALLS == [(1.0, "dashed", False)]  # only putting the widget back at its values
    assert again["images"] == manifest["images"]
    assert again["grid"] == manifest["grid"]
    assert again["default"] != manifest["default"]  # its own default: dashed
    other_size = interactive_figure(slope_line, slope=(0.5, 2.0, 0.5), figsize=(3, 2))
    CALLS.clear()
    frames.render_frames(other_size, specs_of(other_size), budget=100)
    assert len(CALLS) == 4  # another figure size is another figure: each slope drawn


def test_the_default_frame_is_the_widgets_current_values():
    widget = small_widget()
    widget.update(slope=1.5, style="dashed")
    manifest = frames.render_frames(widget, specs_of(widget), budget=100)
    positions = [c["default"] for c in manifest["controls"]]
    assert [c["values"][p] for c, p in zip(manifest["controls"], positions)] == [
        1.5,
        "dashed",
        False,
    ]
    image = manifest["frames"][manifest["default"]][0]
    assert base64.b64decode(manifest["images"][image]) == frames.encode_frame(widget.png())


def test_a_frame_without_a_recorded_description_names_the_widget_and_its_values():
    widget = small_widget()
    manifest = frames.render_frames(widget, specs_of(widget), budget=100)
    texts = {text for _, text in manifest["frames"]}
    assert all(text for text in texts)
    fallback = [text for text in texts if text.startswith("Figure of slope_line")]
    for text in fallback:
        assert "slope" in text
        assert "style" in text


def test_a_failing_frame_names_the_widget_and_the_values():
    def fragile(fig, n=1):
        if n == 3:
            raise ZeroDivisionError("n = 3 is not drawable")
        fig.subplots().plot([0, n])

    widget = interactive_figure(fragile, n=(1, 4, 1), figsize=(2, 2))
    with pytest.raises(frames.FrameRenderError, match=r"fragile\(n=3\).*ZeroDivisionError"):
        frames.render_frames(widget, specs_of(widget), budget=10)
    assert widget.values == {"n": 1}


def test_quick_mode_draws_few_frames(monkeypatch):
    monkeypatch.setenv("LECTURE_NN_QUICK", "1")
    widget = interactive_figure(
        lambda fig, step=50: fig.subplots().plot([0, step]), step=(0, 300, 1), figsize=(2, 2)
    )
    manifest = frames.render_frames(widget, specs_of(widget))
    assert len(manifest["grid"]) <= frames.QUICK_FRAME_BUDGET
    assert {0, 50, 300} <= set(manifest["controls"][0]["values"])


def test_the_flag_is_read_with_the_shared_rule(monkeypatch):
    monkeypatch.setenv(frames.SITE_FRAMES_VARIABLE, "yes")
    assert frames.site_frames_on()
    monkeypatch.setenv(frames.SITE_FRAMES_VARIABLE, "0")
    assert not frames.site_frames_on()
    monkeypatch.setenv(frames.SITE_FRAMES_VARIABLE, "maybe")
    with pytest.raises(ValueError, match="LECTURE_NN_SITE_FRAMES"):
        frames.site_frames_on()


# --- the page ---------------------------------------------------------------------------------


class Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup):
    parser = Elements()
    parser.feed(markup)
    return parser.elements, "".join(parser.text)


def long_widget_manifest():
    widget = interactive_figure(
        lambda fig, iterations=100, surface="beale": fig.subplots().plot([0, iterations]),
        iterations=(1, 100, 1),
        surface=["beale", "rosenbrock"],
        figsize=(2, 2),
    )
    return frames.render_frames(widget, specs_of(widget), budget=12, full_menus=True)


def test_widget_html_has_labelled_controls_the_default_frame_and_a_note():
    manifest = long_widget_manifest()
    files = {}
    markup, summary = site_widgets.widget_output(manifest, 0, "_static", files, first=True)
    elements, text = parse(markup)
    tags = {tag: attrs for tag, attrs in elements}
    labels = [attrs["for"] for tag, attrs in elements if tag == "label"]
    inputs = [attrs for tag, attrs in elements if tag in ("input", "select")]
    assert labels == [attrs["id"] for attrs in inputs]  # every control labelled
    slider_input = inputs[0]
    values = manifest["controls"][0]["labels"]
    assert (slider_input["type"], slider_input["min"], slider_input["max"]) == (
        "range",
        "0",
        str(len(values) - 1),
    )
    assert slider_input["aria-valuetext"] == "100" == values[int(slider_input["value"])]
    assert [attrs["value"] for tag, attrs in elements if tag == "option"] == ["0", "1"]
    image = tags["img"]
    default = manifest["frames"][manifest["default"]]
    assert image["alt"] == default[1]
    assert "aria-describedby" not in image  # short: the alt says it all
    assert "hidden" in tags["details"]
    name = image["src"].removeprefix("_static/")
    assert files[name] == base64.b64decode(manifest["images"][default[0]])
    assert (image["width"], image["height"]) == ("200", "200")
    scripts = [attrs for tag, attrs in elements if tag == "script"]
    assert scripts[0]["src"] == "_static/site_widgets.js"
    assert scripts[1]["type"] == "application/json"
    assert tags["link"]["href"] == "_static/site_widgets.css"
    assert "iterations: 1, 20, 40, 60, 80 and 100 (6 of its 100 values)" in text
    assert len(files) == summary.frames == len(manifest["images"])
    assert summary.bytes == sum(map(len, files.values()))
    data = json.loads(markup.split('class="lnn-data">')[1].split("</script>")[0])
    assert data["sizes"] == [6, 2]
    assert len(data["grid"]) == 12


def test_a_long_description_is_given_in_full_below_and_the_alt_is_its_first_clause():
    short = "Network diagram: 2 inputs, 1 output."
    assert site_widgets.alt_text(short) == (short, False)
    long = "Optimizer paths on the Beale surface: " + "; ".join(
        f"path {i} ends at ({i}.00, 0.50)" for i in range(20)
    )
    alt, is_long = site_widgets.alt_text(long)
    assert is_long
    assert alt == "Optimizer paths on the Beale surface (described in full below the figure)"
    assert len(alt) <= site_widgets.ALT_LIMIT
    manifest = long_widget_manifest()
    manifest["frames"][manifest["default"]][1] = long
    markup, _ = site_widgets.widget_output(manifest, 3, "_static", {}, first=False)
    elements, text = parse(markup)
    image = next(attrs for tag, attrs in elements if tag == "img")
    assert image["alt"] == alt
    assert image["aria-describedby"] == "lnn-widget-3-description"
    details = next(attrs for tag, attrs in elements if tag == "details")
    assert "hidden" not in details
    assert long in text


def test_only_the_first_widget_of_a_page_loads_the_script():
    markup, _ = site_widgets.widget_output(long_widget_manifest(), 1, "_static", {}, first=False)
    assert "site_widgets.js" not in markup
    assert 'id="lnn-widget-1"' in markup


def test_a_widget_with_every_value_says_nothing_about_availability():
    widget = small_widget()
    manifest = frames.render_frames(widget, specs_of(widget), budget=100)
    assert site_widgets.availability_note(manifest) == ""


def test_a_manifest_of_another_version_is_refused():
    manifest = dict(long_widget_manifest(), version=99)
    with pytest.raises(ValueError, match="format 99"):
        site_widgets.widget_output(manifest, 0, "_static", {}, first=True)


def frames_output(manifest, png):
    return new_output(
        "display_data",
        data={
            "image/png": base64.b64encode(png).decode(),
            "text/plain": "<widget>",
            frames.FRAMES_MIME: manifest,
        },
    )


def test_prepare_for_site_turns_frames_outputs_into_widgets_and_collects_the_files():
    manifest = long_widget_manifest()
    cell = new_code_cell("widget", outputs=[frames_output(manifest, b"\x89PNG")])
    nb = new_notebook(cells=[cell])
    files = {}
    page, widgets = site._prepare_page(nb, files)
    (output,) = page.cells[0].outputs
    assert set(output.data) == {"text/html"}
    assert 'class="lnn-widget"' in output.data["text/html"]
    assert site._count_images(page) == 1
    assert len(files) == len(manifest["images"])
    assert len(widgets) == 1
    assert frames.FRAMES_MIME in nb.cells[0].outputs[0].data  # the notebook is left as it was


# --- in a kernel ------------------------------------------------------------------------------

WIDGET_CODE = """\
from lecture_nn.widgets import interactive_figure

def slope_line(fig, slope=1.0, style="solid"):
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope], linestyle=style)
    ax.set_ylim(0, 2)

interactive_figure(slope_line, slope=(0.5, 2.0, 0.5), style=["solid", "dashed"], figsize=(2, 2))
"""


def widget_notebook(folder):
    return save_notebook(folder / "01_widget.ipynb", [new_code_cell(WIDGET_CODE)])


def frame_files(site_dir):
    folder = site_dir / "_static" / "frames"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_build_draws_the_frames_in_the_kernel_and_renders_them_from_the_executed_copy(tmp_path):
    """One execution by build_site; that the frames come out byte for byte the same from
    another execution is checked with the command line in tests/test_site.py."""
    notebook = widget_notebook(tmp_path / "notebooks")
    first = site.build_site(tmp_path / "one", [notebook], executed_dir=tmp_path / "executed")
    executed = nbformat.read(tmp_path / "executed" / notebook.name, as_version=4)
    (output,) = executed.cells[0].outputs
    assert {"image/png", frames.FRAMES_MIME} <= set(output.data)  # one output, both kinds
    assert len(frame_files(first.output_dir)) == 8
    assert [(w.widget, w.combinations, w.frames) for w in first.pages[0].widgets] == [
        ("slope_line", 8, 8)
    ]
    page = (first.output_dir / "01_widget.html").read_text(encoding="utf-8")
    assert page.count('<figure class="lnn-widget"') == 1
    assert (first.output_dir / "_static" / "site_widgets.js").is_file()
    assert frames.SITE_FRAMES_VARIABLE not in os.environ  # set for the kernels only
    # a site built from the executed copy without executing has the same widget
    again = site.build_site(
        tmp_path / "again", [tmp_path / "executed" / notebook.name], execute=False
    )
    assert frame_files(again.output_dir) == frame_files(first.output_dir)
