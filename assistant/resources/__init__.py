"""Data that ships inside the package: the demo store, its service policy and the dialogue
corpus (sources and licences in ``README.md`` beside this file).

Read through ``importlib.resources``, so an installed wheel finds them as well as a
checkout does. Evaluation sets stay in the checkout's ``data/`` and are not shipped.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resources_dir() -> Path:
    """The folder holding ``tau2_retail/``, ``dialogue/`` and ``bitext/``.

    Aisle is installed unpacked (a wheel or a checkout), so the package's resources are
    plain files; the corpus builder globs and hashes them as paths.
    """
    root = files(__name__)
    if not isinstance(root, Path):  # e.g. imported from a zip archive
        raise RuntimeError(
            f"assistant.resources is not a folder on disk ({root!r}): install Aisle unpacked"
        )
    return root


def resource(*parts: str) -> Path:
    """Path of one shipped file, e.g. ``resource("tau2_retail", "policy.md")``."""
    return resources_dir().joinpath(*parts)


DEMO_STORE_DIR = resources_dir() / "tau2_retail"
POLICY_PATH = DEMO_STORE_DIR / "policy.md"
