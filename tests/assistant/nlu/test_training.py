"""Training on a tiny random encoder: parameters change, loss goes down; calibration fits
agree with brute force."""

from __future__ import annotations

import copy

import pytest
import torch

from assistant.nlu.calibration import decide, fit_oos_threshold, fit_temperature
from assistant.nlu.corpus import parse_markup
from assistant.nlu.labels import INTENT_INDEX, INTENTS
from assistant.nlu.metrics import intent_metrics
from assistant.nlu.model import DialogueModel, ModelMeta, new_joint_model
from assistant.nlu.training import TrainConfig, fit

LINES = [
    ("i need a [blue](color) [shirt](product) [under 50 bucks](price_max)", "search_products"),
    ("show me [red](color) [shirt](product) size [m](size)", "search_products"),
    ("cancel order [#W2611340](order_id)", "cancel_order"),
    ("where is my order", "track_order"),
    ("hello", "greeting"),
    ("yes", "affirm"),
    ("no", "deny"),
    ("thanks", "thanks"),
    ("bye", "goodbye"),
    ("tell me a joke", "out_of_scope"),
    ("my email is [noah@brown.com](email)", "provide_info"),
    ("compare [the first one](item_ref) and [the second one](item_ref)", "compare_products"),
]


def _examples():
    return [parse_markup(line, intent) for line, intent in LINES] * 4


def test_fit_changes_parameters_and_lowers_loss(tiny_encoder_path):
    net, tokenizer = new_joint_model(tiny_encoder_path)
    before = copy.deepcopy(net.state_dict())
    config = TrainConfig(
        epochs=100,
        batch_size=8,
        lr=1e-3,
        head_lr=1e-2,
        freeze_embeddings=False,
        frozen_layers=1,
        warmup=0.0,
        max_steps=200,
        threads=1,
    )
    result = fit(net, tokenizer, _examples(), config, progress=False)
    assert result.steps == 200
    after = net.state_dict()
    changed = [k for k in after if not torch.equal(before[k], after[k])]
    assert any(k.startswith("intent_head") for k in changed) and any(
        k.startswith("slot_head") for k in changed
    )
    assert any(k.startswith("encoder.encoder.layer.1") for k in changed)
    assert any(k.startswith("encoder.embeddings") for k in changed)
    assert not any(k.startswith("encoder.encoder.layer.0") for k in changed)  # frozen_layers=1
    first, last = sum(result.losses[:6]) / 6, sum(result.losses[-6:]) / 6
    assert last < 0.5 * first
    model = DialogueModel(net, tokenizer, ModelMeta())
    preds = model.predict([e.text for e in _examples()[: len(LINES)]])
    assert (
        sum(p.intent == e.intent for p, e in zip(preds, _examples(), strict=False))
        >= len(LINES) - 1
    )


def test_save_load_round_trip(tiny_encoder_path, tmp_path):
    net, tokenizer = new_joint_model(tiny_encoder_path)
    model = DialogueModel(
        net, tokenizer, ModelMeta(version="v-test", temperature=1.7, oos_threshold=0.2)
    )
    model.save(tmp_path / "v")
    again = DialogueModel.load(tmp_path / "v")
    texts = ["need a blue shirt under 50 bucks", "cancel order #W2611340"]
    a, b = model.logits(texts)[0], again.logits(texts)[0]
    assert torch.allclose(a, b, atol=1e-5) and again.meta.temperature == 1.7
    assert again.predict(texts)[1].slots["order_id"] == "#W2611340"  # regex backstop
    with pytest.raises(FileNotFoundError):
        DialogueModel.load(tmp_path / "missing")


def test_temperature_matches_grid_search():
    torch.manual_seed(0)
    labels = torch.randint(0, 5, (400,))
    logits = torch.randn(400, 5) * 2
    logits[torch.arange(400), labels] += 2.0
    logits *= 3.0  # over-confident
    t = fit_temperature(logits, labels)
    grid = torch.linspace(0.5, 8, 751)
    nll = torch.stack([torch.nn.functional.cross_entropy(logits / g, labels) for g in grid])
    assert abs(t - float(grid[nll.argmin()])) < 0.05
    assert t > 1.5


def test_oos_threshold_matches_brute_force():
    torch.manual_seed(1)
    n = 300
    labels = torch.tensor([INTENT_INDEX["out_of_scope"] if i % 4 == 0 else i % 3 for i in range(n)])
    probs = torch.softmax(torch.randn(n, len(INTENTS)) * 2, -1)
    t = fit_oos_threshold(probs, labels)
    gold = [INTENTS[i] for i in labels.tolist()]

    def f1(th: float) -> float:
        preds = []
        for row in probs:
            inscope = row.clone()
            inscope[INTENT_INDEX["out_of_scope"]] = 0
            oos = int(row.argmax()) == INTENT_INDEX["out_of_scope"] or float(inscope.max()) < th
            preds.append("out_of_scope" if oos else INTENTS[int(inscope.argmax())])
        return intent_metrics(gold, preds)["macro_f1"]

    grid = [0.8 * k / 40 for k in range(41)]
    scores = {th: f1(th) for th in grid}
    best = max(scores.values())
    stderr = (best * (1 - best) / n) ** 0.5
    # the lowest threshold the split cannot tell from the best (one-standard-error rule)
    assert t == min(th for th in grid if scores[th] >= best - stderr - 1e-9)
    assert scores[t] >= best - stderr - 1e-9


def test_oos_threshold_rises_when_the_split_demands_it():
    """In-scope rows sure of their class and out-of-scope rows spread thin over the in-scope
    classes: every threshold up to their maximum probability loses out-of-scope recall, so the
    fitted threshold sits between the two groups, not at zero."""
    oos = INTENT_INDEX["out_of_scope"]
    n_in, n_oos = 200, 100
    labels = torch.tensor([i % 5 for i in range(n_in)] + [oos] * n_oos)
    probs = torch.full((n_in + n_oos, len(INTENTS)), 0.01)
    probs[torch.arange(n_in), labels[:n_in]] = 0.9  # confident and right
    probs[n_in:, :5] = 0.15  # unsure between five in-scope classes, OOS class not the arg-max
    probs = probs / probs.sum(-1, keepdim=True)
    in_max = float(probs[n_in:, :5].max())
    t = fit_oos_threshold(probs, labels)
    assert in_max < t < float(probs[0, labels[0]])
    assert decide(probs, t) == labels.tolist()


def test_decide_by_hand():
    oos = INTENT_INDEX["out_of_scope"]
    rows = torch.zeros(3, len(INTENTS))
    rows[0, oos], rows[0, 0] = 0.6, 0.4  # the OOS class wins
    rows[1, 1], rows[1, 2], rows[1, oos] = 0.3, 0.3, 0.4  # the OOS class wins
    rows[2, 3], rows[2, oos] = 0.9, 0.1
    assert decide(rows, 0.5) == [oos, oos, 3]
    rows[1, oos], rows[1, 4] = 0.0, 0.4  # best in-scope 0.4 < 0.5 -> OOS by threshold
    assert decide(rows, 0.5)[1] == oos and decide(rows, 0.35)[1] == 4
