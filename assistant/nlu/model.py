"""The default dialogue model: a fine-tuned MiniLM encoder with a joint intent head (on the
mean-pooled output) and a BIO slot-tagging head, plus calibration and slot normalisation."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from assistant.nlu.encoding import BIO_TAGS, decode_spans, encode
from assistant.nlu.labels import INTENTS, OUT_OF_SCOPE
from assistant.nlu.normalize import normalize_slots
from assistant.nlu.types import Understanding

logger = logging.getLogger(__name__)
OOS_INDEX = INTENTS.index(OUT_OF_SCOPE)
WEIGHTS_FILE = "model.pt"
META_FILE = "meta.json"


class JointModel(nn.Module):
    """Encoder + intent head (mean pooling) + token-classification head."""

    def __init__(
        self,
        encoder: nn.Module,
        n_intents: int = len(INTENTS),
        n_tags: int = len(BIO_TAGS),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, n_intents)
        self.slot_head = nn.Linear(hidden, n_tags)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Args: input_ids, attention_mask, token_type_ids: LongTensor [B, T].

        Returns: intent logits [B, C] and tag logits [B, T, K].
        """
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        # pool over the utterance only (segment A): the context informs it through attention
        # but cannot outweigh a short answer such as "yes"
        mask = (attention_mask * (token_type_ids == 0)).unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.intent_head(self.dropout(pooled)), self.slot_head(self.dropout(hidden))


@dataclass
class ModelMeta:
    """Everything besides weights that a saved version needs (``meta.json``)."""

    version: str = "untrained"
    base_model: str = ""
    intents: list[str] = field(default_factory=lambda: list(INTENTS))
    tags: list[str] = field(default_factory=lambda: list(BIO_TAGS))
    max_length: int = 48
    temperature: float = 1.0
    oos_threshold: float = 0.0
    option_names: dict[str, str] = field(default_factory=dict)
    brands: list[str] = field(default_factory=list)
    data_hash: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    train_config: dict[str, Any] = field(default_factory=dict)


class DialogueModel:
    """Inference wrapper: ``predict(texts, contexts) -> list[Understanding]``."""

    def __init__(
        self, net: JointModel, tokenizer, meta: ModelMeta, device: torch.device | None = None
    ) -> None:
        self.net = net
        self.tokenizer = tokenizer
        self.meta = meta
        self.device = device or torch.device("cpu")
        self.net.to(self.device).eval()

    @property
    def version(self) -> str:
        return self.meta.version

    @torch.inference_mode()
    def logits(
        self,
        texts: Sequence[str],
        contexts: Sequence[str | None] | None = None,
        batch_size: int = 64,
    ):
        """Raw intent logits [N, C] plus per-row tag ids and encodings for decoding."""
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        intent_logits, tag_rows = [], []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            batch = encode(
                self.tokenizer,
                [texts[i] for i in idx],
                [contexts[i] for i in idx],
                self.meta.max_length,
            )
            il, tl = self.net(**batch.model_inputs(self.device))
            intent_logits.append((idx, il.float().cpu()))
            tags = tl.argmax(-1).cpu().tolist()
            for j, i in enumerate(idx):
                tag_rows.append((i, tags[j], batch.offsets[j], batch.in_text[j]))
        out = torch.zeros((len(texts), len(self.meta.intents)))
        for idx, il in intent_logits:
            out[idx] = il
        tag_rows.sort(key=lambda r: r[0])
        return out, tag_rows

    def predict(
        self,
        texts: Sequence[str],
        contexts: Sequence[str | None] | None = None,
        batch_size: int = 64,
    ) -> list[Understanding]:
        """Intent, calibrated confidence and normalised slots for each text.

        The out-of-scope decision: the explicit ``out_of_scope`` class, or an in-scope
        maximum probability below the threshold fitted on the dev split.
        """
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return []
        logits, tag_rows = self.logits(texts, contexts, batch_size)
        probs = torch.softmax(logits / self.meta.temperature, dim=-1)
        results = []
        for i, text in enumerate(texts):
            p = probs[i]
            in_scope = p.clone()
            in_scope[OOS_INDEX] = 0.0
            best = int(in_scope.argmax())
            best_p = float(in_scope[best])
            oos_score = 1.0 - best_p
            if not text.strip() or int(p.argmax()) == OOS_INDEX or best_p < self.meta.oos_threshold:
                intent, confidence = OUT_OF_SCOPE, oos_score
            else:
                intent, confidence = self.meta.intents[best], best_p
            _, tag_ids, offsets, in_text = tag_rows[i]
            spans = decode_spans(text, tag_ids, offsets, in_text)
            slots = normalize_slots(text, spans, self.meta.option_names, self.meta.brands)
            results.append(
                Understanding(
                    intent=intent,
                    confidence=round(confidence, 4),
                    slots=slots,
                    out_of_scope_score=round(oos_score, 4),
                    model_version=self.meta.version,
                )
            )
        return results

    def predict_one(self, text: str, context: str | None = None) -> Understanding:
        return self.predict([text], [context])[0]

    # -- persistence ---------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.cpu() for k, v in self.net.state_dict().items()}, folder / WEIGHTS_FILE)
        self.net.encoder.config.save_pretrained(folder / "encoder")
        self.tokenizer.save_pretrained(folder / "encoder")
        (folder / META_FILE).write_text(json.dumps(asdict(self.meta), indent=1, default=str))
        return folder

    @classmethod
    def load(cls, folder: Path, device: torch.device | None = None) -> DialogueModel:
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        folder = Path(folder)
        if not (folder / WEIGHTS_FILE).exists():
            raise FileNotFoundError(
                f"no dialogue model in {folder} (missing {WEIGHTS_FILE}); retrain with `aisle train dialogue`"
            )
        meta = ModelMeta(**json.loads((folder / META_FILE).read_text()))
        config = AutoConfig.from_pretrained(folder / "encoder")
        net = JointModel(AutoModel.from_config(config), len(meta.intents), len(meta.tags))
        net.load_state_dict(
            torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        )
        tokenizer = AutoTokenizer.from_pretrained(folder / "encoder")
        return cls(net, tokenizer, meta, device)


def new_joint_model(base_model: str) -> tuple[JointModel, Any]:
    """A fresh joint model on top of the pretrained encoder at ``base_model`` (a
    sentence-transformers folder or any Hugging Face encoder path)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    encoder = AutoModel.from_pretrained(base_model)
    return JointModel(encoder), tokenizer
