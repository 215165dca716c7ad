"""Body-extraction F1 of watcher.extract on the shared extraction dev set (real pages, scored by its score.py).

usage: python bench/extraction_dev.py [DEV_DIR] [--worst N] [--out PREDICTIONS.json]
DEV_DIR defaults to ../shared/extraction-dev relative to the repository. The pages stay where they are.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from watcher.errors import NoArticle  # noqa: E402
from watcher.extract import extract  # noqa: E402


def _load_scorer(dev: Path):
    spec = importlib.util.spec_from_file_location("extraction_dev_score", dev / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> str:
    raw = gzip.open(path).read()
    for enc in ("utf-8", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> int:
    """Extract every dev page, score the bodies, print F1/P/R, timing and the worst pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev", nargs="?", default=str(REPO.parent / "shared" / "extraction-dev"))
    parser.add_argument("--worst", type=int, default=8)
    parser.add_argument("--out", help="also write the predictions JSON here")
    args = parser.parse_args(argv)
    dev = Path(args.dev)
    truth = json.loads((dev / "ground-truth.json").read_text())
    scorer = _load_scorer(dev)
    pred: dict[str, dict[str, str]] = {}
    times: list[float] = []
    sources: dict[str, int] = {}
    for key, item in truth.items():
        html = _read(dev / "html" / f"{key}.html.gz")
        start = time.perf_counter()
        try:
            art = extract(html, item["url"])
            body, source = "\n\n".join(art.body), art.extractor
        except NoArticle:
            body, source = "", "none"
        times.append(time.perf_counter() - start)
        sources[source] = sources.get(source, 0) + 1
        pred[key] = {"articleBody": body}
    if args.out:
        Path(args.out).write_text(json.dumps(pred, ensure_ascii=False))
    f1, p, r, counts = scorer.score(truth, pred)
    worst = sorted(counts, key=lambda k: scorer.recall(*counts[k]) + scorer.precision(*counts[k]))[: args.worst]
    for k in worst:
        print(
            f"worst: {k[:12]}  P={scorer.precision(*counts[k]):.2f} R={scorer.recall(*counts[k]):.2f}  {truth[k]['url']}"
        )
    print("extractor: " + ", ".join(f"{s}={n}" for s, n in sorted(sources.items())))
    print(f"time per page: mean {statistics.mean(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"pages={len(truth)} F1={f1:.3f} P={p:.3f} R={r:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
