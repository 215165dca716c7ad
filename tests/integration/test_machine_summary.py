"""Machine-written summaries against a local stand-in for an OpenAI-compatible endpoint: the facts are sent, the
answer is cached per version and marked as machine-written, and a hanging or failing endpoint never fails a check."""

from __future__ import annotations

import http.server
import json
import threading
import time
from xml.sax.saxutils import escape

import pytest
from support.cli import data_dir_with, fast_config, watcher

pytestmark = pytest.mark.browser

LEAD = "Three people were killed when the footbridge over the Elm River collapsed on Monday evening, police said."
REST = ["The bridge, which opened in 1974, had been closed twice last year for repairs to its supports."]


def page(lead: str) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in [lead, *REST])
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Footbridge</title></head>"
        f"<body><article><h1>Footbridge collapses over Elm River</h1>{paras}</article></body></html>"
    )


class StandIn:
    """A chat-completions endpoint on 127.0.0.1 that records what it was asked; mode: answer, hang or fail."""

    def __init__(self, mode: str) -> None:
        self.asked: list[dict] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                stand_in.asked.append({"path": self.path, "body": body, "auth": self.headers.get("authorization")})
                if mode == "hang":
                    time.sleep(5)
                    return
                if mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = {
                    "choices": [{"message": {"role": "assistant", "content": "The toll rose from three to five."}}]
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def story(site):
    site.page_versions("/news/bridge", {"v1": page(LEAD), "v2": page(LEAD.replace("Three", "Five"))})
    return site


def check_twice(story, data_dir) -> tuple[object, object]:
    url = story.url("/news/bridge")
    assert watcher(data_dir, "add", url).returncode == 0
    story.set_version("/news/bridge", "v1")
    first = watcher(data_dir, "check")
    story.set_version("/news/bridge", "v2")
    second = watcher(data_dir, "check")
    return first, second


def test_a_change_is_summarised_from_its_facts_cached_and_marked_machine_written(story, tmp_path, monkeypatch):
    stand_in = StandIn("answer")
    try:
        monkeypatch.setenv("WATCHER_TEST_LLM_KEY", "sk-local-test")
        extra = f'[summary]\nllm_url = "{stand_in.url}"\nllm_model = "local-7b"\nllm_key_env = "WATCHER_TEST_LLM_KEY"\n'
        data_dir = data_dir_with(tmp_path / "data", fast_config(extra=extra))
        first, second = check_twice(story, data_dir)
        assert first.returncode == 0 and second.returncode == 0, second.stderr
        assert len(stand_in.asked) == 1  # the first check stores v1: nothing changed, nothing asked
        asked = stand_in.asked[0]
        assert asked["path"] == "/v1/chat/completions" and asked["auth"] == "Bearer sk-local-test"
        assert asked["body"]["model"] == "local-7b"
        user = asked["body"]["messages"][-1]["content"]
        assert "number changed: Three -> Five" in user and "before: Three people" in user
        assert "machine-written summary of v2" in second.stdout and "The toll rose from three to five." in second.stdout
        assert "sk-local-test" not in second.stdout + second.stderr

        history = json.loads(watcher(data_dir, "history", story.url("/news/bridge"), "--json").stdout)
        assert history[-1]["machine_summary"] == {
            "text": "The toll rose from three to five.",
            "model": "local-7b",
            "machine_written": True,
        }
        assert history[-1]["summary"] == "people: Three → Five (¶1)"  # watcher's own, beside it
        assert "machine_summary" not in history[0]
    finally:
        stand_in.close()


@pytest.mark.parametrize("mode", ["hang", "fail"])
def test_a_hanging_or_failing_endpoint_never_fails_the_check(story, tmp_path, mode):
    stand_in = StandIn(mode)
    try:
        extra = f'[summary]\nllm_url = "{stand_in.url}"\nllm_model = "m"\nllm_timeout = 1\n'
        data_dir = data_dir_with(tmp_path / "data", fast_config(extra=extra))
        _first, second = check_twice(story, data_dir)
        assert second.returncode == 0, second.stderr
        assert "changed v2" in second.stdout and "machine-written" not in second.stdout
        assert "machine-written summary of" in second.stderr and "failed" in second.stderr
        history = json.loads(watcher(data_dir, "history", story.url("/news/bridge"), "--json").stdout)
        assert [v["version"] for v in history] == [1, 2] and "machine_summary" not in history[-1]
    finally:
        stand_in.close()


def test_off_by_default(story, tmp_path):
    data_dir = data_dir_with(tmp_path / "data", fast_config())
    _first, second = check_twice(story, data_dir)
    assert second.returncode == 0 and "machine-written" not in second.stdout + second.stderr
    assert not (data_dir / "machine-summaries.jsonl").exists()
