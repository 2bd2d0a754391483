"""The result of one turn, as the CLI, the app and the ``/chat`` API return it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TurnResult:
    """DESIGN.md: ``{"session_id","message_id","reply","intent","confidence","slots","action","products","handoff"}``.

    ``products`` items carry the search-result fields (id, title, category, brand,
    price, available, score) plus ``reason`` (the ranker's explanation).
    ``understood_by``: which model produced the turn's frame -- ``"encoder"`` (the default
    path), ``"generative"`` (the causal LM) or ``"fallback"`` (the LM failed, the encoder answered).
    """

    session_id: str
    message_id: int
    reply: str
    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    action: str = "clarify"
    products: list[dict[str, Any]] = field(default_factory=list)
    handoff: bool = False
    understood_by: str = "encoder"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
