"""The words people read for watcher's vocabulary: flags, fields, edit operations, statuses and copy services.

The terminal (render/) and the reports (report/) take their labels from here, so one flag never reads two
ways. Keys are the words of the JSON contract (watcher.models); unknown ones are shown as they are.
"""

from __future__ import annotations

# What a version flag means, lower case; the reports capitalise the first letter.
# The status of an article not checked yet, wherever one is shown (`watcher list`, the dashboard).
NEVER_CHECKED = "never"

FLAG_LABELS = {
    "headline_changed": "headline changed",
    "correction_notice": "correction notice",
    "stealth": "stealth edit",
    "ab_test": "headline A/B test",
    "revert": "reverted to an earlier version",
    "restored": "restored",
    "encoding_repair": "encoding repaired",
}
# Said after the label where there is room (the terminal's flag line).
FLAG_NOTES = {
    "stealth": "no notice, same modified date",
    "encoding_repair": "garbled characters fixed, the words did not change",
}
# For narrow columns (the dashboard's edits list); other flags keep their own word.
FLAG_SHORT = {
    "headline_changed": "headline",
    "correction_notice": "correction",
    "ab_test": "A/B",
    "encoding_repair": "encoding",
}

FIELD_LABELS = {
    "headline": "Headline",
    "dek": "Subheadline",
    "byline": "Byline",
    "published": "Published date",
    "modified": "Modified date",
    "body": "Body",
    "caption": "Caption",
}

OP_WORDS = {"insert": "added", "delete": "removed", "replace": "changed", "move": "moved"}

# Where a stored version's page came from (models.Version.source), as show, the dashboard's timeline and the reports say it.
SOURCE_WORDS = {"http": "from the raw HTML", "browser": "from the browser"}
# A notification's title word for each status worth notifying (models.NOTIFY_STATUSES).
STATUS_TITLES = {"changed": "Edited", "removed": "Removed", "redirected": "Redirected", "restored": "Restored"}


def plural(count: int, word: str) -> str:
    """A count with its noun: "1 version", "2 versions"."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def flag_label(flag: str, *, note: bool = False) -> str:
    """The lower-case label of a flag ("headline changed"); with note, its explanation in brackets too."""
    label = FLAG_LABELS.get(flag, flag.replace("_", " "))
    if note and flag in FLAG_NOTES:
        label += f" ({FLAG_NOTES[flag]})"
    return label


def flag_short(flag: str) -> str:
    """A flag (or event) in one short word: "headline", "A/B"; others as they are."""
    return FLAG_SHORT.get(flag, flag)


def flag_title(flag: str) -> str:
    """The label as a report shows it: "Headline changed"; unknown flags as they are."""
    if flag not in FLAG_LABELS:
        return flag
    label = FLAG_LABELS[flag]
    return label[:1].upper() + label[1:]


def field_label(field: str) -> str:
    """The reader-facing name of an edited field ("Subheadline" for dek)."""
    return FIELD_LABELS.get(field, str(field))


def op_word(op: str) -> str:
    """What an edit operation did, as a past participle ("added")."""
    return OP_WORDS.get(op, op)


def status_title(status: str) -> str:
    """A status as a notification title word ("Edited" for changed)."""
    return STATUS_TITLES.get(status, status.title())


# --- the same words in the story's language (cards: read by the story's own readers) ---------------------

# Traditional Chinese, for zh-Hant / zh-TW / zh-HK stories (and plain "zh"). English is the fallback.
_ZH_HANT = {
    "field": {
        "headline": "標題",
        "dek": "副標題",
        "byline": "作者",
        "published": "發布時間",
        "modified": "更新時間",
        "body": "內文",
        "caption": "圖說",
    },
    "class": {"cosmetic": "格式修改", "typo": "錯字修正", "moved": "段落移動", "substantive": "實質修改"},
    "op": {"insert": "新增", "delete": "刪除", "replace": "修改", "move": "移動"},
    "text": {"Before": "修改前", "After": "修改後"},
    "flag": {
        "headline_changed": "標題更動",
        "correction_notice": "更正啟事",
        "stealth": "未註明的修改",
        "ab_test": "標題 A/B 測試",
        "revert": "改回先前版本",
        "restored": "重新上線",
        "encoding_repair": "編碼修復",
        "removed": "已撤下",
        "redirected": "已轉址",
    },
    "event": {
        "removed": "這篇報導已被撤下。",
        "redirected": "這篇報導已轉址到別的頁面。",
        "restored": "這篇報導重新上線。",
        "revert": "這篇報導改回了先前的版本。",
    },
}


def story_words(lang: str | None) -> dict[str, dict[str, str]] | None:
    """The vocabulary for a story in language `lang` (a BCP 47 tag), or None for English."""
    tag = (lang or "").lower().replace("_", "-")
    if tag == "zh" or tag.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return _ZH_HANT
    return None


def _translated(kind: str, key: str, lang: str | None) -> str | None:
    """The story language's word for `key` among its `kind` words; None for English or a gap."""
    return (story_words(lang) or {}).get(kind, {}).get(key)


def story_field(field: str, lang: str | None) -> str:
    """An edited field's name in the story's language ("內文" for body in zh-Hant)."""
    return _translated("field", field, lang) or field_label(field)


def story_class(cls: str, lang: str | None) -> str:
    """An edit class in the story's language; English keeps the contract's word."""
    return _translated("class", cls, lang) or cls


def story_op(op: str, lang: str | None) -> str:
    """What an edit operation did, in the story's language ("added"; "新增" in zh-Hant)."""
    return _translated("op", op, lang) or op_word(op)


def story_text(word: str, lang: str | None) -> str:
    """One of the reports' own words ("Before", "After") in the story's language."""
    return _translated("text", word, lang) or word


def place(from_para: int | None, to_para: int | None, op: str, lang: str | None = None) -> str:
    """Where a body paragraph sits: "¶3", "¶3 (was ¶8)" for a move, "old ¶3" for a removed one; "" unknown.
    In zh-Hant: "第 3 段（原第 8 段）"."""
    zh = story_words(lang) is not None
    if to_para is not None and from_para is not None and op == "move":
        return f"第 {to_para} 段（原第 {from_para} 段）" if zh else f"¶{to_para} (was ¶{from_para})"
    if to_para is not None:
        return f"第 {to_para} 段" if zh else f"¶{to_para}"
    if from_para is not None:
        return f"原第 {from_para} 段" if zh else f"old ¶{from_para}"
    return ""


def story_label(field: str, op: str, cls: str, lang: str | None, where: str = "") -> str:
    """An edit's label as the reports and cards word it: "Body ¶3 (was ¶8) · moved · moved" is said once:
    "Body ¶3 (was ¶8) · moved"; "Body ¶2 · changed · substantive"; in zh-Hant "內文 第 2 段 · 修改 · 實質修改"."""
    head = story_field(field, lang) + (f" {where}" if where else "")
    op_text, cls_text = story_op(op, lang), story_class(cls, lang)
    if op == "move" and cls == "moved":
        return f"{head} · {op_text if not story_words(lang) else cls_text}"
    return f"{head} · {op_text} · {cls_text}"


def story_flag(flag: str, lang: str | None) -> str:
    """A flag as a report shows it, in the story's language."""
    words = story_words(lang)
    return (words or {}).get("flag", {}).get(flag) or flag_title(flag)


def story_event(event: str, lang: str | None) -> str:
    """One sentence saying what happened to the page, in the story's language."""
    words = story_words(lang)
    return (words or {}).get("event", {}).get(event) or f"The article was {event}."


def story_version(old: int | None, new: int, lang: str | None) -> str:
    """ "Version 2 → 3" in the story's language."""
    if story_words(lang):
        return f"第 {old} → {new} 版" if old is not None else f"第 {new} 版"
    return f"Version {old} → {new}" if old is not None else f"Version {new}"


def story_more(count: int, lang: str | None) -> str:
    """ "+ 2 more edits" in the story's language."""
    if story_words(lang):
        return f"另有 {count} 處修改"
    return f"+ {count} more edit{'' if count == 1 else 's'}"


# Third-party archives a version's URL may be sent to ([copies], watcher/copies.py), by their names in the JSON.
COPY_SERVICES = {"wayback": "Internet Archive", "archive_today": "archive.today"}


def copy_service(name: object) -> str:
    """A copy service's name as people know it."""
    return COPY_SERVICES.get(str(name), str(name))


def copy_line(copy: dict[str, object]) -> str:
    """One recorded copy in words: "archived copy (Internet Archive): URL", or why there is none."""
    service = copy_service(copy.get("service"))
    if copy.get("url"):
        return f"archived copy ({service}): {copy['url']}"
    return f"no archived copy ({service}): {copy.get('error') or 'failed'}"
