"""Training corpus for the dialogue model: Bitext service requests, generated shopping and
conversational utterances, hand-written out-of-scope lines (see ``assistant/resources/dialogue``)."""

from assistant.nlu.corpus.build import Corpus, build_corpus, corpus_files_hash, split_of
from assistant.nlu.corpus.example import Example, Span, coerce_example, parse_markup

__all__ = [
    "Corpus",
    "Example",
    "Span",
    "build_corpus",
    "coerce_example",
    "corpus_files_hash",
    "parse_markup",
    "split_of",
]
