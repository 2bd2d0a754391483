"""The fast scoring path (last position only, histories grouped by length) against a plain
numpy forward pass of the same weights, one history at a time."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from ranker_reference import sasrec_scores_numpy

from ranker.sequential import SASRec, SASRecConfig, pad_histories

N_ITEMS = 300
SMALL = dict(hidden=32, layers=2, heads=2, max_len=20, dropout=0.3)


def _histories(seed: int = 0) -> list[list[int]]:
    """Lengths 0..27 (some past ``max_len``), so every width group and the cut are used."""
    rnd = random.Random(seed)
    lengths = [0, 1, 2, 3, 5, 8, 9, 15, 17, 20, 27] + [rnd.randrange(1, 28) for _ in range(30)]
    return [[rnd.randrange(1, N_ITEMS + 1) for _ in range(n)] for n in lengths]


@pytest.fixture(scope="module", params=["from_end", "absolute", "from_end+seen_bias"])
def model(request) -> SASRec:
    torch.manual_seed(0)
    content = torch.randn(N_ITEMS + 1, 12)
    positions, _, seen = request.param.partition("+")
    cfg = SASRecConfig(**SMALL, positions=positions, seen_bias=bool(seen))
    m = SASRec(N_ITEMS, cfg, content)
    with torch.no_grad():  # positions away from the init's near-zero, so that they matter
        m.pos_emb.weight.normal_(std=0.5)
        if m.seen_logit is not None:  # away from its initial 0, so that it matters
            m.seen_logit.fill_(-1.5)
    return m.eval()


def test_top_k_equals_a_numpy_forward_pass(model):
    histories = _histories()
    seqs = pad_histories(histories, model.config.max_len)
    want = sasrec_scores_numpy(model, histories, width=seqs.shape[1])
    top = model.recommend(seqs, 10)
    assert top.tolist() == np.argsort(-want, axis=1, kind="stable")[:, :10].tolist()
    scores = model.score(seqs).double().numpy()
    assert np.allclose(scores[:, 1:], want[:, 1:], atol=1e-4)
    assert np.isneginf(scores[:, 0]).all()


def test_last_hidden_is_the_full_encoders_last_position(model):
    seqs = pad_histories(_histories(1), model.config.max_len)
    with torch.no_grad():
        full = model.encode(seqs)[:, -1]
        fast = model.last_hidden(seqs)
    assert torch.allclose(fast, full, atol=1e-5)
    # padding after an item (not left-padded) takes the full path and still agrees
    odd = seqs.clone()
    odd[0, -1], odd[0, 0] = 0, 5
    with torch.no_grad():
        assert torch.allclose(model.last_hidden(odd), model.encode(odd)[:, -1], atol=1e-5)


def test_from_end_scores_do_not_depend_on_the_batch():
    torch.manual_seed(0)
    model = SASRec(N_ITEMS, SASRecConfig(**SMALL, positions="from_end")).eval()
    short = [[3, 4, 5]]
    alone = model.score(pad_histories(short, 20))
    beside_long = model.score(pad_histories(short + [list(range(1, 21))], 20))[:1]
    assert torch.allclose(alone, beside_long, atol=1e-5)


def test_score_restores_training_mode_and_keeps_no_graph():
    torch.manual_seed(0)
    model = SASRec(N_ITEMS, SASRecConfig(**SMALL)).train()
    scores = model.score(pad_histories([[1, 2]], 20))
    assert model.training and not scores.requires_grad
