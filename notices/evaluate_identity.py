"""Score the identity rule on labelled pairs of printings: precision and recall of merging.

A pair folder holds ``NAME.pair.json`` labels beside the pages they name (not ``NAME.json``:
the pages are not labelled with their records, as the parser's corpora are)::

    {"label": "reprint" | "extension" | "correction" | "cancellation" | "different",
     "same": true, "note": "…",
     "a": {"page": "../road/001_….txt", "published_on": "2025-08-02"},
     "b": {"page": "NAME.txt", "published_on": "2025-08-16"}}

Each pair goes through the real path: both pages parsed, printing ``a`` then ``b`` saved
into a fresh store; the rule merged them when the store holds one closure. A page that
gives no road closure counts as not merged. Beside the pairs, every two closures of the
road corpus (all different closures) are put to the rule: none should be one. Run::

    python -m notices.evaluate_identity tests/corpus/pairs tests/corpus/road
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from notices.identity import same_closure
from notices.model import RoadClosure
from notices.parse import parse_page
from notices.store import Sighting, Store

TRUE_LABELS = ("reprint", "extension", "correction", "cancellation")


@dataclass
class PairScore:
    """Merged and total pairs by label, and the pairs the rule got wrong."""

    merged: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    def recall(self, labels: tuple[str, ...]) -> float:
        """Return the share of true pairs with these labels that were merged."""
        total = sum(self.total[label] for label in labels)
        return sum(self.merged[label] for label in labels) / total if total else 1.0

    @property
    def false_merges(self) -> int:
        """Return how many pairs of different closures were merged."""
        return self.merged["different"]

    @property
    def precision(self) -> float:
        """Return the share of merges that were right."""
        right = sum(self.merged[label] for label in TRUE_LABELS)
        return right / (right + self.false_merges) if right + self.false_merges else 1.0


def _closures(folder: Path, printing: dict[str, Any]) -> list[RoadClosure]:
    page = folder / printing["page"]
    day = date.fromisoformat(printing["published_on"])
    records = parse_page(page.read_text(encoding="utf-8"), url=page.name, published_on=day)
    return [r for r in records if isinstance(r, RoadClosure)]


def merged(folder: Path, label: dict[str, Any], workdir: Path) -> bool | None:
    """Save printing a, then b, in a fresh store; tell whether they are one closure.

    None when a page gives no road closure.
    """
    first, second = _closures(folder, label["a"]), _closures(folder, label["b"])
    if not first or not second:
        return None
    store = Store.open(f"sqlite:///{workdir / 'pair.sqlite3'}")
    try:
        for records, printing in ((first, label["a"]), (second, label["b"])):
            day = date.fromisoformat(printing["published_on"])
            seen = datetime.combine(day, time(6), UTC)
            store.save_notices(records, Sighting("pairs", printing["page"], day, None, seen))
        return store.count_notices() == len(first)
    finally:
        store.close()
        (workdir / "pair.sqlite3").unlink()


def run(folder: Path) -> PairScore:
    """Score every labelled pair in ``folder`` and print the table."""
    score = PairScore()
    with tempfile.TemporaryDirectory() as work:
        for path in sorted(folder.glob("*.pair.json")):
            label = json.loads(path.read_text(encoding="utf-8"))
            verdict = merged(folder, label, Path(work))
            kind = label["label"]
            score.total[kind] += 1
            score.merged[kind] += bool(verdict)
            if bool(verdict) != label["same"]:
                why = "merged" if verdict else "apart" if verdict is False else "no closure read"
                name = path.name.removesuffix(".pair.json")
                score.wrong.append(f"{name}: {why} ({label['note']})")
    _report(score)
    return score


def _report(score: PairScore) -> None:
    print(f"identity pairs {sum(score.total.values())}")
    for kind in (*TRUE_LABELS, "different"):
        merged, total = score.merged[kind], score.total[kind]
        print(f"  {kind:14s} merged {merged:3d}/{total:<3d}")
    print(f"  precision {100 * score.precision:.1f}%  (different closures merged: "
          f"{score.false_merges})")  # fmt: skip
    print(f"  recall, reprints and extensions {100 * score.recall(('reprint', 'extension')):.1f}%")
    print(f"  recall, every true pair {100 * score.recall(TRUE_LABELS):.1f}%")
    for line in score.wrong:
        print("  wrong " + line)


def cross_check(corpus: Path) -> list[tuple[str, str]]:
    """Put every two closures of a corpus of different closures to the rule; return merges."""
    closures: list[RoadClosure] = []
    for page in sorted(corpus.glob("*.txt")):
        label = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        day = date.fromisoformat(label["published_on"]) if label.get("published_on") else None
        found = parse_page(page.read_text(encoding="utf-8"), url=page.name, published_on=day)
        closures += [r for r in found if isinstance(r, RoadClosure)]
    merges = [
        (a.source.url or a.id, b.source.url or b.id)
        for i, a in enumerate(closures)
        for b in closures[i + 1 :]
        if same_closure(a, b) or same_closure(b, a)
    ]
    pairs = len(closures) * (len(closures) - 1) // 2
    print(f"corpus cross-check: {len(closures)} closures, {pairs} pairs, merged {len(merges)}")
    for a, b in merges:
        print(f"  merged {a} and {b}")
    return merges


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m notices.evaluate_identity [PAIRS [CORPUS]]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    run(Path(args[0]) if args else Path("tests/corpus/pairs"))
    if len(args) > 1:
        cross_check(Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
