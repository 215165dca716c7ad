"""Normalization: one canonical stored form, and comparison keys blind only to formatting."""

from watcher.models import Article
from watcher.normalize import comparison_key, content_hash, normalize_article, normalize_paragraphs, normalize_text


def test_nfc_composes_decomposed_accents():
    assert normalize_text("Cafe\u0301 de\u0301cor") == "Café décor"


def test_zero_width_characters_are_removed():
    assert normalize_text("sto\u200bry\u200c \u200dti\u2060me\ufeff") == "story time"


def test_nbsp_and_other_spaces_become_one_space_and_ends_are_trimmed():
    assert normalize_text("\u00a0 Price:\u00a0\u2009$10 \t\n per\u3000unit  ") == "Price: $10 per unit"


def test_full_width_cjk_punctuation_is_kept_as_written():
    text = "他說：「今天很冷，別出門！」（記者）"
    assert normalize_text(text) == text


def test_paragraphs_trimmed_split_on_blank_lines_and_empty_dropped():
    paras = ["  First  para. ", "", "\u200b", "Second.\n\nThird\nline."]
    assert normalize_paragraphs(paras) == ["First para.", "Second.", "Third line."]


def test_key_ignores_whitespace_between_cjk_characters():
    assert comparison_key("川普 政府 12日 發表") == comparison_key("川普政府12日發表")
    assert comparison_key("矽土和平（Pax Silica） 宣言") == comparison_key("矽土和平（Pax Silica）宣言")


def test_key_folds_width_quotes_and_dashes():
    assert comparison_key("ＡＩ晶片Ｈ２００") == comparison_key("AI晶片H200")
    assert comparison_key("\u201cWe\u2019re ready\u201d \u2014 she said") == comparison_key('"We\'re ready" - she said')
    assert comparison_key("他說，「好」") == comparison_key("他說,「好」")


def test_key_keeps_case_numbers_and_word_boundaries():
    assert comparison_key("Apple shares") != comparison_key("apple shares")
    assert comparison_key("花10美元") != comparison_key("花12美元")
    assert comparison_key("a cat") != comparison_key("acat")


def test_normalize_article_is_idempotent_and_drops_repeated_captions():
    art = Article(
        headline=" Title\u00a0 one ",
        body=["  a  ", "", "b"],
        captions=["Photo of a\u00a0dog.", "Photo of a dog.", "Other"],
        lang=" en ",
    )
    once = normalize_article(art)
    assert once.headline == "Title one"
    assert once.body == ["a", "b"]
    assert once.captions == ["Photo of a dog.", "Other"]
    assert normalize_article(once) == once


def test_content_hash_ignores_whitespace_and_non_content_fields():
    a = Article(headline="Title", body=["One two.", "Three."], captions=["Cap"], extractor="dom", lang="en")
    b = Article(
        headline=" Title ",
        body=["One\u00a0two.", "", "Three. "],
        captions=["Cap"],
        extractor="json-ld",
        canonical_url="https://x.example/",
    )
    assert content_hash(a) == content_hash(b)
    assert len(content_hash(a)) == 64


def test_content_hash_changes_for_cosmetic_and_real_edits():
    base = Article(headline="Title", body=['He said "yes".'])
    assert content_hash(base) != content_hash(Article(headline="Title", body=["He said \u201cyes\u201d."]))
    assert content_hash(base) != content_hash(Article(headline="Title", body=['He said "no".']))
    assert content_hash(base) != content_hash(Article(headline="Title", body=['He said "yes".'], modified="2026-01-01"))
