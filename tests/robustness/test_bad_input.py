"""Bad input on every command: one clear line on stderr, exit 2, nothing written, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WATCHED, folder_state, populate, run_cli
from support.tmpfs import tmpfs

URL_COMMANDS = {
    "add": ["add", "{url}"],
    "remove": ["remove", "{url}"],
    "check": ["check", "{url}"],
    "history": ["history", "{url}"],
    "diff": ["diff", "{url}"],
    "report": ["report", "{url}"],
    "card": ["card", "{url}", "-o", "{out}"],
    "follow": ["follow", "{url}"],
    "unfollow": ["unfollow", "{url}"],
    "extract": ["extract", "{url}"],
    "reextract": ["reextract", "{url}"],
}
OTHER_COMMANDS = {
    "list": ["list"],
    "prune": ["prune", "--keep-raw", "1"],
    "run": ["run", "--max-checks", "1"],
}
ALL_COMMANDS = {**URL_COMMANDS, **OTHER_COMMANDS}
# The commands that need nothing stored: add and follow make what they need, extract reads only the page.
NEED_NOTHING_STORED = ("add", "follow", "extract")
ON_STORED = [c for c in ALL_COMMANDS if c not in NEED_NOTHING_STORED]

BAD_URLS = {
    "no-scheme": "notaurl",
    "no-host": "http://",
    "file": "file:///etc/passwd",
    "data": "data:text/html,<h1>hi</h1>",
    "javascript": "javascript:alert(1)",
    "ftp": "ftp://files.example/story",
    "chrome": "chrome://settings",
    "about": "about:blank",
    "credentials": "http://editor:hunter2@news.example/story",
    "spaces": "http://news.example/a story",
    "bad-ipv6": "http://[::1/story",
    "bad-port": "http://news.example:99999/story",
    "empty": "",
    "control-char": "http://news.example/\x07story",
}
UNKNOWN = "https://news.example/never-added"


def argv(data_dir: Path, command: str, url: str = WATCHED, out: Path | None = None) -> list[str]:
    template = ALL_COMMANDS[command]
    args = [a.format(url=url, out=out or data_dir.parent / "card.png") for a in template]
    return ["--data-dir", str(data_dir), *args]


def assert_one_line_error(outcome, *, code: int = 2) -> str:
    """The promise: exit 2, exactly one `watcher: error:` line, nothing on stdout, no traceback."""
    assert outcome.code == code, (outcome.code, outcome.err, outcome.out)
    lines = outcome.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("watcher: error: "), outcome.err
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err
    assert outcome.out == ""
    return lines[0]


@pytest.mark.parametrize("command", sorted(URL_COMMANDS))
@pytest.mark.parametrize("kind", sorted(BAD_URLS))
def test_bad_url_is_one_line_and_writes_nothing(data_dir, command, kind):
    before = folder_state(data_dir)
    url = BAD_URLS[kind]
    line = assert_one_line_error(run_cli(*argv(data_dir, command, url)))
    assert folder_state(data_dir) == before
    assert not (data_dir.parent / "card.png").exists()
    assert "hunter2" not in line  # a password is never echoed
    if kind in ("file", "data", "javascript", "ftp", "chrome", "about"):
        assert f"{kind}:" in line and "only http and https" in line


@pytest.mark.parametrize("command", [c for c in URL_COMMANDS if c not in NEED_NOTHING_STORED])
def test_unknown_article_is_one_line(data_dir, command):
    before = folder_state(data_dir)
    line = assert_one_line_error(run_cli(*argv(data_dir, command, UNKNOWN)))
    assert UNKNOWN in line
    assert folder_state(data_dir) == before


@pytest.mark.parametrize(
    "extra",
    [
        ["diff", WATCHED, "--from", "99"],
        ["diff", WATCHED, "--to", "99"],
        ["diff", WATCHED, "--from", "0"],
        ["diff", WATCHED, "--from", "-1"],
        ["diff", WATCHED, "--from", "x"],
        ["card", WATCHED, "--version", "99", "-o", "CARD"],
        ["card", WATCHED, "--version", "0", "-o", "CARD"],
        ["card", WATCHED, "--version", "-3", "-o", "CARD"],
        ["report", "--since", "soon"],
        ["report", "--from", "yesterday"],
        ["add", WATCHED, "--every", "often"],
        ["prune", "--keep-raw", "-1"],
    ],
    ids=lambda e: " ".join(e[::2] if e[0] != "report" else e).replace(WATCHED, "URL"),
)
def test_unknown_versions_and_bad_options_are_one_line(data_dir, extra):
    before = folder_state(data_dir)
    card = data_dir.parent / "card.png"
    args = [str(card) if a == "CARD" else a for a in extra]
    line = assert_one_line_error(run_cli("--data-dir", str(data_dir), *args))
    if "99" in extra:
        assert "99" in line
    assert folder_state(data_dir) == before and not card.exists()


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["add", WATCHED, "--every", "1000000w"], "at most 10 years"),
        (["add", WATCHED, "--every", "0"], "at least 1 second"),
        (["follow", "https://news.example/feed.xml", "--every", "1000000w"], "at most 10 years"),
        (["report", "--since", "1000000w"], "longer than 10 years"),
        (["prune", "--keep-raw", "1000000"], "0<=x<=3660"),
    ],
    ids=lambda e: " ".join(e[::2]).replace(WATCHED, "URL") if isinstance(e, list) else "",
)
def test_huge_and_zero_intervals_are_refused_at_input(data_dir, extra, said):
    # These were "internal error: OverflowError" (or silently ignored, for 0) and a hot loop in the run.
    before = folder_state(data_dir)
    assert said in assert_one_line_error(run_cli("--data-dir", str(data_dir), *extra))
    assert folder_state(data_dir) == before


def test_settings_that_contradict_each_other_are_refused(data_dir, tmp_path):
    # A politeness wait longer than the whole fetch deadline made every confirming re-fetch time out.
    config = tmp_path / "contradiction.toml"
    config.write_text("[fetch]\ndeadline = 10\nper_host_delay = 30\n")
    line = assert_one_line_error(run_cli("--data-dir", str(data_dir), "--config", str(config), "list"))
    assert "per_host_delay" in line and "deadline" in line
    config.write_text("[schedule]\ntiers = [{ until = '1d', every = '1000000w' }]\n")
    assert "10 years" in assert_one_line_error(run_cli("--data-dir", str(data_dir), "--config", str(config), "list"))


CONFIGS = {
    "syntax": "[fetch\nnav_timeout = 5\n",
    "unknown-key": "[fetch]\nnav_timeout = 5\nspeed = 'fast'\n",
    "unknown-section": "[fetching]\nnav_timeout = 5\n",
    "wrong-type": "[fetch]\nnav_timeout = 'soon'\n",
    "not-utf8": b"[fetch]\nuser_agent = '\xff\xfe'\n",
}


@pytest.mark.parametrize("command", sorted(ALL_COMMANDS))
@pytest.mark.parametrize("kind", sorted(CONFIGS))
@pytest.mark.parametrize("where", ["option", "data-dir"])
def test_broken_config_is_one_line_on_every_command(data_dir, tmp_path, command, kind, where):
    """A broken config is reported by every command, even those that would not need a setting from it."""
    text = CONFIGS[kind]
    config = tmp_path / "watcher.toml" if where == "option" else data_dir / "watcher.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = folder_state(data_dir)
    args = argv(data_dir, command)
    if where == "option":
        args = ["--config", str(config), *args]
    line = assert_one_line_error(run_cli(*args))
    assert str(config) in line
    if kind == "unknown-key":
        assert "speed" in line
    assert folder_state(data_dir) == before


def test_missing_config_file_named_by_option(data_dir, tmp_path):
    line = assert_one_line_error(run_cli("--config", str(tmp_path / "nope.toml"), *argv(data_dir, "list")))
    assert "nope.toml" in line


# --- the data folder ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ON_STORED)
def test_missing_data_folder_is_one_line_and_not_created(tmp_path, command):
    """Commands that work on what is stored refuse a folder that does not exist (a typo in --data-dir)."""
    missing = tmp_path / "typo"
    line = assert_one_line_error(run_cli(*argv(missing, command)))
    assert str(missing) in line
    assert not missing.exists()


def test_data_folder_under_a_file_is_one_line(tmp_path):
    """Root ignores permission bits, so an unwritable folder is made by putting it under a plain file."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for command in ("add", "list", "history"):
        line = assert_one_line_error(run_cli(*argv(blocker / "data", command)))
        assert str(blocker) in line
    assert blocker.read_text() == "not a folder"


WRITERS = ["add", "remove", "reextract", "prune", "run"]


@pytest.fixture
def read_only_data(tmp_path) -> Path:
    """A populated data folder on a tmpfs remounted read-only (chmod does not stop root)."""
    with tmpfs(tmp_path / "ro", "1m") as mount:
        data = mount / "data"
        populate(data)
        done = subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.decode().strip()}")
        yield data


def test_read_only_data_folder(read_only_data):
    data = read_only_data
    before = folder_state(data)
    for command in WRITERS:
        url = "https://news.example/another" if command == "add" else WATCHED
        line = assert_one_line_error(run_cli(*argv(data, command, url)))
        assert "read-only" in line, (command, line)
    # reading still works on a read-only folder
    for command in ("list", "history", "diff"):
        outcome = run_cli(*argv(data, command))
        assert outcome.code == 0 and outcome.err == "", (command, outcome.err)
        assert "Traceback" not in outcome.out
    assert folder_state(data) == before


# --- a few through a real process: what a user's terminal receives -----------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["add", "file:///etc/passwd"],
        ["diff", WATCHED, "--from", "99"],
        ["history", UNKNOWN],
        ["--config", "CONFIG", "list"],
    ],
)
def test_real_process_prints_one_line(data_dir, tmp_path, args):
    config = tmp_path / "bad.toml"
    config.write_text("[fetch]\nspeed = 1\n")
    args = [str(config) if a == "CONFIG" else a for a in args]
    before = folder_state(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("watcher: error: ") and "Traceback" not in done.stderr
    assert folder_state(data_dir) == before
