"""Real-layout harness (issue 26): real pages whose chrome changes on every load, one story edit, the real monitor.

usage: python bench/real_layouts.py [--set dev|dev2|both] [--pages N] [--jobs J] [--reloads R] [--only ID ...]

Reads the real pages of shared/extraction-dev and shared/extraction-dev-2 where they are (never copying them; it
says so and stops when the folders are absent) and serves each from a loopback address of its own (127.1.x.y: one
host per page), re-noised on EVERY request the way live sites are:
  - digits in text that is not the story changed (counters, "5 min ago", sidebar figures), the story text being
    what the page's ground-truth body holds; headings, <time>, captions and date/author elements keep theirs, and
    so does the prose of the story's container beside its paragraphs (a line of 100 or more in _weight, in words,
    mostly not links, whose block's parent or grandparent holds a story paragraph): live sites draw an article's
    own paragraphs once, and a ground truth that leaves some out (a documentation page's notes) does not make
    them chrome. Short lines, link lines, lists and counters in the container are still redrawn;
  - every list and every run of sibling links that holds no story text reordered;
  - inside the article container, beside the story paragraphs: a rotating "Most read now" line and a reordered
    "More great stories" list with comment counts (the harness's own words, not the page's).
Then one story edit: a number (else a word) changed in one ground-truth body paragraph. The real monitor
(check_article: real Chromium, the pre-check's HTTP fetcher, a real TinyDB store, [fetch] mode auto) checks each
page: once (new), R chrome-only reloads (each one that stores a version is a false alert), then the edit, which
must be stored on that check (stored on the next check: late; not by then: missed). A page whose first check finds
no article, or whose stored body does not hold the paragraph the harness edits (a section front, which watcher's
first check calls one), is an extraction failure, listed apart with its reason, never "unchanged" nor a missed
edit. Seconds per check are reported for the reloads and the edit, against a check of the same page served
without noise (a quiet copy on another port), and printed as a ratio.

confirm_delay is 1 s here (5 s by default) so that the harness runs in reasonable time; the ratio compares checks
that wait the same.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gzip
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from common import REPO  # noqa: F401 - puts the repository on sys.path and allows 127.0.0.1
from lxml import html as lxml_html
from pages import PageHandler

from watcher.config import BrowserSettings, Config, TrustSettings
from watcher.diff.words import VOLATILE_MAX_CHARS
from watcher.fetch import Fetcher
from watcher.fetch.http_pages import HTTPFetcher
from watcher.monitor.check import Services, check_article
from watcher.normalize import normalize_text
from watcher.store import open_store

# Beside the repository (../shared), or beside the folder of worktrees holding it; WATCHER_SHARED overrides.
_HERE = Path(__file__).resolve().parent.parent
SHARED = next(
    (
        p
        for p in (Path(os.environ.get("WATCHER_SHARED", _HERE.parent / "shared")), _HERE.parent.parent / "shared")
        if p.is_dir()
    ),
    _HERE.parent / "shared",
)
SETS = {"dev": SHARED / "extraction-dev", "dev2": SHARED / "extraction-dev-2"}
CONFIRM_DELAY = 1.0
SECTION_NOTE = "looks like a home or section page"  # what a check's note says of a page that lists stories
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"(?<![\d.,])\d{1,6}(?![\d.,]?\d)")
_WORD = re.compile(r"[^\W\d_]{5,}")
# Elements whose digits are the article's own (dates, authors, captions, headings): the harness leaves them,
# since a changed date or caption is a real edit, not noise.
_KEEP = re.compile(r"date|time|byline|author|publish|updated|caption|headline|title|dek|standfirst|subtitle", re.I)
_INLINE = {
    *("a", "span", "em", "strong", "b", "i", "u", "sup", "sub", "small", "mark", "abbr", "cite", "q", "font"),
    *("tt", "code", "kbd", "samp", "var", "s", "strike", "del", "ins", "dfn", "bdi", "bdo", "label"),
}
_PARAGRAPHS = {"p", "li", "blockquote", "dd", "td", "h3", "h4", "pre"}
_KEEP_TAGS = {"head", "title", "h1", "h2", "time", "figcaption", "script", "style", "noscript", "template", "textarea"}
# The harness's own rotating texts (not the pages'): a "most read now" line and an in-article list.
ROTATING = [
    "Council votes to close the old ferry terminal",
    "Five things to know before the long weekend",
    "Storm watch extended for the northern coast",
    "Local bakery wins national bread prize",
    "Why the bridge tolls are going up again",
    "Museum reopens its west wing after repairs",
    "Schools weigh a later start to the day",
]


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _weight(text: str) -> int:
    """Length as reading weight: a Chinese or Japanese character says about what a short word does (three
    letters), so a 35-character line of a Taiwanese blog is a paragraph as a 100-letter English one is."""
    return len(text) + 2 * sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


PROMPT_CHARS = 1000
# The story container: the deepest element holding this share of the page's story text.
CONTAINER_SHARE = 0.8
# A line of the story container this heavy (_weight) and not mostly links is prose of the article, left as drawn.
PROSE_WEIGHT = 100
PROSE_WORDS = 10  # and written in words (a long address or a formula is not prose)


def _in_prompt(el: Any) -> bool:
    """Whether a text sits in a sign-up or subscription prompt: a small block holding buttons or fields. Some
    ground-truth bodies keep such a prompt ("Sign up for our newsletter ..."), but no newsroom edits one as
    story text, and watcher rightly leaves prompts out (issue 26: newsletter and share prompts are chrome)."""
    for block in list(el.iterancestors())[:4]:
        if len(collapse("".join(block.itertext()))) > PROMPT_CHARS:
            return False
        if block.find(".//button") is not None or block.find(".//input") is not None:
            return True
    return False


def _squeeze(text: str) -> str:
    """Letters and digits only, case-folded, compatibility forms unified: the form two copies of a text share."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


@dataclass
class Page:
    """One real page, its ground truth, and what the harness serves of it."""

    key: str
    set: str
    html: str
    paragraphs: list[str]
    story: str = ""  # the ground-truth body collapsed, paragraphs joined by newlines
    edit: tuple[str, str, str, str] | None = None  # (paragraph, its text node, old fragment, new fragment)
    edited: bool = False
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def prepare(self) -> None:
        self.story = "\n".join(collapse(p) for p in self.paragraphs)
        squeezed = _squeeze(self.story)
        self._story_pieces = {squeezed[i : i + 6] for i in range(max(0, len(squeezed) - 5))}
        self.tree = lxml_html.document_fromstring(self.html)
        for bad in self.tree.xpath("//script[not(@type='application/ld+json')]|//iframe"):
            bad.drop_tree()  # saved pages with scripts off: their scripts would reach the network
        self.edit = self._choose_edit()
        container = self._story_container(self.tree)
        self._container_path = self.tree.getroottree().getpath(container) if container is not None else ""

    def _story_container(self, tree: Any) -> Any:
        """The element holding the story: the deepest one holding 80% of the text of the page that is story text
        (the ground truth's), or None when the page holds none."""
        held: Counter[Any] = Counter()
        total = 0
        for (el, where), text in self._text_nodes(tree):
            if self.is_story(text):
                size = _weight(collapse(text))
                total += size
                node = el if where == "text" else el.getparent()
                while node is not None:
                    held[node] += size
                    node = node.getparent()
        if not total:
            return None
        holding = [el for el, size in held.items() if size >= CONTAINER_SHARE * total]
        return max(holding, key=lambda el: sum(1 for _ in el.iterancestors()))

    def _prose(self, tree: Any) -> set[tuple[Any, str]]:
        """The text nodes of the story container's prose: lines of a block (its inline text up to a <br> or a
        block) of PROSE_WEIGHT or more whose text is mostly not links. A live site draws these once, as the
        article's own paragraphs, whether or not the ground truth kept them."""
        found = tree.getroottree().xpath(self._container_path) if self._container_path else []
        if not found:
            return set()
        # Beside the story's own paragraphs (a block whose parent, or that parent's parent, holds one: a quote or
        # a note set apart), not in a module of the container.
        beside = {
            el.getparent()
            for el in found[0].iter(*_PARAGRAPHS, "div")
            if el.getparent() is not None and self.is_story("".join(el.itertext()))
        }
        prose: set[tuple[Any, str]] = set()
        for block in found[0].iter():
            if not isinstance(block.tag, str) or block.tag in _INLINE or block.tag in _KEEP_TAGS:
                continue
            parent = block.getparent()
            if parent not in beside and (parent is None or parent.getparent() not in beside):
                continue
            for line in _lines(block):
                text = collapse("".join(t for _, t, _ in line))
                linked = sum(len(collapse(t)) for _, t, link in line if link)
                worded = len(text.split()) >= PROSE_WORDS or _weight(text) >= 2 * len(text)  # (or unspaced CJK)
                if _weight(text) >= PROSE_WEIGHT and worded and linked < 0.5 * len(text):
                    prose.update(key for key, _, _ in line)
        return prose

    def is_story(self, text: str) -> bool:
        """Text of the ground-truth body: found in it as it is, or most of its 6-character pieces are (the saved
        page and the ground truth may differ in quotes, spaces and entities)."""
        text = collapse(text)
        if not text:
            return False
        if text in self.story:
            return True
        squeezed = _squeeze(text)
        pieces = {squeezed[i : i + 6] for i in range(max(0, len(squeezed) - 5))}
        return len(pieces) >= 3 and len(pieces & self._story_pieces) >= 0.5 * len(pieces)

    def in_story(self, el: Any, where: str, text: str, owners: dict[Any, bool]) -> bool:
        """A text node of the story: itself, or (a short piece such as a score between two links) as part of
        the paragraph-sized element holding it; `owners` keeps the render's verdicts on those elements."""
        if self.is_story(text):
            return True
        owner = el if where == "text" else el.getparent()
        while owner is not None and owner.tag in _INLINE:
            owner = owner.getparent()
        if owner is None or owner.tag not in _PARAGRAPHS:
            return False
        # One verdict per owner and render: a big list item or cell holds thousands of text nodes, and joining
        # its text for each of them made serving a 265 KB page take seconds, counted as watcher's time.
        if owner not in owners:
            whole = collapse("".join(owner.itertext()))
            owners[owner] = len(whole) < 2000 and self.is_story(whole)
        return owners[owner]

    def _choose_edit(self) -> tuple[str, str, str, str] | None:
        """A text node of one body paragraph (in the middle of the story) and the change made to it: a paragraph of
        60 characters or more, else (a story told in short lines, as some Chinese blogs write) of 20 or more."""
        return self._edit_in(60, 30) or self._edit_in(20, 15)

    def _edit_in(self, paragraph_chars: int, piece_chars: int) -> tuple[str, str, str, str] | None:
        order = sorted(range(len(self.paragraphs)), key=lambda i: abs(i - len(self.paragraphs) / 2))
        for i in order:
            para = collapse(self.paragraphs[i])
            if _weight(para) < paragraph_chars:
                continue
            for node, text in self._text_nodes(self.tree):
                piece = collapse(text)
                if _weight(piece) < piece_chars or piece not in para or _in_prompt(node[0]):
                    continue
                number = _NUMBER.search(piece)
                if number:
                    new = str(int(number.group()) + 3)
                    return para, piece, number.group(), new
                word = _WORD.search(piece)
                if word:
                    return para, piece, word.group(), "revised"
                mid = len(piece) // 2  # unspaced scripts (Chinese, Japanese): two characters in the middle
                return para, piece, piece[mid : mid + 2], "修改"
        return None

    @staticmethod
    def _text_nodes(tree: Any):
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            if el.text and el.text.strip():
                yield (el, "text"), el.text
            if el.tail and el.tail.strip():
                yield (el, "tail"), el.tail

    def render(self, noisy: bool) -> bytes:
        """The page as served now: re-noised (unless quiet), with the edit once it is made."""
        with self.lock:
            self.requests += 1
            n = self.requests
        tree = copy.deepcopy(self.tree)
        if self.edited and self.edit:
            self._apply_edit(tree)
        if noisy:
            self._noise(tree, random.Random(f"{self.key}/{n}"), n)
        return lxml_html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")

    def _apply_edit(self, tree: Any) -> None:
        assert self.edit is not None
        _, piece, old, new = self.edit
        # Every copy of the paragraph: a page may carry the story twice (a second layout, a print copy, the whole
        # story as one text with line breaks), all written from the one text the newsroom edits.
        written = re.compile(r"\s+".join(re.escape(word) for word in piece.split()))
        for (el, where), text in list(self._text_nodes(tree)):
            if collapse(text) == piece:
                setattr(el, where, text.replace(old, new, 1))
            elif piece in collapse(text):
                setattr(el, where, written.sub(lambda m: m.group().replace(old, new, 1), text))
        # A CMS writes the story's copy in JSON-LD (articleBody) from the same text: the edit reaches it too.
        at = piece.index(old)
        before, after = piece[max(0, at - 12) : at + len(old)], piece[at + len(old) : at + len(old) + 12]
        edited = before[: len(before) - len(old)] + new + after
        for script in tree.xpath("//script[@type='application/ld+json']"):
            if script.text and before + after in script.text:
                script.text = script.text.replace(before + after, edited)

    def _kept(self, el: Any) -> bool:
        for node in [el, *el.iterancestors()]:
            if not isinstance(node.tag, str):
                continue
            if node.tag in _KEEP_TAGS:
                return True
            attrs = " ".join(node.get(a, "") for a in ("class", "id", "itemprop", "rel"))
            if attrs and _KEEP.search(attrs):
                return True
        return False

    def _noise(self, tree: Any, rng: random.Random, n: int) -> None:
        # The render's own, not the page's: the server renders requests in threads of their own.
        owners: dict[Any, bool] = {}
        prose = self._prose(tree)
        for (el, where), text in list(self._text_nodes(tree)):
            if where == "text" and not _DIGIT.search(text):
                continue
            if not _DIGIT.search(text) or (el, where) in prose or self.in_story(el, where, text, owners):
                continue
            owner = el if where == "text" else el.getparent()
            if owner is None or self._kept(owner):
                continue
            setattr(el, where, _DIGIT.sub(lambda _m: str(rng.randrange(10)), text))
        for parent in tree.iter():
            if not isinstance(parent.tag, str) or parent.tag in _KEEP_TAGS:
                continue
            kids = [k for k in parent if isinstance(k.tag, str)]
            if len(kids) < 3:
                continue
            tags = {k.tag for k in kids}
            listy = parent.tag in ("ul", "ol") or (len(tags) == 1 and all(k.find(".//a") is not None for k in kids))
            if not listy or any(self.is_story(t) for k in kids for t in k.itertext()):
                continue
            order = kids[:]
            rng.shuffle(order)
            for k in kids:
                parent.remove(k)  # tails go with their element: text between items moves with the item before
            for k in order:
                parent.append(k)
        self._in_article(tree, rng, n)

    def _in_article(self, tree: Any, rng: random.Random, n: int) -> None:
        """A rotating line and a reordered related list inside the article, beside its paragraphs."""
        found = []
        for el in tree.iter("p", "div"):
            own = collapse("".join(el.itertext()))
            if len(own) >= 40 and own in self.story and el.getparent() is not None:
                found.append(el)
        # Beside the story's own paragraphs (siblings of another one), not inside a table cell or a quote.
        parents = Counter(el.getparent() for el in found)
        anchors = [el for el in found if parents[el.getparent()] >= 2] or found
        if not anchors:
            return
        first = anchors[min(1, len(anchors) - 1)]
        line = lxml_html.fragment_fromstring(
            f'<p class="now">Most read now: <a href="/most-read/{n % 7}">{ROTATING[n % len(ROTATING)]}</a></p>'
        )
        first.addnext(line)
        picks = rng.sample(ROTATING, 4)
        items = "".join(
            f'<li><a href="/story/{ROTATING.index(t)}">{t}</a> <span>{rng.randrange(1, 400)} comments</span></li>'
            for t in picks
        )
        block = lxml_html.fragment_fromstring(f'<div class="more"><h4>More great stories</h4><ul>{items}</ul></div>')
        anchors[min(len(anchors) - 1, max(2, len(anchors) * 2 // 3))].addnext(block)


def _lines(block: Any) -> list[list[tuple[tuple[Any, str], str, bool]]]:
    """The lines of a block's own text (its inline content, split at <br> and at blocks inside it), each a list of
    its text nodes as ((element, "text" or "tail"), text, whether inside a link)."""
    lines: list[list[tuple[tuple[Any, str], str, bool]]] = [[]]

    def walk(el: Any, linked: bool) -> None:
        if el.text:
            lines[-1].append(((el, "text"), el.text, linked))
        for child in el:
            if isinstance(child.tag, str) and child.tag in _INLINE:
                walk(child, linked or child.tag == "a")
            elif isinstance(child.tag, str):
                lines.append([])  # a <br> ends the line; a block inside has lines of its own
            if child.tail:
                lines[-1].append(((child, "tail"), child.tail, linked))

    walk(block, False)
    return [line for line in lines if line]


class _Handler(PageHandler):
    def do_GET(self) -> None:  # http.server's naming
        page: Page = self.server.page  # type: ignore[attr-defined]
        if self.path.split("?")[0] not in ("/story", "/quiet"):
            body, status = b"not found", 404
        else:
            body, status = page.render(noisy=self.path.startswith("/story")), 200
        self.send_page(body, status, "text/html; charset=utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True


_CLOSE_AT_END: list[_Server] = []


def serve(page: Page, address: str = "127.0.0.1") -> list[_Server]:
    """Two servers for one page, so the noisy and the quiet copy are different hosts."""
    servers = []
    for _ in range(2):
        server = _Server((address, 0), _Handler)
        server.page = page  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
    return servers


@dataclass
class Outcome:
    key: str
    set: str
    verdict: str = "ok"  # ok | false | missed | late | extraction | no-edit
    false_alerts: int = 0
    unconfirmed: int = 0
    reload_seconds: list[float] = field(default_factory=list)
    edit_seconds: float = 0.0
    quiet_seconds: float = 0.0
    chrome_in_body: int = 0  # long blocks of the first stored body that are not story text (extraction's share)
    note: str = ""


def _read(path: Path) -> str:
    raw = gzip.open(path).read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def load_pages(which: str) -> list[Page]:
    pages: list[Page] = []
    for name in ("dev", "dev2") if which == "both" else (which,):
        folder = SETS[name]
        truth = json.loads((folder / "ground-truth.json").read_text())
        for key in sorted(truth):
            body = truth[key].get("articleBody") or ""
            paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
            pages.append(Page(key, name, _read(folder / "html" / f"{key}.html.gz"), paragraphs))
    if which == "both":  # the two sets interleaved, so that --pages N samples both
        dev = [p for p in pages if p.set == "dev"]
        dev2 = [p for p in pages if p.set == "dev2"]
        pages = [p for pair in zip(dev, dev2) for p in pair] + dev[len(dev2) :] + dev2[len(dev) :]
    return pages


def _stored_body(store: Any, url: str) -> str:
    latest = store.latest_version(url)
    return "\n".join(collapse(p) for p in latest.article.body) if latest else ""


def loopback(index: int) -> str:
    """A loopback address of the page's own (127.1.0.1, 127.1.0.2, ...): a port freed by a page done with is
    soon handed to another page, which on a shared address would inherit the first page's URL in the store (its
    first check then "changed") and what its host learned."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


async def run_page(page: Page, svc: Services, reloads: int, index: int = 0) -> Outcome:
    out = Outcome(page.key, page.set)
    await asyncio.to_thread(page.prepare)
    if page.edit is None:
        out.verdict, out.note = "no-edit", "no body paragraph the harness can edit"
        return out
    address = loopback(index)
    servers = serve(page, address)
    try:
        story = f"http://{address}:{servers[0].server_address[1]}/story"
        quiet = f"http://{address}:{servers[1].server_address[1]}/quiet"
        url = svc.store.add_article(story)[0].url
        quiet_url = svc.store.add_article(quiet)[0].url
        # The yardstick is a rendered check (the pre-check would answer a quiet page without rendering).
        quiet_watched = svc.store.get_article(quiet_url)
        quiet_watched.mode = "browser"
        svc.store.update_article(quiet_watched)
        first = await check_article(url, svc)
        if first.status != "new":
            no_article = "article" in (first.error or "").lower() or "body" in (first.error or "").lower()
            out.verdict = "extraction" if no_article else "error"
            out.note = f"first check: {first.status} {first.error or ''}".strip()
            return out
        _, piece, old, new = page.edit
        at = piece.index(old)
        window = normalize_text(piece[max(0, at - 20) : at + len(old) + 20])
        edited = normalize_text(piece[max(0, at - 20) : at] + new + piece[at + len(old) : at + len(old) + 20])
        body = _stored_body(svc.store, url)
        if not body:
            out.verdict, out.note = "extraction", "no body found"
            return out
        latest = svc.store.latest_version(url)
        out.chrome_in_body = sum(
            1 for p in (latest.article.body if latest else []) if len(p) > VOLATILE_MAX_CHARS and not page.is_story(p)
        )
        if window not in normalize_text(body):
            out.verdict, out.note = "extraction", "the edited paragraph is not in the extracted body"
            if SECTION_NOTE in (first.note or ""):
                out.note += "; watcher's first check said the page looks like a home or section page, not an article"
            return out
        if SECTION_NOTE in (first.note or ""):  # a story page taken for a section page: told, though it was read
            out.note = "watcher's first check said the page looks like a home or section page"
        await check_article(quiet_url, svc)
        out.quiet_seconds = (await check_article(quiet_url, svc)).duration or 0.0
        versions = len(svc.store.list_versions(url))
        for _ in range(reloads):
            result = await check_article(url, svc)
            out.reload_seconds.append(result.duration or 0.0)
            out.unconfirmed += "unconfirmed" in result.flags
            now = len(svc.store.list_versions(url))
            if now != versions:
                out.false_alerts += now - versions
                out.note = out.note or "; ".join(
                    f"{e.field} {e.op}: {(e.old or '')[:50]!r} -> {(e.new or '')[:50]!r}" for e in result.edits[:3]
                )
                versions = now
        page.edited = True

        def edit_stored() -> bool:
            return (
                edited in normalize_text(_stored_body(svc.store, url)) and len(svc.store.list_versions(url)) > versions
            )

        result = await check_article(url, svc)
        out.edit_seconds = result.duration or 0.0
        if out.false_alerts:
            out.verdict = "false"
        if not edit_stored():
            late = await check_article(url, svc)
            stored = edit_stored()
            out.verdict = "late" if stored else "missed"
            out.note = (out.note + " | " if out.note else "") + (
                f"edit check: {result.status} {' '.join(result.flags)} {result.note or ''}".strip()
                + (f"; next: {late.status}" if stored else "")
            )
        if out.verdict != "ok" and out.chrome_in_body:
            out.note += f" [extracted body holds {out.chrome_in_body} long blocks that are not story text]"
        return out
    except Exception as exc:  # one page's failure never stops the others; it is reported
        out.verdict, out.note = "extraction" if "article" in str(exc).lower() else "error", str(exc)[:120]
        return out
    finally:
        for server in servers:
            # Stopped, but its port stays bound until the run ends: a later page served on a reused port would have
            # the URL (and the host) of this one, and its first check would compare it with this page.
            server.shutdown()
            _CLOSE_AT_END.append(server)


async def run(pages: list[Page], jobs: int, reloads: int) -> list[Outcome]:
    data = Path(tempfile.mkdtemp(prefix="real-layouts-"))
    store = open_store(data)
    fetch = BrowserSettings(concurrency=jobs, per_host_delay=0, allow_private=True, robots=False, settle_ms=300)
    config = Config(fetch=fetch, trust=TrustSettings(confirm_delay=CONFIRM_DELAY))
    gate = asyncio.Semaphore(jobs)
    outcomes: list[Outcome] = []
    started = time.monotonic()
    async with Fetcher(fetch) as fetcher:
        svc = Services(fetcher=fetcher, store=store, config=config, http=HTTPFetcher(fetch))

        async def one(index: int, page: Page) -> None:
            async with gate:
                out = await run_page(page, svc, reloads, index)
            outcomes.append(out)
            page.tree = None  # the parsed page is large; done with it
            print(
                f"[{len(outcomes)}/{len(pages)} {time.monotonic() - started:.0f}s] {out.set}:{out.key[:24]:24} "
                f"{out.verdict:10} false={out.false_alerts} unconfirmed={out.unconfirmed} "
                f"reload={_mean(out.reload_seconds):.1f}s ({' '.join(f'{x:.1f}' for x in out.reload_seconds)}) edit={out.edit_seconds:.1f}s quiet={out.quiet_seconds:.1f}s"
                + (f"  {out.note}" if out.note else ""),
                flush=True,
            )

        await asyncio.gather(*(one(i, p) for i, p in enumerate(pages)))
    for server in _CLOSE_AT_END:
        server.server_close()
    return outcomes


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else 0.0


def report(outcomes: list[Outcome], reloads: int) -> None:
    counted = [o for o in outcomes if o.verdict not in ("extraction", "no-edit", "error")]
    false = sum(o.false_alerts for o in counted)
    missed = [o for o in counted if o.verdict == "missed"]
    late = [o for o in counted if o.verdict == "late"]
    reload_s = [s for o in counted for s in o.reload_seconds]
    quiet_s = [o.quiet_seconds for o in counted if o.quiet_seconds]
    edit_s = [o.edit_seconds for o in counted if o.edit_seconds]
    print()
    print(f"pages: {len(outcomes)}  driven to the edit: {len(counted)}  chrome-only reloads: {len(reload_s)}")
    print(f"false alerts: {false} (on {sum(1 for o in counted if o.false_alerts)} pages)")
    print(
        f"edits missed: {len(missed)}  stored late: {len(late)}  stored on time: {len(counted) - len(missed) - len(late)}"
    )
    print(f"unconfirmed reload checks: {sum(o.unconfirmed for o in counted)}")
    if reload_s and quiet_s:
        ratio = _mean(reload_s) / _mean(quiet_s)
        print(
            f"seconds per check: quiet page {_mean(quiet_s):.2f}, re-noised reload {_mean(reload_s):.2f} "
            f"({ratio:.2f}x), slowest reload {max(reload_s):.2f}; the edit's check {_mean(edit_s):.2f}"
        )
    chrome = [f"{o.set}:{o.key[:24]}" for o in counted if o.verdict != "ok" and o.chrome_in_body]
    if chrome:
        print(f"of which the extracted body holds long non-story blocks (extraction): {' '.join(sorted(chrome))}")
    for verdict in ("false", "missed", "late", "no-edit", "error"):
        keys = [
            f"{o.set}:{o.key[:24]}" for o in outcomes if o.verdict == verdict or (verdict == "false" and o.false_alerts)
        ]
        if keys:
            print(f"{verdict}: {' '.join(sorted(set(keys)))}")
    failed = sorted((o for o in outcomes if o.verdict == "extraction"), key=lambda o: (o.set, o.key))
    if failed:
        # Apart from the edits: no story body was found to edit, so no edit could be caught or missed.
        print(f"extraction failures (no story body found; not counted as edits missed): {len(failed)}")
        for o in failed:
            print(f"  {o.set}:{o.key[:24]}  {o.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["dev", "dev2", "both"], default="both")
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    parser.add_argument("--jobs", type=int, default=2, help="pages checked at once")
    parser.add_argument("--reloads", type=int, default=5, help="chrome-only reloads before the edit")
    parser.add_argument("--only", nargs="*", default=[], help="page ids (prefixes) to run")
    args = parser.parse_args(argv)
    missing = [str(SETS[s]) for s in (("dev", "dev2") if args.set == "both" else (args.set,)) if not SETS[s].is_dir()]
    if missing:
        print(f"real_layouts: the real pages are not here: {', '.join(missing)} (they are read, never copied)")
        return 2
    pages = load_pages(args.set)
    if args.only:
        pages = [p for p in pages if any(p.key.startswith(o) for o in args.only)]
    if args.pages:
        pages = pages[: args.pages]
    print(f"real_layouts: {len(pages)} real pages read from {SHARED} at run time; {args.jobs} at a time")
    outcomes = asyncio.run(run(pages, max(1, args.jobs), args.reloads))
    report(outcomes, args.reloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
