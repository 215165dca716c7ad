"""A version's screenshot beside its diff: the picture cropped to the changed texts and outlined there (inline
SVG, so the outlines scale with the picture and need no script or inline style), the whole page one click away.

The image is given as an href by the caller: a data: URI in the self-contained report (`data_uri`), a route
of the web view there. Boxes come from Version.screenshot (extract/boxes.py), found by the edit's own text.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watcher.errors import StoreError
from watcher.models import Edit, Screenshot, Version, text_key

# Where a version's screenshot image is read from: an href, or None when there is none to show.
ImageSource = Callable[[Version], str | None]

# The cropped view: this much of the page around the outlined texts, and at most this tall for the
# picture's width (changes far apart show the first ones; the whole page is under "Whole page").
PAD = 120
MAX_BAND_RATIO = 1.25
# An outline is drawn this far (page px) outside its text's box: its stroke keeps a fixed width on screen while
# the picture is shown at about a quarter of its size, so an outline on the box itself covers a line of text.
OUTLINE_GAP = 12


@dataclass
class Side:
    """One version's picture in a change: which version, its screenshot, its href and the boxes to outline."""

    label: str  # "after" | "before"
    version: Version
    shot: Screenshot
    href: str
    boxes: list[list[int]]


def data_uri(read: Callable[[Version], bytes | None]) -> ImageSource:
    """Screenshots as data: URIs, read with `read` (Store.get_screenshot); each image read once."""
    cache: dict[str, str | None] = {}

    def source(version: Version) -> str | None:
        shot = version.screenshot
        if shot is None:
            return None
        if shot.digest not in cache:
            try:
                data = read(version)
            except StoreError:  # a damaged image blob (`watcher doctor` says so): the report goes without it
                data = None
            media = shot.media_type if shot.media_type in ("image/jpeg", "image/png") else "image/jpeg"
            cache[shot.digest] = f"data:{media};base64,{base64.b64encode(data).decode()}" if data else None
        return cache[shot.digest]

    return source


def boxes_for(shot: Screenshot, texts: Sequence[str | None]) -> list[list[int]]:
    """The boxes of these texts on the screenshot, in order, each once; texts not found on it are left out."""
    found: list[list[int]] = []
    for text in texts:
        box = shot.boxes.get(text_key(text)) if text else None
        if box is not None and box not in found:
            found.append(box)
    return found


def sides(old: Version | None, new: Version, edits: Sequence[Edit], images: ImageSource) -> list[Side]:
    """The pictures to show for a change: the new version's with its edits' new texts outlined, and the old
    version's when it has texts the edits removed or replaced to outline."""
    out: list[Side] = []
    for label, version, texts in (
        ("after", new, [e.new for e in edits]),
        ("before", old, [e.old for e in edits if e.op != "move"]),
    ):
        if version is None or version.screenshot is None:
            continue
        boxes = boxes_for(version.screenshot, texts)
        if label == "before" and not boxes:
            continue  # nothing of the old page to point at: the new one says it all
        href = images(version)
        if href:
            out.append(Side(label, version, version.screenshot, href, boxes))
    return out


def view(shot: Screenshot, boxes: Sequence[Sequence[int]]) -> tuple[int, int, int, int]:
    """The part of the page (x, y, width, height) the cropped view shows: the column and rows around the
    outlined boxes (at most MAX_BAND_RATIO times as tall as wide), else the top of the page."""
    if not boxes:
        return 0, 0, shot.width, min(shot.height, max(1, int(shot.width * MAX_BAND_RATIO)))
    left = max(0, min(b[0] for b in boxes) - PAD)
    right = min(shot.width, max(b[0] + b[2] for b in boxes) + PAD)
    top = max(0, min(b[1] for b in boxes) - PAD)
    bottom = min(shot.height, max(b[1] + b[3] for b in boxes) + PAD)
    width = max(1, right - left)
    return left, top, width, max(1, min(bottom - top, int(width * MAX_BAND_RATIO)))


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _rects(boxes: Sequence[Sequence[int]], cls: str) -> str:
    gap = OUTLINE_GAP
    return "".join(
        f'<rect class="{cls}" x="{int(x) - gap}" y="{int(y) - gap}" width="{int(w) + 2 * gap}" '
        f'height="{int(h) + 2 * gap}"></rect>'
        for x, y, w, h in boxes
    )


def side_html(side: Side, element_id: str) -> str:
    """One version's picture: the cropped view (holding the image, once) and the whole page under a
    disclosure (reusing it by reference); `element_id` must be unique in the document."""
    shot = side.shot
    cls = "shot-new" if side.label == "after" else "shot-old"
    left, top, width, height = view(shot, side.boxes)
    image_id = f"{element_id}-img"
    what = f"v{side.version.number} as rendered"
    cut = (
        f' <span class="muted">(page cut at {shot.height:,} px of {shot.page_height:,})</span>'
        if shot.height < shot.page_height
        else ""
    )
    crop = (
        f'<svg class="shot-view" viewBox="{left} {top} {width} {height}" role="img" '
        f'aria-label="{_esc(what)}" preserveAspectRatio="xMidYMin meet">'
        f'<image id="{_esc(image_id)}" href="{_esc(side.href)}" x="0" y="0" width="{shot.width}" '
        f'height="{shot.height}"></image>{_rects(side.boxes, cls)}</svg>'
    )
    whole = (
        # At full size (the page's own pixels, scrolling in its frame): the cropped view is too small to read.
        f'<details class="shot-whole"><summary>Whole page</summary><div class="shot-full">'
        f'<svg class="shot-view" viewBox="0 0 {shot.width} {shot.height}" width="{shot.width}" '
        f'height="{shot.height}" role="img" aria-label="{_esc(what)}">'
        f'<use href="#{_esc(image_id)}"></use>{_rects(side.boxes, cls)}</svg></div></details>'
    )
    caption = f"<figcaption>{side.label.capitalize()}: {_esc(what)}{cut}</figcaption>"
    return (
        f'<figure class="shot shot-{side.label}" id="{_esc(element_id)}" data-version="{side.version.number}" '
        f'data-outlines="{len(side.boxes)}">{caption}{crop}{whole}</figure>'
    )


def thumbnail_svg(shot: Screenshot, href: str, boxes: Sequence[Sequence[int]], label: str) -> str:
    """The cropped view alone (for a card): the picture around the outlined boxes, `label` its accessible name."""
    left, top, width, height = view(shot, boxes)
    return (
        f'<svg class="shot-view" viewBox="{left} {top} {width} {height}" role="img" aria-label="{_esc(label)}" '
        f'preserveAspectRatio="xMidYMin meet"><image href="{_esc(href)}" x="0" y="0" width="{shot.width}" '
        f'height="{shot.height}"></image>{_rects(boxes, "shot-new")}</svg>'
    )


def shots_html(
    old: Version | None, new: Version, edits: Sequence[Edit], images: ImageSource | None, element_id: str
) -> str:
    """The pictures of a change (see `sides`), or "" when there are none."""
    if images is None:
        return ""
    found = sides(old, new, edits, images)
    if not found:
        return ""
    return '<div class="shots">' + "".join(side_html(s, f"{element_id}-{s.label}") for s in found) + "</div>"
