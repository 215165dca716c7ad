"""Which changes a notification target is told about: its filters (status, class, flags, tags, sites) and alert
rules (facts, keywords, words changed), with the reasons `notify-test --explain` prints."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.config import NotifyTarget
from watcher.diff.facts import annotate
from watcher.diff.inline import inline_diff
from watcher.diff.tokens import is_cjk, is_number, is_word, tokenize
from watcher.labels import flag_label
from watcher.models import CLASS_RANK, NOTIFY_STATUSES, CheckResult, Edit, class_rank
from watcher.urls import hostname_of, on_domain

# `when` word -> the fact kind it asks about (the rest are decided from the edits themselves).
_FACT_OF = {
    "numbers": "number",
    "names": "name",
    "quotes": "quote",
    "attribution": "attribution",
    "negations": "negation",
    "dates": "date",
    "links": "link",
}


@dataclass
class Verdict:
    """Whether a target's alert rules let a change through, and the reasons that decided it."""

    fires: bool
    reasons: list[str]


def verdict(target: NotifyTarget, result: CheckResult, tags: Sequence[str]) -> Verdict:
    """Whether the target is told about this result, and why (the first filter that stops it, or what passed)."""
    if result.status not in NOTIFY_STATUSES:
        return Verdict(False, [f"a {result.status} check is not news"])
    reasons = [f"status {result.status}"]
    if result.status == "changed":
        # A removal, redirect or restoration has no edits to grade; it passes the class filter.
        wanted = CLASS_RANK.get(target.min_class, CLASS_RANK["substantive"])
        if not any(class_rank(edit.cls) >= wanted for edit in result.edits):
            return Verdict(False, [f"no edit of class {target.min_class} or above"])
        reasons.append(f"an edit of class {target.min_class} or above")
    if target.flags:
        if not set(target.flags) & set(result.flags):
            return Verdict(False, ["none of the flags " + ", ".join(flag_label(f) for f in target.flags)])
        reasons.append("flagged " + ", ".join(flag_label(f) for f in set(target.flags) & set(result.flags)))
    if target.tags:
        if not set(target.tags) & set(tags):
            return Verdict(False, ["none of the tags " + ", ".join(target.tags)])
        reasons.append("tagged " + ", ".join(sorted(set(target.tags) & set(tags))))
    rules = judge(target, result.edits, result.flags, result.url, page_event=result.status != "changed")
    return Verdict(rules.fires, reasons + rules.reasons if rules.fires else rules.reasons)


def has_rules(target: NotifyTarget) -> bool:
    """True when the target asks for particular changes rather than every change past its filters."""
    return bool(target.when or target.keywords or target.min_words)


def judge(
    target: NotifyTarget, edits: Sequence[Edit], flags: Sequence[str], url: str, *, page_event: bool = False
) -> Verdict:
    """The target's site filter and alert rules applied to one change (its status, class, flag and tag filters
    are notify.matches'). A page event (removed, redirected, restored) has no edits to judge: only the site
    filter applies to it."""
    if target.sites and not any(on_domain(hostname_of(url), site) for site in target.sites):
        return Verdict(False, [f"not on {', '.join(target.sites)}"])
    if not has_rules(target):
        return Verdict(True, ["no alert rules: every change past the filters"])
    if page_event:
        return Verdict(True, ["a page event: alert rules judge edits only"])
    shown = [e for e in edits if e.cls != "cosmetic"]
    annotate(shown)
    reasons = [*_when_reasons(target.when, shown, flags), *_keyword_reasons(target.keywords, shown)]
    changed = words_changed(shown)
    if target.min_words and changed >= target.min_words:
        reasons.append(f"{changed} words changed (at least {target.min_words})")
    if reasons:
        return Verdict(True, reasons)
    asked = [*target.when, *(f"keyword {k}" for k in target.keywords)]
    if target.min_words:
        asked.append(f"at least {target.min_words} words changed (only {changed})")
    return Verdict(False, ["none of: " + ", ".join(asked)])


def _when_reasons(when: Sequence[str], edits: Sequence[Edit], flags: Sequence[str]) -> list[str]:
    reasons = []
    for wanted in when:
        if wanted == "headline":
            if any(e.field == "headline" for e in edits):
                reasons.append("the headline changed")
        elif wanted == "correction":
            if "correction_notice" in flags or any(e.intent == "correction" for e in edits):
                reasons.append("a correction")
        else:
            kind = _FACT_OF[wanted]
            hits = [f for e in edits for f in e.facts or [] if f.kind == kind]
            if hits:
                first = hits[0]
                shown = " → ".join(x for x in (first.old, first.new) if x)
                reasons.append(f"{wanted} changed ({shown})")
    return reasons


def _keyword_reasons(keywords: Sequence[str], edits: Sequence[Edit]) -> list[str]:
    """A keyword counts when the story as a whole gained or lost it: its mentions are summed over every edit, so a
    mention that only moved (a paragraph removed here, one holding the word added there) is no news."""
    reasons = []
    for keyword in keywords:
        pattern = _pattern(keyword)
        before = sum(len(pattern.findall(edit.old or "")) for edit in edits)
        after = sum(len(pattern.findall(edit.new or "")) for edit in edits)
        if before != after:
            fields = dict.fromkeys(
                e.field for e in edits if len(pattern.findall(e.old or "")) != len(pattern.findall(e.new or ""))
            )
            reasons.append(f"{keyword} {'appears' if after > before else 'disappears'} ({', '.join(fields)})")
    return reasons


def _pattern(keyword: str) -> re.Pattern[str]:
    """A keyword as a pattern: /regex/ as written, a word as a whole word in any case (CJK: anywhere)."""
    if len(keyword) > 2 and keyword.startswith("/") and keyword.endswith("/"):
        return re.compile(keyword[1:-1])
    if any(is_cjk(ch) for ch in keyword):
        return re.compile(re.escape(keyword))
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE)


def words_changed(edits: Sequence[Edit]) -> int:
    """Words (a CJK character counts as one) added plus removed across the edits."""
    total = 0
    for edit in edits:
        if edit.op in ("insert", "delete"):
            changed = [edit.old or "", edit.new or ""]
        else:
            # A moved paragraph keeps no inline ops when its words did not change: nothing was added or removed.
            ops = edit.inline or inline_diff(edit.old or "", edit.new or "")
            changed = [text for op, text in ops if op != "="]
        total += sum(1 for text in changed for t in tokenize(text) if is_word(t) or is_number(t) or is_cjk(t))
    return total
