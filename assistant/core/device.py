"""The one function that decides the torch device, and the torch CPU thread settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.core.settings import get_settings

if TYPE_CHECKING:
    import torch

# torch is imported on use: importing this module stays cheap (the CLI, the web server's start).


def resolve_device(preference: str | None = None) -> torch.device:
    """``cuda`` when present (or asked for and present), else ``cpu``.

    Args:
        preference: ``auto`` / ``cpu`` / ``cuda``; ``None`` reads ``AISLE_DEVICE``.
    """
    import torch

    if preference is None:
        preference = get_settings().device
    if preference == "cpu":
        return torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("AISLE_DEVICE=cuda but no CUDA device is available; use auto or cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_threads(threads: int | None) -> None:
    """Torch's intra-op CPU threads for this process (``None``: leave torch's default)."""
    if threads:
        import torch

        torch.set_num_threads(threads)


@contextlib.contextmanager
def one_thread(enabled: bool = True) -> Iterator[None]:
    """Run a tiny CPU problem (one query, a ~50-candidate list) on one intra-op thread.

    It is microseconds of work; with several intra-op threads on a busy machine each op waits
    for every thread to be scheduled (measured: ~1 ms single-threaded vs 10-40 ms with 2
    threads on a loaded 2-core box). The previous setting is restored afterwards.
    """
    import torch

    previous = torch.get_num_threads()
    if not enabled or previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
