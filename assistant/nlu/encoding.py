"""Tokenise utterances (with optional context as a second segment), align BIO slot tags to
word pieces, and turn predicted tags back into character spans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from assistant.nlu.corpus.example import Example, Span
from assistant.nlu.labels import INTENT_INDEX, SLOT_NAMES

BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{s}" for s in SLOT_NAMES for p in ("B", "I"))
TAG_INDEX = {t: i for i, t in enumerate(BIO_TAGS)}
IGNORE = -100


@dataclass(frozen=True)
class Batch:
    """Tensors of one batch. ``offsets``/``first_segment`` are per row lists for decoding.

    input_ids, attention_mask, token_type_ids: LongTensor [B, T];
    tags: LongTensor [B, T] (IGNORE off the utterance); intents: LongTensor [B].
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor
    tags: torch.Tensor | None
    intents: torch.Tensor | None
    offsets: list[list[tuple[int, int]]]
    in_text: list[list[bool]]

    def model_inputs(self, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "input_ids": self.input_ids.to(device),
            "attention_mask": self.attention_mask.to(device),
            "token_type_ids": self.token_type_ids.to(device),
        }


def encode(
    tokenizer,
    texts: Sequence[str],
    contexts: Sequence[str | None] | None = None,
    max_length: int = 48,
    context_length: int = 24,
    examples: Sequence[Example] | None = None,
) -> Batch:
    """Tokenise ``texts`` (and contexts) into a padded batch; with ``examples`` also build the
    BIO tag and intent targets."""
    contexts = list(contexts) if contexts is not None else [None] * len(texts)
    rows = []
    for text, ctx in zip(texts, contexts, strict=True):
        enc = tokenizer(
            text,
            add_special_tokens=False,
            return_offsets_mapping=True,
            truncation=True,
            max_length=max_length - 3,
        )
        ids, offs = enc["input_ids"], enc["offset_mapping"]
        ctx_ids = []
        if ctx:
            ctx_ids = tokenizer(
                ctx, add_special_tokens=False, truncation=True, max_length=context_length
            )["input_ids"]
            ctx_ids = ctx_ids[: max(0, max_length - 3 - len(ids))]
        full = [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]
        types = [0] * len(full)
        offsets = [(0, 0)] + [tuple(o) for o in offs] + [(0, 0)]
        in_text = [False] + [True] * len(ids) + [False]
        if ctx_ids:
            full += ctx_ids + [tokenizer.sep_token_id]
            types += [1] * (len(ctx_ids) + 1)
            offsets += [(0, 0)] * (len(ctx_ids) + 1)
            in_text += [False] * (len(ctx_ids) + 1)
        rows.append((full, types, offsets, in_text))
    width = max(len(r[0]) for r in rows)
    n = len(rows)
    input_ids = torch.full((n, width), tokenizer.pad_token_id or 0, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    token_types = torch.zeros((n, width), dtype=torch.long)
    for i, (full, types, _, _) in enumerate(rows):
        input_ids[i, : len(full)] = torch.tensor(full)
        attention[i, : len(full)] = 1
        token_types[i, : len(full)] = torch.tensor(types)
    tags = intents = None
    if examples is not None:
        tags = torch.full((n, width), IGNORE, dtype=torch.long)
        for i, ex in enumerate(examples):
            _, _, offsets, in_text = rows[i]
            tags[i, : len(offsets)] = torch.tensor(align_tags(ex.spans, offsets, in_text))
        intents = torch.tensor([INTENT_INDEX[ex.intent] for ex in examples], dtype=torch.long)
    return Batch(
        input_ids, attention, token_types, tags, intents, [r[2] for r in rows], [r[3] for r in rows]
    )


def align_tags(
    spans: Sequence[Span], offsets: Sequence[tuple[int, int]], in_text: Sequence[bool]
) -> list[int]:
    """BIO tag index per token: B on the first token overlapping a span, I on the rest."""
    out = []
    prev_span = None
    for (start, end), inside in zip(offsets, in_text, strict=True):
        if not inside:
            out.append(IGNORE)
            continue
        hit = next((s for s in spans if start < s.end and end > s.start), None)
        if hit is None:
            out.append(TAG_INDEX["O"])
            prev_span = None
            continue
        out.append(TAG_INDEX[("I-" if hit is prev_span else "B-") + hit.slot])
        prev_span = hit
    return out


def decode_spans(
    text: str, tag_ids: Sequence[int], offsets: Sequence[tuple[int, int]], in_text: Sequence[bool]
) -> list[Span]:
    """Group consecutive tokens of one slot into spans, widened to whole words of ``text``."""
    spans: list[Span] = []
    cur: list[int] | None = None  # [start, end, slot_index]
    for tag_id, (start, end), inside in zip(tag_ids, offsets, in_text, strict=False):
        if not inside:
            continue
        tag = BIO_TAGS[tag_id]
        if tag == "O":
            if cur:
                spans.append(Span(cur[0], cur[1], SLOT_NAMES[cur[2]]))
            cur = None
            continue
        prefix, slot = tag.split("-", 1)
        slot_i = SLOT_NAMES.index(slot)
        # a word piece of the same word, or the next word of the same slot ("navy" "blue"):
        # the tagger often says B twice where the span goes on
        adjacent = cur is not None and (start == cur[1] or text[cur[1] : start].strip() == "")
        if cur is not None and cur[2] == slot_i and (prefix == "I" or adjacent):
            cur[1] = end
        else:
            if cur:
                spans.append(Span(cur[0], cur[1], SLOT_NAMES[cur[2]]))
            cur = [start, end, slot_i]
    if cur:
        spans.append(Span(cur[0], cur[1], SLOT_NAMES[cur[2]]))
    widened = []
    for s in spans:
        a, b = s.start, s.end
        while a > 0 and not text[a - 1].isspace():
            a -= 1
        while b < len(text) and not text[b].isspace() and text[b] not in ",;?!":
            b += 1
        widened.append(Span(a, b, s.slot))
    return widened
