"""LoRA fine-tuning of any Hugging Face causal LM on exported feedback (TRL SFT or DPO).

``train_llm(LLMTrainConfig(method="sft", model=PATH, data=FILE, out=DIR))`` loads the model
and its tokenizer (which must have a chat template), wraps the model with a peft LoRA adapter
on auto-detected projection layers, trains with TRL's ``SFTTrainer`` or ``DPOTrainer`` (the
frozen base model with the adapter disabled is DPO's reference) and saves the adapter, the
tokenizer and ``aisle_llm.json`` (config and losses) in ``out``. Load it back with
``peft.PeftModel.from_pretrained(base_model, out)``.

Runs on the GPU when ``resolve_device`` finds one, on the CPU otherwise.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.core.device import resolve_device
from assistant.errors import UserError
from assistant.llm.data import load_training_dataset
from assistant.llm.lora import detect_target_modules

logger = logging.getLogger(__name__)

METHODS = ("sft", "dpo")


@dataclass(frozen=True)
class LLMTrainConfig:
    """Options of ``aisle train llm`` (TRL ``SFTConfig`` style: every field has help text)."""

    model: str = field(metadata={"help": "Hugging Face model name or local path of a causal LM."})
    data: Path = field(metadata={"help": "JSON lines from `aisle feedback export` (sft or dpo)."})
    out: Path = field(metadata={"help": "Folder the LoRA adapter and tokenizer are saved to."})
    method: Literal["sft", "dpo"] = field(
        default="sft",
        metadata={"help": "sft: imitate final replies; dpo: prefer chosen over rejected."},
    )
    epochs: float = field(
        default=1.0, metadata={"help": "Passes over the data (ignored if max_steps > 0)."}
    )
    max_steps: int = field(default=-1, metadata={"help": "Optimizer steps; -1 = run `epochs`."})
    learning_rate: float = field(
        default=2e-4, metadata={"help": "AdamW learning rate of the adapter."}
    )
    batch_size: int = field(default=4, metadata={"help": "Examples per device per step."})
    grad_accum: int = field(default=1, metadata={"help": "Gradient accumulation steps."})
    max_length: int = field(
        default=1024, metadata={"help": "Tokens per example (truncated beyond)."}
    )
    beta: float = field(
        default=0.1, metadata={"help": "DPO temperature: how far from the reference."}
    )
    lora_r: int = field(default=8, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(
        default=16, metadata={"help": "LoRA scaling numerator (scale = alpha / r)."}
    )
    lora_dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA input."})
    target_modules: tuple[str, ...] | None = field(
        default=None,
        metadata={"help": "Module names to adapt; None = detect from the architecture."},
    )
    seed: int = field(default=0, metadata={"help": "Random seed (adapter init, data order)."})
    device: str | None = field(
        default=None, metadata={"help": "auto|cpu|cuda; None = AISLE_DEVICE."}
    )
    logging_steps: int = field(default=1, metadata={"help": "Record the loss every N steps."})

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise UserError(f"method {self.method!r} is not known; use sft or dpo")
        if self.batch_size < 1 or self.grad_accum < 1:
            raise UserError("batch size and gradient accumulation must be at least 1")
        if self.learning_rate <= 0:
            raise UserError(f"learning rate {self.learning_rate} must be positive")


@dataclass(frozen=True)
class LLMTrainResult:
    out: str
    method: str
    device: str
    steps: int
    examples: int
    target_modules: tuple[str, ...]
    losses: tuple[float, ...]
    train_loss: float | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _load_model_and_tokenizer(name: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = AutoModelForCausalLM.from_pretrained(name)
    except OSError as err:
        raise UserError(
            f"cannot load model {name!r}: give a local folder or a cached model name ({err})"
        ) from err
    if not getattr(tokenizer, "chat_template", None):
        raise UserError(f"model {name!r} has no chat template; use a chat/instruct model")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _common_args(config: LLMTrainConfig, use_cpu: bool, progress: bool) -> dict[str, Any]:
    return {
        "output_dir": str(config.out),
        "num_train_epochs": config.epochs,
        "max_steps": config.max_steps,
        "learning_rate": config.learning_rate,
        "per_device_train_batch_size": config.batch_size,
        "gradient_accumulation_steps": config.grad_accum,
        "max_length": config.max_length,
        "logging_steps": config.logging_steps,
        "save_strategy": "no",
        "report_to": "none",
        "seed": config.seed,
        "use_cpu": use_cpu,
        "disable_tqdm": not progress,
        "lr_scheduler_type": "constant",
        "warmup_steps": 0,
    }


def train_llm(config: LLMTrainConfig, progress: bool = True) -> LLMTrainResult:
    """Train a LoRA adapter with TRL and save it in ``config.out``."""
    try:
        import peft
        import trl
    except ImportError as err:
        raise UserError("LLM training needs the llm extra: pip install 'aisle[llm]'") from err

    device = resolve_device(config.device)
    dataset = load_training_dataset(config.data, config.method)
    model, tokenizer = _load_model_and_tokenizer(config.model)
    targets = tuple(config.target_modules or detect_target_modules(model))
    lora = peft.LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(targets),
        task_type="CAUSAL_LM",
    )
    args = _common_args(config, use_cpu=device.type == "cpu", progress=progress)
    logger.info(
        "LoRA %s on %s: %d examples, targets %s, device %s",
        config.method, config.model, len(dataset), ",".join(targets), device,
    )  # fmt: skip
    if config.method == "sft":
        trainer = trl.SFTTrainer(
            model=model,
            args=trl.SFTConfig(**args),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora,
        )
    else:
        trainer = trl.DPOTrainer(
            model=model,
            args=trl.DPOConfig(beta=config.beta, **args),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora,
        )
    if not progress:
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # it prints every log line when tqdm is off
    start = time.perf_counter()
    output = trainer.train()
    seconds = time.perf_counter() - start
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    losses = tuple(float(e["loss"]) for e in trainer.state.log_history if "loss" in e)
    result = LLMTrainResult(
        out=str(out),
        method=config.method,
        device=str(device),
        steps=int(trainer.state.global_step),
        examples=len(dataset),
        target_modules=targets,
        losses=losses,
        train_loss=float(output.training_loss) if output.training_loss is not None else None,
        seconds=round(seconds, 2),
    )
    meta = {"config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}}
    (out / "aisle_llm.json").write_text(json.dumps({**meta, "result": result.to_dict()}, indent=2))
    logger.info("saved adapter to %s (%d steps, %.1fs)", out, result.steps, seconds)
    return result
