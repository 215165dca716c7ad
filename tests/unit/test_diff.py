"""diff_articles, inline_diff and classify on small hand-written articles in Traditional Chinese and English."""

import pytest

from watcher.diff import align, classify, diff_articles, inline_diff
from watcher.models import Article

ZH = [
    "市政府今日宣布，明年起將在全市設置三百座公共充電站，預算約10億元。",
    "交通局長林志明表示，第一批充電站將於三月啟用，優先設在捷運站周邊。",
    "議員批評計畫缺乏配套，要求市府在下次定期會提出完整報告。",
    "市府強調，充電站將採公開招標，並由民間業者負責營運與維護。",
]
EN = [
    "The city council approved the transit budget on Monday after a four-hour debate.",
    "Mayor Ellen Park said the plan would add 120 buses and cut waiting times by a third.",
    "Opponents argued that the fare increase would fall hardest on students and retirees.",
    "The budget takes effect in January and will be reviewed again in the autumn.",
    "A public hearing on the bus routes is scheduled for next month at city hall.",
]


def body_edits(old, new):
    return [e for e in diff_articles(Article(body=old), Article(body=new)).edits if e.field == "body"]


# --- inline tokens -------------------------------------------------------------------------------------


def test_cjk_number_change_shows_whole_numbers_not_digits():
    ops = inline_diff("充電站預算約10億元", "充電站預算約12億元")
    assert ops == [("=", "充電站預算約"), ("-", "10"), ("+", "12"), ("=", "億元")]


def test_cjk_one_character_is_the_unit_of_change():
    ops = inline_diff(ZH[1], ZH[1].replace("三月", "五月"))
    assert ("-", "三") in ops and ("+", "五") in ops
    assert "".join(t for op, t in ops if op != "+") == ZH[1]


def test_english_words_change_whole():
    assert inline_diff("the senator said on Monday", "the senator claimed on Monday") == [
        ("=", "the senator "),
        ("-", "said"),
        ("+", "claimed"),
        ("=", " on Monday"),
    ]


def test_mixed_chinese_english_numbers():
    ops = inline_diff("輝達H200晶片出口AI市場10%", "輝達H20晶片出口AI市場15%")
    assert ("-", "H200") in ops and ("+", "H20") in ops
    assert ("-", "10") in ops and ("+", "15") in ops
    assert ("=", "晶片出口AI市場") in ops


def test_semantic_cleanup_joins_neighbouring_word_changes():
    ops = inline_diff("the senator said on Monday", "the governor claimed on Monday")
    assert ops == [("=", "the "), ("-", "senator said"), ("+", "governor claimed"), ("=", " on Monday")]


# --- paragraph alignment -------------------------------------------------------------------------------


def test_moved_paragraph_is_one_move_edit():
    edits = body_edits(EN, [EN[0], EN[2], EN[3], EN[1], EN[4]])
    assert [(e.op, e.old, e.new, e.cls) for e in edits] == [("move", EN[1], EN[1], "moved")]


def test_moved_ranks_between_cosmetic_and_substantive_and_above_typo():
    from watcher.models import CLASS_RANK

    assert CLASS_RANK["cosmetic"] < CLASS_RANK["typo"] < CLASS_RANK["moved"] < CLASS_RANK["substantive"]


def test_moved_paragraph_with_a_typo_fixed_is_moved_and_keeps_its_inline_fix():
    fixed = EN[2].replace("students", "studnets")
    edits = body_edits([EN[0], EN[1], fixed, EN[3]], [EN[0], EN[2], EN[1], EN[3]])
    (move,) = [e for e in edits if e.op == "move"]
    assert move.cls == "moved" and ("-", "studnets") in move.inline and ("+", "students") in move.inline


def test_moved_and_edited_paragraph_is_one_move_with_inline_diff():
    edited = EN[1].replace("120 buses", "150 buses")
    edits = body_edits(EN, [EN[0], EN[2], EN[3], edited, EN[4]])
    assert len(edits) == 1
    move = edits[0]
    assert (move.op, move.old, move.new, move.cls) == ("move", EN[1], edited, "substantive")
    assert ("-", "120") in move.inline and ("+", "150") in move.inline


def test_split_paragraph_is_one_replace_edit():
    first, second = EN[1].split(" and ")
    new = [EN[0], first + ".", "It would " + second, EN[2]]
    edits = body_edits(EN[:3], new)
    assert len(edits) == 1
    assert edits[0].op == "replace"
    assert edits[0].old == EN[1]
    assert edits[0].new == f"{first}.\n\nIt would {second}"


def test_merged_paragraphs_are_one_replace_edit():
    merged = EN[2] + " " + EN[3]
    edits = body_edits(EN, [EN[0], EN[1], merged, EN[4]])
    assert [(e.op, e.old, e.new) for e in edits] == [("replace", EN[2] + "\n\n" + EN[3], merged)]
    assert edits[0].cls == "cosmetic"  # the same words, only the paragraph break went


@pytest.mark.parametrize("parts", [3, 4])
@pytest.mark.parametrize("way", ["split", "merged"])
def test_a_story_parted_into_other_paragraphs_with_the_same_words_is_one_cosmetic_change(parts, way):
    # A site re-parting its story (or better extraction rules reading its <br> lines as paragraphs): the words
    # are the same, so nothing is announced, however many paragraphs one became, or became one.
    pieces = EN[1 : 1 + parts]
    parted = [EN[0], " ".join(pieces), *EN[1 + parts :]]
    old, new = (parted, EN) if way == "split" else (EN, parted)
    edits = body_edits(old, new)
    assert [(e.op, e.cls) for e in edits] == [("replace", "cosmetic")], edits
    joined, apart = " ".join(pieces), "\n\n".join(pieces)
    assert (edits[0].old, edits[0].new) == ((joined, apart) if way == "split" else (apart, joined))


def test_inserted_and_deleted_paragraphs_in_reading_order():
    rows = align(EN[:4], [EN[0], "A new paragraph quoting the transport union.", EN[1], EN[3]])
    assert [(r.kind, r.old, r.new) for r in rows] == [
        ("equal", (0,), (0,)),
        ("insert", (), (1,)),
        ("equal", (1,), (2,)),
        ("delete", (2,), ()),
        ("equal", (3,), (3,)),
    ]


def test_edited_paragraph_in_place_is_a_replace():
    edits = body_edits(ZH, [ZH[0], ZH[1], ZH[2].replace("下次定期會", "年底前"), ZH[3]])
    assert [(e.op, e.cls) for e in edits] == [("replace", "substantive")]
    assert ("+", "年底前") in edits[0].inline


# --- fields --------------------------------------------------------------------------------------------


def test_caption_change_add_remove_and_reorder():
    old = Article(captions=["市長出席記者會說明充電站計畫。", "Buses wait at the central depot.", "議員在會中質詢。"])
    new = Article(
        captions=["Buses wait at the central depot.", "市長出席記者會說明新版充電站計畫。", "A new map of routes."]
    )
    captions = [e for e in diff_articles(old, new).edits if e.field == "caption"]
    kinds = sorted((e.op, e.old, e.new) for e in captions)
    assert kinds == sorted(
        [
            ("move", "市長出席記者會說明充電站計畫。", "市長出席記者會說明新版充電站計畫。"),
            # the third photo's slot changed caption: one replace, not a delete and an insert
            ("replace", "議員在會中質詢。", "A new map of routes."),
        ]
    )


def test_caption_added_at_the_end_is_an_insert():
    old = Article(captions=["Buses wait at the central depot."])
    new = Article(captions=["Buses wait at the central depot.", "A new map of routes."])
    captions = [e for e in diff_articles(old, new).edits if e.field == "caption"]
    assert [(e.op, e.new) for e in captions] == [("insert", "A new map of routes.")]


def test_headline_change_is_flagged():
    diff = diff_articles(
        Article(headline="市府擬設300座充電站", body=ZH), Article(headline="市府擬設500座充電站", body=ZH)
    )
    assert [(e.field, e.op, e.cls) for e in diff.edits] == [("headline", "replace", "substantive")]
    assert "headline_changed" in diff.flags


def test_cosmetic_headline_change_is_not_flagged():
    diff = diff_articles(Article(headline="“Budget” passes"), Article(headline='"Budget" passes'))
    assert [e.cls for e in diff.edits] == ["cosmetic"]
    assert diff.flags == []


def test_field_insert_and_delete_ops():
    diff = diff_articles(Article(dek="A dek.", byline=""), Article(dek="", byline="By Ana Ruiz"))
    assert {(e.field, e.op) for e in diff.edits} == {("dek", "delete"), ("byline", "insert")}


def test_modified_timestamp_bump_alone_is_cosmetic():
    diff = diff_articles(
        Article(body=EN, modified="2026-11-25T10:00:00Z"), Article(body=EN, modified="2026-11-25T12:00:00Z")
    )
    assert [(e.field, e.cls) for e in diff.edits] == [("modified", "cosmetic")]


# --- classification ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old,new",
    [
        ("The plan  passed.", "The plan passed."),  # whitespace
        ("市府今（5）日宣布，預算10億元。", "市府今(5)日宣布,預算10億元。"),  # full-width vs half-width
        ("ＡＢＣ公司股價上漲", "ABC公司股價上漲"),  # full-width letters
        ("He said “no” and left.", 'He said "no" and left.'),  # curly vs straight quotes
        ("It's the mayor’s plan.", "It’s the mayor's plan."),  # apostrophes
        ("The plan — approved — starts now.", "The plan - approved - starts now."),  # dash style
        ("川普 政府宣布", "川普政府宣布"),  # a space beside CJK
    ],
)
def test_cosmetic_only_changes(old, new):
    assert classify(old, new) == "cosmetic"
    assert [e.cls for e in body_edits([old], [new])] == ["cosmetic"]


@pytest.mark.parametrize(
    "old,new",
    [
        ("The goverment approved the plan.", "The government approved the plan."),
        ("The council recieved the report.", "The council received the report."),
        ("Teh council met.", "The council met."),
        ("the plan passed", "the plan passed."),
        ("The council will accomodate them.", "The council will accommodate them."),
    ],
)
def test_small_in_word_fixes_are_typos(old, new):
    assert classify(old, new) == "typo"


def test_typo_uses_the_page_language_word_list():
    assert classify("Le gouvernment a voté.", "Le gouvernement a voté.", "fr") == "typo"
    # No word list for the language: no way to tell a misspelling, so no milder class than the truth.
    assert classify("The goverment met.", "The government met.", "xx") == "substantive"


def test_huge_words_are_not_compared_letter_by_letter():
    import time

    a, b = "a" * 10_000, "b" + "a" * 9_999
    started = time.perf_counter()
    assert classify(f"x {a} y", f"x {b} y") == "substantive"
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "old,new",
    [
        ("The plan costs 10 million.", "The plan costs 12 million."),  # number
        ("預算約10億元", "預算約12億元"),  # number in Chinese
        ("Mayor Ellen Park said", "Mayor Ellen Parks said"),  # a name, one letter
        ("He met Smith. Smith left.", "He met Smyth. Smyth left."),  # a name that also starts a sentence
        ("The claim is not true.", "The claim is now true."),  # a negation
        ("中國宣布", "美國宣布"),  # one Han character is a word
        ("The plan passed.", "The plan passed. Critics called it rushed."),  # an added sentence
        ("The deal is worth $310 million.", "The deal is worth $310 billion."),  # a magnitude word
        ("The firm will hire 40 staff.", "The firm will fire 40 staff."),  # two real words
        ("The firm will hire staff.", "The firm will fire staff."),  # two real words, no digit nearby
        ("A deal is likely.", "A deal is unlikely."),  # a negating prefix
        ("The former minister spoke.", "The farmer minister spoke."),  # two real words
        ("The plan costs 3 thousand.", "The plan costs 3 million."),  # magnitude words
        ("預算約10萬元", "預算約10億元"),  # CJK magnitude
        ("The firm will hire staff.", "The firm will hiire staff."),  # a typo introduced is no correction
    ],
)
def test_substantive_changes(old, new):
    assert classify(old, new) == "substantive"


def test_inserted_paragraph_is_substantive_but_a_separator_is_cosmetic():
    assert classify(None, EN[0]) == "substantive"
    assert classify(None, "* * *") == "cosmetic"


# --- flags ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notice",
    [
        "Correction: An earlier version of this article misstated the number of buses.",
        "An earlier version of this article gave the wrong date for the hearing.",
        "更正：本報昨日報導充電站數量有誤，特此更正。",
        "（編按：本文已依市府最新資料修正預算金額。）",
        "訂正：記事中の金額に誤りがありました。",
    ],
)
def test_correction_notice_appearing_in_body_is_flagged_and_is_not_stealth(notice):
    diff = diff_articles(Article(body=EN), Article(body=[EN[0].replace("four-hour", "six-hour"), *EN[1:], notice]))
    assert "correction_notice" in diff.flags
    assert "stealth" not in diff.flags


def test_correction_notice_in_dek_is_flagged():
    diff = diff_articles(Article(dek="市府公布充電站計畫"), Article(dek="【更正】市府公布充電站計畫"))
    assert "correction_notice" in diff.flags


def test_notice_already_present_is_not_flagged_again():
    body = [*EN, "Correction: An earlier version misspelled a name."]
    diff = diff_articles(Article(body=body), Article(body=[EN[0].replace("Monday", "Tuesday"), *body[1:]]))
    assert "correction_notice" not in diff.flags
    assert "stealth" in diff.flags


def test_ordinary_use_of_update_words_is_not_a_notice():
    diff = diff_articles(Article(body=ZH), Article(body=[*ZH, "立法院昨日通過憲法修正案，系統更新後恢復正常。"]))
    assert "correction_notice" not in diff.flags


def test_stealth_when_substantive_edit_has_no_notice_and_same_modified_date():
    old = Article(body=EN, modified="2026-11-25T10:00:00Z")
    new = Article(body=[EN[0], EN[1].replace("120", "80"), *EN[2:]], modified="2026-11-25T10:00:00Z")
    assert diff_articles(old, new).flags == ["stealth"]


def test_not_stealth_when_the_modified_date_moves():
    old = Article(body=EN, modified="2026-11-25T10:00:00Z")
    new = Article(body=[EN[0], EN[1].replace("120", "80"), *EN[2:]], modified="2026-11-25T11:30:00Z")
    assert "stealth" not in diff_articles(old, new).flags


def test_typo_fix_is_not_stealth():
    old = [EN[0].replace("approved", "aproved"), *EN[1:]]
    diff = diff_articles(Article(body=old), Article(body=EN))
    assert [e.cls for e in diff.edits] == ["typo"]
    assert diff.flags == []


def test_identical_articles_have_no_edits():
    diff = diff_articles(Article(headline="H", body=ZH), Article(headline="H", body=list(ZH)))
    assert diff.edits == [] and diff.flags == []
