"""Finding the story's texts on a screenshot (extract/boxes.py), and which pages get one (fetch/screenshot.py)."""

from __future__ import annotations

from watcher.config import load_config
from watcher.extract.boxes import locate
from watcher.fetch.screenshot import ScreenshotPolicy
from watcher.models import Article, PageImage, text_key


def image(*blocks: tuple[str, list[int]]) -> PageImage:
    return PageImage(
        data=b"jpeg", media_type="image/jpeg", width=1000, height=3000, page_height=3000, blocks=list(blocks)
    )


def test_each_story_text_gets_the_box_of_the_block_showing_it():
    article = Article(
        headline="Harbour bridge closed",
        byline="By Jo Marsh",
        body=["The bridge is closed.", "Engineers found   corrosion in two cables."],
    )
    shot = locate(
        article,
        image(
            ("Home News Sport", [0, 0, 1000, 30]),
            ("HARBOUR BRIDGE CLOSED", [10, 50, 800, 60]),  # set in capitals by CSS: innerText says so
            ("By Jo Marsh · 7 December", [10, 120, 400, 20]),  # a byline block holding the date too
            ("The bridge is closed.", [10, 160, 800, 40]),
            ("Engineers found corrosion in two cables.", [10, 210, 800, 40]),
            ("The bridge is closed. Engineers found corrosion in two cables. Related stories", [0, 150, 1000, 400]),
        ),
    )
    assert shot.boxes == {
        text_key("Harbour bridge closed"): [10, 50, 800, 60],
        text_key("By Jo Marsh"): [10, 120, 400, 20],
        text_key("The bridge is closed."): [10, 160, 800, 40],
        text_key("Engineers found corrosion in two cables."): [10, 210, 800, 40],
    }
    assert shot.data == b"jpeg" and shot.size == 4


def test_a_paragraph_split_over_blocks_gets_its_largest_part_and_a_missing_one_none():
    paragraph = "Officials said the repairs would cost twelve million euros and take until spring at the earliest."
    shot = locate(
        Article(headline="", body=[paragraph, "Not on the page at all."]),
        image(
            ("Officials said the repairs would cost twelve million euros", [10, 100, 800, 30]),
            ("and take until spring at the earliest.", [10, 130, 500, 30]),
            ("An entire page of text " * 40, [0, 0, 1000, 3000]),
        ),
    )
    assert shot.boxes == {text_key(paragraph): [10, 100, 800, 30]}


def test_repeated_paragraphs_take_their_own_blocks_in_order():
    shot = locate(
        Article(body=["Same line.", "Other.", "Same line."]),
        image(("Same line.", [0, 10, 100, 10]), ("Other.", [0, 30, 100, 10]), ("Same line.", [0, 50, 100, 10])),
    )
    # Keyed by text: one box per distinct text, the first place it stands.
    assert shot.boxes == {text_key("Same line."): [0, 10, 100, 10], text_key("Other."): [0, 30, 100, 10]}


def test_the_site_setting_wins_over_the_global_one_the_most_specific_domain_first(tmp_path):
    path = tmp_path / "watcher.toml"
    path.write_text(
        "[archive]\nscreenshots = true\n\n"
        '[[sites]]\ndomain = "example.com"\nscreenshots = false\n\n'
        '[[sites]]\ndomain = "news.example.com"\nscreenshots = true\n\n'
        '[[sites]]\ndomain = "other.org"\n'
    )
    policy = ScreenshotPolicy.from_config(load_config(path))
    assert policy.wants("https://elsewhere.net/a") is True
    assert policy.wants("https://www.example.com/a") is False
    assert policy.wants("https://news.example.com/a") is True
    assert policy.wants("https://other.org/a") is True  # no screenshots key: the global setting
    assert ScreenshotPolicy().wants("https://elsewhere.net/a") is False  # off by default
