"""Grounding a shopper's words in the catalogue: product types, option values, brands.

Built from the catalogue itself (``CatalogView``), so it works on any imported store:
type names and their head nouns ("speaker" -> Bluetooth Speaker), every option name and
value per type, brands. A phrase of the message links to the catalogue by

1. exact match of its normalised words (plural-insensitive, hyphens as spaces);
2. shared meaning through the general shopping lexicon (``retrieval.lexicon``):
   "waterproof" -> ``water resistance: yes``, "cordless" -> ``power source: battery``;
3. typos, by fuzzy matching of single words (rapidfuzz), "speker" -> speaker.

Words inside a negation ("not the black ones", "no leather", "she already has a yoga
mat") become exclusions. ``Grounding`` says what the text named; the dialogue decides
what it means for the conversation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from retrieval.catalog.view import CatalogView, option_number
from retrieval.lexicon import (
    ANIMALS,
    CONCEPTS,
    GENERIC_RECIPIENTS,
    GIFT_IDEAS,
    INTERESTS,
    KINDS,
    NEGATIVE_VALUES,
    NEUTRAL_VALUES,
    PRESENT,
    PURPOSES,
    RECIPIENTS,
)
from retrieval.measures import UNITS, quantity_bounds, size_guide, value_span

_GENERIC_HEADS = frozenset(
    "set kit pack case system item thing product machine maker bag cover unit device tool piece one "
    "can will may must go top way".split()
)
# values too common or vague to mean an option when written alone ("a large one" is read
# only with a name: "large size"); sizes and numbers need their unit or the word "size"
_VAGUE = frozenset(
    "yes no none standard full half high low medium large small light dark basic fixed custom plain "
    "manual automatic digital portable type fresh art men women unisex gas electric road".split()
)
# shoppers' words that look like a catalogue word one letter away but are not ("stocking fillers")
_NOT_TYPOS = frozenset("filler stocking present gift mate mates flatmate hamper treat".split())
# shoppers' words that mean a vague catalogue value on their own ("roomy" is large)
_UNAMBIGUOUS = frozenset("roomy spacious huge tiny mini".split())
STOP = frozenset(
    """a an and any are as at be but by for from has have i i'm im in is it its me my of on or our
    please show so some that the their them then there these this those to too us want was we were
    what which with would you your looking need find get buy something anything ones one got do does
    can could how much there's theres is it's also just like really very good nice new best only
    something some more less than under over around about get give see look looking hi hello hey
    thanks thank ok okay yes no not dont don't""".split()
)
_NEG_CUES = frozenset(
    "not no non without except excluding avoid hate dislike isn't aren't don't dont never nothing "
    "nope minus arent isnt doesnt wont won't cant can't nor".split()
)
_NEG_PHRASES = re.compile(
    r"\b(?:anything but|other than|instead of|rather than|already (?:has|have|got|owns?)|"
    r"has already got|have already got|is not|are not|do not|does not|doesn'?t|sick of|tired of|no more|"
    r"allergic to|(?:an )?allergy to|can'?t stand|cannot stand|not a fan of|"
    r"got (?:a )?(?:load|lot|plenty|ton|heap|enough)s? of|(?:has|have|owns?) (?:a )?(?:load|lot|plenty|ton|heap|enough)s? of)\b"
)  # "hes got loads of navy stuff already": navy is not wanted
# after "won't" / "doesn't": what a product must survive follows ("won't die from sweat", "doesn't rust")
_WITHSTANDS = frozenset("die dies break breaks fail fails rust rusts crack cracks melt fade fades shrink shrinks fall "
                        "mind snap tear rip leak leaks destroy wreck chew".split())
_NOT_A_SCOPE = frozenset(
    "i i'd id im i'm it its it's thanks thank way problem worries wait sorry actually but "
    "not that this , . ! ?".split()
)
_BAD_THING = re.compile(
    r"\b(?:is|are|was|were|iss)\s+(?:so\s+|really\s+|always\s+|just\s+)?(rubbish|terrible|useless|awful|crap|"
    r"pants|dodgy|patchy|unreliable|horrible|the worst|"
    r"too (?:harsh|bright|dim|loud|noisy|heavy|bulky|flimsy|thin|thick|hard|soft|slippery|scratchy|cold|warm|hot))\b"
)  # "daylight is too harsh": daylight is not wanted
_FORGET = re.compile(
    r"\b(?:forget|scrap|ignore|never ?mind|don'?t care about|doesn'?t matter about)\b"
)
# "any colour", "whatever size", "colour doesn't matter": the option is left open again
_ANY_CUE = frozenset("any whatever whichever".split())
_ANY_AFTER = re.compile(r"^(?:is|are|will|would|works?|'?s)?\s*(?:fine|ok|okay|do|good|really)\b|^(?:doesn'?t|does not|dont|don'?t|do not) matter\b")
_SCOPE_END = frozenset(
    "but instead rather prefer just only though maybe perhaps preferably ideally".split()
)
_MAX_NGRAM = 4
_ROUGHLY = frozenset("ish about around roughly approx approximately nearly almost or so".split())
_AGE_WORDS = frozenset("yo y yr yrs year years month months week weeks old".split())
_VERB_BEFORE = frozenset("to can could will would i we you u they she he".split())
_DIM_WORDS = {"tall": "height", "high": "height", "long": "length", "wide": "width", "deep": "depth",
              "heavy": "weight", "across": "diameter"}  # fmt: skip
# words beside a number that say it measures the shopper or their pet, so a size guide reads it
_GUIDE_CUES = frozenset(
    "i im i'm am he she hes she's he's him her my our his weighs weigh weight tall height chest waist hand hands "
    "rider riders dog dogs cat cats puppy kitten pup boy girl kid child son daughter wife husband".split()
)
_SIZE_LETTERS = {
    "extra small": "xs",
    "small": "s",
    "medium": "m",
    "large": "l",
    "extra large": "xl",
    "x large": "xl",
    "double xl": "xxl",
    "xx large": "xxl",
}


# words before an ordered option that mean its top (bottom) value; superlatives ("the most storage")
# are left to sorting, which falls back to the next best when the top one is out of stock
_MUCH = frozenset("big bigger large larger huge massive lot lots load loads plenty high higher more".split())
_LITTLE = frozenset("small smaller little tiny low lower less".split())
_POUND_RANGE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(?:pounds?|lbs?)\b", re.I)
_POSSESSIVES = frozenset("my his her our their your me mine".split())
_POINTERS = frozenset("that this it those these them the".split())
_BODY_WORDS = frozenset("guy man lad fella bloke boy girl woman lady chap kid dog cat".split())


def norm_tokens(text: str) -> list[str]:
    """Lower case, hyphens/slashes as spaces, punctuation dropped, naive singular per word."""
    low = (text or "").lower().replace("’", "'")
    low = re.sub(r"(?<=[a-z])'s\b", "", low)  # "chef's knife" -> "chef knife"
    low = re.sub(
        r"(?<=\d)\s+(?=(?:ml|l|gb|tb|mah|ft|mm|cm|mp|w|k)\b)", "", low
    )  # "500 ml" -> "500ml"
    raw = re.findall(
        r"[a-z0-9]+(?:[.'%][a-z0-9%]+)*%?|[,.;!?]", low.replace("-", " ").replace("/", " ")
    )
    return [_singular(w) for w in raw]


def _singular(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("es") and w[:-2].endswith(("sh", "ch", "x", "ss", "tch")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        return w[:-1]
    return w


def norm(text: str) -> str:
    return " ".join(t for t in norm_tokens(text) if t not in ",.;!?")


@dataclass
class Grounding:
    """What a message names in the catalogue.

    Attributes:
        types / exclude_types: product types (category names) asked for / rejected.
        include / exclude: option name -> values asked for / rejected.
        brands / exclude_brands: brands asked for / rejected.
        asked: option names the message asks about ("what sizes", "does it keep out rain").
        unavailable: option values the message names that only *other* types come in
            ("and in purple?" of a yoga mat that doesn't): the honest answer is "none".
        interest_types: types that suit a recipient or activity ("a gift for a runner").
        spans: the matched words, for the rest of the text to become the free query.
    """

    types: list[str] = field(default_factory=list)
    exclude_types: list[str] = field(default_factory=list)
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    brands: list[str] = field(default_factory=list)
    exclude_brands: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    unavailable: dict[str, list[str]] = field(default_factory=dict)
    forget: dict[str, list[str]] = field(default_factory=dict)
    interest_types: list[str] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    tokens: list[str] = field(default_factory=list)
    text_concepts: set[int] = field(default_factory=set)  # every lexicon concept a phrase of the text has
    not_money: bool = False  # the text's amounts are a weight ("5 to 25 pound"), not prices

    @property
    def leftover(self) -> str:
        return " ".join(
            t
            for i, t in enumerate(self.tokens)
            if i not in self.consumed and t not in STOP and t not in ",.;!?"
        )


def _purposes_dropped(
    hits: list[tuple[int, int, set[str]]], tokens: list[str]
) -> list[tuple[int, int, set[str]]]:
    """A type named after "for/in/on/at" behind another named type says what the first is for
    or where it is used, not a second product ("a gopro for mountain biking", "an e-reader for
    reading in bed"); a type joined by "and"/"or" is a second product."""
    if len(hits) < 2:
        return hits
    keep = [hits[0]]
    for hit in hits[1:]:
        if hit[0] < keep[-1][1]:  # inside the previous phrase ("casserole pot" holds "pot")
            continue
        between = tokens[keep[-1][1] : hit[0]]
        if not between:  # "bike helmets": the first type word only says which kind of the second
            keep[-1] = hit
            continue
        before = tokens[hit[0] - 2 : hit[0]]
        if before and (before[-1] in _POSSESSIVES or before[-1] == "the" and len(before) == 2
                       and before[0] not in _JOINS):
            continue  # "a lock that's hard to cut, i leave the bike outside": the shopper's bike
        joined = " ".join(between).replace("on and off", "onoff").split()  # "turn on and off from my phone"
        cue = set(joined) & {"for", "in", "on", "at", "match", "matching", "matche", "fit", "fits", "from", "via"}
        if cue and len(joined) <= 8 and not set(joined) & {"or", "and", ",", "plus", "also"}:
            continue
        keep.append(hit)
    return keep


# words before an adjective ("something light", "really light")
_DESCRIBING = frozenset("something anything nothing really very super more less too so quite is are be nice".split())
# words that join a second product to the first ("a tent and the matching footprint")
_JOINS = frozenset("and or , plus also then with vs versus compare than a an".split())


def _add(bucket: dict[str, list[str]], name: str, values: Iterable[str]) -> None:
    have = bucket.setdefault(name, [])
    for v in values:
        if v not in have:
            have.append(v)


class Vocabulary:
    """The catalogue's words, indexed for grounding (build once per catalogue version)."""

    def __init__(self, view: CatalogView, known_words: frozenset[str] = frozenset()) -> None:
        """``known_words``: ordinary English words (e.g. a tokenizer's whole-word vocabulary) that
        are never taken for misspellings of catalogue words ("table" is not "tablet")."""
        self.view = view
        self.known_words = known_words
        self.types: dict[str, set[str]] = defaultdict(set)  # phrase -> types
        self.type_names: dict[str, str] = {}  # lower -> original
        self.option_names: dict[str, dict[str, str]] = defaultdict(
            dict
        )  # type -> norm name -> name
        self.values: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        # type -> option name -> norm value -> value
        self.value_index: dict[str, set[tuple[str, str, str]]] = defaultdict(
            set
        )  # norm value -> (type, name, value)
        self.name_index: dict[str, set[tuple[str, str]]] = defaultdict(
            set
        )  # norm name -> (type, name)
        self.brands: dict[str, str] = {}
        self.title_phrases: dict[str, set[str]] = defaultdict(
            set
        )  # 2-3 words of product titles -> types
        self.title_heads: dict[str, set[str]] = defaultdict(set)  # last word of titles -> types
        # type -> option name -> value -> (dimension, low, high) a size guide in the descriptions
        # gives it ("L 25-40 kg": a 30 kg dog takes an L harness)
        self.guides: dict[str, dict[str, dict[str, tuple[str, float, float]]]] = defaultdict(dict)
        by_type = view.types()
        for t in by_type:  # written as one word ("smartwatch") or a compound of a head ("wristwatch")
            key = norm(t)
            if " " in key:
                self.types[key.replace(" ", "")].add(t)
        heads = {norm(t).split()[-1] for t in by_type if " " in norm(t)}
        lexicon_members = {norm(m) for group in CONCEPTS for m in group}
        self._weak_keys: set[str] = set()  # type words that are often something else
        all_heads = heads | {norm(t) for t in by_type if " " not in norm(t)}
        for t in by_type:
            key = norm(t)
            if " " not in key:
                for h in heads:
                    if len(h) >= 4 and key.endswith(h) and key != h:
                        self.types[h].add(t)
        for t, products in by_type.items():
            self.type_names[t.lower()] = t
            key = norm(t)
            self.types[key].add(t)
            words = key.split()
            if len(words) > 1 and words[-1] not in _GENERIC_HEADS and len(words[-1]) >= 3:
                self.types[words[-1]].add(t)  # "speaker" -> Bluetooth Speaker
            elif len(words) > 1:  # a generic head: "luggage" -> Luggage Set, "light" -> Bike Light Set
                noun = words[-2]
                if len(noun) >= 4 and noun not in STOP:
                    self.types[noun].add(t)
                    self.types[" ".join(words[:-1])].add(t)  # "bike light"
                    if len(words) > 2 or noun in lexicon_members:
                        self._weak_keys.add(noun)  # "light" is also an adjective ("a light jacket")
                if len(words) > 2 and len(words[0]) >= 4 and words[0] not in STOP and words[0] not in all_heads:
                    self.types[words[0]].add(t)  # but "bike" of Bike Light Set names the bikes
            if len(words) > 1 and words[0] == "e":  # "E-Bike" is an electric bike, "E-Reader" an electronic one
                for spelled in ("electric", "electronic"):
                    self.types[" ".join([spelled, *words[1:]])].add(t)
            for p in products:
                words_t = [w for w in norm(p.title).split() if w not in ",.;!?"]
                if words_t and len(words_t[-1]) >= 5 and words_t[-1] not in STOP and words_t[-1] not in _GENERIC_HEADS:
                    self.title_heads[words_t[-1]].add(t)  # "Fernbrook Pro Secateurs" -> Pruning Shears
                for n in (3, 2):  # "sleeping bag" in a title names its type, even under "Camping"
                    for k in range(len(words_t) - n + 1):
                        gram = words_t[k : k + n]
                        if gram[0] not in STOP and gram[-1] not in STOP:
                            self.title_phrases[" ".join(gram)].add(t)
                if p.subcategory:
                    self.types[norm(p.subcategory)].add(t)
                if p.brand:
                    self.brands[p.brand.lower()] = p.brand
                for name, spans in size_guide(p.description, p.option_values()).items():
                    guide = self.guides[t].setdefault(name, {})
                    for v, (dim, lo, hi) in spans.items():  # the products of a type may size differently
                        had = guide.get(v)
                        guide[v] = (dim, min(lo, had[1]), max(hi, had[2])) if had and had[0] == dim else (dim, lo, hi)
                for name, values in p.option_values().items():
                    nn = norm(name)
                    self.option_names[t][nn] = name
                    self.name_index[nn].add((t, name))
                    for v in values:
                        nv = norm(v)
                        if nv:
                            self.values[t][name][nv] = v
                            self.value_index[nv].add((t, name, v))
                            numeric = re.match(r"^(\d+(?:\.\d+)? \d+(?:\.\d+)?) [a-z]+$", nv)
                            if numeric:  # a range value: "30-50 lbs" is also "the 30-50"
                                self.value_index[numeric.group(1)].add((t, name, v))
        self._concept_of: dict[str, list[int]] = defaultdict(list)
        for i, group in enumerate(CONCEPTS):
            for phrase in group:
                self._concept_of[norm(phrase)].append(i)
        # typos are corrected towards catalogue words and the lexicon's one-word phrases
        # ("waterprof" -> waterproof, which then reaches water resistance: yes)
        lexicon_words = [k for k in self._concept_of if " " not in k]
        self._name_words = {w for names in self.option_names.values() for nn in names for w in nn.split() if len(w) >= 3}
        self._words = sorted(
            {w for k in list(self.types) + list(self.value_index) + lexicon_words for w in k.split() if len(w) >= 4}
        )

    # ---------------------------------------------------------------- helpers
    def all_types(self) -> list[str]:
        return sorted(self.type_names.values())

    def concepts(self, phrase: str) -> set[int]:
        return set(self._concept_of.get(phrase, ()))

    def _phrase_concepts(self, phrase: str) -> set[int]:
        """Concepts of a catalogue phrase: of the whole phrase, else of any of its words."""
        found = self.concepts(phrase)
        words = phrase.split()
        if not found and len(words) >= 2 and words[-1] in UNITS:  # "bar spacing mm" (Bar Spacing (mm))
            found = self.concepts(" ".join(words[:-1]))
        if not found and not phrase.startswith(("non ", "not ", "no ")):
            for w in phrase.split():
                found |= self.concepts(w)
        return found

    def is_boolean(self, t: str, name: str) -> bool:
        vals = {v.lower() for v in self.values[t][name].values()}
        return bool(vals) and vals <= {"yes", "no", "true", "false", "y", "n"}

    def positive_values(self, t: str, name: str) -> list[str]:
        vals = list(self.values[t][name].values())
        if self.is_boolean(t, name):
            return [v for v in vals if v.lower() in ("yes", "true", "y")]
        return [
            v
            for v in vals
            if v.lower() not in NEGATIVE_VALUES and not v.lower().startswith(("no ", "not ", "non"))
        ]

    def correct(self, token: str) -> str | None:
        """The catalogue word a misspelt ``token`` most likely means (or ``None``)."""
        if len(token) < 4 or token in STOP or token.isdigit():
            return None
        # one slip (a letter missing, extra, wrong or two swapped) in a word of 5+ letters
        if len(token) < 5 or token in self.known_words:
            return None
        for word, _score, _ in process.extract(
            token, self._words, scorer=fuzz.ratio, limit=5, score_cutoff=70
        ):
            if word != token and DamerauLevenshtein.distance(token, word) == 1:
                return word
        return None

    def interest_types(self, text: str) -> list[str]:
        """Types suiting the recipient or activity named in ``text`` (lexicon words in type names).

        Each interest named adds its types; a longer interest beats one inside it ("home gym"
        is a gym, not home); a short hint list that names its own stem ("dog") means the
        types that name it ("a toy for my dog" -> Dog Bed, not every pet type).
        """
        low = (text or "").lower()
        spans: list[tuple[int, int, str]] = []
        for stem in sorted(INTERESTS, key=len, reverse=True):
            for m in re.finditer(rf"\b{re.escape(stem)}", low):
                if not any(s <= m.start() < e for s, e, _ in spans):
                    spans.append((m.start(), m.end(), stem))
        if len(spans) > 1:  # "working out at home": home is where, the activity is the interest
            spans = [sp for sp in spans if not re.search(r"\b(?:at|from|around the|round the) $", low[: sp[0]])]
        out: list[str] = []
        for stem in dict.fromkeys(st for _, _, st in sorted(spans)):
            hints = INTERESTS[stem]
            found: list[str] = []
            if stem in hints and len(hints) <= 3:
                found = [
                    t for t in self.all_types() if re.search(rf"\b{re.escape(stem)}\b", norm(t))
                ]
            if not found:
                found = [
                    t
                    for t in self.all_types()
                    if any(re.search(rf"\b{re.escape(norm(w))}\b", norm(t)) for w in hints)
                ]
            out += [t for t in found if t not in out]
        return out

    def generic_gift_types(self, text: str) -> list[str]:
        """"A leaving present for my flatmate" (nothing said of what they like): ideas that suit most people."""
        low = (text or "").lower()
        if not any(re.search(rf"\b{re.escape(w)}s?\b", low) for w in GENERIC_RECIPIENTS):
            return []
        return [
            t
            for t in self.all_types()
            if any(re.search(rf"\b{re.escape(norm(w))}\b", norm(t)) for w in GIFT_IDEAS)
        ]

    # ---------------------------------------------------------------- grounding
    def ground(self, text: str, context_types: Iterable[str] = ()) -> Grounding:
        """Types, option constraints, brands and asked-about options named in ``text``."""
        tokens = norm_tokens(text)
        g = Grounding(tokens=tokens)
        negated = _negated_positions(text, tokens)
        fixed = list(tokens)
        for i, tok in enumerate(tokens):
            if (
                tok not in self.types
                and tok not in self.value_index
                and tok not in self._concept_of
                and tok not in _NOT_TYPOS
                and tok not in self._name_words  # "grain" of Grain Free is no typo of "rain"
            ):
                better = self.correct(tok)
                if better:
                    fixed[i] = better
        spans = _ngrams(fixed)
        g.text_concepts = {c for _i, _j, phrase in spans for c in self.concepts(phrase)}
        # pass 1: product types (they decide which options the rest refers to)
        type_hits: list[tuple[int, int, set[str]]] = []
        for (
            i,
            j,
            phrase,
        ) in spans:  # a phrase of product titles, where it says more than a type word
            if (
                j - i >= 2
                and phrase in self.title_phrases
                and phrase not in self.types
                and phrase not in self.name_index  # "grain free" is the option, not Dog Food
                and phrase not in self.value_index
                and len(self.title_phrases[phrase]) <= 2
                and not (set(range(i, j)) & g.consumed)
            ):
                type_hits.append((i, j, self.title_phrases[phrase]))
                g.consumed |= set(range(i, j))
        for i, j, phrase in spans:
            if j - i > 1 and phrase not in self.types and phrase.replace(" ", "") in self.types:
                phrase = phrase.replace(" ", "")  # "make up kit", "back pack"
            if phrase in self.types and not (set(range(i, j)) & g.consumed):
                if j - i == 1 and i > 0 and fixed[i - 1] in _VERB_BEFORE:
                    continue  # "to watch peppa pig": a verb, not a watch
                if phrase in self._weak_keys and (
                        j < len(fixed) and fixed[j] not in STOP and fixed[j] not in ",.;!?"
                        or i > 0 and fixed[i - 1] in _DESCRIBING):
                    continue  # "a light jacket", "something light for climbing" (of road bikes): a describing word
                if fixed[j : j + 2] and fixed[j] == "of" and len(fixed) > j + 1 and fixed[j + 1] in _POINTERS:
                    continue  # "a bigger bottle of that": the shown product's container, not Water Bottle
                type_hits.append((i, j, self.types[phrase]))
                g.consumed |= set(range(i, j))
        context = [t for t in context_types if t in self.values]
        type_hits += self._type_fallback(fixed, context, g)
        if not type_hits:
            type_hits += self._type_by_first_word(fixed, context, g)
        type_hits = [h for h in type_hits if not (h[0] > 0 and fixed[h[0] - 1] == "by")]  # "to brighton by bike": how
        type_hits = self._purpose_compounds(fixed, type_hits, g)
        type_hits = _goes_with_dropped(type_hits, tokens)
        type_hits = [(i, j, self._kind_types(" ".join(fixed[i:j]), ts)) for i, j, ts in type_hits]
        named = [t for _, _, ts in type_hits for t in ts]
        scope = list(dict.fromkeys(named + context)) or list(self.values)
        # a type word that is an option value of another named/context type is that option
        # ("a backpack with room for a laptop")
        for i, j, ts in list(type_hits):
            phrase = " ".join(fixed[i:j])
            owners = [
                (t, n, v)
                for t, n, v in self.value_index.get(phrase, ())
                if t in scope and t not in ts
            ]
            if owners and (named or context) and any(t not in ts for t in scope):
                type_hits.remove((i, j, ts))
                for _t, n, v in owners:
                    _add(g.exclude if i in negated else g.include, n, [v])
        type_hits = _purposes_dropped(sorted(type_hits, key=lambda h: h[0]), fixed)
        dropped = _forget_positions(tokens)  # "forget coffee, he likes tea": coffee is ruled out
        for i, _j, ts in type_hits:
            target = g.exclude_types if i in negated or i in dropped else g.types
            for t in sorted(ts):
                if t not in target:
                    target.append(t)
        if g.exclude_types and any(t not in g.exclude_types for t in g.types):
            # "a watch, NOT a smartwatch": the watch types but the one ruled out
            g.types = [t for t in g.types if t not in g.exclude_types]
        kinds = g.types if len(g.types) > 1 else [] if g.types else [t for t in context if t in self.values]
        if len(kinds) > 1:  # "shoes ..., not running or hiking": the kinds ruled out by their first word
            for k in negated:
                for t in list(kinds):
                    if k < len(fixed) and len(fixed[k]) >= 4 and norm(t).split()[0] == fixed[k] and " " in norm(t):
                        if t in g.types:
                            g.types.remove(t)
                        if t not in g.exclude_types:
                            g.exclude_types.append(t)
        scope = list(g.types or context) or list(self.values)  # types named now, else the need's
        weighed = _POUND_RANGE.sub(lambda m: f"{m.group(1)}-{m.group(2)} lbs", text)
        if weighed != text and any(  # "the 5 to 25 pound one" of dumbbells: a weight range, not a price
                value_span(v, n) and value_span(v, n)[0] == "mass" for t in scope for n, vals in self.values[t].items()
                for v in vals.values()):
            g.not_money = True
            text = weighed
        self._quantities(text, tokens, scope, g, negated)
        # pass 2: option values, option names, lexicon concepts, brands
        for i, j, phrase in spans:
            if set(range(i, j)) & g.consumed:
                continue
            neg = i in negated
            if i > 0 and fixed[i - 1] in _BECOME and self._colour_only(phrase, scope):
                g.consumed |= set(range(i, j))  # "no white, it'll just go yellow": not a wish
                continue
            hit = self._match_option(phrase, fixed, i, scope, g, neg)
            if hit:
                g.consumed |= set(range(i, j))
                continue
            if phrase in self.brands:
                (g.exclude_brands if neg else g.brands).append(self.brands[phrase])
                g.consumed |= set(range(i, j))
        if any(re.fullmatch(r"\d+k", norm(v)) and norm(v) in tokens for vs in g.include.values() for v in vs) and not (
                _MONEY_K.search(text)):  # "5k if you have it" of action cameras: the resolution, not $5,000
            g.not_money = True
        forgotten = _forget_positions(tokens)
        if forgotten:  # "forget silver": what was named after the cue is dropped, not asked for
            probe = Grounding(tokens=tokens)
            for i, j, phrase in spans:
                if i in forgotten and not set(range(i, j)) & probe.consumed:
                    if self._match_option(phrase, fixed, i, scope, probe, False):
                        probe.consumed |= set(range(i, j))
            for name in probe.asked:  # "forget the size": the whole option goes
                if name not in probe.include:
                    _add(g.forget, name, ["*"])
                    g.include.pop(name, None)
                    g.exclude.pop(name, None)
            for name, values in probe.include.items():
                _add(g.forget, name, values)
                g.include[name] = [v for v in g.include.get(name, []) if v not in values]
                g.exclude[name] = [v for v in g.exclude.get(name, []) if v not in values]
            g.include = {k: v for k, v in g.include.items() if v}
            g.exclude = {k: v for k, v in g.exclude.items() if v}
        self._lacking_values(fixed, scope, g, negated)
        self._free_of(fixed, scope, g, negated)
        self._options_left_open(tokens, fixed, scope, g)
        if len(scope) < len(self.values):  # only within known types: "steel" alone means little
            self._partial_values(fixed, scope, g, negated)
        for name, values in g.exclude.items():  # "not scented, she sneezes at the perfumey ones"
            if name in g.include:
                g.include[name] = [v for v in g.include[name] if v not in values]
        g.include = {k: v for k, v in g.include.items() if v}
        if g.types or context:
            self._recipient(tokens, list(dict.fromkeys(g.types + context)), g)
        g.interest_types = self.interest_types(
            " ".join(w for i, w in enumerate(tokens) if i not in dropped) if dropped else text)
        if g.exclude_types and g.interest_types:
            kept = [t for t in g.interest_types if t not in g.exclude_types]
            g.interest_types = kept if kept else g.interest_types
        named = self._stem_types(text)
        self._animal_types(named or self._stem_types(" ".join(context)), g)  # "she needs food too" of cat things
        animal_types = [t for t in named if t not in g.interest_types]
        g.interest_types += animal_types
        if not g.interest_types and not g.types and not context and PRESENT.search(text):
            g.interest_types = self.generic_gift_types(text)
        if animal_types and not g.types:  # "a present for a new kitten": the kitten is who, not an option
            low_words = set(tokens)
            animal_words = set(ANIMALS) | set(ANIMALS.values())
            for name in list(g.include):  # "for my cat": Species Cat of one type is not a filter on all
                g.include[name] = [v for v in g.include[name] if norm(v) not in low_words or norm(v) not in animal_words]
            g.include = {k: v for k, v in g.include.items() if v}
        self._narrow_types(tokens, g)
        if not g.types and not context and g.include:  # "a cordless one": only vacuums come cordless
            owners = [
                t for t, options in self.values.items()
                if all(set(options.get(n, {}).values()) & set(vs) for n, vs in g.include.items())
            ]
            if len(owners) == 1:
                g.types = owners
            elif g.interest_types and self._interest_owners(g):
                pass
            else:
                self._owners_of_distinct_values(g)
        if not g.types and not context and g.asked and g.interest_types and not g.include:
            # "photos of the moon, crazy zoom": of the cameras, those with a zoom option
            owners = [t for t in g.interest_types if all(n in self.values.get(t, {}) for n in g.asked)]
            if owners and len(owners) < len(g.interest_types):
                g.types = owners
        self._numbered_values(tokens, list(g.types or context), g)
        return g

    def _interest_owners(self, g: Grounding) -> bool:
        """No type named: of the types the interest points at, those that have the option
        asked for ("stuff so drivers can see me and my spaniel" -> the dog things that come
        reflective); the options none of them has go."""
        owners = [t for t in g.interest_types if any(n in self.values.get(t, {}) for n in g.include)]
        if not owners:
            return False
        g.types = owners
        g.include = {n: v for n, v in g.include.items() if any(n in self.values.get(t, {}) for t in owners)}
        g.asked = [n for n in g.asked if any(n in self.values.get(t, {}) for t in owners)]
        return True

    def _numbered_values(self, tokens: list[str], scope: list[str], g: Grounding) -> None:
        """An option named with a number ("size 9") whose values carry a label beside the
        number ("UK 9") means the value with that number."""
        for i in range(1, len(tokens)):
            if not re.fullmatch(r"\d+(?:\.\d+)?", tokens[i]):
                continue
            for t in scope:
                for name, vals in self.values.get(t, {}).items():
                    if name in g.include or tokens[i - 1] not in norm(name).split():
                        continue
                    hits = [v for nv, v in vals.items() if tokens[i] in nv.split() and nv != tokens[i]]
                    if len(hits) == 1:
                        _add(g.include, name, hits)
                        g.asked = [n for n in g.asked if n != name]

    def _colour_only(self, phrase: str, scope: list[str]) -> bool:
        """``phrase`` is a value only of colour options of the types in scope."""
        names = {n for t, n, _v in self.value_index.get(phrase, ()) if t in scope}
        names = names or {n for _t, n, _v in self.value_index.get(phrase, ())}  # a colour the need lacks
        return bool(names) and all(re.search(r"colou?r", n, re.I) for n in names)

    def _owners_of_distinct_values(self, g: Grounding) -> None:
        """No type named: a value only one or two types come in names them ("the black over-ear
        ones" -> Headphones), and the options those types lack (frame colour, dial colour) go."""
        owner_sets = []
        for name, vals in g.include.items():  # "brown lenses": only sunglasses have a lens colour
            if any(set(vals) & set(other) for n2, other in g.include.items() if n2 != name):
                continue  # "black" read as every colour option names no type by them
            by_name = {t for t, _n in self.name_index.get(norm(name), ())}
            if by_name and len(by_name) <= 2:
                owner_sets.append(by_name)
        for vals in g.include.values():
            for v in vals:  # "black" is a value of many types (and of several options): no clue
                owners = {t for t, _n, _v in self.value_index.get(norm(v), ())}
                if owners and len(owners) <= 2:
                    owner_sets.append(owners)
        if not owner_sets:
            return
        common = set.intersection(*owner_sets)
        if not common:
            return
        g.types = sorted(common)
        g.include = {n: v for n, v in g.include.items() if any(n in self.values.get(t, {}) for t in common)}
        g.exclude = {n: v for n, v in g.exclude.items() if any(n in self.values.get(t, {}) for t in common)}

    def _lacking_values(self, tokens: list[str], scope: list[str], g: Grounding, negated: set[int]) -> None:
        """A value that says what a product lacks, named by the thing lacked: "no bags" /
        "doesn't need bags" -> bagless, "without a cord" -> cordless, "no wires" -> wireless."""
        for i in sorted(negated):
            if i >= len(tokens) or len(tokens[i]) < 3 or tokens[i] in STOP:
                continue
            # "doesn't smell of anything" / "not scented": the un- value of the concept (unscented)
            unwords = {f"un{norm(m)}" for grp in self.concepts(tokens[i]) for m in CONCEPTS[grp] if " " not in m}
            unwords |= {f"un{tokens[i]}"}
            for t in scope:
                for name, vals in self.values.get(t, {}).items():
                    for nv, v in vals.items():
                        if nv in unwords and v not in g.include.get(name, []):
                            _add(g.include, name, [v])
            lacking = tokens[i] + "less"
            for t in scope:
                for name, vals in self.values.get(t, {}).items():
                    for nv, v in vals.items():
                        if lacking in nv.replace("-", " ").split() or nv.replace(" ", "") == lacking:
                            if v not in g.include.get(name, []):
                                _add(g.include, name, [v])
                            g.exclude[name] = [x for x in g.exclude.get(name, []) if x != v]
        g.exclude = {k: v for k, v in g.exclude.items() if v}

    def _free_of(self, tokens: list[str], scope: list[str], g: Grounding, negated: set[int]) -> None:
        """A yes/no option named "<thing> free" and the thing ruled out: "nothing with grain in it",
        "no grain", "without gluten" -> ``Grain Free: yes``."""
        for t in scope:
            for nn, name in self.option_names.get(t, {}).items():
                words = nn.split()
                if len(words) < 2 or words[-1] != "free" or not self.is_boolean(t, name):
                    continue
                stem = words[:-1]
                for i in range(len(tokens) - len(stem) + 1):
                    if tokens[i : i + len(stem)] == stem and i in negated and not set(range(i, i + len(stem))) & g.consumed:
                        _add(g.include, name, self.positive_values(t, name))
                        g.consumed |= set(range(i, i + len(stem)))
                        if name not in g.asked:
                            g.asked.append(name)

    def _type_by_first_word(
        self, tokens: list[str], context: list[str], g: Grounding
    ) -> list[tuple[int, int, set[str]]]:
        """No type named otherwise: the word the titles of one type end with ("secateurs" ->
        Pruning Shears), or a word that starts one type's name and is no option value of
        the types in play names that type ("the fleece - half zip" -> Fleece Jacket, not the
        fleece material of a pet bed)."""
        for i, tok in enumerate(tokens):
            if i in g.consumed or len(tok) < 4 or tok in STOP or tok in _VAGUE:
                continue
            if context and (self.concepts(tok) or any(
                    t in context for t, _n, _v in self.value_index.get(tok, ()))):
                continue  # "and bluetooth" of the headphones shown: their wireless option
            heads = self.title_heads.get(tok, set())
            if (len(heads) == 1 and tok not in self.types and not self.value_index.get(tok)
                    and not self.concepts(tok)):
                g.consumed.add(i)  # "your secateurs": the word the titles of one type end with
                return [(i, i + 1, set(heads))]
            owners = {t for t in self.type_names.values()
                      if " " in norm(t) and norm(t).split()[0] == tok}
            if len(owners) != 1:
                continue
            if not self.value_index.get(tok) or (i > 0 and tokens[i - 1] in _VERB_BEFORE):
                continue
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            own_words = {w for o in owners for n, vals in self.values.get(o, {}).items()
                         for w in [*norm(n).split(), *(x for nv in vals for x in nv.split())]}
            if nxt and nxt not in STOP and nxt not in _PUNCT and nxt not in own_words:
                continue  # "a garden layout": a modifier of another noun, not the product
            g.consumed.add(i)
            return [(i, i + 1, owners)]
        return []

    def _purpose_types(self, tokens: list[str], types: list[str]) -> list[str]:
        """Of ``types`` (sharing a word), those a purpose in the message points at; [] when none
        or all do."""
        low = " ".join(tokens)
        hints = [h for stem, hs in PURPOSES.items() if re.search(rf"\b{re.escape(stem)}", low) for h in hs]
        keep = [t for t in types if any(re.search(rf"\b{re.escape(norm(h))}\b", norm(t)) for h in hints)]
        return keep if keep and len(keep) < len(types) else []

    def _kind_types(self, phrase: str, types: set[str]) -> set[str]:
        """A generic kind word names every type of that kind ("shoes": running shoes, sneakers,
        hiking boots), not only the type whose name ends in it."""
        members = KINDS.get(phrase)
        if not members:
            return types
        kind = {t for t in self.all_types() if set(norm(t).split()) & set(members)}
        return types | kind if kind else types

    def _options_left_open(self, tokens: list[str], fixed: list[str], scope: list[str], g: Grounding) -> None:
        """"any colour" / "whatever size is fine" / "colour doesn't matter": forget the whole option.

        Only an option *name* is left open ("any red ones" names a value, which stays a need), and
        not where the words ask a question ("do they come in any colours?")."""
        for k, tok in enumerate(tokens):
            if tok not in _ANY_CUE or k + 1 >= len(tokens) or (k > 0 and tokens[k - 1] in ("in", "got", "have")):
                continue
            for n in (2, 1):
                end = k + 1 + n
                if end > len(tokens):
                    continue
                rest = " ".join(tokens[end:])
                if rest.startswith("?") or (rest and not rest.startswith((",", ".", "!", ";"))
                                            and not _ANY_AFTER.match(rest)):
                    continue
                if self._leave_open(fixed, k + 1, end, scope, g):
                    break
        joined = " ".join(tokens)
        for m in re.finditer(r"\b(?:doesn'?t|does not|dont|don'?t|do not) matter\b", joined):
            k = len(joined[: m.start()].split())  # "the colour doesn't matter"
            for n in (2, 1):
                if k - n < 0:
                    continue
                if self._leave_open(fixed, k - n, k, scope, g):
                    break

    def _leave_open(self, fixed: list[str], i: int, j: int, scope: list[str], g: Grounding) -> bool:
        """If words ``i:j`` name an option (not a value of it), forget that whole option."""
        probe = Grounding(tokens=g.tokens)
        if not (self._match_option(" ".join(fixed[i:j]), fixed, i, scope, probe, False) and probe.asked
                and not (probe.include or probe.exclude)):
            return False
        for name in probe.asked:
            _add(g.forget, name, ["*"])
            g.include.pop(name, None)
            g.exclude.pop(name, None)
            if name in g.asked:
                g.asked.remove(name)
        return True

    def _purpose_compounds(self, tokens: list[str], hits: list[tuple[int, int, set[str]]],
                           g: Grounding) -> list[tuple[int, int, set[str]]]:
        """"Trainers for running" is "running trainers" when the store knows that compound: a type
        word followed by "for" and an activity whose compound names a narrower type."""
        out = list(hits)
        for k, tok in enumerate(tokens):
            if tok != "for" or k == 0 or k + 1 >= len(tokens):
                continue
            head = next((h for h in out if h[1] == k), None)  # the type named right before "for"
            if head is None:
                continue
            phrase = f"{tokens[k + 1]} {' '.join(tokens[head[0]:k])}"
            found = set(self.types.get(phrase, set()))
            for group in self.concepts(phrase):
                for member in CONCEPTS[group]:
                    found |= self.types.get(norm(member), set())
            if found and found != head[2]:
                out[out.index(head)] = (head[0], k + 2, found)
                g.consumed |= set(range(head[0], k + 2))
        return out

    def _narrow_types(self, tokens: list[str], g: Grounding) -> None:
        """Of several types named by a shared word, the one whose whole name the message holds
        ("a kettle, the electric kind" -> Electric Kettle, not Tea Kettle; options only the others
        have are dropped); with no type named, a word ending the compound name of a type the
        shopper's interest points at names it ("into skating, a good board" -> Skateboard)."""
        words = set(tokens)
        heads: dict[str, list[str]] = {}
        for t in g.types:
            heads.setdefault(norm(t).split()[-1], []).append(t)
        shared = [ts for ts in heads.values() if len(ts) > 1]  # types named by one shared word ("kettle")
        if len(shared) == 1 and len(shared[0]) == len(g.types):
            whole = [t for t in g.types if set(norm(t).split()) <= words]
            if whole and len(whole) < len(g.types):
                g.types = whole
                g.include = {n: v for n, v in g.include.items() if any(n in self.values.get(t, {}) for t in whole)}
                g.exclude = {n: v for n, v in g.exclude.items() if any(n in self.values.get(t, {}) for t in whole)}
            elif self._purpose_types(g.tokens, g.types):
                # "a camera to keep an eye on my dog": of the cameras, the one that suits the purpose
                keep = self._purpose_types(g.tokens, g.types)
                g.types = keep
                g.include = {n: v for n, v in g.include.items() if any(n in self.values.get(t, {}) for t in keep)}
                g.exclude = {n: v for n, v in g.exclude.items() if any(n in self.values.get(t, {}) for t in keep)}
            elif g.include:  # "a camera i can take snorkelling": of the cameras, those with a waterproof option
                owners = [t for t in g.types if all(n in self.values.get(t, {}) for n in g.include)]
                if owners and len(owners) < len(g.types):
                    g.types = owners
                    g.exclude = {n: v for n, v in g.exclude.items() if any(n in self.values.get(t, {}) for t in owners)}
        elif not g.types and g.interest_types:
            free = [w for i, w in enumerate(tokens) if i not in g.consumed and len(w) >= 4 and w not in STOP]
            found = [t for t in g.interest_types
                     if " " not in norm(t) and any(norm(t).endswith(w) and norm(t) != w for w in free)]
            if len(found) == 1:
                g.types = found
                own = self.values.get(found[0], {})
                g.include = {n: v for n, v in g.include.items() if n in own}
                g.exclude = {n: v for n, v in g.exclude.items() if n in own}
                g.unavailable = {n: v for n, v in g.unavailable.items() if n in own}

    def _stem_types(self, text: str) -> list[str]:
        """Types whose name holds a recipient named in ``text`` ("for my dog" -> Dog Food, Dog Coat)."""
        low = (text or "").lower()
        stems = [stem for stem, hints in INTERESTS.items()
                 if stem in hints and len(hints) <= 3 and re.search(rf"\b{re.escape(stem)}", low)]
        stems += [kind for word, kind in ANIMALS.items() if re.search(rf"\b{re.escape(word)}s?\b", low)]
        out: list[str] = []
        for stem in dict.fromkeys(stems):  # a prefix: "cat" names Catnip Toy too
            found = [t for t in self.all_types() if re.search(rf"\b{re.escape(stem)}", norm(t))]
            if not found and stem in ANIMALS.values():  # a store with no dog types may have pet ones
                found = [t for t in self.all_types() if re.search(r"\bpet", norm(t))]
            out += found
        return list(dict.fromkeys(out))

    def _animal_types(self, named: list[str], g: Grounding) -> None:
        """"Dry food for my dog" names Cat Food by a title phrase and the dog by its type names:
        the types of the recipient with the same head noun win; of several types named,
        those of the recipient stay ("food for old dogs" -> Dog Food, not Cat Food)."""
        if not named or not g.types:
            return
        animals = set(ANIMALS.values()) | {s for s, h in INTERESTS.items() if s in h and len(h) <= 3}
        others = [a for a in animals if not any(re.search(rf"\b{re.escape(a)}", norm(t)) for t in named)]

        def for_another(t: str) -> bool:  # Cat Food when the shopper has a dog
            return any(re.search(rf"\b{re.escape(a)}", norm(t)) for a in others)

        kept = [t for t in g.types if t in named or not for_another(t)]
        if any(t in named for t in kept):  # "toys or treats for my dog": Chew Toy stays, Catnip Toy goes
            g.types = kept
            return
        if kept and len(kept) < len(g.types):  # "my lab ... every toy": Chew Toy, not Catnip Toy
            g.types = kept
            return
        heads = {norm(t).split()[-1] for t in g.types}
        swap = [t for t in named if norm(t).split()[-1] in heads]
        if swap:
            g.types = swap

    def _recipient(self, tokens: list[str], scope: list[str], g: Grounding) -> None:
        """"Perfume for my wife": an option of the named types whose values say who it is for
        (gender: women / men / unisex) keeps the recipient's values and the neutral ones."""
        words = set(tokens)
        for cues, value_words in RECIPIENTS.values():
            if not words & set(cues):
                continue
            for t in scope:
                for name, vals in self.values.get(t, {}).items():
                    if name in g.include or name in g.exclude or name in g.forget:
                        continue
                    fits = [v for nv, v in vals.items() if set(nv.split()) & set(value_words)]
                    if fits:
                        neutral = [v for nv, v in vals.items() if nv in NEUTRAL_VALUES]
                        _add(g.include, name, fits + neutral)
            return

    def _type_fallback(
        self, tokens: list[str], context: list[str], g: Grounding
    ) -> list[tuple[int, int, set[str]]]:
        """Types named less directly: a synonym from the lexicon ("cushion" -> pillow, "coat" ->
        raincoat) or the first word of one type's name as a modifier ("hedge cutter" -> Hedge Trimmer)."""
        hits: list[tuple[int, int, set[str]]] = []
        scope_values = {
            w
            for t in context
            for vals in self.values[t].values()
            for nv in vals
            for w in nv.split()
        }
        for i, tok in enumerate(tokens):
            longer = any(self.concepts(" ".join(tokens[i : i + n])) for n in (2, 3) if i + n <= len(tokens))
            if (
                i in g.consumed  # already part of a type named in full ("smart watch")
                or len(tok) < 4
                and not self.concepts(tok)
                and not longer  # "poo box"
                or tok in STOP
                or tok in scope_values
                or tok in self.value_index
                and context
            ):
                continue
            if i > 0 and tokens[i - 1] in _VERB_BEFORE:
                continue  # "to watch peppa pig"
            found: set[str] = set()
            width = 1
            for n in (3, 2, 1):  # synonyms, also of two or three words ("power bank", "pair of cans")
                phrase = " ".join(tokens[i : i + n])
                for group in self.concepts(phrase):
                    for member in CONCEPTS[group]:
                        if norm(member) not in self._weak_keys:  # "weigh" ~ "light" is no Bike Light Set
                            found |= self.types.get(norm(member), set())
                if found:
                    width = n
                    break
            if context or tok in self.value_index:
                if found and len(found) <= 3:
                    hits.append((i, i + width, found))
                    g.consumed |= set(range(i, i + width))
                continue
            if not found and self.concepts(tok):
                continue  # a property word ("rain"), not a product
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not found and nxt and nxt not in STOP and nxt not in ",.;!?" and tok not in _VAGUE:
                # the first word of one type's name, used as a modifier ("hedge cutter")
                owners = {t for key, ts in self.types.items() if key.split()[0] == tok for t in ts}
                if len(owners) == 1:
                    found = owners
            if found and len(found) <= 3:
                hits.append((i, i + width, found))
                g.consumed |= set(range(i, i + width))
        return hits

    def _match_option(
        self, phrase: str, tokens: list[str], i: int, scope: list[str], g: Grounding, neg: bool
    ) -> bool:
        found = False
        prev = tokens[i - 1] if i > 0 else ""
        candidates: list[tuple[str, str, str]] = []
        # exact option values of the types in scope (a size word also means its letter: medium = M)
        if " " in phrase and phrase not in self.value_index and phrase not in self.name_index:
            compact = phrase.replace(" ", "")  # "arm rests" -> the option "armrest"
            if compact in self.value_index or compact in self.name_index:
                phrase = compact
        hits = set(self.value_index.get(phrase, ()))
        if phrase in _SIZE_LETTERS:
            hits |= {
                h for h in self.value_index.get(_SIZE_LETTERS[phrase], ()) if "size" in norm(h[1])
            }
        nxt_tok = tokens[i + len(phrase.split())] if i + len(phrase.split()) < len(tokens) else ""
        if phrase.replace(".", "").isdigit() and nxt_tok in _AGE_WORDS:
            hits = set()  # "a 12 yo who's into skating": an age, not size 12
        if not any(h[0] in scope for h in hits) and phrase.replace(".", "").isdigit() and nxt_tok in ("one", "ones"):
            # "the big 60 one": the value that starts with that number ("60 cm")
            hits = {(t, name, v) for t in scope for name, vals in self.values[t].items()
                    for nv, v in vals.items() if re.match(rf"{re.escape(phrase)}(?![\d.])\s?[a-z]", nv)}
        if prev in ("how", "so", "too") or prev == "as" and i + 1 < len(tokens) and tokens[i + 1] == "as":
            hits = set()  # "how long does it last", "how large is it": a question, not the value
        for t, name, value in sorted(hits):
            if t not in scope:
                continue
            sizeish = "size" in norm(name)
            coded = bool(re.fullmatch(r"\d+[a-z]+|[a-z]\d+", phrase))  # "4k", "5g", "i7": a value's own code, not a bare number
            short = phrase.replace(".", "").isdigit() or len(phrase) <= 2 and not coded
            vague = short or phrase in _VAGUE and len(scope) > 3
            before = tokens[i - 2] if i > 1 else ""
            pointed = (prev in ("the", "that", "those") or prev in _MUCH | _LITTLE and before in ("the", "that", "those")
                       ) and nxt_tok in ("one", "ones", "piece", "pieces")  # "not the 500 ones", "the big 60 one"
            if vague and not (
                prev in ("size", norm(name))
                or sizeish
                and prev in ("size", "in", "uk", "us", "eu", "a", "an", "wears", "wear", "takes", "take")
                or pointed  # "not the 500 ones"
            ):
                continue
            candidates.append((t, name, value))
        if candidates:
            for name, value in self._pick_option(candidates, tokens, i):
                _add(g.exclude if neg else g.include, name, [value])
            return True
        # an option name: a yes/no option means "yes" ("waterproof"), any other is asked about
        for t, name in self.name_index.get(phrase, ()):
            if t not in scope:
                continue
            found = True
            if self._much_of(t, name, tokens, i, g, neg):
                continue
            if name not in g.asked:
                g.asked.append(name)
            positives = self.positive_values(t, name)
            if self.is_boolean(t, name):
                _add(g.exclude if neg else g.include, name, positives)
            elif prev in ("with", "has", "have", "got", "and") and 0 < len(positives) < len(
                self.values[t][name]
            ):
                _add(
                    g.exclude if neg else g.include, name, positives
                )  # "with arm rests": not "none"
        if found:
            return True
        # meaning through the lexicon: the phrase and a catalogue name/value share a concept
        concepts = self.concepts(phrase)
        if not concepts or phrase in STOP:
            if _describes_person(tokens, i):  # "i'm a beginner": the shopper, not another type's option
                return False
            return self._elsewhere(phrase, hits, scope, g, neg)
        for t in scope:
            for nn, name in self.option_names[t].items():
                if self._phrase_concepts(nn) & concepts:
                    found = True
                    if self._much_of(t, name, tokens, i, g, neg):
                        continue
                    if name not in g.asked:
                        g.asked.append(name)
                    positives = self.positive_values(t, name)
                    if not self.is_boolean(t, name) and (prev in self.values[t][name] or any(
                            f" {nv} " in f" {' '.join(tokens)} " or self._phrase_concepts(nv) & g.text_concepts - concepts
                            for nv in self.values[t][name] if nv not in _VAGUE)):
                        continue  # "adjustable arms", "arms that go up and down": the value named, not every positive one
                    if self.is_boolean(t, name) or 0 < len(positives) < len(self.values[t][name]):
                        _add(g.exclude if neg else g.include, name, positives)
                    continue
                names_next = i + len(phrase.split()) < len(tokens) and tokens[
                    i + len(phrase.split())
                ] in nn.split()  # "a big room": room size large
                after = tokens[i + len(phrase.split())] if i + len(phrase.split()) < len(tokens) else ""
                names_next = names_next or "size" in nn and (after in ANIMALS or after in ANIMALS.values()
                                                             or after in _BODY_WORDS)  # "he's a big lab"
                for nv, value in self.values[t][name].items():
                    plain = nv not in _VAGUE or names_next or phrase in _UNAMBIGUOUS
                    if plain and self._phrase_concepts(nv) & concepts:
                        _add(g.exclude if neg else g.include, name, [value])
                        found = True
        return found or (not _describes_person(tokens, i) and self._elsewhere(phrase, hits, scope, g, neg))

    def _much_of(self, t: str, name: str, tokens: list[str], i: int, g: Grounding, neg: bool) -> bool:
        """"a big water tank", "lots of air vents": the top value of an ordered option (the
        bottom one after "small", "little", "low"); False where no such word comes before it."""
        before = set(tokens[max(0, i - 3) : i])
        direction = "max" if before & _MUCH else "min" if before & _LITTLE else None
        values = list(self.values[t][name].values())
        numbered = [(option_number(v), v) for v in values]
        if direction is None or len(values) < 2 or any(n is None for n, _ in numbered):
            return False
        top = (max if direction == "max" else min)(numbered)[1]
        _add(g.exclude if neg else g.include, name, [top])
        return True

    def _elsewhere(
        self,
        phrase: str,
        hits: set[tuple[str, str, str]],
        scope: list[str],
        g: Grounding,
        neg: bool,
    ) -> bool:
        """A value that only types out of scope come in ("and in purple?" of a mat that isn't):
        kept as asked, so the honest answer is "none"."""
        if (
            len(scope) == len(self.values)
            or phrase in _VAGUE
            or len(phrase) <= 2
            or neg
            or re.fullmatch(r"[\d.,]+", phrase)
        ):  # a bare number names no other type's value
            return False
        elsewhere = [(t, n, v) for t, n, v in hits if t not in scope]
        if not elsewhere:
            return False
        if " " not in phrase and any(phrase in nv.split() for t in scope for vals in self.values[t].values() for nv in vals):
            return False  # "one in black" of lamps that come in "Matte Black": theirs, as part of a value
        if any(phrase in norm(t).split() for t in scope):
            return False  # "a quarter-zip fleece" of Fleece Jackets: the type's own word, not Pet Bed's material
        _t, name, value = min(elsewhere)
        _add(g.unavailable, name, [value])
        return True

    def _quantities(
        self, text: str, tokens: list[str], scope: list[str], g: Grounding, negated: set[int]
    ) -> None:
        """Bounds on quantity options: "at least 16gb" -> ram in {16GB, 32GB}, "6 quarts or bigger".

        The bound is matched to the option of each type in scope whose values share its
        dimension; of several ("16gb": ram or storage) the one named next to it, else the one
        whose values span the number. No value meeting the bound: the constraint is kept as
        the shopper's own words, so nothing is shown and the reply says so.
        """
        for bound in quantity_bounds(text):
            start = len(norm_tokens(text[: bound.start]))
            width = max(1, len(norm_tokens(text[bound.start : bound.end])))
            positions = set(range(start, start + width))
            if positions & g.consumed:
                continue
            near = set(tokens[max(0, start - 3) : start + width + 3])
            near |= {_DIM_WORDS[w] for w in near if w in _DIM_WORDS}  # "5 foot tall" -> height
            chosen: list[tuple[str, list[str]]] = []  # (option name, values meeting the bound)
            for t in scope:
                options = []
                for name, vals in self.values[t].items():
                    spans = {v: value_span(v, name) for v in vals.values()}
                    spans = {v: sp for v, sp in spans.items() if sp and sp[0] == bound.dimension}
                    if spans and len(spans) == len(vals):
                        options.append((name, spans))
                for name, guide in self.guides.get(t, {}).items():  # "my dog is 30kg" -> its size
                    spans = {v: sp for v, sp in guide.items() if sp[0] == bound.dimension}
                    if len(spans) >= 2 and (near & _GUIDE_CUES or not options):
                        options = [o for o in options if o[0] != name] + [(name, spans)]
                if not options:
                    continue
                name, spans = min(options, key=lambda o: _option_fit(o[0], o[1], bound.point, near))
                accepted = [v for v, sp in spans.items() if bound.accepts((sp[1], sp[2]))]
                if not accepted and bound.exact:  # "2 metres ish" of 6 ft / 7 ft: the nearest, if close
                    rough = 0.2 if near & _ROUGHLY else 0.08
                    v, sp = min(spans.items(), key=lambda kv: abs((kv[1][1] + kv[1][2]) / 2 - bound.point))
                    if abs((sp[1] + sp[2]) / 2 - bound.point) <= rough * max(bound.point, 1e-9):
                        accepted = [v]
                chosen.append((name, accepted))
            if len(scope) == len(self.values):
                # no type named: only the one option the words point at ("5 foot tall" -> height),
                # and only values that exist; never a constraint on every option of the store
                fitting = [
                    (name, acc) for name, acc in chosen if acc
                ]
                if not fitting:
                    continue
                fits = {}
                for n in sorted({n for n, _ in fitting}):
                    spans_n = {v: value_span(v, n) for name, a in fitting if name == n for v in a}
                    fits[n] = _option_fit(n, {v: sp for v, sp in spans_n.items() if sp}, bound.point, near)
                best = min(fits, key=fits.__getitem__)
                chosen = [(best, [v for n, a in fitting if n == best for v in a])]
            if not chosen:
                continue
            g.consumed |= positions
            neg = bool(positions & negated) and bound.exact  # a bound already read its negation
            for name, accepted in chosen:
                if name not in g.asked:
                    g.asked.append(name)
                if neg:
                    _add(g.exclude, name, accepted)
                elif accepted:
                    _add(g.include, name, accepted)
                elif not any(n == name and a for n, a in chosen):
                    _add(g.include, name, [bound.text.strip()])

    def _pick_option(
        self, candidates: list[tuple[str, str, str]], tokens: list[str], i: int
    ) -> list[tuple[str, str]]:
        """One option per type for a value several options share ("brown lenses" -> lens color)."""
        near = set(tokens[max(0, i - 2) : i + 4])
        by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for t, name, value in candidates:
            by_type[t].append((name, value))
        out: list[tuple[str, str]] = []
        for options in by_type.values():

            def score(nv: tuple[str, str]) -> tuple[int, int]:
                words = set(norm(nv[0]).split())
                hint = len(words & near) + sum(  # "lenses" hints at "lens color" (normalised "len color")
                    1 for w in words for n in near if len(n) > 3 and (w.startswith(n[:4]) or len(w) >= 3 and n.startswith(w))
                )
                return (-hint, 0 if norm(nv[0]) in ("color", "colour") else 1)

            best = min(options, key=score)
            if best not in out:
                out.append(best)
        return out

    def _partial_values(
        self, tokens: list[str], scope: list[str], g: Grounding, negated: set[int]
    ) -> None:
        """A word that is part of option values of the types in scope ("soy" -> "Soy Wax")."""
        for i, tok in enumerate(tokens):
            if i in g.consumed or len(tok) < 3 or tok in STOP or tok in _VAGUE or tok.isdigit():
                continue
            if i > 0 and tokens[i - 1] in _POSSESSIVES:
                continue  # "my back is killing me": the shopper's back, not a high-back chair
            hits = [
                (t, n, v)
                for t in scope
                for n, vals in self.values[t].items()
                for nv, v in vals.items()
                if (" " in nv and tok in nv.split())
                or (len(tok) >= 5 and any(w.startswith(tok) and w != tok for w in nv.split()))
            ]
            if hits and len({n for _, n, _ in hits}) <= 2:
                for _t, n, v in hits:
                    _add(g.exclude if i in negated else g.include, n, [v])
                g.consumed.add(i)


def _option_fit(
    name: str, spans: dict[str, tuple[str, float, float]], point: float, near: set[str]
) -> tuple:
    """How well an option fits a quantity the shopper wrote: named next to it, then spanning it."""
    hint = len(set(norm(name).split()) & near)
    if not spans:
        return (-hint, 2, 0.0)
    lo = min(sp[1] for sp in spans.values())
    hi = max(sp[2] for sp in spans.values())
    inside = lo <= point <= hi
    distance = 0.0 if inside else min(abs(point - lo), abs(point - hi)) / max(point, 1e-9)
    return (-hint, 0 if inside else 1, distance)


def _ngrams(tokens: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, phrase) for every n-gram, longest first, never across punctuation."""
    out = []
    for n in range(_MAX_NGRAM, 0, -1):
        for i in range(len(tokens) - n + 1):
            words = tokens[i : i + n]
            if any(w in ",.;!?" for w in words):
                continue
            out.append((i, i + n, " ".join(words)))
    return out


_MONEY_K = re.compile(r"[$£€]\s*\d+\s*k\b|\b(under|below|budget|spend|max|up to|less than|over|above|around|about)\s+\d+\s*k\b", re.I)
_PUNCT = frozenset(",.;:!?-–()/")
_BECOME = frozenset("go goes going gone went turn turns turned turning".split())
_GOES_WITH_PREP = frozenset("on onto for with into fit fits fitting charge charges charging protect protects".split())
_GOES_WITH_DET = frozenset("my his her their our your the".split())
_OWN = frozenset("my his her their our your".split())


def _goes_with_dropped(hits: list[tuple[int, int, set[str]]], tokens: list[str]) -> list[tuple[int, int, set[str]]]:
    """Of two or more types named, one that the wanted thing goes on, with or for ("a cam to
    stick on my helmet", "one that charges the phone", "a bag for my laptop") is not wanted itself."""
    if len({frozenset(ts) for _i, _j, ts in hits}) < 2:
        return hits
    def goes_with(i: int) -> bool:  # "for the" / "with the" say little ("compare with the headphones")
        return i >= 2 and tokens[i - 2] in _GOES_WITH_PREP and (
            tokens[i - 1] in _OWN or tokens[i - 1] == "the" and tokens[i - 2] not in ("for", "with"))

    kept = [(i, j, ts) for i, j, ts in hits if not goes_with(i)]
    return kept if kept else hits


def _describes_person(tokens: list[str], i: int) -> bool:
    """Whether the word at ``i`` says who someone is ("i'm a beginner", "she is an expert")."""
    before = tokens[max(0, i - 3):i]
    return bool(before) and before[-1] in ("a", "an", "total", "complete") and any(
        w in ("i'm", "im", "am", "he", "she", "hes", "shes", "we're", "were", "is", "they're") for w in before)


def _forget_positions(tokens: list[str]) -> set[int]:
    """Token positions right after "forget" / "scrap" / "never mind" (up to punctuation)."""
    joined = " ".join(tokens)
    out: set[int] = set()
    for m in _FORGET.finditer(joined):
        k = len(joined[: m.end()].split())
        while k < len(tokens) and tokens[k] not in ",.;!?" and len(out) < 4:
            out.add(k)
            k += 1
    return out


def _negated_positions(text: str, tokens: list[str]) -> set[int]:
    """Token positions inside a negation's scope (up to the next punctuation or 'but')."""
    starts: list[int] = []
    out: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok == "non":  # "non-stick", "non polarized": the next word only
            out.add(i + 1)
        elif tok in ("no", "nah", "nope") and i + 1 < len(tokens) and tokens[i + 1] in _NOT_A_SCOPE:
            continue  # "no i wanted the espresso one": a no to the last answer, not to what follows
        elif tok in _NEG_CUES and i + 1 < len(tokens) and tokens[i + 1] in _WITHSTANDS:
            continue  # "earbuds that won't die from sweat": what it must withstand, wanted
        elif tok in _NEG_CUES:
            starts.append(i + 1)
    joined = " ".join(tokens)
    for m in _BAD_THING.finditer(joined):  # "our wifi is rubbish": wifi is not wanted
        end = len(joined[: m.start(1)].split())
        out |= {k for k in range(max(0, end - 2), end) if tokens[k] not in STOP}
    for m in _NEG_PHRASES.finditer(joined):
        starts.append(len(joined[: m.end()].split()))
    for s in starts:
        k = s
        while (
            k < len(tokens)
            and k < s + 6
            and tokens[k] not in ",.;!?"
            and tokens[k] not in _SCOPE_END
        ):
            out.add(k)
            k += 1
    return out
