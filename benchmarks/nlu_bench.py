"""Dialogue-model benchmark: training time, held-out per-intent accuracy/F1, slot F1,
out-of-scope precision/recall, calibration, and single vs batched inference throughput.

    python benchmarks/nlu_bench.py                 # trains the default model once
    python benchmarks/nlu_bench.py --model DIR     # scores an already trained version folder

Writes ``benchmarks/results/nlu.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import time
from pathlib import Path

import torch

from assistant.nlu.corpus import build_corpus
from assistant.nlu.model import DialogueModel
from assistant.nlu.training import DEFAULT_CONFIG, auto_threads, evaluate, train_model
from assistant.settings import PROJECT_ROOT, default_embedding_model

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "nlu.json"


def _unseen_cases() -> list[tuple[str, str]]:
    path = PROJECT_ROOT / "tests" / "assistant" / "nlu" / "test_accuracy.py"
    spec = importlib.util.spec_from_file_location("nlu_unseen_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def throughput(model: DialogueModel, texts: list[str]) -> dict[str, float]:
    model.predict(texts[:8])  # warm-up
    single = texts[:200]
    start = time.perf_counter()
    for text in single:
        model.predict([text])
    single_s = time.perf_counter() - start
    many = (texts * (1 + 2000 // max(1, len(texts))))[:2000]
    start = time.perf_counter()
    model.predict(many, batch_size=64)
    batch_s = time.perf_counter() - start
    return {
        "single_utterances_per_s": round(len(single) / single_s, 1),
        "single_latency_ms": round(1000 * single_s / len(single), 2),
        "batched_utterances_per_s": round(len(many) / batch_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, help="score this saved version folder instead of training"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    threads = auto_threads()
    torch.set_num_threads(threads)
    corpus = build_corpus()
    facts: dict = {}
    if args.model:
        model = DialogueModel.load(args.model)
        facts = dict(model.meta.metrics)
    else:
        model, facts = train_model(
            corpus.train, corpus.dev, default_embedding_model(), DEFAULT_CONFIG, progress=True
        )
    held_out = evaluate(model, list(corpus.test))
    cases = _unseen_cases()
    preds = model.predict([t for t, _ in cases])
    unseen_acc = sum(p.intent == g for (_, g), p in zip(cases, preds, strict=True)) / len(cases)
    speed = throughput(model, [e.text for e in corpus.test])
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores (shared with other jobs; load {os.getloadavg()[0]:.1f}), torch threads {threads}",
        "corpus": {**corpus.sizes(), "hash": corpus.hash},
        "train_config": {k: v for k, v in vars(DEFAULT_CONFIG).items()},
        "training": {
            k: facts.get(k)
            for k in (
                "train_seconds",
                "steps",
                "train_examples",
                "loss_first",
                "loss_last",
                "temperature",
                "oos_threshold",
                "dev_ece_before",
                "dev_ece",
            )
        },
        "held_out": {k: v for k, v in held_out.items() if k != "per_intent"},
        "per_intent": held_out["per_intent"],
        "unseen_handwritten_accuracy": round(unseen_acc, 4),
        "unseen_handwritten_n": len(cases),
        "throughput": speed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(
        f"held-out: accuracy {held_out['accuracy']:.4f}  macro-F1 {held_out['macro_f1']:.4f}  slot-F1 {held_out['slot_f1']:.4f}  OOS P/R {held_out['oos_precision']:.3f}/{held_out['oos_recall']:.3f}  ECE {held_out['ece']:.4f}"
    )
    print(f"unseen hand-written: accuracy {unseen_acc:.3f} on {len(cases)}")
    print(f"training: {facts.get('train_seconds')} s, {facts.get('steps')} steps")
    print(f"throughput: {speed}")
    print(f"{'intent':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>4s}")
    for name, row in held_out["per_intent"].items():
        print(
            f"{name:28s} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['support']:4d}"
        )


if __name__ == "__main__":
    main()
