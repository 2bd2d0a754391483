"""The ranker the assistant calls every turn: blend, diversify, explain.

1. **Blend** each candidate's relevance (weights from settings, see ranker/README.md)::

       w_relevance · retrieval score (min-max normalised within the list)
     + w_personal  · cos(item, shopper profile)  (+ w_personal · rule confidence
                                                   when "bought together" applies)
     + w_available · available
     + w_popularity · popularity prior

2. **Diversify** with the greedy DPP on ``diag(exp(α r)) S diag(exp(α r))``
   (Chen et al. §5; ``S`` cosine similarity, ``r`` the blend normalised to
   [0, 1]), or MMR. The shopper's diversity ``d`` maps to the trade-off
   ``θ = 1 − d · (1 − THETA_AT_MAX_DIVERSITY)`` (MMR: ``λ = 1 − d``); ``d = 0``
   is a plain sort.
   A DPP list that stops early (near-duplicates) is filled by blend order.

3. **Explain** each item with a reason code and a short text.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import torch

from assistant.core.device import one_thread, resolve_device
from assistant.core.errors import UserError
from assistant.core.settings import Settings, get_settings
from ranker.association import AssociationRules, Rule
from ranker.mmr import mmr
from ranker.popularity import Popularity
from ranker.profile import UserProfile
from ranker.tradeoff import THETA_AT_MAX_DIVERSITY, greedy_dpp_tradeoff, theta_for_diversity
from retrieval.types import Candidate

logger = logging.getLogger(__name__)

__all__ = [
    "REASON_CODES",
    "THETA_AT_MAX_DIVERSITY",
    "RankedItem",
    "RankedList",
    "Ranker",
    "theta_for_diversity",
]

REASON_CODES = (
    "query_match", "similar_to_liked", "next_item", "bought_together", "variety", "popular"
)  # fmt: skip


@dataclass(frozen=True)
class RankedItem:
    candidate: Candidate
    score: float  # the blended relevance behind the order
    reason: str
    reason_code: str

    def to_result(self) -> dict[str, Any]:
        """The search-result dict of DESIGN.md plus ``reason``."""
        return {**self.candidate.to_result(), "reason": self.reason}


@dataclass(frozen=True)
class RankedList:
    items: list[RankedItem]
    method: str = "dpp"
    diversity: float = 0.0

    def to_results(self) -> list[dict[str, Any]]:
        return [item.to_result() for item in self.items]

    @property
    def ids(self) -> list[str]:
        return [item.candidate.id for item in self.items]


def _small_cpu_problem(device: torch.device, flops: int) -> contextlib.AbstractContextManager:
    """One intra-op thread for a small CPU problem (``assistant.core.device.one_thread``)."""
    return one_thread(device.type == "cpu" and flops <= 50_000_000)


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if x.size else 0.0
    return (x - x.min()) / span if span > 1e-12 else np.zeros_like(x)


class Ranker:
    """Relevance × personalisation × diversity, with cross-sell and explanations.

    Cheap to construct; :meth:`warm_up` loads the popularity prior and the
    association rules from the store (or pass them in).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        popularity: Popularity | None = None,
        association: AssociationRules | None = None,
        method: Literal["dpp", "mmr"] = "dpp",
    ) -> None:
        self.settings = settings or get_settings()
        self.popularity = popularity or Popularity()
        self.association = association
        self.method = method
        self.device = resolve_device(self.settings.device)

    def warm_up(self, session: Any | None = None) -> Ranker:
        """Load popularity and "bought together" rules from the store."""
        from assistant.core.db import get_engine, session_factory

        if session is None:  # the store of this ranker's settings, not the process default
            with session_factory(get_engine(self.settings.db_url))() as s:
                return self.warm_up(s)
        self.popularity = Popularity.from_session(session)
        self.association = AssociationRules.from_session(session)
        return self

    def rank(
        self,
        candidates: Sequence[Candidate],
        embeddings: np.ndarray | torch.Tensor,
        *,
        k: int,
        diversity: float | None = None,
        profile: UserProfile | None = None,
        exclude_ids: Iterable[str] = (),
    ) -> RankedList:
        """Order ``candidates`` [N] with their ``embeddings`` [N, D]; at most ``k`` items."""
        if k < 1:
            raise UserError(f"k must be at least 1, got {k}")
        d = self.settings.diversity if diversity is None else float(diversity)
        theta = theta_for_diversity(d)
        emb_all = (
            embeddings.detach().cpu().numpy()
            if isinstance(embeddings, torch.Tensor)
            else np.asarray(embeddings)
        )
        if emb_all.shape[0] != len(candidates):
            raise ValueError(f"{len(candidates)} candidates but {emb_all.shape[0]} embeddings")
        hidden = set(exclude_ids) | set(profile.disliked if profile else ())
        keep = [i for i, c in enumerate(candidates) if c.id not in hidden]
        if not keep:
            return RankedList([], self.method, d)
        cands = [candidates[i] for i in keep]
        emb = emb_all[keep].astype(np.float32)
        emb /= np.clip(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12, None)
        parts, rules = self._components(cands, emb, profile)
        blend = sum(parts.values())
        order = self._select(blend, emb, min(k, len(cands)), d, theta)
        top = set(np.argsort(-blend, kind="stable")[: len(order)].tolist())
        items = [
            self._explain(cands[i], float(blend[i]), i in top, parts, i, rules, profile, emb[i])
            for i in order
        ]
        return RankedList(items, self.method if d > 0 else "relevance", d)

    def cold_start(
        self,
        candidates: Sequence[Candidate],
        embeddings: np.ndarray | torch.Tensor,
        *,
        k: int,
        diversity: float | None = None,
    ) -> RankedList:
        """A popular-and-diverse list for a shopper with no query and no history."""
        neutral = [replace(c, score=0.0, dense_score=None, lexical_score=None) for c in candidates]
        return self.rank(neutral, embeddings, k=k, diversity=diversity)

    def _components(
        self, cands: list[Candidate], emb: np.ndarray, profile: UserProfile | None
    ) -> tuple[dict[str, np.ndarray], dict[int, Rule]]:
        s = self.settings
        n = len(cands)
        parts = {
            "query_match": s.weight_relevance
            * _minmax(np.array([c.score for c in cands], dtype=np.float32)),
            "similar_to_liked": np.zeros(n, dtype=np.float32),
            "next_item": np.zeros(n, dtype=np.float32),
            "bought_together": np.zeros(n, dtype=np.float32),
            "available": s.weight_available * np.array([c.available for c in cands], np.float32),
            "popular": s.weight_popularity * self.popularity.scores(cands),
        }
        rules: dict[int, Rule] = {}
        if profile is not None and not profile.is_empty:
            parts["similar_to_liked"] = s.weight_personal * profile.personal_scores(emb)
        if profile is not None and profile.next_item:
            parts["next_item"] = s.weight_personal * profile.next_item_scores([c.id for c in cands])
        if profile is not None and profile.bought and self.association is not None:
            by_label = {c.label: c.rule for c in self.association.complements(profile.bought, k=50)}
            for i, cand in enumerate(cands):
                if cand.category in by_label:
                    rules[i] = by_label[cand.category]
                    parts["bought_together"][i] = s.weight_personal * rules[i].confidence
        return parts, rules

    def _select(
        self, blend: np.ndarray, emb: np.ndarray, k: int, d: float, theta: float
    ) -> list[int]:
        by_blend = np.argsort(-blend, kind="stable").tolist()
        if d <= 0.0 or len(blend) == 1:
            return by_blend[:k]
        rel = torch.from_numpy(_minmax(blend)).to(self.device).unsqueeze(0)
        feats = torch.from_numpy(emb).to(self.device).unsqueeze(0)
        with _small_cpu_problem(self.device, emb.size * len(blend)):
            if self.method == "mmr":
                picked = mmr(rel, feats, k, trade_off=1.0 - d)[0].tolist()
            else:
                picked = greedy_dpp_tradeoff(rel, feats, k, theta)[0].tolist()
        order = [i for i in picked if i >= 0]
        chosen = set(order)
        order += [i for i in by_blend if i not in chosen][: k - len(order)]
        return order

    def _explain(
        self,
        cand: Candidate,
        score: float,
        in_top: bool,
        parts: dict[str, np.ndarray],
        i: int,
        rules: dict[int, Rule],
        profile: UserProfile | None,
        emb: np.ndarray,
    ) -> RankedItem:
        if not in_top:
            what = f"a different {cand.category.lower()}" if cand.category else "a different option"
            return RankedItem(cand, score, f"adds variety: {what}", "variety")
        code = max(
            ("query_match", "similar_to_liked", "next_item", "bought_together", "popular"),
            key=lambda name: float(parts[name][i]),
        )
        if float(parts[code][i]) <= 0.0:
            code = "query_match"
        if code == "similar_to_liked":
            anchor = profile.nearest_anchor(emb) if profile else None
            reason = f"similar to {anchor}, which you liked" if anchor else "suits what you liked"
        elif code == "next_item":
            because = profile.next_item_reason(cand.id) if profile else None
            reason = because or "often next for shoppers like you"
        elif code == "bought_together":
            reason = rules[i].explanation
        elif code == "popular":
            reason = "popular with shoppers"
        else:
            reason = "matches your search"
        return RankedItem(cand, score, reason, code)
