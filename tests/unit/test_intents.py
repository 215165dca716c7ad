"""Facts, intents and one-line summaries of edits, on revision text written like real story edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.diff.align import make_edit
from watcher.diff.articles import diff_articles
from watcher.diff.facts import edit_facts
from watcher.diff.intent import edit_intent
from watcher.diff.intent_eval import load, score
from watcher.diff.summary import summarize
from watcher.models import INTENTS, Article, Edit

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "intents" / "edits.jsonl"


def facts(old: str, new: str, lang: str = "en") -> list[tuple[str, str, str | None, str | None, str]]:
    edit = make_edit("body", "replace", old, new, lang=lang)
    return [(f.kind, f.change, f.old, f.new, f.context) for f in edit_facts(edit)]


def test_a_changed_count_keeps_what_it_counts():
    assert facts("Three people died in the flood.", "Five people died in the flood.") == [
        ("number", "changed", "Three", "Five", "people")
    ]
    assert facts("The death toll rose to 12, officials said.", "The death toll rose to 15, officials said.") == [
        ("number", "changed", "12", "15", "death toll")
    ]


def test_chinese_numbers_with_their_magnitudes_and_measure_words():
    assert ("number", "changed", "三億", "五億", "元") in facts("預算高達三億元。", "預算高達五億元。", "zh-Hant")
    assert ("number", "changed", "3", "7", "人") in facts("造成3人死亡。", "造成7人死亡。", "zh-Hant")


def test_a_bare_year_is_a_date_not_a_count():
    found = facts("The company will cut 1,200 jobs.", "The company will cut 1,500 jobs by 2027.")
    assert ("number", "changed", "1,200", "1,500", "jobs") in found
    assert ("date", "added", None, "2027", "") in found
    assert not any(kind == "number" and new == "2027" for kind, _c, _o, new, _x in found)


def test_a_reworded_quote_and_a_swapped_speech_verb():
    found = facts(
        'The mayor said the plan was "painful but honest".', 'The mayor claimed the plan was "difficult but necessary".'
    )
    assert ("quote", "changed", "painful but honest", "difficult but necessary", "") in found
    assert ("attribution", "changed", "said", "claimed", "") in found


def test_a_quote_given_to_someone_else():
    found = facts("“We will rebuild,” Mayor Tom Reyes said.", "“We will rebuild,” Governor Ann Walsh said.")
    assert ("attribution", "changed", "Mayor Tom Reyes", "Governor Ann Walsh", "We will rebuild,") in found


def test_negation_added_and_removed_in_both_languages():
    assert ("negation", "removed", "not", None, "") in facts("The firm did not confirm it.", "The firm confirmed it.")
    assert ("negation", "removed", "未", None, "") in facts("部長並未排除加稅。", "部長排除加稅。", "zh-Hant")
    # 不予置評 says "declined to comment": its 不 is part of a phrase, not a negation of the sentence.
    assert facts("發言人拒絕發表評論。", "發言人不予置評。", "zh-Hant") == []


def test_names_added_and_removed():
    found = facts("The plant is owned by Northgate Energy.", "The plant is owned by Redwater Power.")
    assert ("name", "removed", "Northgate Energy", None, "") in found
    assert ("name", "added", None, "Redwater Power", "") in found


def test_punctuation_only_is_cosmetic_in_intent():
    edit = make_edit("body", "replace", "Residents -- many elderly -- left.", "Residents — many elderly — left.")
    assert diff_articles(Article(body=[edit.old or ""]), Article(body=[edit.new or ""])).edits[0].intent == "cosmetic"


def test_summary_names_the_facts_and_where_they_are():
    old = Article(
        headline="Flood kills three",
        body=["Three people died, police said on Monday.", "“We were not ready,” said Mayor John Lee.", "Roads shut."],
    )
    new = Article(
        headline="Flood kills five in Riverton",
        body=[
            "Five people died, police said on Tuesday.",
            "“We were not ready,” said Deputy Mayor Ana Ruiz.",
            "Roads shut.",
            "Rescue teams searched through the night.",
        ],
    )
    line = summarize(diff_articles(old, new).edits, "en", limit=9)
    assert line == (
        "headline rewritten; people: Three → Five (¶1); Monday → Tuesday (¶1); "
        "quote given to Deputy Mayor Ana Ruiz instead of Mayor John Lee (¶2); paragraph added (¶4)"
    )
    assert summarize(diff_articles(old, new).edits, "en").endswith("and 2 more edits")


def test_summary_never_glues_separate_changes_into_a_word():
    edits = diff_articles(
        Article(body=['It was "painful but honest", she said.']),
        Article(body=['It was "difficult but necessary", she said.']),
    ).edits
    line = summarize(edits, "en")
    assert "“painful but honest” → “difficult but necessary”" in line
    assert "painfulhonest" not in line and "difficultnecessary" not in line


def test_summary_in_traditional_chinese():
    edits = diff_articles(
        Article(body=["強震造成3人死亡。", "市府表示將持續救災。"]),
        Article(body=["強震造成7人死亡。", "市府聲稱將持續救災。"]),
    ).edits
    assert summarize(edits, "zh-Hant") == "人：3 → 7（第 1 段）；「表示」→「聲稱」（第 2 段）"


def test_old_edits_without_facts_still_load_and_summarise():
    edit = Edit.from_json({"field": "body", "op": "replace", "old": "3 dead", "new": "5 dead", "class": "substantive"})
    assert edit.facts is None and edit.intent is None
    assert summarize([edit]) == "dead: 3 → 5"


def test_facts_and_intent_round_trip_through_json():
    edit = diff_articles(Article(body=["3 dead."]), Article(body=["5 dead."])).edits[0]
    again = Edit.from_json(edit.to_json())
    assert again.facts == edit.facts and again.intent == edit.intent == "fact"
    assert edit.to_json()["from"] == 1 and edit.to_json()["to"] == 1


@pytest.mark.parametrize("group", ["en", "zh"])
def test_intents_on_the_labelled_set(group):
    rows = [r for r in load(LABELLED) if r["lang"].startswith(group)]
    scores = score(rows)
    assert len(rows) >= 45
    assert scores.accuracy() >= 0.9, scores.confusions()
    for label in INTENTS:
        if scores.support(label) >= 3:
            assert scores.recall(label) >= 0.6, (label, scores.confusions())


def test_the_labelled_set_is_big_enough_and_covers_every_intent():
    rows = load(LABELLED)
    assert len(rows) >= 100
    assert {r["intent"] for r in rows} == set(INTENTS)


def test_a_quote_given_to_someone_named_in_one_word():
    # A closing quote after a comma does not end the sentence: the capital after it is the speaker.
    found = facts("“We will win,” Lee said.", "“We will win,” Kim said.")
    assert ("attribution", "changed", "Lee", "Kim", "We will win,") in found
    edit = make_edit("body", "replace", "“We will win,” Lee said.", "“We will win,” Kim said.")
    edit.facts = edit_facts(edit)
    assert edit_intent(edit, edit.facts) == "attribution"
    assert "quote given to Kim instead of Lee" in summarize([edit])


def test_a_single_chinese_numeral_with_its_measure_word_is_a_count():
    assert ("number", "changed", "三", "五", "人") in facts("死亡人數為三人。", "死亡人數為五人。", "zh-Hant")
    assert ("number", "changed", "兩", "四", "名") in facts("兩名警員受傷。", "四名警員受傷。", "zh-Hant")
    assert ("number", "changed", "一", "三", "名") in facts("有一名男子受傷。", "有三名男子受傷。", "zh-Hant")
    # Not every single numeral is a count: 一起 is "together", 一個人 "a person" (這個人 "this person").
    assert not any(kind == "number" for kind, *_ in facts("他是一個好人。", "他是這個好人。", "zh-Hant"))
    assert not any(kind == "number" for kind, *_ in facts("他們一起離開。", "他們一起走了。", "zh-Hant"))


def test_a_magnitude_after_the_changed_digits_stays_with_the_number():
    found = facts("The repairs cost 3 million dollars.", "The repairs cost 5 million dollars.")
    assert ("number", "changed", "3 million", "5 million", "dollars") in found
