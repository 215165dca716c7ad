"""Server text that reaches the terminal (HTTP reason phrases) is neutralised: `follow` and `notify-test`."""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator

import pytest
from support.cli import watcher

# An 8-bit CSI (U+009B as latin-1 on the wire) that clears the screen, and a C1 string terminator:
# legal bytes in a reason phrase (obs-text), acted on by terminals that honour C1 controls.
REASON = b"Service \x9b2J\x9c Unavailable"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_server() -> Iterator[str]:
    """A server on 127.0.0.1 answering 503 with a hostile reason phrase (and 404 for robots.txt)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    request = conn.recv(65536)
                    # robots.txt is absent (everything allowed); every other path fails with the hostile phrase.
                    status = b"404 Not Found" if b" /robots.txt " in request else b"503 " + REASON
                    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def test_follow_neutralises_a_hostile_reason_phrase(hostile_server, tmp_path):
    result = watcher(tmp_path / "data", "follow", f"{hostile_server}/feed.xml")
    assert result.returncode != 0 and "503" in result.stderr
    assert "Service" in result.stderr and "Unavailable" in result.stderr
    assert not RAW.search(result.stderr.replace("\n", ""))


def test_notify_test_neutralises_a_hostile_reason_phrase(hostile_server, tmp_path):
    config = tmp_path / "watcher.toml"
    config.write_text(f'[[notify]]\nurl = "{hostile_server}/hook/secret-token-1234"\nretries = 0\n')
    result = watcher(tmp_path / "data", "--config", str(config), "notify-test")
    assert result.returncode == 1 and "FAILED" in result.stderr and "503" in result.stderr
    assert "Service" in result.stderr and "Unavailable" in result.stderr
    assert not RAW.search(result.stderr.replace("\n", ""))
    assert "secret-token-1234" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_show_raw_neutralises_page_escapes_on_a_terminal_but_not_in_a_pipe(tmp_path):
    from watcher.app.cli import main
    from watcher.app.console import Environment
    from watcher.models import Article
    from watcher.store import open_store
    from watcher.times import utcnow

    url = "https://news.example/escapes"
    html = "<html><body><p>Loud \x1b]0;pwned\x07\x1b[2J story</p></body></html>"
    store = open_store(tmp_path)
    store.add_article(url)
    store.save_version(url, Article(headline="Loud", body=["Loud story"]), html=html, diff=None, captured_at=utcnow())

    def show(stdout: io.StringIO) -> str:
        with pytest.raises(SystemExit) as stop:
            main(
                ["--data-dir", str(tmp_path), "show", url, "--raw"],
                env=Environment(stdout=stdout, stderr=io.StringIO()),
            )
        assert stop.value.code == 0
        return stdout.getvalue()

    assert "␛]0;pwned" in show(_Terminal()) and not RAW.search(show(_Terminal()).replace("\n", ""))
    assert html in show(io.StringIO())  # piped to a file: the page exactly as kept
