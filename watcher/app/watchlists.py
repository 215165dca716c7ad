"""Watch lists in other tools' formats, read and written: a plain URL list, OPML (feeds), urlwatch's
urls.yaml, and changedetection.io's backup (its url-watches.json, alone or inside the backup zip)."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watcher.errors import BadInput
from watcher.untrusted import isolated, json_safe

FORMATS = ("urls", "opml", "urlwatch", "changedetection")
# A changedetection.io backup's url-watches.json is a few MB at 10,000 watches; a zip promising more is
# refused before it is inflated (a 1.5 MB zip can inflate to gigabytes).
ZIP_MEMBER_MAX = 64 << 20
ZIP_MEMBERS_MAX = 100_000
FILE_MAX = 128 << 20  # a watch list of a million URLs is about 60 MB
# What XML 1.0 cannot hold at all, even as a character reference: most C0 controls, lone surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Entry:
    """One thing to watch: an article URL, or a feed to follow, with the tags the other tool gave it."""

    url: str
    feed: bool = False
    tags: list[str] = field(default_factory=list)
    title: str = ""


def sniff(path: Path, data: bytes) -> str:
    """Which format a file is in, from its name and its first bytes."""
    name = path.name.lower()
    head = data.lstrip()[:200].lower()
    if name.endswith(".zip") or data[:2] == b"PK":
        return "changedetection"
    if name.endswith(".opml") or b"<opml" in head:
        return "opml"
    if name.endswith((".yaml", ".yml")):
        return "urlwatch"
    if head.startswith(b"{") and b"watching" in data[:4096]:
        return "changedetection"
    return "urls"


def read(path: Path, fmt: str | None = None) -> list[Entry]:
    """The entries of a watch list file; BadInput naming the file for one that cannot be read."""
    too_large = BadInput(f"{path}: larger than {FILE_MAX >> 20} MB, too large to be a watch list")
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > FILE_MAX:
                raise too_large
            data = fh.read(FILE_MAX + 1)  # a pipe has no size: one byte past the bound tells
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > FILE_MAX:
        raise too_large
    fmt = fmt or sniff(path, data)
    readers = {"urls": _urls, "opml": _opml, "urlwatch": _urlwatch, "changedetection": _changedetection}
    if fmt not in readers:
        raise BadInput(f"unknown watch list format {fmt!r} (choose from {', '.join(FORMATS)})")
    try:
        return readers[fmt](data)
    except BadInput as exc:
        raise BadInput(f"{path}: {exc}") from None
    except RecursionError:
        raise BadInput(f"{path}: nested too deeply to be a watch list") from None


FEED_MARK = "# feed"  # after a URL in a plain list: a feed to follow, so export then import keeps it one


def _urls(data: bytes) -> list[Entry]:
    lines = (line.strip() for line in data.decode("utf-8-sig", "replace").splitlines())
    return [
        Entry(url=line.split()[0], feed=" ".join(line.split()[1:3]) == FEED_MARK)
        for line in lines
        if line and not line.startswith("#")
    ]


def _opml(data: bytes) -> list[Entry]:
    from lxml import etree  # imported here: every command's start-up loads this module for FORMATS

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"not valid OPML ({exc})") from None
    entries = []
    for outline in root.iter("outline"):
        tags = [t.strip() for t in (outline.get("category") or "").replace("/", ",").split(",") if t.strip()]
        title = outline.get("title") or outline.get("text") or ""
        if outline.get("xmlUrl"):
            entries.append(Entry(url=outline.get("xmlUrl"), feed=True, tags=tags, title=title))
        elif outline.get("type") == "link" and outline.get("url"):
            entries.append(Entry(url=outline.get("url"), tags=tags, title=title))
    return entries


def _urlwatch(data: bytes) -> list[Entry]:
    """urlwatch / webchanges jobs: documents separated by ---, each with `url:` (or a browser job's
    `navigate:`); command jobs have neither and are not web pages."""
    import yaml

    try:
        docs = [d for d in yaml.load_all(data.decode("utf-8-sig", "replace"), Loader=_loader()) if d]
    except yaml.YAMLError as exc:
        raise BadInput(f"not valid YAML ({_first_line(exc)})") from None
    entries = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        url = doc.get("url") or doc.get("navigate")
        name = doc.get("name")
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            entries.append(Entry(url=url, title=str(name) if isinstance(name, str | int | float) else ""))
    return entries


def _loader() -> type:
    """PyYAML's safe loader, refusing aliases: a 1 KB file of aliases of aliases (a "billion laughs")
    expands to gigabytes once read, and urlwatch's jobs have no use for them."""
    import yaml

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"aliases (*name) are not read, line {mark.line + 1}", None
                )
            return super().compose_node(parent, index)

    return NoAliases


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _changedetection(data: bytes) -> list[Entry]:
    """changedetection.io's datastore: {"watching": {uuid: {"url": ..., "tags": [...], "title": ...}}}, as
    url-watches.json or inside its backup zip; tag uuids are resolved through "settings" where present."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if len(members) > ZIP_MEMBERS_MAX:
                    raise BadInput(f"a zip of {len(members):,} files: not a changedetection.io backup")
                member = next((m for m in members if m.filename.endswith("url-watches.json")), None)
                if member is None:
                    raise BadInput("a zip without url-watches.json: not a changedetection.io backup")
                data = _bounded(archive, member)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
            raise BadInput(f"a damaged zip file ({_first_line(exc)})") from None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        raise BadInput("not valid JSON") from None
    watching = doc.get("watching") if isinstance(doc, dict) else None
    if not isinstance(watching, dict):
        raise BadInput('no "watching" table: not a changedetection.io url-watches.json')
    tag_names: dict[str, str] = {}
    settings = doc.get("settings", {}).get("application", {}).get("tags", {})
    if isinstance(settings, dict):
        tag_names = {k: (v.get("title") or k) for k, v in settings.items() if isinstance(v, dict)}
    entries = []
    for watch in watching.values():
        if not isinstance(watch, dict) or not isinstance(watch.get("url"), str):
            continue
        raw_tags = watch.get("tags") or []
        if isinstance(watch.get("tag"), str) and watch["tag"]:  # older versions: one comma-separated string
            raw_tags = [*raw_tags, *watch["tag"].split(",")]
        tags = [tag_names.get(str(t), str(t)).strip() for t in raw_tags if str(t).strip()]
        entries.append(Entry(url=watch["url"], tags=tags, title=str(watch.get("title") or "")))
    return entries


def _bounded(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never inflating more than ZIP_MEMBER_MAX (its stated size may lie)."""
    too_big = BadInput(
        f"{member.filename} inflates past {ZIP_MEMBER_MAX >> 20} MB: not a changedetection.io backup (a zip bomb?)"
    )
    if member.file_size > ZIP_MEMBER_MAX:
        raise too_big
    with archive.open(member) as fh:
        data = fh.read(ZIP_MEMBER_MAX + 1)
    if len(data) > ZIP_MEMBER_MAX:
        raise too_big
    return data


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: characters it cannot (ESC, BEL, lone surrogates) as visible \\u escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write(entries: Iterable[Entry], fmt: str) -> str:
    """A watch list in `fmt`: urls (articles and feeds, one a line), opml (feeds, and articles as links),
    urlwatch (urls.yaml jobs) or changedetection (a url-watches.json its import reads); the last two hold pages."""
    entries = list(entries)
    if fmt == "urls":
        return "".join(f"{e.url}  {FEED_MARK}\n" if e.feed else f"{e.url}\n" for e in entries)
    if fmt == "opml":
        from xml.sax.saxutils import quoteattr  # imported here: it pulls in urllib.request, http.client and ssl

        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<opml version="2.0">',
            "<head><title>watcher</title></head>",
        ]
        lines.append("<body>")
        for e in entries:
            category = f" category={quoteattr(_xml(','.join(e.tags)))}" if e.tags else ""
            # A reader shows the text plainly: a headline's bidi controls are isolated so they end with it.
            text = quoteattr(_xml(isolated(e.title) if e.title else e.url))
            url = quoteattr(_xml(e.url))
            if e.feed:
                lines.append(f'  <outline type="rss" text={text} xmlUrl={url}{category}/>')
            else:
                lines.append(f'  <outline type="link" text={text} url={url}{category}/>')
        lines += ["</body>", "</opml>"]
        return "\n".join(lines) + "\n"
    pages = [e for e in entries if not e.feed]  # the other tools watch pages; they do not follow feeds
    if fmt == "urlwatch":
        import yaml

        class Dumper(yaml.SafeDumper):
            pass

        def scalar(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
            # Text holding what json_safe escapes is written double-quoted, where YAML reads \u escapes too.
            quoted = json_safe(value) != value
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if quoted else None)

        Dumper.add_representer(str, scalar)
        jobs = [{"name": e.title, "url": e.url} if e.title else {"url": e.url} for e in pages]
        # Only double-quoted scalars hold such characters, so escaping them in the document is escaping them there.
        return json_safe(yaml.dump_all(jobs, Dumper=Dumper, allow_unicode=True, sort_keys=False)) if jobs else ""
    if fmt == "changedetection":
        import uuid

        watching = {
            str(uuid.uuid5(uuid.NAMESPACE_URL, e.url)): {"url": e.url, "title": e.title, "tag": ", ".join(e.tags)}
            for e in pages
        }
        return json_safe(json.dumps({"watching": watching}, ensure_ascii=False, indent=2)) + "\n"
    raise BadInput(f"watcher writes watch lists as {', '.join(FORMATS)}, not {fmt!r}")
