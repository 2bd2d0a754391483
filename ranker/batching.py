"""Shape checks shared by the re-rankers: a single list is a batch of one."""

from __future__ import annotations

import torch


def as_batch(
    relevance: torch.Tensor, embeddings: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``relevance [B, N]`` and unit-norm float ``features [B, N, D]``.

    Args:
        relevance: [B, N] or [N].
        embeddings: [B, N, D] or [N, D].
    """
    if relevance.dim() == 1:
        relevance = relevance.unsqueeze(0)
    if embeddings.dim() == 2:
        embeddings = embeddings.unsqueeze(0)
    if embeddings.dim() != 3 or relevance.shape != embeddings.shape[:2] or relevance.shape[1] == 0:
        raise ValueError(
            f"relevance [B, N] and embeddings [B, N, D] must agree, got {tuple(relevance.shape)} "
            f"and {tuple(embeddings.shape)}"
        )
    if not embeddings.is_floating_point():
        embeddings = embeddings.float()
    return relevance, torch.nn.functional.normalize(embeddings, dim=-1)
