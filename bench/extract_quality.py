"""Token-level precision/recall/F1 of the extracted body against the expected body, for every fixture page.

usage: python bench/extract_quality.py
Tokens are words in space-delimited scripts and single characters in CJK text; counts are multisets.
Also prints the extraction time per page (median of 5 runs).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from watcher.extract import extract  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|\w+")


def tokens(text: str) -> Counter:
    """Multiset of tokens: one per CJK character, one per word elsewhere, case-folded."""
    return Counter(TOKEN.findall(text.casefold()))


def prf(expected: list[str], got: list[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the got body's tokens against the expected body's."""
    want, have = tokens("\n".join(expected)), tokens("\n".join(got))
    tp = sum((want & have).values())
    p = tp / sum(have.values()) if have else 0.0
    r = tp / sum(want.values()) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cases() -> list[tuple[str, str, str, list[str]]]:
    """(name, html, url, expected body) for every fixture with an expectation."""
    out = []
    for manifest_path in sorted((FIXTURES / "sites").glob("*/*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for version, want in manifest["versions"].items():
            html = (manifest_path.parent / f"{version}.html").read_text(encoding="utf-8")
            name = f"{manifest_path.parent.parent.name}/{manifest_path.parent.name}/{version}"
            out.append((name, html, manifest["url"], want["body"]))
    for expected_path in sorted((FIXTURES / "extract").glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        html = expected_path.with_suffix(".html").read_text(encoding="utf-8")
        out.append((f"extract/{expected_path.stem}", html, expected["url"], expected["body"]))
    return out


def main() -> int:
    """Print a per-fixture table and the mean P/R/F1."""
    rows = []
    print(f"{'fixture':32} {'P':>6} {'R':>6} {'F1':>6} {'ms':>6}  extractor")
    for name, html, url, want in cases():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            art = extract(html, url)
            times.append(time.perf_counter() - start)
        p, r, f1 = prf(want, art.body)
        rows.append((p, r, f1))
        print(f"{name:32} {p:6.3f} {r:6.3f} {f1:6.3f} {statistics.median(times) * 1000:6.1f}  {art.extractor}")
    mean = [statistics.mean(col) for col in zip(*rows)]
    print(f"{'mean':32} {mean[0]:6.3f} {mean[1]:6.3f} {mean[2]:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
