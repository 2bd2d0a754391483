"""Search evaluation: relevance files, nDCG@10 / Recall@k / MRR, and the demo-store labelling rule.

Relevance files:

* CSV with a header ``query,id,grade`` (one row per judged product);
* TREC qrels ``qid 0 docid grade`` plus a queries file (``qid<TAB>text`` lines or a
  CSV ``qid,query``).

Demo-store grades (``grade_products``) follow one transparent rule: each labelled
query names the product types it wants with a base grade (2 = what was asked for,
1 = a reasonable substitute) and optionally option values; a product gets its
type's base grade when every named option matches and one less when any differs
(grade 0 = not listed).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import UserError

logger = logging.getLogger(__name__)

Qrels = dict[str, dict[str, float]]  # query text -> {product id: grade}


def load_qrels(path: Path, queries: Path | None = None) -> Qrels:
    """Read a CSV ``query,id,grade`` file or TREC qrels (with ``queries`` naming each qid)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"qrels file {path} does not exist")
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[:1]
    if first and "," in first[0] and "query" in first[0].lower():
        return _load_csv(path)
    if queries is None:
        raise UserError(
            f"{path} looks like TREC qrels: pass --queries FILE (qid<TAB>text per line)"
        )
    return _load_trec(path, Path(queries))


def _load_csv(path: Path) -> Qrels:
    out: Qrels = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"query", "id", "grade"} - set(reader.fieldnames or [])
        if missing:
            raise UserError(f"{path}: missing column(s) {sorted(missing)}; need query,id,grade")
        for i, row in enumerate(reader, start=2):
            try:
                grade = float(row["grade"])
            except ValueError:
                raise UserError(
                    f"{path} line {i}: grade {row['grade']!r} is not a number"
                ) from None
            out.setdefault(row["query"], {})[row["id"]] = grade
    return out


def _load_trec(path: Path, queries: Path) -> Qrels:
    if not queries.exists():
        raise UserError(f"queries file {queries} does not exist")
    texts: dict[str, str] = {}
    for line in queries.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep:
            qid, sep, text = line.partition(",")
        if qid.strip().lower() in {"qid", "query_id"}:
            continue
        texts[qid.strip()] = text.strip()
    out: Qrels = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise UserError(f"{path} line {i}: expected 'qid 0 docid grade'")
        qid, _, doc, grade = parts
        if qid not in texts:
            raise UserError(f"{path} line {i}: query id {qid!r} is not in {queries}")
        out.setdefault(texts[qid], {})[doc] = float(grade)
    return out


def evaluate_runs(
    runs: Mapping[str, list[str]], qrels: Qrels, ks: Iterable[int] = (10, 50)
) -> dict[str, Any]:
    """Mean nDCG@10, Recall@k and MRR over the queries of ``qrels``."""
    from ranker.metrics import ndcg_at_k, recall_at_k, reciprocal_rank

    ks = list(ks)
    per: dict[str, list[float]] = {"ndcg@10": [], "mrr": [], **{f"recall@{k}": [] for k in ks}}
    for query, gains in qrels.items():
        ranked = runs.get(query, [])
        relevant = [i for i, g in gains.items() if g > 0]
        per["ndcg@10"].append(ndcg_at_k(ranked, gains, 10))
        per["mrr"].append(reciprocal_rank(ranked, relevant))
        for k in ks:
            per[f"recall@{k}"].append(recall_at_k(ranked, relevant, k))
    out: dict[str, Any] = {"queries": len(qrels)}
    out.update({name: round(float(np.mean(v)), 4) if v else 0.0 for name, v in per.items()})
    return out


def evaluate_service(service: Any, qrels: Qrels, ks: Iterable[int] = (10, 50)) -> dict[str, Any]:
    """Run every query through ``service.search`` (retrieval only) and score it."""
    from retrieval.types import RetrievalQuery

    ks = list(ks)
    depth = max([10, *ks])
    runs = {q: [c.id for c in service.search(RetrievalQuery(q, k=depth))] for q in qrels}
    return evaluate_runs(runs, qrels, ks)


@dataclass(frozen=True)
class LabelledQuery:
    """A query and what it asks for: ``types`` {product type: base grade}, ``options`` {name: value}."""

    text: str
    types: Mapping[str, int]
    options: Mapping[str, str] = field(default_factory=dict)


def grade_products(query: LabelledQuery, products: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Grades for ``products`` (dicts with ``id``, ``type``, ``options``) under the rule above."""
    out: dict[str, int] = {}
    for p in products:
        base = query.types.get(p["type"], 0)
        if base <= 0:
            continue
        opts = {k.lower(): str(v).lower() for k, v in p["options"].items()}
        ok = all(opts.get(k.lower()) == str(v).lower() for k, v in query.options.items())
        grade = base if ok else base - 1
        if grade > 0:
            out[p["id"]] = grade
    return out


def tau2_products(db_json: Path) -> list[dict[str, Any]]:
    """Variants of the tau2 demo store as ``{"id", "type", "options"}``."""
    db = json.loads(Path(db_json).read_text())
    return [
        {"id": v["item_id"], "type": p["name"], "options": v["options"]}
        for p in db["products"].values()
        for v in p["variants"].values()
    ]


def write_qrels_csv(
    queries: Iterable[LabelledQuery], products: list[dict[str, Any]], out: Path
) -> int:
    """Write ``query,id,grade`` rows (best grade first); returns the number of rows."""
    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["query", "id", "grade"])
        for q in queries:
            grades = grade_products(q, products)
            if not grades:
                raise ValueError(f"labelled query {q.text!r} has no relevant product")
            for pid, g in sorted(grades.items(), key=lambda kv: (-kv[1], kv[0])):
                w.writerow([q.text, pid, g])
                n += 1
    return n
