"""Diversity-aware ranking: greedy DPP and MMR re-ranking, personalisation, cross-sell, metrics."""

from ranker.dpp import greedy_dpp, greedy_dpp_lowrank, tradeoff_kernel
from ranker.mmr import mmr

__all__ = ["greedy_dpp", "greedy_dpp_lowrank", "mmr", "tradeoff_kernel"]
