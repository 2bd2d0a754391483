"""Fine-tune the joint intent + slot model, calibrate it, and train a new registry version
(``train_dialogue``; ``ensure_default_model`` trains the first one). Scoring lives in
``assistant.nlu.evaluation``."""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from assistant.nlu import registry
from assistant.nlu.calibration import (
    expected_calibration_error,
    fit_oos_threshold,
    fit_temperature,
)
from assistant.nlu.corpus import Example, build_corpus, coerce_example
from assistant.nlu.encoding import IGNORE, encode
from assistant.nlu.evaluation import TrainResult, evaluate
from assistant.nlu.labels import INTENT_INDEX, INTENTS
from assistant.nlu.model import DialogueModel, ModelMeta, new_joint_model
from assistant.resources import resource
from assistant.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Options of one fine-tuning run (defaults: a few minutes on a 2-core CPU)."""

    epochs: int = 2  # passes over the training split
    batch_size: int = 32
    lr: float = 8e-5  # encoder learning rate
    head_lr: float = 2e-3  # learning rate of the two heads
    weight_decay: float = 0.01
    warmup: float = 0.06  # share of steps with linear warm-up
    max_length: int = 48  # word pieces of utterance + context
    freeze_embeddings: bool = True  # the 30k x 384 embedding table stays fixed (speed)
    frozen_layers: int = 2  # lower transformer layers kept fixed
    slot_weight: float = 1.0  # weight of the tagging loss
    seed: int = 13
    max_steps: int | None = None  # stop early (tests)
    threads: int = 0  # torch threads; 0 = 2, or 1 when the CPU is already busy


DEFAULT_CONFIG = TrainConfig()


@dataclass(frozen=True)
class FitResult:
    losses: tuple[float, ...]
    seconds: float
    steps: int


def auto_threads() -> int:
    """2 threads on an idle 2-core machine; 1 when the load already fills the cores
    (oversubscribed intra-op threads make each step several times slower)."""
    cores = os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return 1 if cores <= 2 and busy > cores else min(2, cores)


def _batches(
    examples: Sequence[Example], batch_size: int, rng: random.Random
) -> list[list[Example]]:
    """Shuffled batches of similar length (less padding on CPU)."""
    order = list(examples)
    rng.shuffle(order)
    chunk = batch_size * 20
    batches = []
    for i in range(0, len(order), chunk):
        block = sorted(order[i : i + chunk], key=lambda e: len(e.text) + len(e.context or ""))
        batches += [block[j : j + batch_size] for j in range(0, len(block), batch_size)]
    rng.shuffle(batches)
    return batches


def fit(
    net,
    tokenizer,
    examples: Sequence[Example],
    config: TrainConfig,
    progress: bool = True,
    device: torch.device | None = None,
) -> FitResult:
    """Fine-tune ``net`` in place on ``examples`` (intent cross-entropy + tag cross-entropy)."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads or auto_threads())
    device = device or torch.device("cpu")
    net.to(device).train()
    encoder = net.encoder
    if config.freeze_embeddings:
        for p in encoder.embeddings.parameters():
            p.requires_grad = False
    for layer in encoder.encoder.layer[: config.frozen_layers]:
        for p in layer.parameters():
            p.requires_grad = False
    head_params = list(net.intent_head.parameters()) + list(net.slot_head.parameters())
    enc_params = [p for p in encoder.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": config.lr}, {"params": head_params, "lr": config.head_lr}],
        weight_decay=config.weight_decay,
    )
    rng = random.Random(config.seed)
    steps_per_epoch = math.ceil(len(examples) / config.batch_size)
    total = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    warm = max(1, int(total * config.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    ce = nn.CrossEntropyLoss()
    tag_ce = nn.CrossEntropyLoss(ignore_index=IGNORE)
    losses: list[float] = []
    start = time.perf_counter()
    bar = tqdm(total=total, desc="training dialogue model", disable=not progress, unit="step")
    step = 0
    while step < total:
        for batch_examples in _batches(examples, config.batch_size, rng):
            if step >= total:
                break
            batch = encode(
                tokenizer,
                [e.text for e in batch_examples],
                [e.context for e in batch_examples],
                config.max_length,
                examples=batch_examples,
            )
            intent_logits, tag_logits = net(**batch.model_inputs(device))
            loss = ce(intent_logits, batch.intents.to(device))
            loss = loss + config.slot_weight * tag_ce(
                tag_logits.reshape(-1, tag_logits.shape[-1]), batch.tags.to(device).reshape(-1)
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            bar.update(1)
            if step % 10 == 0:
                bar.set_postfix(loss=f"{sum(losses[-10:]) / 10:.3f}")
    bar.close()
    net.eval()
    return FitResult(tuple(losses), time.perf_counter() - start, step)


def calibrate(model: DialogueModel, dev: Sequence[Example]) -> dict[str, float]:
    """Fit the temperature and the out-of-scope threshold on ``dev`` (sets them on ``model``)."""
    logits, _ = model.logits([e.text for e in dev], [e.context for e in dev])
    labels = torch.tensor([INTENT_INDEX[e.intent] for e in dev])
    ece_before = expected_calibration_error(torch.softmax(logits, -1), labels)
    temperature = fit_temperature(logits, labels)
    probs = torch.softmax(logits / temperature, -1)
    threshold = fit_oos_threshold(probs, labels)
    model.meta.temperature, model.meta.oos_threshold = temperature, threshold
    return {
        "temperature": round(temperature, 4),
        "oos_threshold": round(threshold, 4),
        "dev_ece_before": ece_before,
        "dev_ece": expected_calibration_error(probs, labels),
    }


def train_model(
    train: Sequence[Example],
    dev: Sequence[Example],
    base_model: str,
    config: TrainConfig = TrainConfig(),
    progress: bool = True,
    version: str = "untrained",
    data_hash: str = "",
) -> tuple[DialogueModel, dict[str, Any]]:
    """Fine-tune a fresh joint model on ``train``, calibrate on ``dev``; returns the model and
    training facts (seconds, steps, first/last loss, calibration)."""
    from assistant.nlu.corpus.vocab import load_vocab

    net, tokenizer = new_joint_model(base_model)
    result = fit(net, tokenizer, train, config, progress)
    vocab = load_vocab(resource("tau2_retail", "db.json"), resource("dialogue", "fillers.json"))
    meta = ModelMeta(
        version=version,
        base_model=base_model,
        max_length=config.max_length,
        option_names=vocab.option_names(),
        brands=list(vocab.brands),
        data_hash=data_hash,
        train_config=asdict(config),
    )
    model = DialogueModel(net, tokenizer, meta)
    facts: dict[str, Any] = {
        "train_seconds": round(result.seconds, 1),
        "steps": result.steps,
        "train_examples": len(train),
    }
    facts["loss_first"] = round(sum(result.losses[:10]) / max(1, len(result.losses[:10])), 4)
    facts["loss_last"] = round(sum(result.losses[-10:]) / max(1, len(result.losses[-10:])), 4)
    facts.update(calibrate(model, dev))
    return model, facts


def train_dialogue(
    extra_examples: Iterable[Any] = (),
    progress: bool = True,
    settings=None,
    config: TrainConfig | None = None,
    seed: int = 13,
) -> TrainResult:
    """Train a candidate version on the shipped corpus (+ ``extra_examples``, e.g. from
    feedback), evaluate it and the live version on the same fixed evaluation set, and promote
    it only if ``macro_f1 >= live - promotion_tolerance``."""
    settings = settings or get_settings()
    config = config or replace(DEFAULT_CONFIG, seed=seed)
    corpus = build_corpus(seed=seed)
    eval_set, eval_hash = registry.fixed_eval_set(settings, corpus)
    held = {e.text.lower().strip() for e in eval_set} | {e.text.lower().strip() for e in corpus.dev}
    extras = [coerce_example(x, source="feedback") for x in extra_examples]
    extras = [e for e in extras if e.text.lower().strip() not in held and e.intent in INTENTS]
    train = list(corpus.train) + extras
    data_hash = registry.data_hash(corpus.hash, extras)
    version = registry.new_version_id()
    started = time.perf_counter()
    model, facts = train_model(
        train, corpus.dev, settings.embedding_model_path, config, progress, version, data_hash
    )
    cand_metrics = evaluate(model, eval_set)
    cand_metrics.update(facts)
    cand_metrics["eval_hash"] = eval_hash
    cand_metrics["extra_examples"] = len(extras)
    cand_metrics["total_seconds"] = round(time.perf_counter() - started, 1)
    model.meta.metrics = cand_metrics
    return registry.register_candidate(model, settings, cand_metrics, eval_set, eval_hash)


def ensure_default_model(settings=None, progress: bool = True) -> str:
    """Train and promote the first version when none is live; returns the live version id."""
    settings = settings or get_settings()
    live = registry.usable_live_version(settings)
    if live is not None:
        return live
    result = train_dialogue(progress=progress, settings=settings)
    if not result.promoted:  # only when a live row points at a missing folder
        registry.promote(result.version, settings)
    return result.version
