"""Build the training corpus and its held-out splits, deterministically from a seed.

Splits are made by *group* (template frame, hand-written line, Bitext paraphrase
group): a held-out example never shares its phrasing frame with a training one.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.nlu.corpus.bitext import load_bitext
from assistant.nlu.corpus.example import Example
from assistant.nlu.corpus.noise import finish, noisy_words, slangify
from assistant.nlu.corpus.templates import Renderer
from assistant.nlu.corpus.vocab import Vocab, load_vocab
from assistant.nlu.labels import OUT_OF_SCOPE
from assistant.resources import resources_dir

CORPUS_VERSION = "2"  # bump when the model or corpus code changes (keys the test cache)
TEMPLATE_COPIES = {
    "search_products": 7,
    "recommend": 8,
    "compare_products": 9,
    "product_question": 8,
    "provide_info": 10,
}
LINE_COPIES = {"conversation": 6, "out_of_scope": 3, "service": 4}
CONTEXT_SHARE = 0.35


@dataclass(frozen=True)
class Corpus:
    train: tuple[Example, ...]
    dev: tuple[Example, ...]
    test: tuple[Example, ...]
    hash: str

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}


def split_of(group: str, test_pct: int = 15, dev_pct: int = 10) -> str:
    bucket = int(hashlib.sha1(group.encode()).hexdigest()[:8], 16) % 100
    if bucket < test_pct:
        return "test"
    return "dev" if bucket < test_pct + dev_pct else "train"


def _lines(path: Path) -> list[str]:
    return [
        ln.strip()
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]


def _line_variants(
    line: str, intent: str, copies: int, rng: random.Random, group: str
) -> list[Example]:
    out = [Example(text=line, intent=intent, group=group, source="handwritten")]
    for _ in range(copies - 1):
        text = noisy_words(slangify(line, rng, 0.5) if rng.random() < 0.3 else line, rng, 0.08)
        out.append(
            Example(text=finish(text, rng), intent=intent, group=group, source="handwritten")
        )
    return out


def generated_examples(data_dir: Path, vocab: Vocab, rng: random.Random) -> list[Example]:
    renderer = Renderer(vocab, rng)
    out: list[Example] = []
    for intent, copies in TEMPLATE_COPIES.items():
        for frame in _lines(data_dir / "dialogue" / "templates" / f"{intent}.txt"):
            group = f"template:{intent}:{frame}"
            out += [renderer.render(frame, intent, group) for _ in range(copies)]
    for path in sorted((data_dir / "dialogue" / "conversation").glob("*.txt")):
        for line in _lines(path):
            out += _line_variants(
                line, path.stem, LINE_COPIES["conversation"], rng, f"line:{path.stem}:{line}"
            )
    # service_extra.txt, service_styles.txt, ...: hand-written service requests, intent<TAB>text
    for path in sorted((data_dir / "dialogue").glob("service_*.txt")):
        for line in _lines(path):
            intent, text = line.split("\t", 1)
            out += _line_variants(
                text.strip(), intent.strip(), LINE_COPIES["service"], rng, f"line:{intent}:{text}"
            )
    for line in _lines(data_dir / "dialogue" / "out_of_scope.txt"):
        out += _line_variants(
            line, OUT_OF_SCOPE, LINE_COPIES["out_of_scope"], rng, f"line:oos:{line}"
        )
    return out


def _add_contexts(
    examples: list[Example], contexts: dict[str, list[str]], rng: random.Random
) -> list[Example]:
    out = []
    for ex in examples:
        if rng.random() < CONTEXT_SHARE:
            pool = contexts.get(ex.intent) if rng.random() < 0.7 else None
            ex = replace(ex, context=rng.choice(pool or contexts["any"]))
        out.append(ex)
    return out


def build_corpus(
    seed: int = 13, data_dir: Path | None = None, bitext_per_intent: int = 130
) -> Corpus:
    """The shipped corpus: Bitext service requests + generated shopping and conversational
    utterances + hand-written out-of-scope lines, split train/dev/test by group."""
    data_dir = data_dir or resources_dir()
    rng = random.Random(seed)
    vocab = load_vocab(data_dir / "tau2_retail" / "db.json", data_dir / "dialogue" / "fillers.json")
    examples = load_bitext(
        data_dir / "bitext" / "bitext_customer_support_llm_sample.csv", rng, bitext_per_intent
    )
    examples += generated_examples(data_dir, vocab, rng)
    contexts = {
        k: v
        for k, v in json.loads((data_dir / "dialogue" / "contexts.json").read_text()).items()
        if not k.startswith("_")
    }
    examples = _add_contexts(examples, contexts, rng)
    parts: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
    seen: dict[str, set[str]] = {"train": set(), "dev": set(), "test": set()}
    for ex in examples:
        name = split_of(ex.group)
        key = ex.text.lower().strip()
        if key in seen[name]:
            continue
        seen[name].add(key)
        parts[name].append(ex)
    held = seen["dev"] | seen["test"]
    parts["train"] = [ex for ex in parts["train"] if ex.text.lower().strip() not in held]
    digest = hashlib.sha256()
    digest.update(CORPUS_VERSION.encode())
    for name in ("train", "dev", "test"):
        for ex in parts[name]:
            digest.update(json.dumps(ex.to_dict(), sort_keys=True).encode())
    return Corpus(
        train=tuple(parts["train"]),
        dev=tuple(parts["dev"]),
        test=tuple(parts["test"]),
        hash=digest.hexdigest()[:16],
    )


def corpus_files_hash(data_dir: Path | None = None) -> str:
    """Hash of every input file of the corpus and of the generator code (cheap: no rendering)."""
    data_dir = data_dir or resources_dir()
    digest = hashlib.sha256(CORPUS_VERSION.encode())
    paths = sorted((data_dir / "dialogue").rglob("*")) + [
        data_dir / "tau2_retail" / "db.json",
        data_dir / "bitext" / "bitext_customer_support_llm_sample.csv",
    ]
    paths += sorted(Path(__file__).parent.glob("*.py"))
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
