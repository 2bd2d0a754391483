"""The generative path: LoRA SFT and DPO (TRL + peft) on any Hugging Face causal LM.

- ``data``: read ``aisle feedback export`` files into a ``datasets.Dataset``
- ``lora``: LoRA target modules detected from the architecture
- ``train``: ``LLMTrainConfig`` and ``train_llm`` (``aisle train llm --method sft|dpo``)
- ``bundled``: the bundled SmolLM2 (llm extra) converted once to a HF folder (``aisle llm prepare``)
- ``frame``, ``frame_values``: schema-constrained greedy decoding of the frame (always parses)
"""

from assistant.llm.train import LLMTrainConfig, LLMTrainResult, train_llm

__all__ = ["LLMTrainConfig", "LLMTrainResult", "train_llm"]
