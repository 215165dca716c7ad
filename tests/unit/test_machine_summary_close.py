"""MachineSummaries.close waits at most its timeout in all, however many answers are still out."""

from __future__ import annotations

import http.server
import threading
import time

from watcher.config import SummarySettings
from watcher.diff.align import make_edit
from watcher.machine_summary import MachineSummaries, SummaryCache
from watcher.models import CheckResult
from watcher.times import utcnow


def test_close_waits_its_timeout_once_not_once_per_change(tmp_path):
    release = threading.Event()

    class Hanging(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # http.server's naming
            release.wait(10)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hanging)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = SummarySettings(llm_url=f"http://127.0.0.1:{server.server_address[1]}/v1", llm_timeout=5)
        warnings: list[str] = []
        machine = MachineSummaries(settings, SummaryCache(tmp_path), warnings.append)
        edit = make_edit("body", "replace", "Three people died.", "Five people died.")
        for n in range(6):
            machine.submit(
                CheckResult(
                    url=f"https://news.example/{n}", status="changed", checked_at=utcnow(), version=2, edits=[edit]
                )
            )
        started = time.monotonic()
        assert machine.close(0.4) == []
        # Six changes still out: one wait of 0.4 s for all of them, not 0.4 s for each (2.4 s).
        assert time.monotonic() - started < 1.5
    finally:
        release.set()
        server.shutdown()
