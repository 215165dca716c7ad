"""Extraction quality on real pages: body F1/precision/recall and headline agreement, watcher vs trafilatura.

usage: python bench/extraction_quality.py [--set dev|dev2|both] [--worst N] [--no-trafilatura] [--fixtures] [--out DIR]

Reads the two dev sets in shared/ (extraction-dev: 91 benchmark pages; extraction-dev-2: 91 pages from
Readability's tests) where they are, never copying them; bodies are scored with extraction-dev/score.py.
Headlines (dev2 only; dev has no title in its ground truth): exact after whitespace collapse, and near (the same
after case/punctuation folding, or differing only by a " - Site" / " | Site" tail). Bylines (dev2, pages that have
one): near, the same letters or one holding the other and at least half its length.
Bodies mostly in CJK script are also scored apart (the CJK subset), by score.py and per character.
--out DIR writes each set's predictions (DIR/<set>-<extractor>.json, score.py's format); --fixtures also prints token P/R/F1 for the project's own fixture pages (tests/fixtures).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "tests"))  # for support.fixture_sites; last, so nothing of the tests shadows a package

from support.fixture_sites import fixture_versions  # noqa: E402 - the tests' fixture pages, after the path

from watcher.errors import NoArticle  # noqa: E402
from watcher.extract import extract  # noqa: E402

# shared/ sits beside the checkout; a worktree nested deeper (wt/NAME) finds it further up.
SHARED = next(
    (d / "shared" for d in REPO.parents if (d / "shared" / "extraction-dev").is_dir()), REPO.parent / "shared"
)
SETS = {"dev": SHARED / "extraction-dev", "dev2": SHARED / "extraction-dev-2"}
FIXTURES = REPO / "tests" / "fixtures"
_WS = re.compile(r"\s+")
_FOLD = re.compile(r"[\W_]+")
_TAIL = re.compile(r"\s+[|\-–—:·]\s+[^|\-–—:·]{1,60}$")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|\w+")


def _load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_dev_score", SETS["dev"] / "score.py")
    assert spec is not None and spec.loader is not None
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


def _collapse(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _fold(text: str) -> str:
    return _FOLD.sub("", _collapse(text).casefold())


def headline_match(want: str, got: str) -> tuple[bool, bool]:
    """(exact, near) agreement of a headline with the expected one, as the extraction-dev-2 README defines them."""
    w, g = _collapse(want), _collapse(got)
    exact = bool(w) and w == g
    fw, fg = _fold(w), _fold(g)
    near = exact or (bool(fw) and (fw == fg or _fold(_TAIL.sub("", w)) == fg or _fold(_TAIL.sub("", g)) == fw))
    return exact, near


def byline_match(want: str, got: str) -> bool:
    """Whether a byline names the expected one: the same letters, or one holding the other (a "By " prefix)."""
    fw, fg = _fold(want), _fold(got)
    return bool(fw) and bool(fg) and (fw in fg or fg in fw) and min(len(fw), len(fg)) >= 0.5 * max(len(fw), len(fg))


def _trafilatura(html: str, url: str) -> tuple[str, str]:
    """trafilatura as its users call it: extract() with its defaults for the body, its metadata for the title."""
    import trafilatura

    try:
        text = trafilatura.extract(html, url=url) or ""
        meta = trafilatura.extract_metadata(html, default_url=url)
    except Exception:  # a benchmark baseline: a failure is an empty prediction
        return "", ""
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    return "\n\n".join(paras), (meta.title if meta is not None else "") or ""


def run_set(name: str, scorer: ModuleType, traf: bool, worst: int, out_dir: Path | None = None) -> dict[str, Any]:
    """Extract every page of one dev set with watcher (and trafilatura); print and return the figures."""
    dev = SETS[name]
    truth = json.loads((dev / "ground-truth.json").read_text())
    preds: dict[str, dict[str, dict[str, str]]] = {"watcher": {}, "trafilatura": {}}
    heads: dict[str, list[tuple[bool, bool]]] = {"watcher": [], "trafilatura": []}
    bylines: list[bool] = []
    times: list[float] = []
    sources: Counter[str] = Counter()
    for key, item in truth.items():
        html = _read(dev / "html" / f"{key}.html.gz")
        url = item.get("url") or f"http://127.0.0.1/{key}.html"
        start = time.process_time()  # CPU time: wall time swings with whatever else the machine runs
        try:
            art = extract(html, url)
            body, head, source, byline = "\n\n".join(art.body), art.headline, art.extractor, art.byline
        except NoArticle:
            body, head, source, byline = "", "", "none", ""
        times.append(time.process_time() - start)
        sources[source] += 1
        preds["watcher"][key] = {"articleBody": body}
        if "title" in item:
            heads["watcher"].append(headline_match(item["title"], head))
        if item.get("byline"):
            bylines.append(byline_match(item["byline"], byline))
        if traf:
            tbody, thead = _trafilatura(html, url)
            preds["trafilatura"][key] = {"articleBody": tbody}
            if "title" in item:
                heads["trafilatura"].append(headline_match(item["title"], thead))
    out: dict[str, Any] = {"set": name, "pages": len(truth)}
    for who in ("watcher", "trafilatura") if traf else ("watcher",):
        f1, p, r, counts = scorer.score(truth, preds[who])
        out[who] = {"f1": f1, "p": p, "r": r}
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{name}-{who}.json").write_text(json.dumps(preds[who], ensure_ascii=False))
        line = f"[{name}] {who:12} body F1={f1:.3f} P={p:.3f} R={r:.3f}"
        if heads[who]:
            n = len(heads[who])
            exact = sum(e for e, _ in heads[who]) / n
            near = sum(nr for _, nr in heads[who]) / n
            out[who].update(head_exact=exact, head_near=near)
            line += f"  headline exact={exact:.3f} near={near:.3f}"
        print(line)
        cjk = {k: v for k, v in truth.items() if _is_cjk(v["articleBody"])}
        if cjk:
            f1c, pc, rc, _ = scorer.score(cjk, preds[who])
            chars = _char_f1(cjk, preds[who])
            out[who].update(cjk_pages=len(cjk), cjk_f1=f1c, cjk_char_f1=chars)
            print(
                f"[{name}] {who:12} CJK pages ({len(cjk)}): body F1={f1c:.3f} P={pc:.3f} R={rc:.3f}, per character F1={chars:.3f}"
            )
        if who == "watcher":
            ranked = sorted(counts, key=lambda k: scorer.recall(*counts[k]) + scorer.precision(*counts[k]))
            for k in ranked[:worst]:
                pr, rc = scorer.precision(*counts[k]), scorer.recall(*counts[k])
                print(f"  worst: {k[:40]:40} P={pr:.2f} R={rc:.2f}")
    if bylines:
        out["byline_near"] = sum(bylines) / len(bylines)
        print(f"[{name}] watcher byline near={out['byline_near']:.3f} over {len(bylines)} pages with one")
    out["ms_mean"] = statistics.mean(times) * 1000
    out["ms_median"] = statistics.median(times) * 1000
    print(f"[{name}] extractor: " + ", ".join(f"{s}={n}" for s, n in sorted(sources.items())))
    print(f"[{name}] watcher CPU time per page: mean {out['ms_mean']:.0f} ms, median {out['ms_median']:.0f} ms")
    return out


def _is_cjk(text: str) -> bool:
    """A body mostly in Chinese, Japanese or Korean script (a fifth of its non-space characters or more)."""
    letters = len(_WS.sub("", text))
    return bool(letters) and len(_CJK_CHAR.findall(text)) >= 0.2 * letters


def _char_f1(truth: dict[str, Any], preds: dict[str, dict[str, str]]) -> float:
    """score.py's metric with one token per CJK character: its \\w+ reads a whole unspaced Chinese run as one word."""
    precisions, recalls = [], []
    for key, item in truth.items():
        want = _shingles(item["articleBody"])
        have = _shingles((preds.get(key) or {}).get("articleBody", ""))
        tp = sum((want & have).values())
        fp, fn = sum((have - want).values()), sum((want - have).values())
        if have:
            precisions.append(tp / (tp + fp) if tp + fp else 1.0)
        recalls.append(tp / (tp + fn) if tp + fn else 1.0)
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _CJK_TOKEN.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def _prf(expected: list[str], got: list[str]) -> tuple[float, float, float]:
    want = Counter(_CJK_TOKEN.findall("\n".join(expected).casefold()))
    have = Counter(_CJK_TOKEN.findall("\n".join(got).casefold()))
    tp = sum((want & have).values())
    p = tp / sum(have.values()) if have else 0.0
    r = tp / sum(want.values()) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_fixtures() -> None:
    """Token P/R/F1 (one token per CJK character) for every fixture page with an expected body."""
    cases: list[tuple[str, str, str, list[str]]] = []
    for manifest_path in sorted((FIXTURES / "sites").glob("*/*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        fixture = f"{manifest_path.parent.parent.name}/{manifest_path.parent.name}"
        pages = fixture_versions(fixture)  # v2 and later are made from v1.html by the fixture's edits.toml
        for version, want in manifest["versions"].items():
            cases.append((f"{fixture}/{version}", pages[version], manifest["url"], want["body"]))
    for expected_path in sorted((FIXTURES / "extract").glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        if "body" not in expected:
            continue
        html = expected_path.with_suffix(".html").read_text(encoding="utf-8")
        cases.append((f"extract/{expected_path.stem}", html, expected["url"], expected["body"]))
    rows = []
    for name, html, url, want in cases:
        art = extract(html, url)
        p, r, f1 = _prf(want, art.body)
        rows.append((p, r, f1))
        print(f"[fixtures] {name:40} P={p:.3f} R={r:.3f} F1={f1:.3f}  {art.extractor}")
    mean = [statistics.mean(col) for col in zip(*rows)]
    print(f"[fixtures] mean P={mean[0]:.3f} R={mean[1]:.3f} F1={mean[2]:.3f}")


def main(argv: list[str] | None = None) -> int:
    """Score the chosen dev sets; exit 2 when a set is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "dev2", "both"), default="both")
    parser.add_argument("--worst", type=int, default=6)
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--fixtures", action="store_true")
    parser.add_argument("--out", type=Path, help="write the predictions here")
    args = parser.parse_args(argv)
    names = ("dev", "dev2") if args.set == "both" else (args.set,)
    for name in names:
        if not (SETS[name] / "ground-truth.json").exists():
            print(f"error: dev set not found: {SETS[name]}", file=sys.stderr)
            return 2
    scorer = _load_scorer()
    for name in names:
        run_set(name, scorer, not args.no_trafilatura, args.worst, args.out)
    if args.fixtures:
        run_fixtures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
