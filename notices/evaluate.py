"""Score the parser against a labelled corpus: per-field accuracy over hand-labelled pages.

A corpus folder holds ``NAME.txt`` pages and ``NAME.json`` labels
(``{"published_on": …, "records": [...]}``). Only the fields a label gives are scored.
Expected and produced records of a page are paired greedily by agreement.

Besides the exact ``CORE``, each record is scored ``CORE~`` with the conventions labellers
disagree on folded (``tests/realworld/LABELLING.md``): routes as a set, a road with a code
known by its code, names in simplified characters without a division heading them and with
``高速公路`` as ``高速``; stakes as the printed stake pairs, however many stretches without
stakes either side lists. Run::

    python -m notices.evaluate tests/corpus/road tests/corpus/loss
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from notices import regions
from notices.hanzi import fold
from notices.parse import parse_page
from notices.serialize import to_dict

Getter = Callable[[dict[str, Any]], Any]
_SPACE = re.compile(r"\s+")


def _stakes(r: dict[str, Any]) -> Any:
    return [
        ((s.get("from") or {}).get("m"), (s.get("to") or {}).get("m"))
        for s in r.get("segments") or []
    ]


def _win(key: str) -> Getter:
    return lambda r: (r.get("window") or {}).get(key)


def _detour(key: str) -> Getter:
    return lambda r: (r.get("detour") or {}).get(key, []) if r.get("detour") else None


def _ids(r: dict[str, Any]) -> Any:
    return [i.get("value") for i in r.get("identifiers") or []]


FIELDS: dict[str, dict[str, Getter]] = {
    "road_closure": {
        "title": lambda r: _SPACE.sub("", r["title"]) if r.get("title") else None,
        "routes": lambda r: [(x.get("code"), x.get("name")) for x in r.get("routes") or []],
        "stakes": _stakes,
        "places": lambda r: [
            (s.get("from_place"), s.get("to_place")) for s in r.get("segments") or []
        ],
        "length_km": lambda r: [s.get("length_km") for s in r.get("segments") or []],
        "closure": lambda r: r.get("closure"),
        "start": _win("start"),
        "end": _win("end"),
        "times": lambda r: (_win("start_time")(r), _win("end_time")(r)),
        "daily": _win("daily"),
        "days_stated": _win("days_stated"),
        "until_complete": _win("until_complete"),
        "detour.routes": _detour("routes"),
        "detour.via": _detour("via"),
        "issuers": lambda r: r.get("issuers") or [],
        "issued_on": lambda r: r.get("issued_on"),
    },
    "loss_declaration": {
        "title": lambda r: _SPACE.sub("", r["title"]) if r.get("title") else None,
        "holder": lambda r: r.get("holder"),
        "holder_type": lambda r: r.get("holder_type"),
        "documents": lambda r: r.get("documents") or [],
        "identifiers": _ids,
        "identifier_types": lambda r: [i.get("type") for i in r.get("identifiers") or []],
        "valid": lambda r: [i.get("valid") for i in r.get("identifiers") or []],
        "declared_void": lambda r: r.get("declared_void"),
        "issued_on": lambda r: r.get("issued_on"),
    },
}


def _folded_name(name: str) -> str:
    plain = _READING.sub("", fold(name))
    plain = plain[regions.leading(plain) :]
    return plain[: -len("公路")] if plain.endswith("高速公路") else plain


_READING = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")  # 濟(jì)廣高速: a reading in pinyin


def _folded_routes(r: dict[str, Any]) -> Any:
    return sorted(
        {
            x["code"].upper() if x.get("code") else _folded_name(x.get("name") or "")
            for x in r.get("routes") or []
        }
    )


def _printed_stakes(r: dict[str, Any]) -> Any:
    pairs = [(a, b) for a, b in _stakes(r) if (a, b) != (None, None)]  # K12+300起: one end
    return sorted(pairs, key=lambda p: tuple(-1 if m is None else m for m in p))


# The core fields with what labellers disagree on folded (LABELLING.md).
TOLERANT: dict[str, Getter] = {"routes": _folded_routes, "stakes": _printed_stakes}

CORE = {
    "road_closure": ("routes", "stakes", "start", "end", "closure"),
    "loss_declaration": ("holder", "holder_type", "documents", "identifiers"),
}


@dataclass
class Score:
    """Counts for one corpus run."""

    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)
    pages: int = 0
    expected: int = 0
    produced: int = 0
    false_pages: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, where: str) -> None:
        self.total[name] += 1
        self.right[name] += ok
        if not ok:
            self.misses.append(where)


def _agreement(kind: str, want: dict[str, Any], got: dict[str, Any]) -> int:
    return sum(FIELDS[kind][f](want) == FIELDS[kind][f](got) for f in CORE[kind])


def _pair(
    kind: str, wanted: list[dict[str, Any]], got: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    left = list(got)
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for want in wanted:
        best = max(left, key=lambda g: _agreement(kind, want, g), default=None)
        if best is not None:
            left.remove(best)
        pairs.append((want, best))
    return pairs


def score_page(page: Path, score: Score) -> None:
    """Parse one labelled page and add what it scores."""
    label = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    published = date.fromisoformat(label["published_on"]) if label.get("published_on") else None
    got = [
        to_dict(r)
        for r in parse_page(page.read_text(encoding="utf-8"), url=str(page), published_on=published)
    ]
    wanted = label["records"]
    score.pages += 1
    score.expected += len(wanted)
    score.produced += len(got)
    if not wanted and got:
        score.false_pages.append(f"{page.name}: {len(got)} record(s) from a page without notices")
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in got:
        by_kind[record["kind"]].append(record)
    for kind in {w["kind"] for w in wanted}:
        for i, (want, have) in enumerate(
            _pair(kind, [w for w in wanted if w["kind"] == kind], by_kind[kind])
        ):
            _score_record(kind, want, have, f"{page.name}#{i}", score)


def _score_record(
    kind: str, want: dict[str, Any], have: dict[str, Any] | None, where: str, score: Score
) -> None:
    core_ok = have is not None
    for name, getter in FIELDS[kind].items():
        if name.split(".")[0] not in want and name not in (
            "stakes",
            "places",
            "length_km",
            "start",
            "end",
            "times",
            "daily",
            "days_stated",
            "until_complete",
            "identifiers",
            "identifier_types",
            "valid",
        ):
            continue
        expected = getter(want)
        actual = getter(have) if have is not None else "<missing>"
        ok = expected == actual
        score.add(f"{kind}.{name}", ok, f"{where} {name}: want {expected!r} got {actual!r}")
        if name in CORE[kind]:
            core_ok = core_ok and ok
    score.add(f"{kind}.CORE", core_ok, f"{where} CORE")
    if kind == "road_closure":
        score.add(f"{kind}.CORE~", have is not None and _tolerant(want, have), f"{where} CORE~")


def _tolerant(want: dict[str, Any], have: dict[str, Any]) -> bool:
    getters = FIELDS["road_closure"]
    return all(
        TOLERANT.get(name, getters[name])(want) == TOLERANT.get(name, getters[name])(have)
        for name in CORE["road_closure"]
    )


def run(folders: list[Path], verbose: bool = False) -> Score:
    """Score every labelled page in ``folders`` and print the table."""
    score = Score()
    for folder in folders:
        for page in sorted(folder.glob("*.txt")):
            if page.with_suffix(".json").exists():
                score_page(page, score)
    _report(score, verbose)
    return score


def _report(score: Score, verbose: bool) -> None:
    print(f"pages {score.pages}  records expected {score.expected}  produced {score.produced}")
    for name in sorted(score.total):
        right, total = score.right[name], score.total[name]
        print(f"  {name:34s} {right:4d}/{total:<4d} {100 * right / total:6.1f}%")
    print(f"negative pages with records: {len(score.false_pages)}")
    for line in score.false_pages:
        print("  " + line)
    if verbose:
        for line in score.misses:
            if not line.endswith(("CORE", "CORE~")):
                print("  miss " + line)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m notices.evaluate [-v] FOLDER...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    folders = [Path(a) for a in args if a != "-v"] or [
        Path("tests/corpus/road"),
        Path("tests/corpus/loss"),
    ]
    run(folders, verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
