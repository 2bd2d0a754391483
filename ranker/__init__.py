"""Diversity-aware ranking: greedy DPP and MMR re-ranking, personalisation, cross-sell, metrics."""

from ranker.dpp import greedy_dpp, greedy_dpp_lowrank
from ranker.mmr import mmr
from ranker.tradeoff import greedy_dpp_tradeoff, tradeoff_kernel

__all__ = ["greedy_dpp", "greedy_dpp_lowrank", "greedy_dpp_tradeoff", "mmr", "tradeoff_kernel"]
