"""The sequential recommender on fixture-made sequences (tiny models, a few seconds)."""

from __future__ import annotations

import math
import random

import pytest
import torch

from ranker.metrics import exposure_gini, ndcg_at_k, recall_at_k
from ranker.sequential import (
    ItemVocab,
    PopularityRecommender,
    SASRec,
    SASRecConfig,
    _training_windows,
    dpp_rerank,
    evaluate_scores,
    leave_one_out,
    pad_histories,
    read_interactions,
    score_all,
    train_sasrec,
)

TINY = dict(hidden=16, layers=1, heads=1, max_len=8, dropout=0.0, lr=1e-2, batch_size=64)


def _cyclic_users(n_users: int, n_items: int, length: int, seed: int = 0) -> dict[str, list[int]]:
    """Each user walks the cycle 1 -> 2 -> ... -> n_items -> 1 from a random start."""
    rnd = random.Random(seed)
    users = {}
    for u in range(n_users):
        start = rnd.randrange(n_items)
        users[f"u{u}"] = [(start + j) % n_items + 1 for j in range(length)]
    return users


def test_read_interactions_and_vocab(tmp_path):
    path = tmp_path / "seq.txt"
    path.write_text("alice a b c\n\nbob c d\nalice e\n")
    seqs = read_interactions(path)
    assert seqs == {"alice": ["a", "b", "c", "e"], "bob": ["c", "d"]}
    vocab = ItemVocab.from_sequences(seqs.values())
    assert vocab.ids == ["a", "b", "c", "e", "d"]
    assert vocab.encode(["c", "zzz", "a"]) == [3, 1]
    assert vocab.decode(5) == "d"
    path.write_text("alice a\ncarol\n")
    with pytest.raises(ValueError, match=":2:"):
        read_interactions(path)


def test_leave_one_out_never_leaks_the_held_out_items():
    rnd = random.Random(1)
    # each user's last item is one nobody else has and they had not seen before
    seqs = {}
    for u in range(50):
        body = [rnd.randrange(1, 30) for _ in range(rnd.randrange(1, 12))]
        seqs[f"u{u}"] = body + [1000 + u]
    split = leave_one_out(seqs)
    windows = _training_windows(split.train.values(), max_len=50)
    trained_items = {i for w in windows for i in w} | {i for s in split.train.values() for i in s}
    held = {u: s for u, s in seqs.items() if len(s) >= 3}
    assert {u for u, _, _ in split.test} == set(held)
    for user, history, target in split.test:
        assert target == seqs[user][-1]
        assert target not in trained_items
        assert history == seqs[user][:-1]
        assert split.train[user] == seqs[user][:-2]
    for user, history, target in split.valid:
        assert target == seqs[user][-2]
        assert history == split.train[user]
    # users with fewer than three items are training only
    short = [u for u, s in seqs.items() if len(s) < 3]
    for u in short:
        assert split.train[u] == seqs[u]


def test_pad_histories_left_pads_and_truncates():
    out = pad_histories([[1, 2, 3, 4], [5], []], max_len=3)
    assert out.tolist() == [[2, 3, 4], [0, 0, 5], [0, 0, 0]]


def test_rank_metrics_equal_a_hand_computed_example():
    # three users; the held-out items rank 1st, 4th and 13th (0-based 0, 3, 12)
    ranks = torch.tensor([0, 3, 12])
    top = torch.tensor([[1, 2, 3], [1, 2, 4], [1, 5, 6]])
    m = evaluate_scores(ranks, top, n_items=10, ks=(1, 5, 10), coverage_k=3)
    assert m["recall@1"] == pytest.approx(1 / 3)
    assert m["recall@5"] == pytest.approx(2 / 3)
    assert m["recall@10"] == pytest.approx(2 / 3)
    assert m["ndcg@1"] == pytest.approx(1 / 3)
    # NDCG with one relevant item: 1 / log2(rank + 2); rank 3 -> 1 / log2(5)
    assert m["ndcg@5"] == pytest.approx((1 + 1 / math.log2(5)) / 3)
    assert m["ndcg@10"] == pytest.approx(m["ndcg@5"])
    # items 1..6 shown out of 10
    assert m["coverage@3"] == pytest.approx(0.6)
    # exposure counts over the catalogue: item1 x3, item2 x2, items 3-6 x1, items 7-10 x0
    x = sorted([3, 2, 1, 1, 1, 1, 0, 0, 0, 0])
    n = len(x)
    gini = sum((2 * (r + 1) - n - 1) * v for r, v in enumerate(x)) / (n * sum(x))
    assert m["exposure_gini@3"] == pytest.approx(gini)


def test_ranks_from_scores_match_a_sorted_list_and_the_list_metrics():
    torch.manual_seed(0)
    n_items = 40
    scores = torch.randn(7, n_items + 1)
    scores[:, 5] = scores[:, 6]  # a tie: the lower index goes first
    scores[:, 0] = float("-inf")
    targets = [6, 5, 1, 40, 17, 3, 22]
    ranks, top = score_all(
        lambda seqs: scores[: seqs.shape[0]], [[1]] * 7, max_len=4, targets=targets, top=10
    )
    ndcg, recall = [], []
    for row, t in enumerate(targets):
        order = sorted(range(1, n_items + 1), key=lambda i: (-float(scores[row, i]), i))
        assert int(ranks[row]) == order.index(t)
        assert set(top[row].tolist()) == set(order[:10])
        ndcg.append(ndcg_at_k(order, {t: 1}, 10))
        recall.append(recall_at_k(order, {t}, 10))
    m = evaluate_scores(ranks, top, n_items, ks=(10,))
    assert m["ndcg@10"] == pytest.approx(sum(ndcg) / len(ndcg))
    assert m["recall@10"] == pytest.approx(sum(recall) / len(recall))
    assert m["exposure_gini@10"] == pytest.approx(
        exposure_gini(top.tolist(), catalogue=range(1, n_items + 1))
    )


def test_popularity_counts_training_interactions():
    pop = PopularityRecommender(4, [[1, 2, 2], [2, 3]])
    s = pop.score(torch.zeros(2, 3, dtype=torch.long))
    assert s.shape == (2, 5)
    assert s[0, 1:].tolist() == [1.0, 3.0, 1.0, 0.0]
    assert s[0, 0] == float("-inf")


def test_an_obvious_pattern_is_learned():
    torch.manual_seed(0)
    n_items = 12
    split = leave_one_out(_cyclic_users(120, n_items, 7))
    # without the seen-item logit: validation NDCG@10 reaches 1.0 by epoch 9-10 and ties
    # keep that early epoch, where the test lists of this fixture reach NDCG@5 1.0 plain and
    # 0.93 with seen_bias (test_each_training_option_still_learns_the_pattern covers it)
    cfg = SASRecConfig(**TINY, max_epochs=40, patience=40, seen_bias=False)
    model, report = train_sasrec(split, n_items, cfg)
    assert report.best_valid["recall@10"] == pytest.approx(1.0)
    # after any history the next item of the cycle ranks first
    histories = [[(j - 2) % n_items + 1, (j - 1) % n_items + 1, j] for j in range(1, n_items + 1)]
    scores = model.score(pad_histories(histories, 8))
    assert scores.argmax(1).tolist() == [j % n_items + 1 for j in range(1, n_items + 1)]
    ranks, top = score_all(
        model.score, [h for _, h, _ in split.test], max_len=8,
        targets=[t for _, _, t in split.test], top=10,
    )  # fmt: skip
    assert evaluate_scores(ranks, top, n_items)["ndcg@5"] > 0.95


def test_a_cold_start_item_is_scored_from_its_content():
    torch.manual_seed(0)
    rnd = random.Random(0)
    # items 1-6 are tents, 7-12 are lamps (content = a group direction plus noise);
    # every shopper stays within one group
    group = {i: 0 if i <= 6 else 1 for i in range(1, 13)}
    base = torch.eye(2, 8)
    content = torch.zeros(13, 8)
    for i, g in group.items():
        content[i] = base[g] + 0.1 * torch.randn(8)
    seqs = {}
    for u in range(160):
        g = u % 2
        pool = [i for i in group if group[i] == g]
        seqs[f"u{u}"] = [rnd.choice(pool) for _ in range(6)]
    split = leave_one_out(seqs)
    cfg = SASRecConfig(**TINY, max_epochs=30, patience=30)
    model, _ = train_sasrec(split, 12, cfg, content=content)
    cold = torch.stack([base[0], base[1]])  # a new tent and a new lamp, no history at all
    hist = pad_histories([[1, 2, 3], [7, 8, 9]], 8)
    scores = model.score(hist, extra_content=cold)
    assert scores.shape == (2, 15)
    new_tent, new_lamp = 13, 14
    lamps, tents = list(range(7, 13)), list(range(1, 7))
    # a tent shopper: the new tent scores above every lamp and above the new lamp
    assert scores[0, new_tent] > scores[0, lamps].max()
    assert scores[0, new_tent] > scores[0, new_lamp]
    # a lamp shopper: the other way round
    assert scores[1, new_lamp] > scores[1, tents].max()
    assert scores[1, new_lamp] > scores[1, new_tent]
    # a model without content cannot score unknown items
    plain = SASRec(12, SASRecConfig(**TINY))
    with pytest.raises(ValueError, match="without content"):
        plain.score(hist, extra_content=cold)


def test_save_load_round_trip(tmp_path):
    torch.manual_seed(0)
    vocab = ItemVocab([f"i{j}" for j in range(5)])
    model = SASRec(5, SASRecConfig(**TINY), content=torch.randn(6, 3))
    model.save(tmp_path / "v1", vocab, {"note": 1})
    loaded, vocab2, extra = SASRec.load(tmp_path / "v1")
    seqs = pad_histories([[1, 2], [3]], 8)
    assert torch.allclose(model.score(seqs), loaded.score(seqs))
    assert vocab2.ids == vocab.ids and extra == {"note": 1}


def test_dpp_rerank_keeps_the_top_without_diversity_and_varies_with_it():
    # items 1-4 are near-copies with the top scores, 5-8 are different directions
    vectors = torch.zeros(9, 4)
    vectors[1:5] = torch.tensor([1.0, 0, 0, 0]) + 0.01 * torch.randn(4, 4)
    vectors[5:9] = torch.eye(4) + 0.01
    scores = torch.tensor([[float("-inf"), 10, 9.9, 9.8, 9.7, 9.0, 8.9, 8.8, 8.7]])
    plain = dpp_rerank(scores, vectors, 4, diversity=0.0, pool=8)
    assert plain.tolist() == [[1, 2, 3, 4]]
    varied = dpp_rerank(scores, vectors, 4, diversity=1.0, pool=8)
    assert varied[0, 0] == 1
    assert len(set(varied[0].tolist()) & {1, 2, 3, 4}) < 4
    assert len(set(varied[0].tolist())) == 4


OPTIONS = [
    dict(tie_output=False),
    dict(seen_bias=True),
    dict(logits="cosine", tie_output=False),
    dict(label_smoothing=0.1, optimizer="adamw", weight_decay=0.01, schedule="cosine"),
    dict(emb_dropout=0.2, warmup_epochs=1.0),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o))
def test_each_training_option_still_learns_the_pattern(options):
    torch.manual_seed(0)
    n_items = 12
    split = leave_one_out(_cyclic_users(120, n_items, 7))
    cfg = SASRecConfig(**{**TINY, "max_epochs": 40, "patience": 40, **options})
    model, report = train_sasrec(split, n_items, cfg)
    assert report.best_valid["recall@10"] == pytest.approx(1.0)
    histories = [[(j - 2) % n_items + 1, (j - 1) % n_items + 1, j] for j in range(1, n_items + 1)]
    scores = model.score(pad_histories(histories, 8))
    assert scores.argmax(1).tolist() == [j % n_items + 1 for j in range(1, n_items + 1)]
    # the fast scoring path equals the plain forward pass with every option
    with torch.no_grad():
        seqs = pad_histories(histories, 8)
        assert torch.allclose(model.eval()(seqs)[:, 1:], scores[:, 1:], atol=1e-4)


def test_the_seen_bias_learns_that_these_shoppers_never_repeat():
    torch.manual_seed(0)
    split = leave_one_out(_cyclic_users(120, 30, 7))  # 7 steps of a 30-cycle: no repeats
    cfg = SASRecConfig(**{**TINY, "max_epochs": 15, "patience": 15, "seen_bias": True})
    model, _ = train_sasrec(split, 30, cfg)
    assert float(model.seen_logit.detach()) < 0
    # seen items are still ranked (finite scores), only lower
    scores = model.score(pad_histories([[1, 2, 3]], 8))
    assert torch.isfinite(scores[0, 1:]).all()


def test_an_untied_output_still_scores_cold_items_from_content_and_round_trips(tmp_path):
    torch.manual_seed(0)
    cfg = SASRecConfig(**TINY, tie_output=False, seen_bias=True, logits="cosine")
    model = SASRec(5, cfg, content=torch.randn(6, 3))
    cold = torch.randn(2, 3)
    seqs = pad_histories([[1, 2], [3]], 8)
    scores = model.score(seqs, extra_content=cold)
    assert scores.shape == (2, 8) and torch.isfinite(scores[:, 1:]).all()
    vocab = ItemVocab([f"i{j}" for j in range(5)])
    model.save(tmp_path / "v1", vocab)
    loaded, _, _ = SASRec.load(tmp_path / "v1")
    assert loaded.config.tie_output is False
    assert torch.allclose(model.score(seqs, cold), loaded.score(seqs, cold))


def test_a_version_saved_before_the_options_loads_as_it_was(tmp_path):
    torch.manual_seed(0)
    old = SASRecConfig(**TINY, positions="absolute", seen_bias=False)
    model = SASRec(5, old)
    vocab = ItemVocab([f"i{j}" for j in range(5)])
    model.save(tmp_path / "v0", vocab)
    blob = torch.load(tmp_path / "v0" / "recommender.pt", weights_only=False)
    for key in ("positions", "seen_bias", "tie_output", "logits", "emb_dropout"):
        blob["config"].pop(key)  # what a version saved before these options holds
    torch.save(blob, tmp_path / "v0" / "recommender.pt")
    loaded, _, _ = SASRec.load(tmp_path / "v0")
    assert loaded.config.positions == "absolute" and loaded.config.seen_bias is False
    seqs = pad_histories([[1, 2], [3]], 8)
    assert torch.allclose(model.score(seqs), loaded.score(seqs))
    # while a new model gets the measured defaults
    assert SASRecConfig().seen_bias and SASRecConfig().positions == "from_end"
