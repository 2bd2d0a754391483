"""Schema-constrained greedy decoding of the frame with any Hugging Face causal LM.

The model writes the frame as JSON, but only where the schema leaves a choice; everything
else is fixed text fed to the model:

    {"intent": "<one of INTENTS>", "confidence": <p>, "slots": {"<key>": <value>, ...}}

- ``intent``: a walk down a token trie of the labels, each step the most likely allowed token
  (greedy). ``confidence`` is not generated: it is the probability of the chosen label among
  the labels along that walk (the model's own number, renormalised to what the schema allows).
- ``slots``: keys in ``SLOT_NAMES`` order, each step choosing the next key among those after
  the last one, or the closing ``}}``; each value from the candidates
  ``frame_values.slot_candidates`` reads from the message (and the catalogue's grounding).
  At most ``max_slots`` slots.

The output is assembled from the candidate strings (never from detokenised ids), so it is
valid JSON of the schema whatever the model or tokenizer. The chat-template prefix (system
prompt and few-shot examples) is run once; its KV cache is kept and cut back to it after
every frame, so a turn only pays for the message and the choices.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch

from assistant.llm.frame_values import slot_candidates
from assistant.nlu.labels import INTENTS

SENTINEL = "\u2063AISLE-MESSAGE\u2063"
OPEN = '{"intent": "'
MAX_CONTENT_CHARS = 1200


@dataclass(frozen=True)
class DecodedFrame:
    text: str  # the frame as JSON
    intent_probability: float
    model_calls: int


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    end: int | None = None  # index of the piece that ends here


def _trie(sequences: Sequence[Sequence[int]]) -> _Node:
    root = _Node()
    for index, ids in enumerate(sequences):
        node = root
        for tok in ids:
            node = node.children.setdefault(tok, _Node())
        if node.end is None:  # two pieces with the same ids: the first one wins
            node.end = index
    return root


class FrameDecoder:
    """``decode(user_content, text) -> DecodedFrame`` for one message; thread-safe (one at a time).

    Args:
        model, tokenizer: a causal LM and its tokenizer with a chat template.
        prefix_messages: the fixed conversation before the shopper's message (system prompt,
            few-shot user/assistant pairs); its KV cache is computed once in ``warm_up``.
        grounding: catalogue values per slot (``frame_values.slot_candidates``).
        max_slots: slots one frame may fill.
    """

    def __init__(
        self,
        model,
        tokenizer,
        prefix_messages: Sequence[Mapping[str, str]],
        *,
        grounding: Mapping[str, Sequence[str]] | None = None,
        max_slots: int = 4,
        intents: Sequence[str] = INTENTS,
    ) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError("the tokenizer has no chat template; use a chat/instruct model")
        self.model = model
        self.tokenizer = tokenizer
        self.grounding = dict(grounding or {})
        self.max_slots = max_slots
        self.intents = tuple(intents)
        rendered = tokenizer.apply_chat_template(
            [*prefix_messages, {"role": "user", "content": SENTINEL}],
            tokenize=False,
            add_generation_prompt=True,
        )
        self._before, self._after = rendered.split(SENTINEL)
        self._ids_cache: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()
        self._cache = None
        # transformers 5 names the argument ``cache`` (``past_key_values`` is deprecated there)
        params = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        self._prefix_len = 0
        self._pending: list[int] = []
        self._last: torch.Tensor | None = None
        self._calls = 0

    # ------------------------------------------------------------------ tokens
    def _ids(self, pieces: Sequence[str]) -> list[tuple[int, ...]]:
        missing = [p for p in dict.fromkeys(pieces) if p not in self._ids_cache]
        if missing:
            encoded = self.tokenizer(missing, add_special_tokens=False)["input_ids"]
            fallback = self.tokenizer.unk_token_id
            if fallback is None:
                fallback = self.tokenizer.eos_token_id or 0
            for piece, ids in zip(missing, encoded, strict=True):
                self._ids_cache[piece] = tuple(ids) or (fallback,)
        return [self._ids_cache[p] for p in pieces]

    def _first_tokens(self, pieces: Sequence[str]) -> list[int]:
        return sorted({ids[0] for ids in self._ids(pieces)})

    # ------------------------------------------------------------------ model
    def warm_up(self) -> FrameDecoder:
        """Run the fixed prefix once and keep its KV cache."""
        if self._cache is None:
            from transformers import DynamicCache

            self._cache = DynamicCache()
            prefix = self.tokenizer(self._before, add_special_tokens=False)["input_ids"]
            if prefix:
                self._feed(list(prefix))
            self._prefix_len = len(prefix)
        return self

    @torch.inference_mode()
    def _feed(self, ids: list[int]) -> torch.Tensor:
        """Feed ``ids`` after the cached ones; the next-token logits [V] of the last one."""
        device = next(self.model.parameters()).device
        out = self.model(
            input_ids=torch.tensor([ids], device=device),
            use_cache=True,
            **{self._cache_arg: self._cache},
        )
        self._calls += 1  # the cache object is updated in place
        return out.logits[0, -1].float()

    def _logits(self) -> torch.Tensor:
        if self._pending:
            self._last = self._feed(self._pending)
            self._pending = []
        assert self._last is not None, "a choice needs fed tokens before it"
        return self._last

    def _rewind(self) -> None:
        extra = self._cache.get_seq_length() - self._prefix_len
        if extra > 0:
            self._cache.crop(-extra)
        self._pending, self._last = [], None

    # ------------------------------------------------------------------ choices
    def _force(self, piece: str) -> None:
        self._pending.extend(self._ids([piece])[0])

    def _choose(self, pieces: Sequence[str], follow: Sequence[int]) -> tuple[int, float]:
        """Greedy walk down the pieces' token trie. ``follow``: first tokens of what may come
        after a piece (scores "stop here" where one piece is a prefix of another).

        Returns the index of the chosen piece and its probability along the walk.
        """
        node, prob = _trie(self._ids(pieces)), 1.0
        while node.children:
            if len(node.children) == 1 and node.end is None:  # no choice: fed with the next call
                tok, node = next(iter(node.children.items()))
                self._pending.append(tok)
                continue
            logits = self._logits()
            options = list(node.children)
            scores = logits[options]
            if node.end is not None:
                stop = logits[list(follow)].max() if follow else logits.max()
                scores = torch.cat([scores, stop.reshape(1)])
            probs = torch.softmax(scores, dim=-1)
            best = int(probs.argmax())
            prob *= float(probs[best])
            if best == len(options):  # stop: this piece ends here
                break
            self._pending.append(options[best])
            node = node.children[options[best]]
        assert node.end is not None
        return node.end, prob

    # ------------------------------------------------------------------ the frame
    def decode(self, user_content: str, text: str) -> DecodedFrame:
        """The frame of ``text`` (the shopper's message) given the user turn ``user_content``
        (the message with its context, as the prompt writes it)."""
        with self._lock:
            self.warm_up()
            self._calls = 0
            try:
                return self._decode(user_content[:MAX_CONTENT_CHARS], text)
            finally:
                self._rewind()

    def _decode(self, user_content: str, text: str) -> DecodedFrame:
        self._pending = list(self._ids([user_content + self._after])[0])
        self._force(OPEN)
        after_intent = ', "confidence": '
        index, p = self._choose([f'{i}"' for i in self.intents], self._first_tokens([after_intent]))
        confidence = round(min(1.0, max(0.0, p)), 4)
        head = f'{OPEN}{self.intents[index]}", "confidence": {confidence}, "slots": {{'
        self._force(f'{after_intent}{confidence}, "slots": {{')
        candidates = slot_candidates(text, self.grounding)
        keys = list(candidates)
        chosen: list[str] = []
        start = 0
        while len(chosen) < self.max_slots and start < len(keys):
            sep = ', "' if chosen else '"'
            remaining = keys[start:]
            pieces = [f'{sep}{k}":' for k in remaining] + ["}}"]
            values_first = self._first_tokens([v for k in remaining for v in candidates[k]])
            j, _ = self._choose(pieces, values_first)
            if j == len(remaining):
                break
            key = remaining[j]
            start = keys.index(key) + 1
            v, _ = self._choose(candidates[key], self._first_tokens([', "', "}}"]))
            chosen.append(f'"{key}":{candidates[key][v]}')
        return DecodedFrame(head + ", ".join(chosen) + "}}", confidence, self._calls)
