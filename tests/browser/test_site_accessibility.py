"""The static course site against WCAG 2.1 AA: axe-core's automated audit and the keyboard checks
an auditor does by hand, on every page (the contents page and one page per notebook).

* axe-core (shipped by ``axe-playwright-python``) runs with the rules tagged ``wcag2a``,
  ``wcag2aa``, ``wcag21a`` and ``wcag21aa`` on each page in Debian's Chromium, after MathJax
  has typeset the page and with every fold (figure code, longer descriptions) open, since axe
  checks only what is rendered: 0 violations, else the test lists rule, impact, element and
  what is wrong.
* Keyboard (success criteria 2.1.1 and 2.4.7): Tab from the top of the page reaches every
  link, control and focusable region in turn, and each shows a focus outline at least 2 px
  wide whose colour has at least 3:1 contrast against the page (white) and against the code
  background; on the first element of every kind the outline is also found in the pixels of
  a screenshot (focused against unfocused). The skip link, the folds of figure code and the
  links to the next page work from the keyboard.

The site is built once per session from the executed course notebooks (fixture
``course_site`` in tests/conftest.py) and served from 127.0.0.1.
"""

from __future__ import annotations

import io
import re

import pytest
from browser_support import unavailable

from lecture_nn.tooling.paths import course_notebooks

NOTEBOOK_PAGES = [f"{path.stem}.html" for path in course_notebooks()]
PAGES = ["index.html", *NOTEBOOK_PAGES]

#: axe-core's tags of the WCAG 2.0 and 2.1 level A and AA success criteria.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

MATHJAX_DONE = """
() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0
  && MathJax.Hub.queue.running === 0
"""

#: Every element the keyboard should reach, numbered in document order (data-a11y-index):
#: rendered (the contents of a closed fold are not), not disabled, not taken out of the order.
MARK_FOCUSABLE = """
() => {
  const selector = "a[href], button, input, select, textarea, summary, [tabindex], "
    + "[contenteditable]";
  const folded = (e) => {
    const fold = e.closest("details:not([open])");
    const summary = e.closest("summary");
    return Boolean(fold) && !(summary && summary.parentElement === fold);
  };
  const elements = Array.from(document.querySelectorAll(selector)).filter(
    (e) => e.tabIndex >= 0 && !e.disabled && !folded(e) && e.getClientRects().length > 0
      && getComputedStyle(e).visibility !== "hidden");
  elements.forEach((e, i) => e.setAttribute("data-a11y-index", String(i)));
  return elements.length;
}
"""

FOCUSED = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body || !e.hasAttribute("data-a11y-index")) {
    return e && e !== document.body ? {index: -1, tag: e.tagName} : null;
  }
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    index: Number(e.getAttribute("data-a11y-index")),
    tag: e.tagName.toLowerCase(),
    kind: e.tagName.toLowerCase() + "." + String(e.getAttribute("class") || "").split(" ")[0]
      + (e.parentElement.closest(".jp-OutputArea-output") ? " in an output" : ""),
    html: e.outerHTML.slice(0, 120),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineOffset: parseFloat(style.outlineOffset),
    outlineColor: style.outlineColor,
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
  };
}
"""

#: Backgrounds a focus outline is drawn on: the page and the code cells (JupyterLab's grey 100).
BACKGROUNDS = {"page": (255, 255, 255), "code": (245, 245, 245)}
MIN_FOCUS_CONTRAST = 3.0  # WCAG 2.1 success criterion 1.4.11 (non-text contrast)
MIN_OUTLINE_PX = 2.0


def open_page(page, url: str) -> None:
    """Load ``url``, wait for the network to be idle and MathJax to finish typesetting."""
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => Boolean(window.MathJax)"):
        page.wait_for_function(MATHJAX_DONE)


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on ``page``; return its violations."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed: pip install -e '.[test]'")
    response = Axe().run(page, options=AXE_OPTIONS).response
    # Versions before 0.1.7 dropped the options (and ran every rule, best practices included).
    assert response["toolOptions"]["runOnly"] == AXE_OPTIONS["runOnly"], response["toolOptions"]
    return response["violations"]


def describe_violations(violations: list[dict]) -> str:
    """One line per element: rule, impact, the element's CSS target and what is wrong."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements): "
            f"{violation['help']} [{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def relative_luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0-255 integers.

    https://www.w3.org/TR/WCAG21/#dfn-relative-luminance (tests/test_contrast.py has the
    derivation); used here for the colour of the focus outline.
    """
    linear = []
    for value in rgb:
        channel = value / 255
        linear.append(channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second) -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05) of two 0-255 sRGB colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def css_rgb(colour: str, background=(255, 255, 255)) -> tuple[int, int, int]:
    """A computed CSS colour ``rgb(...)``/``rgba(...)``, composited over ``background``."""
    numbers = [float(part) for part in re.findall(r"[\d.]+", colour)]
    assert colour.startswith("rgb"), colour
    assert len(numbers) in (3, 4), colour
    alpha = numbers[3] if len(numbers) == 4 else 1.0
    return tuple(round(alpha * c + (1 - alpha) * b) for c, b in zip(numbers[:3], background))


def outline_pixels(page, focused: dict) -> tuple[int, int]:
    """Pixels the focus outline of the focused element changes, in the outline's colour.

    Returns ``(found, expected)``: ``found`` counts pixels around the element that differ
    between a screenshot with the focus and one without and that lie close to the outline
    colour; ``expected`` is the area of two sides of the outline inside the viewport (half
    of a full ring), the least that a visible outline draws.
    """
    import matplotlib.image
    import numpy as np

    # In the middle of the viewport, so that only the page's own boxes can clip the outline.
    page.evaluate("() => document.activeElement.scrollIntoView({block: 'center'})")
    focused = page.evaluate(FOCUSED)
    viewport = page.viewport_size
    margin = focused["outlineOffset"] + focused["outlineWidth"] + 2
    box = focused["box"]
    left, top = max(box["x"] - margin, 0), max(box["y"] - margin, 0)
    right = min(box["x"] + box["width"] + margin, viewport["width"])
    bottom = min(box["y"] + box["height"] + margin, viewport["height"])
    if right - left < 2 or bottom - top < 2:
        return 0, 1
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}

    def shot():
        image = matplotlib.image.imread(io.BytesIO(page.screenshot(clip=clip)), format="png")
        return np.round(image[..., :3] * 255).astype(int)

    with_focus = shot()
    page.evaluate("() => document.activeElement.blur()")
    without_focus = shot()
    page.evaluate(
        "([i]) => document.querySelector(`[data-a11y-index='${i}']`).focus()", [focused["index"]]
    )
    target = np.array(css_rgb(focused["outlineColor"]))
    changed = np.abs(with_focus - without_focus).sum(axis=-1) > 30
    in_colour = np.abs(with_focus - target).sum(axis=-1) < 90
    found = int((changed & in_colour).sum())
    expected = int(focused["outlineWidth"] * (clip["width"] + clip["height"]))
    return found, expected


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_a_or_aa_violation(page, served_site, name):
    """axe-core, WCAG 2.0/2.1 A and AA rules: no violation, with every fold open.

    axe checks only what is rendered; the page with its folds (figure code, longer figure
    descriptions) open holds everything the page as loaded does, so one audit covers both.
    """
    open_page(page, f"{served_site}/{name}")
    page.evaluate("() => document.querySelectorAll('details').forEach((e) => { e.open = true; })")
    violations = axe_violations(page)
    assert violations == [], f"{name}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_tab_reaches_everything_with_a_visible_focus_outline(page, served_site, name, report):
    """Tab visits every focusable element in turn; each shows a 3:1 outline of >= 2 px."""
    open_page(page, f"{served_site}/{name}")
    count = page.evaluate(MARK_FOCUSABLE)
    assert count > 0
    visited, problems, kinds_seen = [], [], set()
    for _ in range(count + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            if visited:
                break  # past the last element: the focus left the document
            continue
        if focused["index"] < 0:
            problems.append(f"focus on an element not in the list: {focused['tag']}")
            continue
        if visited and focused["index"] == visited[0]:
            break  # wrapped round to the first element
        visited.append(focused["index"])
        where = f"#{focused['index']} {focused['html']}"
        if focused["outlineStyle"] in ("none", "hidden"):
            problems.append(f"{where}: no outline")
            continue
        if focused["outlineWidth"] < MIN_OUTLINE_PX:
            problems.append(f"{where}: outline {focused['outlineWidth']} px")
        for background_name, background in BACKGROUNDS.items():
            ratio = contrast_ratio(css_rgb(focused["outlineColor"], background), background)
            if ratio < MIN_FOCUS_CONTRAST:
                problems.append(
                    f"{where}: outline {focused['outlineColor']} has {ratio:.2f}:1 on the "
                    f"{background_name} background"
                )
        if focused["kind"] not in kinds_seen:
            kinds_seen.add(focused["kind"])
            found, expected = outline_pixels(page, focused)
            if found < expected:
                problems.append(
                    f"{where}: the screenshot shows {found} outline pixels, expected >= {expected}"
                )
    assert visited == sorted(visited), "Tab does not follow the document order"
    missed = sorted(set(range(count)) - set(visited))
    assert missed == [], f"Tab never reached elements {missed[:20]} of {count}"
    assert problems == [], "\n".join(problems)
    report.append(
        f"keyboard {name}: {count} focus stops, kinds with a visible outline: "
        + ", ".join(sorted(kinds_seen))
    )


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_skip_link_folds_and_navigation_work_from_the_keyboard(page, served_site, name):
    """The first Tab stop skips to the content; Enter opens and closes a fold; Enter follows
    the link to the next page."""
    open_page(page, f"{served_site}/{name}")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "course-skip-link"
    assert page.locator(".course-skip-link").is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside_main = "() => Boolean(document.activeElement.closest('main#course-content'))"
    assert page.evaluate(inside_main), "the skip link does not lead into the content"

    summary = page.locator("details.course-hidden-input > summary")
    if summary.count():
        summary.first.focus()
        details = page.locator("details.course-hidden-input").first
        page.keyboard.press("Enter")
        assert details.evaluate("(e) => e.open")
        page.keyboard.press("Enter")
        assert not details.evaluate("(e) => e.open")

    following = page.locator("nav.course-nav").first.locator("a.course-next")
    if following.count():
        href = following.get_attribute("href")
        following.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/" + href)
