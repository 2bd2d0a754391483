"""LoRA target modules for common causal LM architectures, detected from the model itself."""

from __future__ import annotations

import logging

from torch import nn

logger = logging.getLogger(__name__)

# Projection names of the common families, attention first then MLP.
KNOWN_TARGETS: tuple[tuple[str, ...], ...] = (
    # llama, mistral, mixtral, qwen2/3, gemma, phi3 (split), olmo, smollm, granite
    ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    # phi-3 fused, mpt
    ("qkv_proj", "o_proj", "gate_up_proj", "down_proj"),
    # gpt2 (Conv1D), gpt-j/bigcode variants
    ("c_attn", "c_proj", "c_fc"),
    # gpt-neox, pythia, falcon, bloom
    ("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"),
    # opt
    ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"),
    # phi-1/2
    ("q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"),
)
NEVER = ("lm_head", "embed_out", "score", "classifier")


def _linear_leaf_names(model: nn.Module) -> set[str]:
    names = set()
    for full_name, module in model.named_modules():
        kind = type(module).__name__
        if isinstance(module, nn.Linear) or kind == "Conv1D":
            leaf = full_name.rsplit(".", 1)[-1]
            if leaf not in NEVER:
                names.add(leaf)
    return names


def detect_target_modules(model: nn.Module) -> list[str]:
    """The module names LoRA should wrap in ``model``.

    Picks the family in ``KNOWN_TARGETS`` that matches most of the model's linear layers;
    falls back to peft's table for the model type, then to every linear layer but the head.
    """
    present = _linear_leaf_names(model)
    if not present:
        raise ValueError(f"{type(model).__name__} has no linear layers for LoRA to adapt")
    best = max(KNOWN_TARGETS, key=lambda family: len(present.intersection(family)))
    found = [name for name in best if name in present]
    if len(found) >= 2:
        return found
    try:
        from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as TABLE

        model_type = getattr(getattr(model, "config", None), "model_type", None)
        mapped = [n for n in TABLE.get(model_type, []) if n in present]
        if mapped:
            return mapped
    except ImportError:  # pragma: no cover - peft is required by the caller anyway
        pass
    logger.info("no known LoRA targets; adapting every linear layer: %s", sorted(present))
    return sorted(present)
