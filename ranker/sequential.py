"""Sequential next-item recommendation: a SASRec-style causal transformer over item ids.

Kang & McAuley, "Self-Attentive Sequential Recommendation" (ICDM 2018), trained with the
full-softmax cross-entropy over every item of the catalogue (no sampled negatives), which
beats the original binary loss by a wide margin on the Amazon splits.

- Interactions are ``{user: [item, item, ...]}`` oldest first (:func:`read_interactions`
  reads the ``USER ITEM ITEM ...`` file format). Items are mapped to indices ``1..N``
  (:class:`ItemVocab`); 0 is padding.
- :func:`leave_one_out` splits each shopper: last item test, second-to-last validation,
  the rest training (the protocol of the literature, so numbers compare).
- :class:`SASRec` scores all items for a batch of histories in one matrix product. Its item
  vectors are an id embedding plus, when content embeddings are given, a learned
  projection of them, so an item with no history (``extra_content``) is scored from its
  content alone.
- A learned logit for items already in the history (``seen_bias``, one scalar) lets the
  model say how likely a repeat is; without it the tied item vectors rank the last
  history item first, which on the Amazon splits (no repeats) costs NDCG@10 most.
- :class:`PopularityRecommender` is the baseline and the fallback for a shopper with no
  history.
- :func:`evaluate_scores` ranks every item (previously seen items are not removed) and
  returns Recall@k, NDCG@k, coverage@k and the Gini of top-k exposure.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ranker.metrics import exposure_gini
from ranker.tradeoff import greedy_dpp_tradeoff, theta_for_diversity

__all__ = [
    "ItemVocab",
    "PopularityRecommender",
    "SASRec",
    "SASRecConfig",
    "Split",
    "TrainReport",
    "dpp_rerank",
    "evaluate_scores",
    "leave_one_out",
    "pad_histories",
    "ranks_in_lists",
    "read_interactions",
    "score_all",
    "train_sasrec",
]


# --------------------------------------------------------------------------- data


def read_interactions(path: str | Path) -> dict[str, list[str]]:
    """``USER ITEM ITEM ...`` per line, oldest first -> ``{user: [items]}``.

    Blank lines are skipped; a user named twice has the lines concatenated in file order.
    Raises ``ValueError`` naming the line for a line with a user and no item.
    """
    seqs: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2:
                raise ValueError(f"{path}:{n}: a line needs a user and at least one item")
            seqs.setdefault(parts[0], []).extend(parts[1:])
    return seqs


@dataclass
class ItemVocab:
    """Item id <-> index; index 0 is padding, items are ``1..len(ids)``."""

    ids: list[str]

    def __post_init__(self) -> None:
        self.index = {item: i + 1 for i, item in enumerate(self.ids)}

    @classmethod
    def from_sequences(cls, seqs: Iterable[Sequence[str]]) -> ItemVocab:
        seen: dict[str, None] = {}
        for seq in seqs:
            for item in seq:
                seen.setdefault(item, None)
        return cls(list(seen))

    def __len__(self) -> int:
        return len(self.ids)

    def encode(self, seq: Sequence[str]) -> list[int]:
        """Indices of the known items of ``seq`` (unknown ones are dropped)."""
        return [self.index[i] for i in seq if i in self.index]

    def decode(self, idx: int) -> str:
        return self.ids[idx - 1]


@dataclass
class Split:
    """Leave-one-out split of encoded sequences (lists of item indices).

    ``train[u]`` is every item but the last two; ``valid`` and ``test`` are
    ``(user, history, target)`` with the validation history = ``train[u]`` and the test
    history = ``train[u] + [valid target]``. Users with fewer than 3 items are training only.
    """

    train: dict[str, list[int]]
    valid: list[tuple[str, list[int], int]]
    test: list[tuple[str, list[int], int]]


def leave_one_out(seqs: Mapping[str, Sequence[int]]) -> Split:
    train: dict[str, list[int]] = {}
    valid: list[tuple[str, list[int], int]] = []
    test: list[tuple[str, list[int], int]] = []
    for user, seq in seqs.items():
        seq = list(seq)
        if len(seq) < 3:
            train[user] = seq
            continue
        train[user] = seq[:-2]
        valid.append((user, seq[:-2], seq[-2]))
        test.append((user, seq[:-1], seq[-1]))
    return Split(train, valid, test)


def pad_histories(histories: Sequence[Sequence[int]], max_len: int) -> torch.Tensor:
    """Left-padded ``LongTensor [B, L]`` of each history's last ``max_len`` items
    (``L`` = the longest kept history, at least 1)."""
    kept = [list(h)[-max_len:] for h in histories]
    width = max(1, max((len(h) for h in kept), default=1))
    out = torch.zeros(len(kept), width, dtype=torch.long)
    for row, h in enumerate(kept):
        if h:
            out[row, width - len(h) :] = torch.tensor(h, dtype=torch.long)
    return out


# --------------------------------------------------------------------------- models


@dataclass
class SASRecConfig:
    # defaults: run 5 / 6 of benchmarks/results/recommender_runs.md (from_end, dropout 0.5,
    # 2 heads, seen_bias), test R@10 / N@10 Toys 0.0815 / 0.0508, Sports 0.0409 / 0.0239
    # (before them: absolute, 0.3, 1 head, no seen_bias: 0.0766 / 0.0389, 0.0420 / 0.0197)
    hidden: int = 64
    layers: int = 2
    heads: int = 2
    max_len: int = 50
    dropout: float = 0.5
    # lr 3e-3 with batches of 64 reaches the validation NDCG@10 of lr 1e-3 / 128 in a
    # fraction of the epochs on Amazon Toys (0.041 after 6 epochs against 0.008 after 3)
    lr: float = 3e-3
    weight_decay: float = 0.0
    batch_size: int = 64
    max_epochs: int = 200
    patience: int = 5  # epochs without a better validation NDCG@10 before stopping
    eval_every: int = 1
    time_budget_s: float | None = None  # stop (keeping the best epoch) after this long
    seed: int = 0
    # which position embedding an item gets: "from_end" counts back from the last item, the
    # same in training and scoring whatever the batch; "absolute" is its column in the
    # left-padded batch, so a history's scores shift with the batch's longest history (the
    # earlier default; same metrics on Toys/Sports, runs 1-2)
    positions: str = "from_end"
    # --- options for the NDCG@10 runs of benchmarks/results/recommender_runs.md
    emb_dropout: float | None = None  # dropout on the input embeddings (None: ``dropout``)
    label_smoothing: float = 0.0  # of the full-softmax cross-entropy
    optimizer: str = "adam"  # "adam" (L2 through weight_decay) | "adamw" (decoupled)
    schedule: str = "constant"  # "constant" | "cosine": lr decays to 0 over max_epochs
    warmup_epochs: float = 0.0  # linear warm-up from 0 (either schedule)
    # "dot": item vector . hidden state; "cosine": both L2-normalised, times a learned
    # scale (initial value ``logit_scale``), i.e. a learned softmax temperature
    logits: str = "dot"
    logit_scale: float = 16.0
    # False: the output side has an id embedding of its own (the content projection stays
    # shared, so a cold item is still scored from its content)
    tie_output: bool = True
    # True: a learned logit added to every item already in the history (one scalar,
    # starting at 0), the model's own estimate of how likely a repeat is; the ranking
    # still covers every item, seen ones included. Without it the tied vectors rank the
    # last history item first (95% of Toys users) although no test item is ever a repeat
    seen_bias: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SASRec(nn.Module):
    """Causal self-attention over the history; item vectors are tied between input and output.

    ``content`` ([n_items + 1, C], row 0 ignored) adds ``W · content[i]`` to item ``i``'s
    id embedding, both at the input and at the output, so items similar in content start
    close and a new item is scored from ``W · content`` alone.
    """

    def __init__(
        self, n_items: int, config: SASRecConfig, content: torch.Tensor | None = None
    ) -> None:
        super().__init__()
        self.n_items = n_items
        self.config = config
        d = config.hidden
        self.item_emb = nn.Embedding(n_items + 1, d, padding_idx=0)
        nn.init.normal_(self.item_emb.weight, std=d**-0.5)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()
        self.pos_emb = nn.Embedding(config.max_len, d)
        nn.init.normal_(self.pos_emb.weight, std=0.02)
        if content is not None:
            content = content.float()
            if content.shape[0] != n_items + 1:
                raise ValueError(f"content has {content.shape[0]} rows, expected {n_items + 1}")
            self.register_buffer("content", content)
            self.content_proj = nn.Linear(content.shape[1], d, bias=False)
        else:
            self.content = None
            self.content_proj = None
        layer = nn.TransformerEncoderLayer(
            d_model=d,
            nhead=config.heads,
            dim_feedforward=d,
            dropout=config.dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, config.layers, enable_nested_tensor=False)
        emb_p = config.dropout if config.emb_dropout is None else config.emb_dropout
        self.emb_dropout = nn.Dropout(emb_p)
        self.final_norm = nn.LayerNorm(d)
        if config.logits not in ("dot", "cosine"):
            raise ValueError(f"logits must be 'dot' or 'cosine', not {config.logits!r}")
        if config.tie_output:
            self.out_emb = None
        else:
            self.out_emb = nn.Embedding(n_items + 1, d, padding_idx=0)
            nn.init.normal_(self.out_emb.weight, std=d**-0.5)
            with torch.no_grad():
                self.out_emb.weight[0].zero_()
        self.seen_logit = nn.Parameter(torch.zeros(())) if config.seen_bias else None
        if config.logits == "cosine":
            self.log_scale = nn.Parameter(torch.tensor(math.log(config.logit_scale)))
        else:
            self.log_scale = None

    def output_vectors(self, items: torch.Tensor) -> torch.Tensor:
        """The item vectors the hidden states are scored against (``items`` as is for
        ``logits="dot"``, L2-normalised for ``"cosine"``); with ``tie_output=False`` the
        id part of the first ``n_items + 1`` rows is the output embedding's."""
        if self.out_emb is not None:
            known = items[: self.n_items + 1] - self.item_emb.weight + self.out_emb.weight
            items = torch.cat([known, items[self.n_items + 1 :]])
        return items if self.log_scale is None else F.normalize(items, dim=-1)

    def add_seen_bias(self, scores: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        """``scores`` [R, N] plus ``seen_logit`` at the items of ``seen`` [R, W] (0 = none;
        an item named twice gets it once); ``scores`` as is without ``seen_bias``."""
        if self.seen_logit is None:
            return scores
        mark = torch.zeros_like(scores).scatter_(1, seen, 1.0)
        mark[:, 0] = 0.0
        return scores + mark * self.seen_logit

    def logits_of(self, h: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Scores ``h`` [.., d] against ``out`` = :meth:`output_vectors` [N, d] -> [.., N]."""
        if self.log_scale is None:
            return h @ out.T
        return (F.normalize(h, dim=-1) @ out.T) * self.log_scale.exp()

    def item_vectors(self, extra_content: torch.Tensor | None = None) -> torch.Tensor:
        """``[n_items + 1 (+ M), d]``: every item's vector (row 0 = padding), then one row per
        cold item of ``extra_content`` [M, C] (content projection only)."""
        vec = self.item_emb.weight
        if self.content_proj is not None:
            vec = vec + self.content_proj(self.content)
            if extra_content is not None:
                extra = self.content_proj(extra_content.to(vec.device, vec.dtype))
                vec = torch.cat([vec, extra], dim=0)
        elif extra_content is not None:
            raise ValueError("this model was trained without content embeddings")
        return vec

    def _embed(self, seqs: torch.Tensor, items: torch.Tensor, base: int) -> torch.Tensor:
        """Input vectors of left-padded ``seqs`` [B, W] -> [B, W, d]: column ``j`` gets position
        ``base - W + j`` (padding is zero)."""
        W = seqs.shape[1]
        x = items[seqs] * math.sqrt(self.config.hidden)
        x = x + self.pos_emb.weight[base - W : base][None]
        return self.emb_dropout(x) * (seqs != 0).unsqueeze(-1)

    def _position_base(self, width: int) -> int:
        return self.config.max_len if self.config.positions == "from_end" else width

    def _attn_mask(self, pad: torch.Tensor) -> torch.Tensor:
        """``[B * heads, W, W]`` True where attention is blocked: the future and padding keys.
        A left-padded row's padding attends to itself, so that no row is fully masked."""
        W = pad.shape[1]
        causal = torch.triu(torch.ones(W, W, dtype=torch.bool, device=pad.device), diagonal=1)
        mask = causal[None] | pad[:, None, :]
        mask = mask & ~torch.eye(W, dtype=torch.bool, device=pad.device)[None]
        return mask.repeat_interleave(self.config.heads, dim=0)

    def encode(self, seqs: torch.Tensor, items: torch.Tensor | None = None) -> torch.Tensor:
        """Hidden state at every position of left-padded ``seqs`` [B, L] -> [B, L, d]."""
        if items is None:
            items = self.item_vectors()
        if seqs.shape[1] > self.config.max_len:
            seqs = seqs[:, -self.config.max_len :]
        x = self._embed(seqs, items, self._position_base(seqs.shape[1]))
        h = self.encoder(x, mask=self._attn_mask(seqs == 0))
        return self.final_norm(h)

    def last_hidden(self, seqs: torch.Tensor, items: torch.Tensor | None = None) -> torch.Tensor:
        """Eval-mode ``encode(seqs, items)[:, -1]`` for left-padded ``seqs`` [B, L] -> [B, d],
        computing only what the last position needs.

        A row's last state depends only on its own items, so rows are grouped by length
        (widths 4, 8, 16, ... up to ``L``) and each group is encoded over its last columns,
        with the positions it has in the full batch; the last block runs for the last
        position only. Rows with padding after an item take the full path.
        """
        if items is None:
            items = self.item_vectors()
        if seqs.shape[1] > self.config.max_len:
            seqs = seqs[:, -self.config.max_len :]
        B, L = seqs.shape
        real = seqs != 0
        if B == 0 or not bool((real[:, 1:] >= real[:, :-1]).all()):
            return self.encode(seqs, items)[:, -1]
        base = self._position_base(L)
        lengths = real.sum(1).clamp_min(1)
        widths = (2 ** torch.ceil(torch.log2(lengths.float()))).long().clamp(4, L)
        widths[widths < lengths] = L  # float rounding: never cut a history
        out = items.new_empty(B, self.config.hidden)
        for w in torch.unique(widths).tolist():
            rows = (widths == w).nonzero().squeeze(1)
            window = seqs[rows, L - w :]
            x = self._embed(window, items, base)
            mask = self._attn_mask(window == 0)
            *blocks, last = self.encoder.layers
            for layer in blocks:
                x = layer(x, src_mask=mask)
            out[rows] = self.final_norm(_last_position_block(last, x, mask[:, -1:]))[:, 0]
        return out

    def forward(self, seqs: torch.Tensor) -> torch.Tensor:
        """Scores of every item after each history of ``seqs`` [B, L] -> [B, n_items + 1]
        (column 0, padding, is ``-inf``)."""
        items = self.item_vectors()
        h = self.encode(seqs, items)[:, -1]
        scores = self.logits_of(h, self.output_vectors(items))
        scores = self.add_seen_bias(scores, seqs[:, -self.config.max_len :])
        scores[:, 0] = float("-inf")
        return scores

    @torch.inference_mode()
    def score(self, seqs: torch.Tensor, extra_content: torch.Tensor | None = None) -> torch.Tensor:
        """Eval-mode scores [B, n_items + 1 (+ M)] of left-padded ``seqs`` [B, L], including
        cold items of ``extra_content`` [M, C] (column 0, padding, is ``-inf``)."""
        was = self.training
        self.eval()
        try:
            items = self.item_vectors(extra_content)
            h = self.last_hidden(seqs.to(items.device), items[: self.n_items + 1])
            scores = self.logits_of(h, self.output_vectors(items))
            scores = self.add_seen_bias(scores, seqs[:, -self.config.max_len :].to(h.device))
            scores[:, 0] = float("-inf")
            return scores
        finally:
            self.train(was)

    def recommend(
        self, seqs: torch.Tensor, k: int, extra_content: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The ``k`` best item indices [B, k] for each history of ``seqs`` [B, L], best first
        (``topk`` of :meth:`score`; fewer columns when the catalogue is smaller)."""
        scores = self.score(seqs, extra_content)
        with torch.inference_mode():
            return torch.topk(scores, min(k, scores.shape[1] - 1), dim=1).indices

    def save(self, folder: str | Path, vocab: ItemVocab, extra: dict[str, Any] | None = None):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        torch.save(
            {
                "state": {k: v.cpu() for k, v in self.state_dict().items()},
                "config": self.config.to_dict(),
                "n_items": self.n_items,
                "items": vocab.ids,
                "has_content": self.content_proj is not None,
                "extra": extra or {},
            },
            folder / "recommender.pt",
        )

    @classmethod
    def load(
        cls, folder: str | Path, device: torch.device | None = None
    ) -> tuple[SASRec, ItemVocab, dict[str, Any]]:
        blob = torch.load(Path(folder) / "recommender.pt", map_location="cpu", weights_only=False)
        content = blob["state"].get("content") if blob["has_content"] else None
        # versions saved before an option existed behave as they did then: positions by
        # batch column, no seen-item logit, tied dot-product output
        before = {"positions": "absolute", "seen_bias": False, "tie_output": True, "logits": "dot"}
        config = SASRecConfig(**{**before, **blob["config"]})
        model = cls(blob["n_items"], config, content)
        model.load_state_dict(blob["state"])
        model.eval()
        if device is not None:
            model.to(device)
        return model, ItemVocab(blob["items"]), blob.get("extra", {})


def _last_position_block(
    layer: nn.TransformerEncoderLayer, x: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """A pre-norm encoder ``layer`` applied to the last position of ``x`` [B, W, d] only
    (``mask`` [B * heads, 1, W]) -> [B, 1, d], as ``layer(x, src_mask=...)[:, -1:]``."""
    h = layer.norm1(x)
    a = layer.self_attn(h[:, -1:], h, h, attn_mask=mask, need_weights=False)[0]
    y = x[:, -1:] + layer.dropout1(a)
    ff = layer.linear2(layer.dropout(layer.activation(layer.linear1(layer.norm2(y)))))
    return y + layer.dropout2(ff)


class PopularityRecommender:
    """Scores each item by its training interaction count (the same list for everyone)."""

    def __init__(self, n_items: int, sequences: Iterable[Sequence[int]]) -> None:
        counts = torch.zeros(n_items + 1)
        flat = [i for seq in sequences for i in seq]
        if flat:
            counts += torch.bincount(torch.tensor(flat), minlength=n_items + 1).float()
        counts[0] = float("-inf")
        self.counts = counts

    def score(self, seqs: torch.Tensor) -> torch.Tensor:
        return self.counts.to(seqs.device).expand(seqs.shape[0], -1).clone()


# --------------------------------------------------------------------------- evaluation


def score_all(
    scorer: Callable[[torch.Tensor], torch.Tensor],
    histories: Sequence[Sequence[int]],
    *,
    max_len: int,
    batch_size: int = 256,
    device: torch.device | None = None,
    top: int | None = None,
    targets: Sequence[int] | None = None,
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Scores all items for every history in batches; returns ``(ranks, topk)``.

    ``ranks[u]`` (when ``targets`` is given) is the 0-based rank of the target among all
    items: the number of items scored higher, plus the number tied with it at a lower index
    (ties broken by index, as a stable sort would). ``topk`` [U, top] are the best items
    (fewer columns when the catalogue is smaller).
    """
    device = device or torch.device("cpu")
    ranks, tops = [], []
    for start in range(0, len(histories), batch_size):
        seqs = pad_histories(histories[start : start + batch_size], max_len).to(device)
        scores = scorer(seqs).float()
        if targets is not None:
            t = torch.tensor(targets[start : start + batch_size], device=scores.device)
            ts = scores.gather(1, t[:, None])
            idx = torch.arange(scores.shape[1], device=scores.device)[None]
            better = (scores > ts) | ((scores == ts) & (idx < t[:, None]))
            ranks.append(better.sum(1).cpu())
        if top:
            tops.append(torch.topk(scores, min(top, scores.shape[1] - 1), dim=1).indices.cpu())
    rank_t = torch.cat(ranks) if ranks else None
    top_t = torch.cat(tops) if tops else None
    return rank_t, top_t


def evaluate_scores(
    ranks: torch.Tensor,
    top_lists: torch.Tensor | None,
    n_items: int,
    ks: Sequence[int] = (5, 10),
    coverage_k: int = 10,
) -> dict[str, float]:
    """Recall@k and NDCG@k from 0-based target ranks (one held-out item per user), and
    coverage / exposure Gini of the top-``coverage_k`` lists over the ``n_items`` catalogue."""
    r = ranks.double()
    out: dict[str, float] = {}
    for k in ks:
        hit = r < k
        out[f"recall@{k}"] = float(hit.double().mean()) if len(r) else 0.0
        out[f"ndcg@{k}"] = (
            float(torch.where(hit, 1.0 / torch.log2(r + 2.0), torch.zeros_like(r)).mean())
            if len(r)
            else 0.0
        )
    if top_lists is not None:
        lists = top_lists[:, :coverage_k]
        shown = torch.unique(lists)
        shown = shown[shown > 0]
        out[f"coverage@{coverage_k}"] = shown.numel() / n_items if n_items else 0.0
        out[f"exposure_gini@{coverage_k}"] = exposure_gini(
            lists.tolist(), catalogue=range(1, n_items + 1)
        )
    return out


def ranks_in_lists(lists: torch.Tensor, targets: Sequence[int]) -> torch.Tensor:
    """0-based position of each target in its list [U, k]; ``k`` (a miss) when absent, so
    :func:`evaluate_scores` on the result gives the metrics of the lists themselves."""
    t = torch.as_tensor(list(targets), dtype=torch.long)[:, None]
    hit = lists == t
    pos = torch.where(hit.any(1), hit.float().argmax(1), torch.full_like(t[:, 0], lists.shape[1]))
    return pos


def dpp_rerank(
    scores: torch.Tensor,
    item_vectors: torch.Tensor,
    k: int,
    *,
    diversity: float = 0.3,
    pool: int = 50,
) -> torch.Tensor:
    """Re-rank each row's top ``pool`` items with the ranker's DPP at ``diversity``;
    returns item indices [B, k] (a list the DPP cuts short is filled in score order)."""
    pool = min(pool, scores.shape[1] - 1)
    k = min(k, pool)
    top_s, top_i = torch.topk(scores, pool, dim=1)
    lo, hi = top_s.min(1, keepdim=True).values, top_s.max(1, keepdim=True).values
    rel = (top_s - lo) / (hi - lo).clamp_min(1e-12)
    feats = item_vectors[top_i]
    if diversity <= 0:
        return top_i[:, :k]
    picks = greedy_dpp_tradeoff(rel, feats, k, theta_for_diversity(diversity))
    out = torch.empty(scores.shape[0], k, dtype=torch.long)
    for row in range(scores.shape[0]):
        chosen = [int(p) for p in picks[row].tolist() if p >= 0]
        rest = [j for j in range(pool) if j not in set(chosen)]
        order = (chosen + rest)[:k]
        out[row] = top_i[row, order].cpu()
    return out


# --------------------------------------------------------------------------- training


@dataclass
class TrainReport:
    epochs: int
    best_epoch: int
    train_s: float
    best_valid: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    stopped: str = "converged"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _training_windows(train: Iterable[Sequence[int]], max_len: int) -> list[list[int]]:
    """Each training sequence's last ``max_len + 1`` items (input = all but last, target =
    all but first); sequences of one item teach nothing and are dropped."""
    return [list(s)[-(max_len + 1) :] for s in train if len(s) >= 2]


def _optimizer(model: SASRec, config: SASRecConfig) -> torch.optim.Optimizer:
    """Adam (``weight_decay`` as L2 on every weight, the measured default) or AdamW
    (decoupled decay on matrices and embeddings only: no biases, norms, scale)."""
    if config.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer != "adamw":
        raise ValueError(f"optimizer must be 'adam' or 'adamw', not {config.optimizer!r}")
    decay, plain = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim >= 2 and "norm" not in name else plain).append(p)
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": plain, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.lr)


def _lr_factor(
    config: SASRecConfig, total_steps: int, steps_per_epoch: int
) -> Callable[[int], float]:
    """The lr multiplier at each optimiser step: linear warm-up over ``warmup_epochs``, then
    constant or a cosine decay to 0 at ``max_epochs``."""
    if config.schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', not {config.schedule!r}")
    warm = int(config.warmup_epochs * steps_per_epoch)

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        if config.schedule == "constant":
            return 1.0
        done = min(1.0, (step - warm) / max(1, total_steps - warm))
        return 0.5 * (1.0 + math.cos(math.pi * done))

    return factor


def train_sasrec(
    split: Split,
    n_items: int,
    config: SASRecConfig | None = None,
    *,
    content: torch.Tensor | None = None,
    device: torch.device | None = None,
    progress: Callable[[dict[str, float]], None] | None = None,
) -> tuple[SASRec, TrainReport]:
    """Train on ``split.train`` with full-softmax cross-entropy at every position, keeping
    the epoch with the best validation NDCG@10 (early stopping after ``patience`` epochs
    without improvement, or at ``time_budget_s``)."""
    config = config or SASRecConfig()
    device = device or torch.device("cpu")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = SASRec(n_items, config, content).to(device)
    opt = _optimizer(model, config)
    windows = _training_windows(split.train.values(), config.max_len)
    steps_per_epoch = max(1, math.ceil(len(windows) / config.batch_size))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, _lr_factor(config, steps_per_epoch * config.max_epochs, steps_per_epoch)
    )
    # batches of similar length waste less work on padding
    order_by_len = np.argsort([len(w) for w in windows], kind="stable")
    valid_hist = [h for _, h, _ in split.valid]
    valid_tgt = [t for _, _, t in split.valid]
    best_state, best_ndcg, best_epoch, since_best = None, -1.0, 0, 0
    best_valid: dict[str, float] = {}
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    stopped = "max_epochs"
    epoch = 0
    for epoch in range(1, config.max_epochs + 1):
        model.train()
        chunks = [
            order_by_len[i : i + config.batch_size]
            for i in range(0, len(order_by_len), config.batch_size)
        ]
        rng.shuffle(chunks)
        total, count = 0.0, 0
        for chunk in chunks:
            batch = [windows[j] for j in chunk]
            seqs = pad_histories(batch, config.max_len + 1).to(device)
            inp, tgt = seqs[:, :-1], seqs[:, 1:]
            keep = (tgt > 0) & (inp > 0)
            items = model.item_vectors()
            h = model.encode(inp, items)[keep]
            logits = model.logits_of(h, model.output_vectors(items))
            if config.seen_bias:  # position t's history: the window's items up to t
                W = inp.shape[1]
                causal = torch.tril(torch.ones(W, W, dtype=torch.bool, device=inp.device))
                prefix = inp[:, None, :] * causal[None]
                logits = model.add_seen_bias(logits, prefix[keep])
            if config.label_smoothing:  # spread over real items only (padding is -inf)
                loss = F.cross_entropy(
                    logits[:, 1:], tgt[keep] - 1, label_smoothing=config.label_smoothing
                )
            else:
                logits[:, 0] = float("-inf")
                loss = F.cross_entropy(logits, tgt[keep])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * int(keep.sum())
            count += int(keep.sum())
        row = {"epoch": epoch, "loss": total / max(count, 1), "s": time.perf_counter() - start}
        if valid_hist and epoch % config.eval_every == 0:
            ranks, _ = score_all(
                model.score, valid_hist, max_len=config.max_len, device=device, targets=valid_tgt
            )
            row.update(evaluate_scores(ranks, None, n_items, ks=(10,)))
            if row["ndcg@10"] > best_ndcg:
                best_ndcg, best_epoch, since_best = row["ndcg@10"], epoch, 0
                best_valid = {k: v for k, v in row.items() if "@" in k}
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since_best += 1
        history.append(row)
        if progress:
            progress(row)
        if valid_hist and since_best >= config.patience:
            stopped = "early_stopping"
            break
        if config.time_budget_s is not None and time.perf_counter() - start > config.time_budget_s:
            stopped = "time_budget"
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = epoch
    model.eval()
    report = TrainReport(
        epochs=epoch,
        best_epoch=best_epoch,
        train_s=time.perf_counter() - start,
        best_valid=best_valid,
        history=history,
        stopped=stopped,
    )
    return model, report


def item_counts(seqs: Iterable[Sequence[str]]) -> Counter:
    return Counter(i for s in seqs for i in s)
