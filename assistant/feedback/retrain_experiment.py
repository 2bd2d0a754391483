"""Before/after of a retrain on feedback that fixes the first model's real mistakes.

    python -m assistant.feedback.retrain_experiment --home DIR [--max-steps N] [--out FILE]

1. the first model: the live version, or ``train_dialogue()`` on the shipped corpus when
   nothing is live (both trainings then use the same config and seed);
2. the ``feedback`` half of ``data/feedback/realistic.tsv`` is chatted through the assistant;
   every misread message gets an agent's correction (``replay_corrections``); the corrections
   are written to ``data/feedback/corrections.jsonl``;
3. the candidate: ``train_dialogue(extra_examples=training_examples(session))``, same config
   and seed, evaluated with the live one on H4's fixed evaluation set (promoted if not worse);
4. both versions are measured on the ``heldout`` half (never corrected, never trained on).

Writes a JSON report (default ``data/feedback/retrain_report.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from assistant.settings import DATA_DIR

logger = logging.getLogger(__name__)

REALISTIC = DATA_DIR / "feedback" / "realistic.tsv"
CORRECTIONS = DATA_DIR / "feedback" / "corrections.jsonl"
REPORT = DATA_DIR / "feedback" / "retrain_report.json"


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("macro_f1", "accuracy", "n", "extra_examples", "train_examples", "steps", "eval_hash")
    return {k: metrics[k] for k in keys if k in metrics}


def run(max_steps: int | None, corrections_path: Path, progress: bool = True) -> dict[str, Any]:
    """Steps 1-4 above in the configured home; returns the report."""
    from assistant.feedback import training_examples
    from assistant.feedback.replay import evaluate_labelled, read_labelled, replay_corrections
    from assistant.nlu import registry
    from assistant.nlu.training import TrainConfig, train_dialogue
    from assistant.service import Assistant
    from assistant.store.db import session_scope

    started = time.perf_counter()
    config = TrainConfig(max_steps=max_steps)
    live = [v for v in registry.list_versions() if v["status"] == "live"]
    if live:  # the home's first model is already there (``aisle init`` or an earlier run)
        first_version = live[0]["version"]
    else:
        first = train_dialogue(progress=progress, config=config)
        first_version = first.version
        if not first.promoted:
            registry.promote(first_version)
    logger.info("first model %s", first_version)

    heldout = read_labelled(REALISTIC, "heldout")
    feedback_half = read_labelled(REALISTIC, "feedback")
    before = evaluate_labelled(heldout, registry.load_version(first_version))
    before_fb = evaluate_labelled(feedback_half, registry.load_version(first_version))

    report = replay_corrections(feedback_half, Assistant().warm_up(), progress=progress)
    corrections_path.parent.mkdir(parents=True, exist_ok=True)
    with corrections_path.open("w", encoding="utf-8") as fh:
        for rec in report.corrections:
            fh.write(json.dumps({k: v for k, v in rec.items() if k != "message_id"}) + "\n")
    with session_scope() as s:
        examples = training_examples(s)

    second = train_dialogue(extra_examples=examples, progress=progress, config=config)
    after = evaluate_labelled(heldout, registry.load_version(second.version))
    after_fb = evaluate_labelled(feedback_half, registry.load_version(second.version))
    return {
        "config": {"max_steps": max_steps, "seed": config.seed, "epochs": config.epochs},
        "first_version": first_version,
        "candidate_version": second.version,
        "promoted": second.promoted,
        "fixed_eval_set": {
            "first": _headline(second.metrics.get("live") or {}),
            "candidate": _headline(second.metrics.get("candidate") or {}),
        },
        "replay": report.to_dict(),
        "feedback_examples": {
            "total": len(examples),
            "corrected": sum(e["source"] == "corrected" for e in examples),
            "distinct": len({(e["text"], e["context"]) for e in examples}),
        },
        "heldout_realistic": {
            "before": {k: v for k, v in before.items() if k != "mistakes"},
            "after": {k: v for k, v in after.items() if k != "mistakes"},
            "fixed": sorted(
                {m["text"] for m in before["mistakes"]} - {m["text"] for m in after["mistakes"]}
            ),
            "broken": sorted(
                {m["text"] for m in after["mistakes"]} - {m["text"] for m in before["mistakes"]}
            ),
            "mistakes_after": after["mistakes"],
        },
        "feedback_half_fit": {
            "before": {k: v for k, v in before_fb.items() if k != "mistakes"},
            "after": {k: v for k, v in after_fb.items() if k != "mistakes"},
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home",
        type=Path,
        required=True,
        help="AISLE_HOME with schema, demo store and indexes (`aisle init`).",
    )
    parser.add_argument(
        "--max-steps", type=int, default=None, help="Cap both trainings (None: full)."
    )
    parser.add_argument("--corrections", type=Path, default=CORRECTIONS)
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    os.environ["AISLE_HOME"] = str(args.home)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    import torch

    torch.set_num_threads(2)
    report = run(args.max_steps, args.corrections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    logger.info("report written to %s", args.out)


if __name__ == "__main__":
    main()
