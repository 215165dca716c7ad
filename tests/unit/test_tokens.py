"""Tokens: a CJK character, a word, a number, punctuation, whitespace; joined they give the text back."""

from watcher.diff.tokens import tokenize


def test_cjk_characters_are_one_token_each_and_numbers_stay_whole():
    assert tokenize("議員花10美元") == ["議", "員", "花", "10", "美", "元"]


def test_english_words_numbers_punctuation_and_spaces():
    assert tokenize("The mayor said 2,000 (3.5%) didn't") == [
        "The",
        " ",
        "mayor",
        " ",
        "said",
        " ",
        "2,000",
        " ",
        "(",
        "3.5",
        "%",
        ")",
        " ",
        "didn't",
    ]


def test_mixed_chinese_english_numbers_and_fullwidth_brackets():
    assert tokenize("新法（Data Act）於3月上路") == [
        "新",
        "法",
        "（",
        "Data",
        " ",
        "Act",
        "）",
        "於",
        "3",
        "月",
        "上",
        "路",
    ]


def test_kana_and_hangul_are_per_character():
    assert tokenize("ニュース 뉴스") == ["ニ", "ュ", "ー", "ス", " ", "뉴", "스"]


def test_combining_marks_stay_in_their_word():
    assert tokenize("नमस्ते दुनिया") == ["नमस्ते", " ", "दुनिया"]


def test_round_trip_is_exact():
    text = "市府今（5）日宣布，\n\n「智慧城市」計畫 budget: $1,250,000 — ok…"
    assert "".join(tokenize(text)) == text
