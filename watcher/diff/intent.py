"""Why an edit was made, from what it changed: a fact, a correction, an update, an attribution, style, cosmetic."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.models import Edit, EditIntent, Fact
from watcher.notices import is_notice

# Fact kinds that change what a story asserts; a name or a date counts only when it is not a speaker swap.
_ASSERTING = ("number", "quote", "name", "negation", "date", "link")


def edit_intent(edit: Edit, facts: Sequence[Fact], *, correction_notice: bool = False) -> EditIntent:
    """The intent of one edit (README, "What changed, in words"), decided by rules that hold in any language.

    `correction_notice`: the version carries a new correction notice, so a changed fact in it is a correction
    the paper admits rather than a silent fact change."""
    if edit.cls == "cosmetic" or (edit.op == "replace" and _marks_only(edit)):
        return "cosmetic"
    text = edit.new or edit.old or ""
    if edit.op == "insert" and is_notice(text):
        return "correction"
    if edit.op == "insert":
        # New paragraphs (a caption, a dek) bring later news or elaboration: NewsEdits' "update".
        return "update"
    kinds = {f.kind for f in facts}
    if edit.op == "delete":
        return "fact" if kinds & set(_ASSERTING) else "style"
    if edit.cls == "typo":
        return "correction" if correction_notice else "style"
    speakers = {f.old for f in facts if f.kind == "attribution"} | {f.new for f in facts if f.kind == "attribution"}
    asserting = [f for f in facts if f.kind in _ASSERTING and not (f.kind == "name" and (f.old or f.new) in speakers)]
    if asserting:
        return "correction" if correction_notice else "fact"
    if "attribution" in kinds:
        return "attribution"
    return "style"


def _marks_only(edit: Edit) -> bool:
    """True when every changed token is punctuation or space: a dash or a full stop fixed, nothing said anew."""
    changed = "".join(text for op, text in edit.inline if op != "=")
    return bool(changed) and not any(ch.isalnum() for ch in changed)


def annotate_intents(edits: Sequence[Edit], *, correction_notice: bool = False) -> None:
    """Give each edit that has its facts an intent."""
    for edit in edits:
        if edit.facts is not None:
            edit.intent = edit_intent(edit, edit.facts, correction_notice=correction_notice)
