"""The one function that decides the torch device."""

from __future__ import annotations

import torch


def resolve_device(preference: str | None = None) -> torch.device:
    """``cuda`` when present (or asked for and present), else ``cpu``.

    Args:
        preference: ``auto`` / ``cpu`` / ``cuda``; ``None`` reads ``AISLE_DEVICE``.
    """
    if preference is None:
        from assistant.core.settings import get_settings

        preference = get_settings().device
    if preference == "cpu":
        return torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("AISLE_DEVICE=cuda but no CUDA device is available; use auto or cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
