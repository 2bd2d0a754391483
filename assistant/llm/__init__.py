"""The generative path: LoRA SFT and DPO (TRL + peft) on any Hugging Face causal LM.

- ``data``: read ``aisle feedback export`` files into a ``datasets.Dataset``
- ``lora``: LoRA target modules detected from the architecture
- ``train``: ``LLMTrainConfig`` and ``train_llm`` (``aisle train llm --method sft|dpo``)
"""

from assistant.llm.train import LLMTrainConfig, LLMTrainResult, train_llm

__all__ = ["LLMTrainConfig", "LLMTrainResult", "train_llm"]
