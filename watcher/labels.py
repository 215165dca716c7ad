"""The words people read for watcher's vocabulary: flags, fields, edit operations and statuses.

The terminal (render/) and the reports (report/) take their labels from here, so one flag never reads two
ways. Keys are the words of the JSON contract (watcher.models); unknown ones are shown as they are.
"""

from __future__ import annotations

# What a version flag means, lower case; the reports capitalise the first letter.
FLAG_LABELS = {
    "headline_changed": "headline changed",
    "correction_notice": "correction notice",
    "stealth": "stealth edit",
    "ab_test": "headline A/B test",
    "revert": "reverted to an earlier version",
    "restored": "restored",
}
# Said after the label where there is room (the terminal's flag line).
FLAG_NOTES = {"stealth": "no notice, same modified date"}
# For narrow columns (the dashboard's edits feed); other flags keep their own word.
FLAG_SHORT = {"headline_changed": "headline", "correction_notice": "correction", "ab_test": "A/B"}

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

# A notification's title word for each status worth notifying (models.NOTIFY_STATUSES).
STATUS_TITLES = {"changed": "Edited", "removed": "Removed", "redirected": "Redirected", "restored": "Restored"}


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
