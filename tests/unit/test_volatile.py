"""Masking what is not the story: learned volatile blocks, host boilerplate and ignore rules, both directions
(widgets are left out, story edits never are)."""

from watcher.diff import diff_articles
from watcher.diff.volatile import (
    Mask,
    apply_mask,
    block_key,
    compile_patterns,
    field_key,
    host_boilerplate,
    reconcile,
    volatile_key,
)
from watcher.models import Article

STORY = [
    "The harbour authority on Monday closed the north pier after divers found cracks in three concrete piles.",
    "Engineers said the pier, built in 1962, could carry pedestrians for now but not delivery lorries.",
    "Repairs cost 2.4 million.",
    "Fishing crews who moor at the pier have been told to use the south basin until further notice.",
]


def with_widgets(count: int, minutes: int, story=STORY) -> list[str]:
    return [story[0], f"{count} 人按讚", f"Read time: {minutes} min", *story[1:]]


def test_a_counter_changing_on_every_load_is_learned_and_masked():
    stored, first, second = with_widgets(3545, 4), with_widgets(3546, 4), with_widgets(3547, 5)
    keys = reconcile(stored, first, second).keys
    assert keys >= {block_key("3545 人按讚"), block_key("Read time: 4 min")}
    mask = Mask(keys=keys)
    old = apply_mask(Article(body=stored), mask)[0]
    new, masked = apply_mask(Article(body=with_widgets(9168, 12)), mask)
    assert new.body == STORY and old.body == STORY
    assert masked == ["9168 人按讚", "Read time: 12 min"]
    assert diff_articles(old, new).edits == []


def test_a_short_story_paragraph_edited_is_never_masked():
    keys = reconcile(with_widgets(1, 4), with_widgets(2, 4), with_widgets(3, 4)).keys
    edited = [*STORY[:2], "Repairs cost 3.9 million.", STORY[3]]
    old = apply_mask(Article(body=with_widgets(10, 4)), Mask(keys=keys))[0]
    new = apply_mask(Article(body=with_widgets(11, 4, edited)), Mask(keys=keys))[0]
    (edit,) = diff_articles(old, new).edits
    assert ("-", "2.4") in edit.inline and ("+", "3.9") in edit.inline and edit.cls == "substantive"


def test_fetches_disagreeing_on_story_text_are_not_reconciled():
    edited = [*STORY[:2], "Repairs cost 3.9 million.", STORY[3]]
    # A lagging cache: the re-fetch shows the stored text again. That is the story disagreeing, not a widget:
    # nothing learned, the stored text kept, and the edit not confirmed.
    lagging = reconcile(STORY, edited, STORY)
    assert lagging.disputed and lagging.keys == set() and lagging.body == STORY
    # The words of a short story line changing on the reload: the story is being edited now.
    assert reconcile(STORY, STORY, [*STORY[:2], "Repairs now cost 2.4 million.", STORY[3]]) is None
    # A long paragraph that differs between two loads is story text.
    longer = [STORY[0].replace("Monday", "Tuesday"), *STORY[1:]]
    assert reconcile(STORY, longer, [STORY[0].replace("Monday", "Sunday"), *STORY[1:]]) is None
    # Different shapes: a paragraph came or went between the loads.
    assert reconcile(STORY, STORY, STORY[:3]) is None


def test_fetches_agreeing_on_an_edit_keep_it_while_the_counter_is_learned():
    edited = [*STORY[:2], "Repairs cost 3.9 million.", STORY[3]]
    agreed = reconcile(with_widgets(1, 4), with_widgets(2, 4, edited), with_widgets(3, 4, edited))
    assert "Repairs cost 3.9 million." in agreed.body and block_key("2 人按讚") in agreed.keys
    assert not agreed.disputed and block_key("Repairs cost 3.9 million.") not in agreed.keys


RELATED = ["Ferry timetable changes for winter", "Lighthouse reopens to visitors", "New crane arrives at the docks"]


def test_a_list_reordered_between_the_loads_is_no_disagreement_and_an_edit_both_show_is_kept():
    edited = [*STORY[:2], "Repairs cost 3.9 million.", STORY[3]]
    stored = [*STORY[:2], RELATED[1], RELATED[0], RELATED[2], *STORY[2:]]
    # The in-article list comes in another order on each load; where an item lands may match the stored order.
    first = [*edited[:2], RELATED[2], RELATED[0], RELATED[1], *edited[2:]]
    second = [*edited[:2], RELATED[0], RELATED[2], RELATED[1], *edited[2:]]
    agreed = reconcile(stored, first, second)
    assert agreed is not None and not agreed.disputed
    # What moved between the loads is learned, and what stands in another order than when stored beside it:
    # of the list, at most one item is left to compare, so no order of it is a move.
    assert len({block_key(r) for r in RELATED} & agreed.keys) >= 2
    assert not {block_key(p) for p in STORY} & agreed.keys
    old = apply_mask(Article(body=stored), Mask(keys=agreed.keys))[0]
    new = apply_mask(Article(body=agreed.body), Mask(keys=agreed.keys))[0]
    (edit,) = diff_articles(old, new).edits
    assert edit.new == "Repairs cost 3.9 million." and edit.cls == "substantive"


def test_a_rotating_line_is_learned_with_its_stored_text_and_never_takes_an_edit_with_it():
    def body(line: str, story=STORY) -> list[str]:
        return [*story[:2], f"Most read now: {line}", *story[2:]]

    edited = [*STORY[:3], STORY[3].replace("south basin", "east quay")]
    agreed = reconcile(body(RELATED[0]), body(RELATED[1], edited), body(RELATED[2], edited))
    assert agreed is not None and not agreed.disputed
    # The three values of the line are learned, the one stored with the version included.
    assert {block_key(body(r)[2]) for r in RELATED} <= agreed.keys
    old = apply_mask(Article(body=body(RELATED[0])), Mask(keys=agreed.keys))[0]
    new = apply_mask(Article(body=agreed.body), Mask(keys=agreed.keys))[0]
    (edit,) = diff_articles(old, new).edits
    assert edit.cls == "substantive" and "east quay" in edit.new


def test_host_boilerplate_recurs_across_other_stories_with_digits_masked():
    other = ["A choir from the mill district won the regional festival on Saturday.", "312 點閱", "Share this"]
    found = host_boilerplate(["9168 點閱", *STORY, "Share this"], [other])
    assert found == {block_key("9168 點閱"), block_key("Share this")}
    # Story paragraphs are too long to be chrome even if another page quoted one.
    assert host_boilerplate(STORY, [STORY]) == {block_key(STORY[2])}
    masked = apply_mask(Article(body=STORY), Mask(keys={block_key(p) for p in STORY}))[0]
    assert len(masked.body) >= len(STORY) - 1  # never more than a third of a body


def test_ignore_rules_cut_matching_text_before_comparison():
    mask = Mask(patterns=compile_patterns([r"Updated \d+ minutes? ago", r"^Advertisement$"]))
    old = apply_mask(Article(body=[STORY[0] + " Updated 3 minutes ago", "Advertisement", *STORY[1:]]), mask)[0]
    new = apply_mask(Article(body=[STORY[0] + " Updated 9 minutes ago", *STORY[1:]]), mask)[0]
    assert old.body == new.body == STORY
    # Text the rule does not match still counts.
    edited = apply_mask(Article(body=[STORY[0] + " Updated 9 minutes ago", STORY[1], "Repairs cost 9 million."]), mask)
    assert diff_articles(old, edited[0]).edits


def test_an_ignore_rule_lists_what_it_cut_and_leaves_other_text_as_it_was():
    mask = Mask(patterns=compile_patterns([r"\s*Updated \d+ minutes? ago"]))
    text = STORY[0] + " Updated 3 minutes ago"
    article, removed = apply_mask(
        Article(body=[text, "A  line\\nwith  its own spacing, long enough to be a story paragraph."]), mask
    )
    assert removed == [" Updated 3 minutes ago"]
    assert article.body == [STORY[0], "A  line\\nwith  its own spacing, long enough to be a story paragraph."]


def test_a_short_story_with_a_list_inside_it_is_still_reconciled_and_its_edit_kept():
    lead = [STORY[0], STORY[3]]  # a paywalled lead: two paragraphs, then the list and the line
    stored = [lead[0], *(f"{t} {n} comments" for t, n in zip(RELATED, (4, 9, 12))), lead[1]]
    edited = [lead[0].replace("Monday", "Sunday"), lead[1]]
    first = [edited[0], *(f"{t} {n} comments" for t, n in zip(RELATED[::-1], (5, 10, 13))), edited[1]]
    second = [edited[0], *(f"{t} {n} comments" for t, n in zip(RELATED, (6, 11, 14))), edited[1]]
    agreed = reconcile(stored, first, second)
    assert agreed is not None and {block_key(b) for b in stored[1:4]} <= agreed.keys
    old = apply_mask(Article(body=stored), Mask(keys=agreed.keys))[0]
    new = apply_mask(Article(body=agreed.body), Mask(keys=agreed.keys))[0]
    (edit,) = diff_articles(old, new).edits
    assert ("+", "Sunday") in edit.inline


def test_a_field_learned_volatile_is_left_out_whole_on_both_sides_and_listed():
    mask = Mask(keys={field_key("byline")})
    old, _ = apply_mask(Article(byline="By Ines Calloway · 4 comments", body=STORY), mask)
    new, masked = apply_mask(Article(byline="By Ines Calloway · Most read: Ferries", body=STORY), mask)
    assert old.byline == new.byline == "" and masked == ["By Ines Calloway · Most read: Ferries"]
    assert diff_articles(old, new).edits == []
    # Only the field named: the body and the other fields still count.
    edited = apply_mask(Article(byline="x", dek="A new dek", body=STORY[:3]), mask)[0]
    assert {e.field for e in diff_articles(old, edited).edits} == {"dek", "body"}


def bio(books: int, year: int) -> str:
    return (
        f"Ines Calloway has covered the harbour for {books} years; her book on the tides ({year}) is out now. "
        "Follow her on the social networks for more."
    )


def test_a_long_trailer_with_other_figures_on_every_load_is_learned_and_the_story_edit_kept():
    edited = [*STORY[:2], "Repairs cost 3.9 million.", STORY[3]]
    agreed = reconcile([*STORY, bio(12, 2018)], [*edited, bio(47, 2031)], [*edited, bio(5, 2207)])
    assert agreed is not None and not agreed.disputed
    assert volatile_key(bio(1, 1)) in agreed.keys and not {volatile_key(p) for p in edited} & agreed.keys
    old = apply_mask(Article(body=[*STORY, bio(12, 2018)]), Mask(keys=agreed.keys))[0]
    new, masked = apply_mask(Article(body=agreed.body), Mask(keys=agreed.keys))
    assert masked == [bio(5, 2207)] and new.body == edited
    (edit,) = diff_articles(old, new).edits
    assert edit.new == "Repairs cost 3.9 million."


def test_a_long_paragraph_with_other_figures_inside_the_story_or_taken_back_is_never_learned():
    # Inside the story: a paragraph whose figures change while the loads are made is being edited.
    inside = [STORY[0], STORY[1].replace("1962", "{}"), *STORY[2:]]
    assert (
        reconcile([p.format(1962) for p in inside], [p.format(1963) for p in inside], [p.format(1964) for p in inside])
        is None
    )
    # At the end, but one load shows the stored figures: an edit one cache serves and another not yet.
    assert reconcile([*STORY, bio(12, 2018)], [*STORY, bio(13, 2018)], [*STORY, bio(12, 2018)]) is None
    # Other words, not only other figures: story text differing between the loads.
    assert reconcile([*STORY, bio(12, 2018)], [*STORY, bio(13, 2018)], [*STORY, bio(14, 2018) + " Soon."]) is None


def test_a_long_trailer_learned_never_hides_a_story_edit_with_figures():
    keys = reconcile([*STORY, bio(12, 2018)], [*STORY, bio(47, 2031)], [*STORY, bio(5, 2207)]).keys
    edited = [STORY[0], STORY[1].replace("1962", "1926"), *STORY[2:]]
    old = apply_mask(Article(body=[*STORY, bio(12, 2018)]), Mask(keys=keys))[0]
    new = apply_mask(Article(body=[*edited, bio(9, 1999)]), Mask(keys=keys))[0]
    (edit,) = diff_articles(old, new).edits
    assert ("+", "1926") in edit.inline


def test_a_long_last_paragraph_with_new_words_and_other_figures_on_each_load_is_story_text():
    # The stored version ends with another paragraph: the words are new, so this is story text being edited.
    last = "Fishing crews, {} boats in all, moor at the south basin until the harbour master says otherwise."
    assert reconcile(STORY, [*STORY[:3], last.format(1)], [*STORY[:3], last.format(2)]) is None
