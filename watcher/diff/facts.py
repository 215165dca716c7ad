"""What an edit changed, as facts: numbers with their units, names, quotes and who said them, negations, dates, links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from watcher.cjk import CJK_LETTERS
from watcher.diff.fold import fold
from watcher.diff.inline import inline_diff
from watcher.diff.tokens import CJK_NUMERALS, is_cjk, is_number, is_word, tokenize
from watcher.diff.words import MAGNITUDES, NEGATIONS, SENTENCE_END, TITLE_BEFORE
from watcher.models import Edit, Fact, FactKind, InlineOp

# Verbs that attribute words to someone. Changing one for another ("said" -> "claimed") changes how far the
# paper stands behind the words, which is why desks track it apart from other wording.
SPEECH_VERBS = frozenset(
    "said says say claimed claims claim stated states told tells added adds noted notes insisted insists "
    "admitted admits alleged alleges argued argues denied denies conceded concedes acknowledged acknowledges "
    "warned warns explained explains suggested suggests asserted asserts maintained maintains contended "
    "contends wrote writes announced announces confirmed confirms disputed disputes according".split()
)
SPEECH_VERBS_CJK = (
    "警告",
    "坦承",
    "質疑",
    "质疑",
    "宣布",
    "堅稱",
    "坚称",
    "表示",
    "指出",
    "強調",
    "强调",
    "聲稱",
    "声称",
    "宣稱",
    "宣称",
    "坦言",
    "透露",
    "承認",
    "承认",
    "否認",
    "否认",
    "說",
    "说",
    "稱",
    "称",
    "據",
    "据",
    "認為",
    "认为",
    "批評",
    "批评",
    "回應",
    "回应",
    "證實",
    "证实",
)
# Numbers written as words, as style guides want them below ten: "three dead" -> "five dead" is a number change.
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred dozen dozens "
    "half third quarter".split()
)
# Chinese measure words: the unit of a count is the measure word alone ("十二座車站" counts 座, stations).
CJK_MEASURE_WORDS = (
    "人名位起件個个次元億亿萬万座家所輛辆艘架棟栋間间隻只頭头條条項项場场戶户張张篇本台臺歲岁年天週周票%"
)
NEGATIONS_CJK = ("不", "沒", "没", "未", "無", "无", "非", "別", "别", "勿")

# Marks that join numbers written against them into one figure, as the page wrote it: a score or vote (7-2, 6–3,
# 2:1, 7比2), a range (10-12, 10～12), a ratio or rate (3:1, 24/7), a season (2024-25), a date, a phone number.
FIGURE_JOINERS = "-‐‑‒–—−:：/／~～〜比"
_JOINERS = re.escape(FIGURE_JOINERS)
MINUS_SIGNS = "-−"
_QUOTE = re.compile(r"[“\"«„]([^”\"»“]{2,})[”\"»“]|[「『]([^」』]{1,})[」』]")
_URL = re.compile(r"https?://[^\s<>\"'）)]+")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan\.|feb\.|mar\.|apr\.|jun\.|jul\.|aug\.|sept?\.|oct\.|nov\.|dec\."
)
_CLOCK_TEXT = r"(?:[01]?\d|2[0-3]):[0-5]\d"  # a time of a real clock: 8:30, 23:59, not a score of 3:1 or 28:25
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|tomorrow"
_DATE = re.compile(
    rf"\b(?:(?:19|20)\d{{2}}([-/.])\d{{1,2}}\1\d{{1,2}}\b|\d{{1,2}}([/.])\d{{1,2}}\2(?:19|20)\d{{2}}\b|"
    rf"(?:{_MONTHS})\s*\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s*\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?|"
    rf"(?:{_DAYS})\b|{_CLOCK_TEXT}\b\s*(?:[ap]\.?m\.?)?|\d{{1,2}}\s*[ap]\.m\.|"
    rf"(?<![\d{_JOINERS}])(?:19|20)\d{{2}}\b(?![{_JOINERS}]\d))"
    rf"|[\d{CJK_NUMERALS}]+\s*[年月日時时點点分號号]"
    r"|(?:週|周|星期|禮拜|礼拜)[一二三四五六日天]|(?:上午|下午|凌晨|晚間|晚间|今天|昨天|明天|今日|昨日)",
    re.IGNORECASE,
)
# Words of a name that are not capitalised ("Bank of America", "Charles de Gaulle").
_NAME_JOINERS = frozenset({"of", "de", "van", "von", "der", "da", "del", "la", "le", "al", "bin", "for", "and"})
# Capitalised words that start a sentence or name a month or day are not names by themselves.
_NOT_NAMES = frozenset(
    "the a an this that these those it he she they we i you his her their our its there here but and or "
    "so if when while after before as at in on of for by with from to mr mrs ms dr".split()
    + _MONTHS.replace("\\.", "").split("|")
    + _DAYS.split("|")
)
# Parts of speech jieba gives to names: people, places, organisations, other proper nouns.
# ("nz", other proper nouns, also tags ordinary verbs like 抗議: too loose to call a name.)
_CJK_NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt"})
_CJK_RUN = re.compile(f"[{CJK_LETTERS}]+")
MAX_FACT_TEXT = 120  # a quote or context longer than this is cut at a word boundary in a fact


def edit_facts(edit: Edit) -> list[Fact]:
    """Every fact the edit changed, in reading order: numbers first, then quotes, attribution, names, the rest."""
    old, new = edit.old or "", edit.new or ""
    if edit.cls == "cosmetic" or fold(old) == fold(new):
        return []
    facts: list[Fact] = []
    facts += _number_facts(edit)
    facts += _quote_facts(old, new)
    facts += _attribution_facts(edit)
    facts += _set_facts("name", _names(old), _names(new))
    facts += _negation_facts(edit)
    facts += _set_facts("date", _dates(old), _dates(new))
    facts += _set_facts("link", set(_URL.findall(old)), set(_URL.findall(new)))
    return facts


def annotate(edits: Iterable[Edit]) -> None:
    """Give each edit its facts (edits read from a store written before facts were kept have none)."""
    for edit in edits:
        if edit.facts is None:
            edit.facts = edit_facts(edit)


# --- numbers ---------------------------------------------------------------------------------------------------


def _spans(edit: Edit) -> list[tuple[str, str, str, str]]:
    """(before, deleted, inserted, after) for each changed spot of a replaced text, with the text around it."""
    if edit.op == "insert":
        return [("", "", edit.new or "", "")]
    if edit.op == "delete":
        return [("", edit.old or "", "", "")]
    ops = whole_figures(edit.inline or inline_diff(edit.old or "", edit.new or ""))
    spans: list[tuple[str, str, str, str]] = []
    before, deleted, inserted = "", "", ""
    for op, text in ops:
        if op == "=":
            if deleted or inserted:
                spans.append((before, deleted, inserted, text))
                deleted = inserted = ""
            before = text
        elif op == "-":
            deleted += text
        else:
            inserted += text
    if deleted or inserted:
        spans.append((before, deleted, inserted, ""))
    return spans


def whole_figures(ops: Sequence[InlineOp]) -> list[InlineOp]:
    """Inline ops whose changes cut into no figure: a change inside one takes in all of it, on both sides, so each
    side reads as the page wrote it ("7-2" -> "6-3", not "7" -> "6" and "2" -> "3"; "3:1" -> "2:1", not "3" -> "2")."""
    old = "".join(text for op, text in ops if op != "+")
    new = "".join(text for op, text in ops if op != "-")
    spots: list[list[int]] = []  # [old start, old end, new start, new end] of each changed spot
    at_old = at_new = 0
    open_spot = False
    for op, text in ops:
        if op == "=":
            at_old, at_new, open_spot = at_old + len(text), at_new + len(text), False
            continue
        if not open_spot:
            spots.append([at_old, at_old, at_new, at_new])
            open_spot = True
        if op == "-":
            at_old += len(text)
            spots[-1][1] = at_old
        else:
            at_new += len(text)
            spots[-1][3] = at_new
    out: list[InlineOp] = []
    at = 0
    for a0, a1, b0, b1 in _widened(spots, _figures(old), _figures(new)):
        out += [(op, text) for op, text in (("=", old[at:a0]), ("-", old[a0:a1]), ("+", new[b0:b1])) if text]
        at = a1
    return out + ([("=", old[at:])] if at < len(old) else [])


def _figure_runs(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges [start, end) of the figures among tokens: a number with the numbers joined to it by a joiner
    and no space ("7-2", "2024-05-01", "555-123-4567"), and a minus sign written before it ("-5")."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not is_number(tokens[i]):
            i += 1
            continue
        start, end = i, i + 1
        while end + 1 < len(tokens) and tokens[end] in FIGURE_JOINERS and is_number(tokens[end + 1]):
            end += 2
        # A minus sign, not a hyphen: nothing before it that it could join to a word or a number ("COVID-19").
        if start and tokens[start - 1] in MINUS_SIGNS:
            before = tokens[start - 2] if start > 1 else ""
            if not (is_word(before) or is_number(before)):
                start -= 1
        runs.append((start, end))
        i = end
    return runs


def _figures(text: str) -> list[tuple[int, int]]:
    """Character ranges [start, end) of the figures in a text."""
    tokens = tokenize(text)
    offsets = [0]
    for tok in tokens:
        offsets.append(offsets[-1] + len(tok))
    return [(offsets[a], offsets[b]) for a, b in _figure_runs(tokens)]


def _widened(
    spots: list[list[int]], old_figures: list[tuple[int, int]], new_figures: list[tuple[int, int]]
) -> list[list[int]]:
    """Changed spots widened to take in every figure they cut into, on either side; spots that meet are one."""

    def cut(figures: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
        if start < end:
            return [(s, e) for s, e in figures if s < end and e > start]
        # An empty spot (text only inserted, or only deleted, there) cuts a figure it falls strictly inside.
        return [(s, e) for s, e in figures if s < start < e]

    spots = [list(spot) for spot in spots]
    i = 0
    while i < len(spots):
        a0, a1, b0, b1 = spots[i]
        hit = cut(old_figures, a0, a1) + [(s - b0 + a0, e - b1 + a1) for s, e in cut(new_figures, b0, b1)]
        left = max([a0 - s for s, _e in hit] + [0])
        right = max([e - a1 for _s, e in hit] + [0])
        if not left and not right:
            i += 1
            continue
        # The text between two spots is the same on both sides, so a spot widens by as much on each side.
        if i and a0 - left <= spots[i - 1][1]:
            spots[i - 1][1], spots[i - 1][3] = a1, b1
            del spots[i]
            i -= 1
            continue
        if i + 1 < len(spots) and a1 + right >= spots[i + 1][0]:
            spots[i][1], spots[i][3] = spots[i + 1][1], spots[i + 1][3]
            del spots[i + 1]
            continue
        spots[i] = [a0 - left, a1 + right, b0 - left, b1 + right]
    return spots


# Measure words a single Chinese numeral counts with (三人, 兩名, 五起); alone, 一 or 三 is as often part of a
# word (一起, 一些, 三明治) as a count.
CJK_COUNTERS = "人名位起件個个次元歲岁座間间棟栋輛辆架艘家所條条項项張张倍隻只頭头場场枚票"


def _numbers(text: str, after: str = "") -> list[tuple[str, str]]:
    """The numbers in a text, each as (shown, token): a figure whole ("7-2", "-5"), shown with its magnitude word
    ("310 million", "十五萬"), read on into `after`, the unchanged text that follows, for the magnitude or measure word."""
    tokens = [t for t in _with_figures(text) if not t.isspace()]
    following = [t for t in tokenize(after) if not t.isspace()][:1]
    out: list[tuple[str, str]] = []
    for i, tok in enumerate(tokens):
        nxt = (tokens + following)[i + 1] if i + 1 < len(tokens) + len(following) else ""
        cjk_numeral = all(ch in CJK_NUMERALS for ch in tok) and (len(tok) > 1 or (bool(nxt) and nxt in CJK_COUNTERS))
        if is_number(tok.lstrip(MINUS_SIGNS)) or tok.casefold() in NUMBER_WORDS or cjk_numeral:
            shown = (
                f"{tok} {nxt}"
                if nxt.casefold() in MAGNITUDES and not is_cjk(nxt)
                else tok + (nxt if nxt in MAGNITUDES and is_cjk(nxt) else "")
            )
            out.append((shown, tok))
    return out


def _with_figures(text: str) -> list[str]:
    """The text's tokens with each figure one token."""
    tokens = tokenize(text)
    out: list[str] = []
    at = 0
    for start, end in _figure_runs(tokens):
        out += tokens[at:start]
        out.append("".join(tokens[start:end]))
        at = end
    return out + tokens[at:]


_YEAR = re.compile(r"(?:19|20)\d\d")
# Words between what a number measures and the number: "toll rose to 5", "cost of about 3", "at least 4".
_NUMBER_LEAD = frozenset(
    "to from of at by about around nearly almost some than more less least over under rose fell climbed dropped "
    "increased decreased reached hit stood stands is was are were be been the a an its their up down just only "
    "roughly approximately estimated".split()
) | frozenset("至到從从為为達达約约逾近共已增減减升降以")


# Words that follow a number without saying what it counts ("three in Riverton", "5 on Monday"): prepositions,
# conjunctions, words that open a clause ("ruled 7-2 that ...", "12 who were hurt") and times ("voted 7-2 late
# Tuesday").
_NOT_UNITS = frozenset(
    "in on at of to for from by and or but with as after before since than while that which who whom whose "
    "where when if because so then the a an this these those his her its their our late early last next "
    "yesterday today tonight tomorrow".split()
)


def _unit(after: str) -> str:
    """The word a number counts, read from the text after it: "dead" in "5 dead", "人" in "5人死亡"."""
    tokens = [t for t in tokenize(after) if not t.isspace()]
    words: list[str] = []
    for tok in tokens:
        if tok.casefold() in MAGNITUDES and not words:
            continue
        if is_cjk(tok):
            words.append(tok)
            if len(words) == 2 or tok in CJK_MEASURE_WORDS:
                break
            continue
        if (is_word(tok) and tok.casefold() not in _NOT_UNITS) or tok in "%$€£¥":
            words.append(tok)
            if tok.casefold() not in {"per", "percent"}:
                break
            continue
        break
    joiner = "" if words and is_cjk(words[0]) else " "
    return joiner.join(words)


_CLAUSE_MARKS = frozenset(",;:()—–，；：（）")
_ARTICLES = frozenset({"the", "a", "an"})
_PRONOUNS = frozenset("it he she they we i you this that these those there".split())
_NOT_SUBJECTS = _NUMBER_LEAD | _PRONOUNS
_PERCENT = ("%", "％")


def _subject(before: str) -> str:
    """What a number measures, read from the words before it when none follow: "death toll" in "death toll rose to"."""
    tokens = tokenize(before)
    # Read within the number's own clause ("pumping, ruling 7-2" is a ruling); when nothing there names it ("Buses:
    # 12", "The toll, at 5"), the words before the clause do.
    cut = max((i for i, t in enumerate(tokens) if t.strip() and set(t.strip()) <= _CLAUSE_MARKS), default=-1)
    words: list[str] = []
    for part in (tokens[cut + 1 :], tokens):
        words = [t for t in part if is_word(t) or is_cjk(t)]
        # A pronoun names nothing a reader can place ("It rose 4%", "approved it 55%").
        while words and (words[-1].casefold() in _NOT_SUBJECTS or _is_speech(words[-1])):
            words.pop()
        if words:
            break
    picked = words[-2:]
    if len(picked) == 2 and picked[0].casefold() in _ARTICLES:
        picked = picked[1:]  # "the bill" counts a bill
    return ("" if picked and is_cjk(picked[0]) else " ").join(picked)


_CLOCK = re.compile(_CLOCK_TEXT)
_RANGE_MARKS = re.compile("[-‐‑‒–—~～〜]")


def _is_date(number: str, unit: str) -> bool:
    """A bare year, or a figure written as a date, a time or a span of times (2024-05-01, 8:30, 1:30-2:30): kept
    with the dates, not a count."""
    if _YEAR.fullmatch(number):
        return not unit
    return bool(_DATE.fullmatch(number)) or all(_CLOCK.fullmatch(part) for part in _RANGE_MARKS.split(number))


def _joined(figures: list[str]) -> bool:
    """Whether any of these figures is two numbers with a joiner between (a score, a vote, a range)."""
    return any(any(ch in FIGURE_JOINERS for ch in figure.lstrip(MINUS_SIGNS)) for figure in figures)


def _number_facts(edit: Edit) -> list[Fact]:
    facts: list[Fact] = []
    for before, deleted, inserted, after in _spans(edit):
        unit = ""
        gone_found, came_found = _numbers(deleted, after), _numbers(inserted, after)
        if gone_found or came_found:
            last = (came_found or gone_found)[-1][1]
            unit = _unit((inserted or deleted).split(last, 1)[-1] + after)
        # A date is kept with the dates, not a count.
        gone = [shown for shown, _tok in gone_found if not _is_date(shown, unit)]
        came = [shown for shown, _tok in came_found if not _is_date(shown, unit)]
        # A lone 一 is as often "a" as "one" (一個人 -> 這個人): it counts only against a number on the other side.
        gone, came = [n for n in gone if n != "一" or came], [n for n in came if n != "一" or gone]
        if not gone and not came:
            continue
        first = (came_found or gone_found)[0][1]
        subject = _subject(before + (inserted or deleted).split(first, 1)[0])
        if unit in _PERCENT and not (subject and is_cjk(subject[0])):
            # A percent sign belongs to the figure ("4.1%"); what the rate measures is named before it. (A Chinese
            # subject is read two characters back, too rough to name a rate: "%" stays its unit there.)
            gone, came, unit = [g + unit for g in gone], [c + unit for c in came], subject
        elif unit and is_cjk(unit[0]) and unit[0] not in CJK_MEASURE_WORDS and _joined(gone + came):
            unit = ""  # a verb after a score or vote (7比2通過, "passed") is not what it counts
        unit = unit or subject
        if edit.op in ("replace", "move") and gone and came:
            facts += [Fact("number", "changed", a, b, unit) for a, b in zip(gone, came, strict=False) if a != b]
            facts += [Fact("number", "removed", a, None, unit) for a in gone[len(came) :]]
            facts += [Fact("number", "added", None, b, unit) for b in came[len(gone) :]]
        else:
            facts += [Fact("number", "removed", a, None, unit) for a in gone]
            facts += [Fact("number", "added", None, b, unit) for b in came]
    return facts


# --- quotes and attribution ------------------------------------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """How alike two quotes are, 0 to 1, by the characters they share in order."""
    return SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio()


def _quotes(text: str) -> list[str]:
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTE.finditer(text)]


def _quote_facts(old: str, new: str) -> list[Fact]:
    before, after = _quotes(old), _quotes(new)
    facts: list[Fact] = []
    unmatched = [q for q in after if q not in before]
    for quote in before:
        if quote in after:
            continue
        twin = max(unmatched, key=lambda q: similarity(q, quote), default=None)
        if twin is not None and similarity(twin, quote) >= 0.4:
            unmatched.remove(twin)
            facts.append(Fact("quote", "changed", _cut(quote), _cut(twin), _speaker(new, twin)))
        else:
            facts.append(Fact("quote", "removed", _cut(quote), None, _speaker(old, quote)))
    facts += [Fact("quote", "added", None, _cut(q), _speaker(new, q)) for q in unmatched]
    return facts


def _speaker(text: str, quote: str) -> str:
    """Who a quote is given to: the name nearest the quote in its sentence, when one is written there."""
    at = text.find(quote)
    # The quote's own words are left out (a name it mentions is not its speaker), its last mark kept: a comma
    # there means the sentence, and the speaker, go on after it.
    end = at + len(quote)
    window = text[max(0, at - 80) : at] + quote[-1:] + text[end : end + 80] if at >= 0 else text
    names = [n for n in _name_list(window) if n]
    return names[0] if names else ""


def _is_speech(token: str) -> bool:
    return token.casefold() in SPEECH_VERBS or any(token.startswith(v) for v in SPEECH_VERBS_CJK)


def _attribution_facts(edit: Edit) -> list[Fact]:
    """A speech verb swapped ("said" -> "claimed"), or a quote kept word for word but given to someone else."""
    if edit.op not in ("replace", "move"):
        return []
    facts: list[Fact] = []
    spans = _spans(edit)
    # Over the whole edit: "said" may go in one spot and "told reporters" come in another.
    gone = [t for _b, deleted, _i, _a in spans for t in _words(deleted) if _is_speech(t)]
    came = [t for _b, _d, inserted, _a in spans for t in _words(inserted) if _is_speech(t)]
    if gone and came and gone != came:
        facts.append(Fact("attribution", "changed", gone[0], came[0], ""))
    old, new = edit.old or "", edit.new or ""
    for quote in set(_quotes(old)) & set(_quotes(new)):
        was, now = _speaker(old, quote), _speaker(new, quote)
        if was != now and (was or now):
            facts.append(Fact("attribution", "changed", was or None, now or None, _cut(quote)))
    return facts


def _words(text: str) -> list[str]:
    """Words of a text, CJK runs cut into words where a speech verb starts (jieba is not needed to find them)."""
    out: list[str] = []
    for tok in tokenize(text):
        if is_word(tok):
            out.append(tok)
    for run in _CJK_RUN.findall(text):
        out += [verb for verb in SPEECH_VERBS_CJK if verb in run]
    return out


# --- names, negations, dates -----------------------------------------------------------------------------------


def _name_list(text: str) -> list[str]:
    """Names written in a text, in order: runs of capitalised words (not a sentence's first word alone), and
    people, places and organisations a Chinese segmenter tags in CJK text."""
    names: list[str] = []
    current: list[str] = []
    before = ""
    for tok in tokenize(text):
        if tok.isspace():
            before += tok
            continue
        starts_sentence = (
            bool(SENTENCE_END.search(before[-12:]))
            and not TITLE_BEFORE.search(before[-12:])
            and not _QUOTE_IN_SENTENCE.search(before[-12:])
        )
        capital = is_word(tok) and tok[0].isupper() and tok.casefold() not in _NOT_NAMES
        if capital and (current or not starts_sentence or _looks_like_name_alone(tok)):
            current.append(tok)
        elif current and tok.casefold() in _NAME_JOINERS and is_word(tok):
            current.append(tok)
        else:
            if current:
                names.append(_trim_joiners(current))
                current = []
        before += tok
    if current:
        names.append(_trim_joiners(current))
    if _CJK_RUN.search(text):
        names += _cjk_names(text)
    return [n for n in names if n]


# A quote closed after a comma goes on in the same sentence: "“We will win,” Lee said."
_QUOTE_IN_SENTENCE = re.compile(r"[,，]\s*[\"”»」』]\s*$")


def _looks_like_name_alone(word: str) -> bool:
    """A capitalised word at a sentence's start counts as a name only when it is an acronym (NATO, UN)."""
    return len(word) > 1 and word.isupper()


def _trim_joiners(words: list[str]) -> str:
    while words and words[-1].casefold() in _NAME_JOINERS:
        words = words[:-1]
    return " ".join(words)


@lru_cache(maxsize=1024)
def _cjk_names(text: str) -> tuple[str, ...]:
    # jieba: a pure-Python Chinese segmenter whose dictionary and part-of-speech tags ship in the wheel (nothing
    # downloaded); it loads in about a second, so only an edit with CJK text pays for it.
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    names: list[str] = []
    for run in _CJK_RUN.findall(text):
        names += [word for word, tag in jieba.posseg.cut(run) if tag in _CJK_NAME_TAGS and len(word) >= 2]
    return tuple(names)


def _names(text: str) -> set[str]:
    return set(_name_list(text))


def _negation_facts(edit: Edit) -> list[Fact]:
    facts: list[Fact] = []
    for _before, deleted, inserted, _after in _spans(edit) if edit.op in ("replace", "move") else []:
        gone, came = _negations(deleted), _negations(inserted)
        facts += [Fact("negation", "removed", word, None, "") for word in gone if word not in came]
        facts += [Fact("negation", "added", None, word, "") for word in came if word not in gone]
    return facts


def _negations(text: str) -> list[str]:
    words = [t.casefold().replace("’", "'") for t in tokenize(text) if is_word(t)]
    found = [w for w in words if w in NEGATIONS or w.endswith("n't")]
    # A Chinese negation is one character inside longer words (不予置評 is a way to say "declined"): it counts
    # only as a change of its own, a span of at most two characters (並未, 沒有, 不).
    if len(text.strip()) <= 2:
        found += [ch for ch in NEGATIONS_CJK if ch in text]
    return found


def _dates(text: str) -> set[str]:
    return {m.group().strip() for m in _DATE.finditer(text)}


def _set_facts(kind: FactKind, before: set[str], after: set[str]) -> list[Fact]:
    """Added and removed members of a set of things a text names (names, dates, links)."""
    removed = sorted(before - after)
    added = sorted(after - before)
    facts = [Fact(kind, "removed", _cut(x), None, "") for x in removed]
    facts += [Fact(kind, "added", None, _cut(x), "") for x in added]
    return facts


def _cut(text: str) -> str:
    """A quote or a context short enough for a summary, cut at a word boundary."""
    if len(text) <= MAX_FACT_TEXT:
        return text
    head = text[:MAX_FACT_TEXT]
    space = head.rfind(" ")
    return (head[:space] if space > MAX_FACT_TEXT // 2 else head).rstrip(" ,;:") + "…"


def has_kind(facts: Sequence[Fact], *kinds: str) -> bool:
    """True when any of the facts is of one of the kinds."""
    return any(f.kind in kinds for f in facts)
