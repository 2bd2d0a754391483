"""Reading the shopper's answer to a listed write ("Shall I cancel order #W…? Reply yes to confirm").

A write happens only on an unambiguous yes to the exact change that was listed, so the
reader is a whitelist: the reply is a yes only when *every* word in it is a yes word, a
polite filler or a restatement of the action ("yes please, cancel it, thanks"). Any other
word — a negation, a hesitation ("wait", "hmm", "actually"), a condition ("if", "as long
as"), a change of detail ("refund it to my gift card instead"), a question mark, an
ellipsis, a bare emoji — makes it not a yes. Unknown words cost a re-ask, never a write.

``read_reply`` answers ``"yes"``, ``"no"`` (a clean refusal: nothing to re-ask) or
``"unclear"`` (mixed signals, hesitation, a question or a change: ask again).
``about_confirmation`` tells an unclear reply that answers the listed change (re-ask it)
from a message that moves on to something else (set the change aside and handle it).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Reply = Literal["yes", "no", "unclear"]

# Phrases first (longest first), each folded into one token before the words are read.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("yeah right", "SARCASM"), ("yeah nah", "NEG"), ("nah yeah", "MIXED"), ("as if", "SARCASM"),
    ("no problem", "POLITE"), ("no worries", "POLITE"), ("no probs", "POLITE"),
    ("sure thing", "YES"), ("please do the needful", "YES"), ("by me", "POLITE"),
    ("do not proceed", "NEG"), ("don't proceed", "NEG"), ("dont proceed", "NEG"), ("don't do it", "NEG"),
    ("do not do it", "NEG"), ("don't do that", "NEG"), ("go ahead", "YES"), ("go for it", "YES"), ("go on", "YES"), ("do it", "YES"), ("please do", "YES"),
    ("of course", "YES"), ("by all means", "YES"), ("sounds good", "YES"), ("all good", "YES"),
    ("that's right", "YES"), ("that is right", "YES"), ("thats right", "YES"),
    ("that's correct", "YES"), ("that is correct", "YES"), ("thats correct", "YES"), ("is correct", "YES"),
    ("that's fine", "YES"), ("that is fine", "YES"), ("thats fine", "YES"), ("fine by me", "YES"),
    ("i'm sure", "YES"), ("i am sure", "YES"), ("im sure", "YES"), ("i agree", "YES"), ("i am agree", "YES"),
    ("i confirm", "YES"), ("you can proceed", "YES"), ("you can do", "YES"), ("you may proceed", "YES"),
    ("do the needful", "YES"), ("for me", "POLITE"), ("thank you", "POLITE"), ("thanks a lot", "POLITE"),
    ("so much", "POLITE"), ("for your help", "POLITE"), ("that's perfect", "YES"), ("that's great", "YES"),
    ("not sure", "HESITATE"), ("not yet", "HESITATE"), ("let me", "HESITATE"), ("hold on", "HESITATE"),
    ("hang on", "HESITATE"), ("on second thought", "HESITATE"), ("changed my mind", "NEG"),
    ("never mind", "NEG"), ("forget it", "NEG"), ("scratch that", "NEG"), ("leave it", "NEG"),
    ("keep it", "NEG"), ("no need", "NEG"), ("i'd rather not", "NEG"), ("rather not", "NEG"),
    ("don't", "NEG"), ("dont", "NEG"), ("do not", "NEG"),
)
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p, _ in sorted(_PHRASES, key=lambda x: -len(x[0]))) + r")\b"
)
_PHRASE_KIND = dict(_PHRASES)

_YES = frozenset(
    """yes yess yesss yessss yse yas ya ye yeh yea yeah yeahh yep yup yupp y aye sure ok okay okey okie k kk
    alright alrighty correct confirm confirmed absolutely definitely certainly affirmative agreed proceed
    yesplease""".split()
)
_POLITE = frozenset(
    """please pls plz plese thanks thank thx thnx ty cheers lovely great perfect brilliant cool awesome fine
    good nice super mate kindly then and all that's thats that is it's its everything""".split()
)
# A restatement of the listed action: "yes, cancel it", "please process the return".
_ACTION = frozenset(
    """cancel process return exchange change update swap refund send replace it them the my this order
    orders item items request""".split()
)
_NEG = frozenset("no nope nah noo nooo nopes n nay stop nvm cancelled".split())
_HESITATE = frozenset(
    """wait hmm hmmm hmmmm um umm erm uh er actually maybe perhaps probably guess suppose think idk dunno
    unsure later tomorrow but if unless provided only just instead rather first whatever why what which
    how when where who""".split()
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace("\u2019", "'").replace("\u2018", "'")
    return text.lower().strip()


def read_reply(text: str) -> Reply:
    """``"yes"`` only for an unambiguous yes; ``"no"`` for a clean refusal; else ``"unclear"``."""
    low = _normalise(text)[:500]
    if not low:
        return "unclear"
    kinds: list[str] = []
    rest = _PHRASE_RE.sub(lambda m: f" {_PHRASE_KIND[m.group(1)].lower()}qqphrase ", low)
    for word in _WORD.findall(rest):
        if word.endswith("qqphrase"):
            kinds.append(word[: -len("qqphrase")].upper())
        elif word in _YES or re.fullmatch(r"ye+s+|ye+a+h*|ok+a*y*|y+e+p+|y+u+p+", word):
            kinds.append("YES")
        elif word in _NEG or re.fullmatch(r"no+|na+h+|nope+", word):
            kinds.append("NEG")
        elif word in _HESITATE:
            kinds.append("HESITATE")
        elif word in _POLITE:
            kinds.append("POLITE")
        elif word in _ACTION:
            kinds.append("ACTION")
        else:
            kinds.append("OTHER")
    question = "?" in low
    trailing = bool(re.search(r"\.\.\.|\u2026", low))
    yes, neg = "YES" in kinds, "NEG" in kinds
    if neg and not yes and not any(k in ("HESITATE", "SARCASM", "MIXED") for k in kinds) and not question:
        return "no"  # "no", "no thanks, I'll keep it", "don't cancel it", "nah leave it mate"
    if (yes and not question and not trailing
            and all(k in ("YES", "POLITE", "ACTION") for k in kinds)):
        return "yes"
    return "unclear"


def about_confirmation(text: str) -> bool:
    """Whether an unclear reply answers the listed change (so it is asked again) rather than
    starting something new: it carries a yes/no/hesitation word, or it is a few words only."""
    low = _normalise(text)
    if not re.search(r"\w", low):
        return True  # an emoji, "?", "..."
    words = _WORD.findall(_PHRASE_RE.sub(" xqqphrase ", low))
    signal = _PHRASE_RE.search(low) or any(
        w in _YES or w in _NEG or w in ("wait", "hmm", "hmmm", "actually", "but", "if", "unless", "maybe", "instead")
        for w in words
    )
    return bool(signal) or len(words) <= 4
