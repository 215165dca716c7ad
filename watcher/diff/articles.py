"""Edits between two versions of a whole article: fields, body and captions, with the version's flags."""

from __future__ import annotations

from watcher.diff.align import Row, align, make_edit
from watcher.diff.classify import encoding_repair, may_be_mojibake
from watcher.diff.facts import annotate
from watcher.diff.fold import fold
from watcher.diff.intent import annotate_intents
from watcher.models import Article, Edit, VersionDiff
from watcher.notices import is_notice
from watcher.times import parse_iso


def _same_instant(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    try:
        return parse_iso(a) == parse_iso(b) and a is not None and b is not None
    except ValueError:
        return False


def _field_edit(field: str, old: str | None, new: str | None, lang: str | None) -> Edit | None:
    old, new = old or "", new or ""
    if old == new:
        return None
    op = "insert" if not old else "delete" if not new else "replace"
    edit = make_edit(field, op, old or None, new or None, lang=lang)
    if (field == "modified" and op != "insert") or (field == "published" and _same_instant(old, new)):
        # The timestamp says "we touched it", not what changed; it is kept for the record and for `stealth`.
        # One appearing where there was none is news, though: the page now says it was updated.
        edit.cls = "cosmetic"
    return edit


def _notices(article: Article) -> set[str]:
    return {fold(p) for p in [article.dek, *article.body] if p and is_notice(p)}


def _notice_appeared(old: Article, new: Article) -> bool:
    """A notice in new that old did not carry (a reworded old notice counts: "Updated 10:00" -> "Updated 12:00")."""
    seen = {old.dek, *old.body}
    fresh = [p for p in [new.dek, *new.body] if p and p not in seen and is_notice(p)]
    return bool(fresh) and bool({fold(p) for p in fresh} - _notices(old))


def _placed(rows: list[Row]) -> list[Edit]:
    """The rows' edits, each with the paragraph numbers it had in the old and the new version (1-based)."""
    edits = []
    for row in rows:
        if row.edit is None:
            continue
        if row.edit.from_para is None and row.old:
            row.edit.from_para = row.old[0] + 1
        if row.edit.to_para is None and row.new:
            row.edit.to_para = row.new[0] + 1
        edits.append(row.edit)
    return edits


def _repairs_paired(edits: list[Edit]) -> list[Edit]:
    """A paragraph whose mojibake was undone shares too few characters with its old self for the aligner to pair
    them, so it comes out removed and added: such a pair becomes the one cosmetic change it is."""
    deletes = [e for e in edits if e.op == "delete" and may_be_mojibake(e.old)]  # only mojibake can be repaired
    if not deletes:
        return edits
    out: list[Edit] = []
    paired: set[int] = set()
    for edit in edits:
        if edit.op == "insert":
            match = next((d for d in deletes if encoding_repair(d.old, edit.new)), None)
            if match is not None:
                deletes.remove(match)
                paired.add(id(match))
                repaired = make_edit(edit.field, "replace", match.old, edit.new)
                repaired.from_para, repaired.to_para = match.from_para, edit.to_para
                out.append(repaired)
                continue
        out.append(edit)
    return [e for e in out if id(e) not in paired]


def diff_articles(old: Article, new: Article) -> VersionDiff:
    """Every edit from old to new (fields, body, captions), classified, with the version's flags."""
    edits: list[Edit] = []
    lang = new.lang or old.lang
    for name in ("headline", "dek", "byline", "published", "modified"):
        edit = _field_edit(name, getattr(old, name), getattr(new, name), lang)
        if edit:
            edits.append(edit)
    edits += _repairs_paired(_placed(align(old.body, new.body, "body", lang=lang)))
    edits += _repairs_paired(_placed(align(old.captions, new.captions, "caption", allow_split=False, lang=lang)))

    flags = []
    if any(e.field == "headline" and e.cls != "cosmetic" for e in edits):
        flags.append("headline_changed")
    notice = _notice_appeared(old, new)
    if notice:
        flags.append("correction_notice")
    if any(e.cls == "substantive" for e in edits) and not notice and _same_instant(old.modified, new.modified):
        flags.append("stealth")
    if any(encoding_repair(e.old, e.new) for e in edits):
        flags.append("encoding_repair")  # cosmetic, but said: the text looked edited until the charset was fixed
    annotate(edits)
    annotate_intents(edits, correction_notice=notice)
    return VersionDiff(edits=edits, flags=flags)
