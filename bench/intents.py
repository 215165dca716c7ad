"""Edit intent and facts against the labelled set in tests/fixtures/intents: per-label precision and recall,
English and Chinese apart, and the confusions (README, "What changed, in words")."""

from __future__ import annotations

import argparse

import common  # noqa: F401  (puts the repository on sys.path)

from watcher.diff.intent_eval import load, score
from watcher.models import INTENTS

SET = common.REPO / "tests" / "fixtures" / "intents" / "edits.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print README's table")
    args = parser.parse_args()
    rows = load(SET)
    groups = {
        "all": rows,
        "English": [r for r in rows if r["lang"].startswith("en")],
        "Chinese": [r for r in rows if r["lang"].startswith("zh")],
    }
    results = {name: score(group) for name, group in groups.items()}
    if args.markdown:
        print("| intent | edits | precision | recall |")
        print("| --- | ---: | ---: | ---: |")
    for name, scores in results.items():
        if args.markdown and name != "all":
            continue
        if not args.markdown:
            print(f"\n{name}: {len(scores.pairs)} edits, accuracy {scores.accuracy():.2f}")
        for label in INTENTS:
            if not scores.support(label):
                continue
            p, r = scores.precision(label), scores.recall(label)
            if args.markdown:
                print(f"| {label} | {scores.support(label)} | {p:.2f} | {r:.2f} |")
            else:
                print(f"  {label:<12} {scores.support(label):>3} edits  precision {p:.2f}  recall {r:.2f}")
    if not args.markdown:
        print("\nconfusions (gold -> predicted):")
        for (gold, pred), n in results["all"].confusions().most_common():
            print(f"  {gold} -> {pred}: {n}")


if __name__ == "__main__":
    main()
