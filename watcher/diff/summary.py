"""A version's change in one line of words, built from its edits' facts: "5 → 7 dead (¶2); quote from Lee removed (¶6)"."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.diff.facts import annotate
from watcher.labels import story_words
from watcher.models import Edit, Fact
from watcher.untrusted import one_line

# At most this many parts are spelled out; the rest is counted ("and 3 more edits").
MAX_PARTS = 3
QUOTE_CHARS = 60  # a quote in a summary is cut at a word boundary past this many characters
MAX_SWAPS, SWAP_CHARS = 2, 40  # a rewording of at most 2 spots of at most 40 characters each is quoted as it is

_EN = {
    "number": "{context}{old} → {new}",
    "number_added": "{context}{new} added",
    "number_removed": "{context}{old} removed",
    "quote_changed": "quote reworded: “{old}” → “{new}”",
    "quote_added": "quote added{by}: “{new}”",
    "quote_removed": "quote{by} removed: “{old}”",
    "attribution": "“{old}” → “{new}”",
    "attribution_speaker": "quote given to {new} instead of {old}",
    "name_added": "{new} added",
    "name_removed": "{old} removed",
    "negation_added": "negation added (“{new}”)",
    "negation_removed": "negation removed (“{old}”)",
    "date": "{old} → {new}",
    "date_added": "date added: {new}",
    "date_removed": "date removed: {old}",
    "link_added": "link added",
    "link_removed": "link removed",
    "headline": "headline rewritten",
    "dek": "subheadline rewritten",
    "byline": "byline changed: {old} → {new}",
    "added": "paragraph added",
    "added_n": "{n} paragraphs added",
    "removed": "paragraph removed",
    "removed_n": "{n} paragraphs removed",
    "moved": "paragraph moved",
    "reworded": "wording changed",
    "caption": "caption changed",
    "correction": "correction notice added",
    "more": "and {n} more edit{s}",
    "by": " by {who}",
    "para": " (¶{n})",
    "para_move": " (¶{a} → ¶{b})",
    "caption_at": " (caption {n})",
    "caption_move": " (caption {a} → caption {b})",
    "caption_added": "caption added",
    "caption_removed": "caption removed",
    "sep": "; ",
}
_ZH = {
    "number": "{context}{old} → {new}",
    "number_added": "新增數字 {context}{new}",
    "number_removed": "刪除數字 {context}{old}",
    "quote_changed": "引述改寫：「{old}」→「{new}」",
    "quote_added": "新增{by}引述：「{new}」",
    "quote_removed": "刪除{by}引述：「{old}」",
    "attribution": "「{old}」→「{new}」",
    "attribution_speaker": "引述改由{new}說出（原為{old}）",
    "name_added": "新增 {new}",
    "name_removed": "刪除 {old}",
    "negation_added": "加入否定（「{new}」）",
    "negation_removed": "刪除否定（「{old}」）",
    "date": "{old} → {new}",
    "date_added": "新增日期：{new}",
    "date_removed": "刪除日期：{old}",
    "link_added": "新增連結",
    "link_removed": "刪除連結",
    "headline": "標題改寫",
    "dek": "副標題改寫",
    "byline": "作者更動：{old} → {new}",
    "added": "新增一段",
    "added_n": "新增 {n} 段",
    "removed": "刪除一段",
    "removed_n": "刪除 {n} 段",
    "moved": "段落移動",
    "reworded": "措辭修改",
    "caption": "圖說修改",
    "correction": "加上更正啟事",
    "more": "另有 {n} 處修改",
    "by": "{who}的",
    "para": "（第 {n} 段）",
    "para_move": "（第 {a} 段 → 第 {b} 段）",
    "caption_at": "（第 {n} 則圖說）",
    "caption_move": "（第 {a} 則圖說 → 第 {b} 則圖說）",
    "caption_added": "新增圖說",
    "caption_removed": "刪除圖說",
    "sep": "；",
}


def _words(lang: str | None) -> dict[str, str]:
    return _ZH if story_words(lang) else _EN


def _quote(text: str | None) -> str:
    text = one_line(text or "")
    if len(text) <= QUOTE_CHARS:
        return text
    head = text[:QUOTE_CHARS]
    space = head.rfind(" ")
    return (head[:space] if space > QUOTE_CHARS // 2 else head).rstrip(" ,;:") + "…"


def _fact_text(fact: Fact, words: dict[str, str]) -> str:
    old, new = _quote(fact.old), _quote(fact.new)
    if fact.kind == "number":
        context = f"{fact.context}: " if fact.context and words is _EN else f"{fact.context}：" if fact.context else ""
        key = {"changed": "number", "added": "number_added", "removed": "number_removed"}[fact.change]
        return words[key].format(context=context, old=old, new=new)
    if fact.kind == "quote":
        who = words["by"].format(who=one_line(fact.context)) if fact.context else ""
        return words[f"quote_{fact.change}"].format(old=old, new=new, by=who)
    if fact.kind == "attribution":
        key = "attribution_speaker" if fact.context else "attribution"
        return words[key].format(old=old or "?", new=new or "?")
    if fact.kind == "date" and fact.change == "changed":
        return words["date"].format(old=old, new=new)
    return words[f"{fact.kind}_{fact.change}"].format(old=old, new=new)


def _where(edit: Edit, words: dict[str, str]) -> str:
    if edit.field not in ("body", "caption"):
        return ""
    old_at, new_at = edit.from_para, edit.to_para
    # A caption is numbered among the captions: "(caption 1)", never a body paragraph's "(¶1)".
    kind = "caption" if edit.field == "caption" else "para"
    if edit.op == "move" and old_at and new_at and old_at != new_at:
        return words[f"{kind}_move"].format(a=old_at, b=new_at)
    at = new_at or old_at
    return words["caption_at" if kind == "caption" else "para"].format(n=at) if at else ""


def _edit_parts(edit: Edit, words: dict[str, str]) -> list[str]:
    """What one edit changed, in words: its facts, else what happened to the paragraph or field."""
    where = _where(edit, words)
    facts = _paired_dates(edit.facts or [])
    if edit.field in ("headline", "dek") and edit.op == "replace":
        return [words[edit.field]]
    if edit.field == "byline" and edit.op == "replace":
        return [words["byline"].format(old=_quote(edit.old), new=_quote(edit.new))]
    if edit.op == "insert" and edit.intent == "correction":
        return [words["correction"]]
    if edit.op in ("insert", "delete"):
        kind = ("caption_" if edit.field == "caption" else "") + ("added" if edit.op == "insert" else "removed")
        return [words[kind] + where]
    if facts:
        names_in_attribution = {f.old for f in facts if f.kind == "attribution"} | {
            f.new for f in facts if f.kind == "attribution"
        }
        shown = [f for f in facts if not (f.kind == "name" and (f.old or f.new) in names_in_attribution)]
        return [_fact_text(f, words) + where for f in shown]
    if edit.op == "move" and edit.cls == "moved":
        return [words["moved"] + where]
    swaps = _swaps(edit)
    if swaps:
        return [swaps + where]
    return [words["caption" if edit.field == "caption" else "reworded"] + where]


def _swaps(edit: Edit) -> str:
    """A small rewording shown as it is, each changed spot apart: “goverment” → “government”, “a” → “b”
    (never glued into one invented phrase); empty when the change is too big to read in a line."""
    pairs: list[tuple[str, str]] = []
    pending = {"-": "", "+": ""}
    for op, text in [*edit.inline, ("=", "")]:
        if op == "=":
            if pending["-"].strip() or pending["+"].strip():
                pairs.append((pending["-"].strip(), pending["+"].strip()))
            pending = {"-": "", "+": ""}
        else:
            pending[op] += text
    if not pairs or len(pairs) > MAX_SWAPS or any(len(a) + len(b) > SWAP_CHARS for a, b in pairs):
        return ""
    return ", ".join(
        f"“{one_line(a)}” → “{one_line(b)}”" if a and b else f"+“{one_line(b)}”" if b else f"−“{one_line(a)}”"
        for a, b in pairs
    )


def _paired_dates(facts: Sequence[Fact]) -> list[Fact]:
    """One date removed and one added in the same edit read as one date changed."""
    gone = [f for f in facts if f.kind == "date" and f.change == "removed"]
    came = [f for f in facts if f.kind == "date" and f.change == "added"]
    if len(gone) == 1 and len(came) == 1:
        rest = [f for f in facts if f.kind != "date"]
        return [*rest, Fact("date", "changed", gone[0].old, came[0].new)]
    return list(facts)


# The order a desk reads a change in: what the story now asserts, then what moved around it.
_RANK = {"correction": 0, "fact": 1, "attribution": 2, "update": 3, "style": 4, "cosmetic": 5}


def summarize(edits: Sequence[Edit], lang: str | None = None, *, limit: int = MAX_PARTS) -> str:
    """One line in words for a version's edits (cosmetic ones left out), most newsworthy first."""
    shown = [e for e in edits if e.cls != "cosmetic"]
    annotate(shown)
    words = _words(lang)
    ordered = sorted(shown, key=lambda e: (_RANK.get(e.intent or "style", 4), e.field != "headline"))
    parts: list[str] = []
    added = [e for e in ordered if e.op == "insert" and e.field == "body" and e.intent != "correction"]
    removed = [e for e in ordered if e.op == "delete" and e.field == "body"]
    for edit in ordered:
        if len(added) > 1 and edit in added:
            if edit is added[0]:
                parts.append(words["added_n"].format(n=len(added)))
            continue
        if len(removed) > 1 and edit in removed:
            if edit is removed[0]:
                parts.append(words["removed_n"].format(n=len(removed)))
            continue
        for part in _edit_parts(edit, words):
            if part not in parts:
                parts.append(part)
    if len(parts) > limit:
        rest = len(parts) - limit
        parts = [*parts[:limit], words["more"].format(n=rest, s="" if rest == 1 else "s")]
    return words["sep"].join(parts)
