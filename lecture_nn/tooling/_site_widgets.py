"""Live widgets on the static course site: HTML controls that switch between pre-drawn frames.

A notebook executed by ``lecture-nn build`` stores, in each widget's display output, the
frames of a grid of its control values (:mod:`lecture_nn._site_frames`, MIME type
:data:`~lecture_nn._site_frames.FRAMES_MIME`). :func:`widget_output` turns such an output
into HTML: a ``<figure>`` with the default frame as ``<img>`` (its alt text the frame's
description, or its first clause with the whole description in a fold below, as for the
site's other figures), a labelled HTML control per widget control (``<input type=range>`` over the
values that have frames, with the live slider's readout; ``<select>``; ``<input
type=checkbox>``), and a sentence naming the values available where a control was cut down.
The frames go to ``_static/frames/`` once for the whole site, named by their content's hash;
``site_widgets.js`` swaps the image and its alt text when a control changes, with no kernel
and no network beyond the site's own files (it works from ``file://`` too).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import struct
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lecture_nn import _validation as check
from lecture_nn._site_frames import FORMAT_VERSION, FRAMES_MIME

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "ALT_LIMIT",
    "FRAMES_FOLDER",
    "MAX_SITE_BYTES",
    "MAX_SITE_FRAME_BYTES",
    "MAX_WIDGET_BYTES",
    "OUTPUT_MARK",
    "SCRIPT",
    "STYLE",
    "WidgetSummary",
    "alt_text",
    "availability_note",
    "frame_file_name",
    "replace_frames_outputs",
    "widget_output",
]

#: Folder of the frames inside the site's static folder.
FRAMES_FOLDER = "frames"
#: The script and style sheet of the widgets (in templates/course_site, copied to _static).
SCRIPT = "site_widgets.js"
STYLE = "site_widgets.css"

#: Output metadata key that marks a widget's HTML output (it shows one image).
OUTPUT_MARK = "lecture_nn_site_widget"

#: Size budget of one widget's frames, in bytes (full mode; quick mode stays far below).
MAX_WIDGET_BYTES = 16 * 2**20
#: Size budget of all the site's frames together (each distinct frame counted once).
MAX_SITE_FRAME_BYTES = 60 * 2**20
#: Size budget of the whole site: pages, MathJax, style sheets, script and frames.
MAX_SITE_BYTES = 100 * 2**20


@dataclass
class WidgetSummary:
    """What one static widget costs: its frames (distinct images) and their bytes."""

    widget: str
    combinations: int
    frames: int
    bytes: int


#: Longest alt text; a longer description is given in full under the figure (as the site's
#: other figures do, templates/course_site/course_figures.html.j2).
ALT_LIMIT = 250


def alt_text(description: str) -> tuple[str, bool]:
    """Return a frame's alt text and whether its description is long enough to go below it.

    As for the site's other figures: up to :data:`ALT_LIMIT` characters the description is
    the alt text; a longer one is shown in full under the figure, and the alt holds its first
    clause (up to the first colon or full stop, at most 210 characters, cut at a space).
    """
    description = description.strip()
    if len(description) <= ALT_LIMIT:
        return description, False
    head = description.split(". ")[0].split(": ")[0].strip()
    if len(head) > ALT_LIMIT - 40:
        head = head[: ALT_LIMIT - 40].rsplit(" ", 1)[0] + " \N{HORIZONTAL ELLIPSIS}"
    return head + " (described in full below the figure)", True


def frame_file_name(data: bytes) -> str:
    """Return the file name of a frame: the first 20 hex digits of its SHA-256, ``.png``."""
    return hashlib.sha256(data).hexdigest()[:20] + ".png"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header, in pixels."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("a frame is no PNG image")
    return struct.unpack(">II", data[16:24])


def availability_note(manifest: dict) -> str:
    """Return the sentence naming the values that have frames, or "" if every value has one."""
    parts = []
    for control in manifest["controls"]:
        labels, count = control["labels"], control["count"]
        if len(labels) >= count:
            continue
        listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        noun = "values" if control["kind"] == "slider" else "options"
        parts.append(f"{control['label']}: {listed} ({len(labels)} of its {count} {noun})")
    if not parts:
        return ""
    return (
        "This static page has the figure for these values only; "
        + "; ".join(parts)
        + ". The notebook draws every value."
    )


def _control_html(control: dict, element_id: str, index: int) -> str:
    """One labelled HTML control for a widget control."""
    label = html.escape(control["label"])
    labels = control["labels"]
    default = control["default"]
    data = f'data-control="{index}"'
    if control["kind"] == "slider":
        readout = html.escape(labels[default])
        return (
            f'<span class="lnn-control"><label for="{element_id}">{label}</label> '
            f'<input type="range" id="{element_id}" {data} min="0" '
            f'max="{len(labels) - 1}" step="1" value="{default}" '
            f'aria-valuetext="{readout}"> '
            f'<output for="{element_id}" class="lnn-readout">{readout}</output></span>'
        )
    if control["kind"] == "checkbox":
        checked = " checked" if control["values"][default] else ""
        return (
            f'<span class="lnn-control"><input type="checkbox" id="{element_id}" {data}'
            f'{checked}> <label for="{element_id}">{label}</label></span>'
        )
    options = "".join(
        f'<option value="{i}"{" selected" if i == default else ""}>{html.escape(text)}</option>'
        for i, text in enumerate(labels)
    )
    return (
        f'<span class="lnn-control"><label for="{element_id}">{label}</label> '
        f'<select id="{element_id}" {data}>{options}</select></span>'
    )


def widget_output(
    manifest: dict, number: int, static: str, files: MutableMapping[str, bytes], first: bool
) -> tuple[str, WidgetSummary]:
    """Return the HTML of one static widget and what it costs; add its frames to ``files``.

    Parameters
    ----------
    manifest : dict
        The widget's frames (the :data:`FRAMES_MIME` data of its output).
    number : int
        The widget's number on its page (for unique element ids).
    static : str
        The site's static folder, relative to the page (``"_static"``).
    files : mutable mapping of str to bytes
        Receives the frames, by file name relative to ``static``.
    first : bool
        The page's first widget: its HTML loads the script and style sheet.

    Returns
    -------
    tuple of (str, WidgetSummary)
        The HTML and the widget's frame count and bytes.

    Raises
    ------
    ValueError
        When the manifest is of another format version or refers to a missing frame.
    """
    check.mapping(manifest, "manifest", keys=("controls", "images", "frames", "grid"))
    if manifest.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"manifest: frames of format {manifest.get('version')!r}, this site builds "
            f"format {FORMAT_VERSION}; execute the notebook again"
        )
    sizes = [len(control["labels"]) for control in manifest["controls"]]
    combinations = 1
    for size in sizes:
        combinations *= size
    if len(manifest["grid"]) != combinations:
        raise ValueError(
            f"manifest: {len(manifest['grid'])} frames in its grid for {combinations} "
            "combinations of values"
        )
    names, total = [], 0
    for encoded in manifest["images"]:
        data = base64.b64decode(encoded)
        name = frame_file_name(data)
        files[f"{FRAMES_FOLDER}/{name}"] = data
        names.append(name)
        total += len(data)
    element = f"lnn-widget-{number}"
    default = manifest["frames"][manifest["default"]]
    alt, long = alt_text(default[1])
    described = f' aria-describedby="{element}-description"' if long else ""
    width, height = _png_size(base64.b64decode(manifest["images"][default[0]]))
    controls = " ".join(
        _control_html(control, f"{element}-{i}", i)
        for i, control in enumerate(manifest["controls"])
    )
    frames = []
    for image, description in manifest["frames"]:
        frame_alt, frame_long = alt_text(description)
        frames.append([image, frame_alt, description if frame_long else ""])
    script_data = {
        "base": f"{static}/{FRAMES_FOLDER}/",
        "images": names,
        "frames": frames,
        "grid": manifest["grid"],
        "sizes": sizes,
        "labels": [control["labels"] for control in manifest["controls"]],
    }
    payload = json.dumps(script_data, separators=(",", ":"), ensure_ascii=True)
    payload = payload.replace("</", "<\\/")
    note = availability_note(manifest)
    parts = []
    if first:
        parts.append(f'<link rel="stylesheet" href="{static}/{STYLE}">')
        parts.append(f'<script src="{static}/{SCRIPT}" defer></script>')
    parts += [
        f'<figure class="lnn-widget" id="{element}" '
        f'data-lnn-widget="{html.escape(manifest["widget"])}">',
        f'<div class="lnn-controls">{controls}</div>',
        f'<img class="lnn-frame" src="{static}/{FRAMES_FOLDER}/{names[default[0]]}" '
        f'width="{width}" height="{height}" alt="{html.escape(alt)}"{described} '
        f'data-frame="{manifest["default"]}">',
        # The whole description of a frame whose alt text gives only its first clause.
        f'<details class="course-figure-description"{"" if long else " hidden"}>'
        f"<summary>The figure in words</summary>"
        f'<p id="{element}-description">{html.escape(default[1] if long else "")}</p></details>',
    ]
    if note:
        parts.append(f'<p class="lnn-note">{html.escape(note)}</p>')
    parts += [f'<script type="application/json" class="lnn-data">{payload}</script>', "</figure>"]
    summary = WidgetSummary(manifest["widget"], combinations, len(names), total)
    return "\n".join(parts), summary


def replace_frames_outputs(
    nb: NotebookNode, static: str, files: MutableMapping[str, bytes]
) -> list[WidgetSummary]:
    """Turn the widget frames outputs of ``nb`` into HTML widgets, in place; add their frames.

    Each display output holding :data:`FRAMES_MIME` becomes a ``text/html`` output
    (:func:`widget_output`), marked in its metadata with :data:`OUTPUT_MARK`. Returns
    what each widget costs, in page order.
    """
    from nbformat.v4 import new_output

    summaries: list[WidgetSummary] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for index, output in enumerate(cell.outputs):
            if output.get("output_type") != "display_data" or FRAMES_MIME not in output.get(
                "data", {}
            ):
                continue
            markup, summary = widget_output(
                output.data[FRAMES_MIME], len(summaries), static, files, not summaries
            )
            cell.outputs[index] = new_output(
                "display_data", data={"text/html": markup}, metadata={OUTPUT_MARK: True}
            )
            summaries.append(summary)
    return summaries
