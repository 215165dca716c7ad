"""Text for the diff benchmark (bench/diffs.py): a 100,000-character article, CJK or English, and
a copy with 50 scattered edits.
"""

from __future__ import annotations

import random
import time

SIZE = 100_000
EDITS = 50
# Made-up vocabularies: common Han characters and invented English words; only the shape of text matters.
HAN = "市政府今日宣布明年起將在全設置公共充電站預算約億元交通局長表示第一批於三月啟用優先捷運周邊議員批評計畫缺乏配套要求下次定期會提出完整報告強調採開招標並由民間業者負責營運與維護相關說明舉行放報名參加"
WORDS = (
    "council budget transit mayor plan vote route fare station hearing report city district board "
    "residents officials approved said claimed would could after before during against within"
).split()


def paragraph(rng: random.Random, cjk: bool) -> str:
    if cjk:
        parts = []
        for _ in range(rng.randint(3, 6)):
            parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(12, 30))) + str(rng.randint(1, 999)))
        return "，".join(parts) + "。"
    sentences = []
    for _ in range(rng.randint(2, 4)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        words[rng.randrange(len(words))] = str(rng.randint(1, 5000))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def article(rng: random.Random, cjk: bool) -> list[str]:
    body: list[str] = []
    while sum(map(len, body)) < SIZE:
        body.append(paragraph(rng, cjk))
    return body


def edit(rng: random.Random, body: list[str], cjk: bool) -> list[str]:
    """50 edits spread over the article: word/number swaps, added and removed paragraphs, a few moves."""
    new = list(body)
    spots = sorted(rng.sample(range(len(new)), EDITS), reverse=True)
    for n, i in enumerate(spots):
        kind = n % 5
        if kind in (0, 1):
            text = new[i]
            at = rng.randrange(len(text) - 5)
            new[i] = text[:at] + (rng.choice(HAN) if cjk else " " + rng.choice(WORDS) + " ") + text[at + 1 :]
        elif kind == 2:
            new.insert(i, paragraph(rng, cjk))
        elif kind == 3:
            del new[i]
        else:
            moved = new.pop(i)
            new.insert(max(0, i - rng.randint(3, 20)), moved)
    return new


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result
