"""Sentences anchor the inline diff: unchanged sentences inside an edited paragraph stay unchanged (issue 26.5),
abbreviations end no sentence, a moved paragraph is one move, edits carry paragraph positions and history's
one-line phrases never glue separate changes into a word (issue 33)."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from watcher.diff import align, diff_articles, inline_diff
from watcher.diff.sentences import keeps_a_sentence, sentences
from watcher.models import Article, Edit
from watcher.render.edits import render_diff
from watcher.render.theme import THEME
from watcher.render.timeline import changed_phrases, edit_phrase

KEPT_1 = "Firefighters were called at about 2:40 a.m."
KEPT_2 = '"We just ran," one man said.'
OLD_PARA = " ".join(
    [
        "A fire tore through a six-story apartment building in the Northgate district early on Thursday.",
        KEPT_1,
        "Residents said the alarm did not sound.",
        KEPT_2,
        "The cause of the fire was not immediately known.",
    ]
)
NEW_PARA = " ".join(
    [
        "A fire that killed two people tore through a six-story apartment building in the Northgate district "
        "early on Thursday, trapping residents on the upper floors.",
        KEPT_1,
        "Several residents told reporters they never heard an alarm and escaped down smoke-filled stairs.",
        KEPT_2,
        "Investigators said on Thursday afternoon that the fire began in a ground-floor storage room.",
    ]
)


def unchanged_text(ops) -> str:
    return "".join(text for op, text in ops if op == "=")


def changed_texts(ops) -> list[str]:
    return [text for op, text in ops if op != "="]


# --- sentences ------------------------------------------------------------------------------------------


def test_abbreviations_initials_and_list_numbers_end_no_sentence():
    text = (
        "Officials said the U.S. would send aid. Dr. Helen Marsh of St. Luke's agreed. "
        "No. 5 was chosen by Mr. J. R. Whitman at 5 p.m. on Monday. It passed."
    )
    assert sentences(text) == [
        "Officials said the U.S. would send aid.",
        "Dr. Helen Marsh of St. Luke's agreed.",
        "No. 5 was chosen by Mr. J. R. Whitman at 5 p.m. on Monday.",
        "It passed.",
    ]
    assert sentences("1. Close the pools.\n2. Raise the fees. Both failed.") == [
        "1. Close the pools.",
        "2. Raise the fees.",
        "Both failed.",
    ]


def test_list_numbers_inside_a_paragraph_open_their_items_and_end_none():
    # A list run into one paragraph: each number opens the item after the previous one's full stop.
    assert sentences("The plan has three steps. 1. Close the pier. 2. Repair the piles. 3. Reopen in March.") == [
        "The plan has three steps.",
        "1. Close the pier.",
        "2. Repair the piles.",
        "3. Reopen in March.",
    ]
    # A figure at a sentence's end still ends it.
    assert sentences("The vote was 52 to 48. Both sides claimed it.") == [
        "The vote was 52 to 48.",
        "Both sides claimed it.",
    ]


def test_no_is_an_abbreviation_only_before_a_number():
    assert sentences("Asked about a delay, the board said no. Work starts in April.") == [
        "Asked about a delay, the board said no.",
        "Work starts in April.",
    ]
    assert sentences("The answer was No. Nobody asked again.") == ["The answer was No.", "Nobody asked again."]
    assert sentences("The crew of No. 7 berth and nos. 4 and 5 agreed. It passed.") == [
        "The crew of No. 7 berth and nos. 4 and 5 agreed.",
        "It passed.",
    ]


def test_sentences_end_at_quotes_questions_and_cjk_stops():
    assert sentences('"It is done," she said. Then she left! Really? Yes.') == [
        '"It is done," she said.',
        "Then she left!",
        "Really?",
        "Yes.",
    ]
    assert sentences("市府表示將投入五億元。議員質疑預算不足！他說：「這不夠。」記者追問。") == [
        "市府表示將投入五億元。",
        "議員質疑預算不足！",
        "他說：「這不夠。」",
        "記者追問。",
    ]


def test_a_lower_case_word_after_a_full_stop_continues_the_sentence():
    assert sentences("Prices rose approx. ten percent, i.e. more than expected.") == [
        "Prices rose approx. ten percent, i.e. more than expected."
    ]


# --- inline diffs anchored on sentences -----------------------------------------------------------------


def test_rewritten_paragraph_shows_the_sentences_it_kept_unchanged():
    ops = inline_diff(OLD_PARA, NEW_PARA)
    assert "".join(t for op, t in ops if op != "+") == OLD_PARA
    assert "".join(t for op, t in ops if op != "-") == NEW_PARA
    kept = unchanged_text(ops)
    assert KEPT_1 in kept and KEPT_2 in kept
    assert not any(KEPT_1 in t or KEPT_2 in t or "one man said" in t for t in changed_texts(ops))
    # Every rewritten sentence still shows as changed.
    for changed in ("Residents said the alarm", "Several residents told", "The cause of the fire", "Investigators"):
        assert any(changed in t for t in changed_texts(ops)), changed


def test_a_short_unchanged_sentence_between_two_rewrites_is_not_swallowed():
    old = "The mayor said the plan was sound and would pass. He left. Critics said it would cost far too much."
    new = "The mayor, facing questions, conceded the plan had problems. He left. Critics were not persuaded."
    ops = inline_diff(old, new)
    assert ("=", " He left. ") in ops


def test_a_sentence_moved_within_the_paragraph_keeps_the_rest_unchanged():
    old = "Smith said the plan would cost 40 million. The mayor rejected it. Critics called it reckless."
    new = "Smith said the plan would cost 40 million. Critics, including three members, called it reckless. " + (
        "The mayor rejected it."
    )
    ops = inline_diff(old, new)
    assert "The mayor rejected it." in unchanged_text(ops)
    assert "Smith said the plan would cost 40 million." in unchanged_text(ops)


def test_a_changed_sentence_with_us_in_it_highlights_words_not_the_abbreviation():
    old = "Aid arrived on Monday. The U.S. Army Corps of Engineers said 40 homes were lost. Crews stayed."
    new = "Aid arrived on Monday. The U.S. Army Corps of Engineers said 45 homes were lost. Crews stayed."
    ops = inline_diff(old, new)
    assert changed_texts(ops) == ["40", "45"]
    assert all(t.strip() not in ("U.S.", "U.S", "S.") for t in changed_texts(ops))


def test_chinese_paragraph_keeps_its_unchanged_sentences_and_numbers_change_whole():
    old = "新北市一棟公寓今天凌晨發生火警。消防局派遣四十輛消防車前往搶救。住戶表示警報器並未響起。起火原因仍待調查。"
    new = (
        "新北市一棟公寓今天凌晨發生奪命火警，造成兩人死亡。消防局派遣四十輛消防車前往搶救。"
        "多名住戶向記者表示，當時完全沒有聽到警報聲。起火原因仍待調查。"
    )
    ops = inline_diff(old, new)
    assert "消防局派遣四十輛消防車前往搶救。" in unchanged_text(ops)
    assert "起火原因仍待調查。" in unchanged_text(ops)


def test_terminal_view_shows_a_rewritten_paragraph_inline_when_it_kept_sentences():
    old = Article(headline="Fire", body=["Intro paragraph stays.", OLD_PARA])
    new = Article(headline="Fire", body=["Intro paragraph stays.", NEW_PARA])
    from datetime import UTC, datetime

    from watcher.models import Version

    at = datetime(2026, 12, 1, tzinfo=UTC)
    v1 = Version(url="https://example.com/a", number=1, captured_at=at, content_hash="a", article=old)
    v2 = Version(url="https://example.com/a", number=2, captured_at=at, content_hash="b", article=new)
    console = Console(width=400, file=StringIO(), color_system=None, theme=THEME)
    console.print(render_diff(v1, v2, diff_articles(old, new)))
    out = console.file.getvalue()
    assert KEPT_1 in out and KEPT_2 in out
    for line in out.splitlines():
        for kept in (KEPT_1, KEPT_2):
            if kept in line:
                # Shown once, outside any ⟦-…-⟧ or ⟦+…+⟧ marker.
                start = line.index(kept)
                before = line[:start]
                assert before.count("⟦") == before.count("⟧"), line
    assert out.count(KEPT_1) == 1


def test_keeps_a_sentence_tells_a_kept_sentence_from_shared_words():
    assert keeps_a_sentence([("-", "A b. "), ("+", "X y. "), ("=", "Kept one. "), ("-", "C."), ("+", "Z.")])
    assert not keeps_a_sentence([("=", "The "), ("-", "old words"), ("+", "new words"), ("=", " here.")])


# --- moves and positions --------------------------------------------------------------------------------

PARAS = [
    "The council approved the transit budget on Monday after a four-hour debate.",
    "Mayor Ellen Park said the plan would add 120 buses and cut waiting times by a third.",
    "Opponents argued that the fare increase would fall hardest on students and retirees.",
    "The budget takes effect in January and will be reviewed again in the autumn.",
]


def test_a_moved_paragraph_is_one_move_when_its_neighbour_was_edited():
    edited = PARAS[1].replace("120 buses", "150 new buses")
    old = PARAS[:3]
    new = [PARAS[2], PARAS[0], edited]
    rows = [r for r in align(old, new) if r.edit]
    assert [(r.kind, r.old, r.new) for r in rows] == [("move", (2,), (0,)), ("replace", (1,), (2,))]


def test_body_edits_carry_their_paragraph_numbers():
    edited = PARAS[1].replace("120", "150")
    added = "A public hearing is scheduled for next month."
    old = Article(body=PARAS)
    new = Article(body=[PARAS[3], PARAS[0], edited, added])
    edits = {e.op: e for e in diff_articles(old, new).edits}
    assert (edits["move"].from_para, edits["move"].to_para) == (4, 1)
    assert (edits["replace"].from_para, edits["replace"].to_para) == (2, 3)
    assert (edits["insert"].from_para, edits["insert"].to_para) == (None, 4)
    assert (edits["delete"].from_para, edits["delete"].to_para) == (3, None)
    assert edits["move"].to_json()["from"] == 4 and edits["move"].to_json()["to"] == 1
    assert "from" not in edits["insert"].to_json()


def test_edit_json_without_positions_still_loads_and_stays_as_it_was():
    stored = {"field": "headline", "op": "replace", "old": "A", "new": "B", "class": "substantive", "inline": []}
    edit = Edit.from_json(stored)
    assert edit.from_para is None and edit.to_para is None
    assert edit.to_json() == stored
    moved = Edit("body", "move", "P", "P", "moved", [], from_para=8, to_para=3)
    assert Edit.from_json(moved.to_json()) == moved


# --- history's one-line phrases -------------------------------------------------------------------------


def test_history_phrase_quotes_the_changed_phrase_instead_of_gluing_words():
    edits = diff_articles(
        Article(body=['"This is painful but honest," Ortiz said.']),
        Article(body=['"This is difficult but necessary," Ortiz said.']),
    ).edits
    phrase = edit_phrase(edits[0])
    assert "painfulhonest" not in phrase and "difficultnecessary" not in phrase
    assert phrase == "¶1 “painful but honest” → “difficult but necessary”"  # where it is, then the change (issue 33)


def test_history_phrase_joins_distant_changes_with_an_ellipsis():
    old = "The mayor said 60 people were hurt in the fire on Monday, according to officials at the city hospital."
    new = "The mayor said 80 people were hurt in the fire on Monday, according to officials at the county hospital."
    assert changed_phrases(inline_diff(old, new)) == ("60 … city", "80 … county")


def test_a_figure_fixed_beside_a_sentence_rewritten_whole_still_shows_as_the_figure():
    old = "The bridge stays shut. Toll: 60 dead. Officials did not say when the road would reopen."
    new = (
        "The bridge stays shut. Toll: 80 dead. Police, who closed the bridge on Tuesday after cracks appeared in "
        "two of its piers, gave no date for reopening it."
    )
    ops = inline_diff(old, new)
    assert ("-", "60") in ops and ("+", "80") in ops
    assert ("-", "Officials did not say when the road would reopen.") in ops
    assert "The bridge stays shut. Toll: " in unchanged_text(ops)
