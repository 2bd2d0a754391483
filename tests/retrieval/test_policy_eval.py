"""Policy chunking and search; relevance files and metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from assistant.errors import UserError
from retrieval.eval import LabelledQuery, evaluate_runs, grade_products, load_qrels
from retrieval.policy import chunk_markdown

POLICY = """# Shop policy

Intro line.

## Returns

Items can be returned within 30 days of delivery for a full refund.

### Damaged items

Damaged items are replaced free of charge.

## Delivery

Standard delivery takes 3-5 business days. Express delivery is next day.
"""


def test_chunk_markdown_sections():
    chunks = chunk_markdown(POLICY, "policy.md")
    assert [c.section for c in chunks] == [
        "Shop policy",
        "Shop policy > Returns",
        "Shop policy > Returns > Damaged items",
        "Shop policy > Delivery",
    ]
    assert chunks[2].text == "Damaged items are replaced free of charge."
    assert all(c.source == "policy.md" for c in chunks)


def test_long_sections_are_split_by_paragraph():
    text = "# A\n\n" + "\n\n".join("word " * 100 for _ in range(5))
    chunks = chunk_markdown(text, "s")
    assert len(chunks) > 1 and all(len(c.text) <= 900 for c in chunks)


def test_policy_index_finds_the_section(engine, fake_embedder):
    from assistant.store.db import session_scope
    from assistant.store.models import Document
    from retrieval.policy import PolicyIndex

    with session_scope(engine) as s:
        s.add(Document(id="policy", title="Shop policy", source="policy.md", text=POLICY))
    index = PolicyIndex()
    top = index.search("how many days until express delivery arrives", k=2)
    assert top[0].section == "Shop policy > Delivery" and top[0].source == "policy.md"
    assert index.search("damaged", k=1)[0].section.endswith("Damaged items")
    assert len(index.search("refund", k=3)) == 3
    assert top[0].score >= top[1].score


def test_metrics_hand_computed():
    qrels = {"q1": {"a": 2, "b": 1, "c": 0}, "q2": {"x": 1}}
    runs = {"q1": ["b", "z", "a"], "q2": ["y", "z"]}
    m = evaluate_runs(runs, qrels, ks=(2,))
    dcg = (2**1 - 1) / math.log2(2) + (2**2 - 1) / math.log2(4)
    idcg = (2**2 - 1) / math.log2(2) + (2**1 - 1) / math.log2(3)
    assert m["ndcg@10"] == pytest.approx(round((dcg / idcg + 0) / 2, 4))
    assert m["recall@2"] == pytest.approx((0.5 + 0) / 2)
    assert m["mrr"] == pytest.approx((1.0 + 0) / 2)
    assert m["queries"] == 2


def test_load_csv_and_trec(tmp_path):
    csv_path = tmp_path / "q.csv"
    csv_path.write_text("query,id,grade\nred shoes,p1,2\nred shoes,p2,1\ntent,p9,1\n")
    assert load_qrels(csv_path) == {"red shoes": {"p1": 2, "p2": 1}, "tent": {"p9": 1}}
    trec, queries = tmp_path / "qrels.txt", tmp_path / "queries.tsv"
    trec.write_text("1 0 p1 2\n1 0 p2 1\n2 0 p9 1\n")
    queries.write_text("1\tred shoes\n2\ttent\n")
    assert load_qrels(trec, queries) == load_qrels(csv_path)
    with pytest.raises(UserError, match="--queries"):
        load_qrels(trec)
    bad = tmp_path / "bad.csv"
    bad.write_text("query,id,grade\nx,p1,high\n")
    with pytest.raises(UserError, match="line 2"):
        load_qrels(bad)


def test_grading_rule():
    q = LabelledQuery(
        "blue cotton tee", {"T-Shirt": 2, "Hoodie": 1}, {"color": "blue", "material": "cotton"}
    )
    products = [
        {"id": "1", "type": "T-Shirt", "options": {"color": "Blue", "material": "cotton"}},
        {"id": "2", "type": "T-Shirt", "options": {"color": "red", "material": "cotton"}},
        {"id": "3", "type": "Hoodie", "options": {"color": "blue", "material": "cotton"}},
        {"id": "4", "type": "Hoodie", "options": {"color": "red"}},
        {"id": "5", "type": "Mug", "options": {"color": "blue"}},
    ]
    assert grade_products(q, products) == {"1": 2, "2": 1, "3": 1}
