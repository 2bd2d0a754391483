"""Turn one shopper message into dialogue-state updates.

Slots from the model come first; constraints the model left unlabelled are read
from the text against the catalogue vocabulary. Refinements act on what was shown:
"cheaper" puts the ceiling below the average shown price, "more expensive" the floor
above it, "not that brand" / "not that one" exclude, "show me different ones" raises
diversity and excludes the shown items. Item references ("the second one",
"that blue one", "the cheapest") resolve against the last products shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.dialogue.answers import best_sentence, price_for_quantity
from assistant.dialogue.state import DialogueState
from assistant.dialogue.vocab import Catalog, norm_words
from retrieval.catalog.view import option_matching, option_number
from retrieval.grounding import Grounding
from retrieval.lexicon import GIFT_WORDS, PRESENT
from retrieval.money import has_bare_number, price_bounds

__all__ = ["ShoppingUpdate", "apply_shopping", "detect_refinements", "ordinals", "price_bounds",
           "resolve_items", "superlative", "is_question"]
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:(?:and|so|but|ok|okay|also|hmm|um|oh)\W+)*(what|whats|wats|which|where|wheres|when|why|is|are|does|do|did|how|hows|hw|can|could|will|"
    r"would|has|have|any|got)\b|"
    r"\b(tell me (about|more)|what about|how about)\b|"
    r"[.;!]\s*(?:and\s+|so\s+|but\s+)?(?:the \w+\W+)?(what'?s|whats|how much|how many|how long|which one)\b", re.I)  # "thanks. and ..., whats the price"
_SUPERLATIVES = (
    (re.compile(r"\b(cheapest|least expensive|lowest price|most affordable|best value|(easier|easiest|kinder|kindest|"
                r"lighter|lightest|gentler) on the (wallet|pocket|budget)|won'?t break the bank|budget (option|one|pick))\b",
                re.I), "price", "min"),
    (re.compile(r"\b(most expensive|priciest|dearest|highest price|top of the range)\b", re.I), "price", "max"),
    (re.compile(r"\b(last(s)? (the )?long(est|er)|longest[- ]lasting|best battery|most battery|longest battery|"
                r"longer (on )?(the )?battery|long(er|est) on (the )?battery|best battery life)\b", re.I),
     "battery life", "max"),
    (re.compile(r"\b(most|more) (juice|charge|power|mah)\b", re.I), "battery life|capacity", "max"),  # a power bank's capacity
    (re.compile(r"\b(longer|longest|the long)\b", re.I), "length|blade length|height", "max"),
    (re.compile(r"\b(shorter|shortest)\b", re.I), "length|blade length|height", "min"),
    (re.compile(r"\b(lightest|least heavy|weighs (the )?least)\b", re.I), "weight", "min"),
    (re.compile(r"\b(heaviest|weighs (the )?most)\b", re.I), "weight", "max"),
    (re.compile(r"\b(biggest|largest|holds (the )?most|most capacity|roomiest)\b", re.I), "capacity|volume|size|pack size|bag size|weight|length|diameter|height|screen size|piece count|pieces", "max"),
    (re.compile(r"\b(thickest|thicker)\b", re.I), "thickness", "max"),
    (re.compile(r"\b(thinnest|thinner)\b", re.I), "thickness", "min"),
    (re.compile(r"\b(most|more) (ram|memory)\b", re.I), "ram|memory", "max"),
    (re.compile(r"\b(smallest|most compact|tiniest)\b", re.I), "capacity|volume|size|length|diameter|height|screen size|weight", "min"),
    (re.compile(r"\b(brightest|brighter)\b", re.I), "brightness|lumens", "max"),
    (re.compile(r"\b(tallest|the tall one|taller one)\b", re.I), "height", "max"),
    (re.compile(r"\ba (big|bigger|large|larger) one\b|\b(bigger|larger|roomier)\b", re.I), "capacity|size|volume|length|height", "max"),
    (re.compile(r"\b(smaller|more compact|tinier)\b", re.I), "capacity|size|volume|length|height", "min"),
    (re.compile(r"\b(heavier)\b", re.I), "weight|weight range", "max"),
    (re.compile(r"\b(faster|more powerful|stronger|quicker)\b", re.I), "speed|speed settings|power|pressure|wattage|processor", "max"),
    (re.compile(r"\b(the )?(most|highest number of|max(imum)?) (pieces|piece count)\b", re.I), "piece count|pieces", "max"),
    (re.compile(r"\b(the )?(fewest|least|lowest number of|min(imum)?) (pieces|piece count)\b", re.I), "piece count|pieces", "min"),
    (re.compile(r"\b(the )?most (storage|space)\b", re.I), "storage|capacity", "max"),
    (re.compile(r"\b(widest|wider)( angle)?\b", re.I), "field of view|angle|width", "max"),
    (re.compile(r"\b(most zoom|biggest zoom|massive zoom|longest zoom|best zoom|most megapixels|highest resolution)\b", re.I),
     "zoom|resolution", "max"),
    (re.compile(r"\b(fastest|most powerful|strongest)\b", re.I), "speed|power|pressure|wattage|processor", "max"),
    (re.compile(r"\b(most storage|most space)\b", re.I), "storage|capacity", "max"),
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "last": -1}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?:the|that)\s+(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|last)\b"
    r"|\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|last)\s+(?:one|item|option|product)\b"
    r"|\b(?:number|no\.|#|item|option)\s*([1-9])\b(?!\d)"
    r"|(?<=and )(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b(?!\s+(?:time|thing|of))",
    re.I,
)
_REFINEMENTS = {
    "cheaper": re.compile(r"\b(cheaper|less expensive|lower[- ]priced?|more affordable|too (expensive|pricey))\b", re.I),
    "pricier": re.compile(r"\b(more expensive|pricier|higher[- ]end|more premium|fancier|better quality)\b", re.I),
    "not_brand": re.compile(r"\bnot (that|this|the same) brand\b|\b(another|other|a different) brand\b|\bno more of (that|this) brand\b", re.I),
    "not_one": re.compile(r"\bnot (that|this|the [\w-]+) one\b|\b(don'?t|do not) (like|want) (that|this|it)\b|\bnot for me\b|\bexclude (that|this|it)\b", re.I),
    "different": re.compile(r"\b(different ones|something (else|different)|other (ones|options)|more variety|more diverse|show me others|different options|mix it up"
                           r"|any ?(others|more)|what else|anything else|more options|show me more|(some|a few) more|others\s*\?)", re.I),
}  # fmt: skip


@dataclass(frozen=True)
class ShoppingUpdate:
    """What a turn changed in the shopping part of the state.

    Attributes:
        refinements: names among cheaper, pricier, not_brand, not_one, different.
        new_need: the shopper asked for a new kind of product (older constraints dropped).
        constraints: a constraint (type, price, brand, option) was added or changed.
        item: the shown product the message refers to, if any.
        items: several referenced products (compare "the first and the third").
    """

    refinements: tuple[str, ...] = ()
    new_need: bool = False
    constraints: bool = False
    item: dict[str, Any] | None = None
    items: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    note: str = ""
    question: bool = False
    about_shown: bool = False
    asked: tuple[str, ...] = ()
    asked_values: dict[str, list[str]] = field(default_factory=dict)
    superlative: tuple[str, str] | None = None
    grounding: Grounding | None = None


def detect_refinements(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in _REFINEMENTS.items() if pattern.search(text or ""))


def ordinals(text: str) -> list[int]:
    """Every ordinal item reference in ``text``, 1-based (-1 = last)."""
    out = []
    for m in _ORDINAL.finditer(text or ""):
        word = m.group(1) or m.group(2) or m.group(4)
        out.append(_ORDINALS[word.lower()] if word else int(m.group(3)))
    return out


def resolve_items(ref: Any, text: str, state: DialogueState) -> list[dict[str, Any]]:
    """Shown products the message refers to: by ordinal, by price words, or by description."""
    shown = state.last_shown
    if not shown:
        return []
    picks: list[int] = []
    if isinstance(ref, int | float) and not isinstance(ref, bool):
        picks.append(int(ref))
    elif isinstance(ref, str) and ref.strip().lstrip("-").isdigit():
        picks.append(int(ref.strip()))
    picks += [i for i in ordinals(text) if i not in picks]
    first_n = re.search(r"\b(?:first|top) (two|2|three|3)\b", text or "", re.I)
    if first_n:  # "compare the first two"
        picks = [1, 2] if first_n.group(1) in ("two", "2") else [1, 2, 3]
    out = []
    for i in picks:
        index = len(shown) - 1 if i == -1 else i - 1
        if 0 <= index < len(shown) and shown[index] not in out:
            out.append(shown[index])
    if out:
        return out
    low = (text or "").lower()
    if re.search(r"\bcheapest (one|item)\b|\bthe cheapest\b", low):
        return [min(shown, key=lambda p: p["price"])]
    if re.search(r"\b(most expensive|priciest)\b", low):
        return [max(shown, key=lambda p: p["price"])]
    size = re.search(r"\b(?:the|that) (big|bigger|biggest|large|larger|largest|tall|taller|tallest|"
                     r"small|smaller|smallest|little|tiny|short|shorter|shortest|compact) (one|ones|model)\b", low)
    if size and len(shown) >= 2:  # "how much weight can the big one hold": the shown product with the most size
        picked = _by_size(shown, size.group(1) in ("big", "bigger", "biggest", "large", "larger", "largest",
                                                   "tall", "taller", "tallest"))
        if picked is not None:
            return [picked]
    descriptive = ref if isinstance(ref, str) else None
    if descriptive or re.search(r"\b(that|the|this)\s+[\w\s-]{1,30}\bone\b", low):
        return _by_description(descriptive or low, shown)
    return []


_SIZE_OPTION = "size|height|length|capacity|volume|weight|diameter|width|screen size|pieces|piece count"


def _by_size(shown: list[dict[str, Any]], biggest: bool) -> dict[str, Any] | None:
    """The shown product with the most (least) of a size-like option all of them state, if one does."""
    names = [option_matching(_SIZE_OPTION, list(p.get("options") or p.get("attributes") or {})) for p in shown]
    if None in names or len({n.lower() for n in names}) != 1:
        return None
    numbers = [option_number((p.get("options") or p.get("attributes") or {}).get(n)) for p, n in zip(shown, names, strict=True)]
    if None in numbers or len(set(numbers)) < 2:
        return None
    pick = max if biggest else min
    return shown[numbers.index(pick(numbers))]


def _by_description(text: str, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    words = set(norm_words(text).split())
    scores = []
    for p in shown:
        values = [str(v) for v in (p.get("attributes") or {}).values()] + [p.get("brand") or ""]
        tokens = set(norm_words(" ".join(values)).split())
        scores.append(len(words & tokens))
    best = max(scores, default=0)
    if best == 0 or scores.count(best) != 1:
        return []
    return [shown[scores.index(best)]]


_IS_THE_EXTREME = re.compile(
    r"\b(?:is|was|isn'?t) (?:that|it|this)(?: one)? (?:also |too |then )?the (cheaper|cheapest|least expensive|"
    r"pricier|priciest|dearer|most expensive)\b")
_AGE = re.compile(r"\b(?:he'?s|she'?s|they'?re|he is|she is|they are|it'?s|turns?|turning|turned|aged?)\s+(?:only\s+|just\s+|nearly\s+|about\s+)?"
                  r"\d{1,2}(?:\.\d)?\b(?!\s*(?:dollars|bucks|quid|pounds|euros|kg|lbs?|cm|inch|in\b|ft|%|\$|£|€))")
_REQUIREMENT = re.compile(
    r"^\W*(?:(?:it|they|she|he|and|also|ok|oh|but|plus|must|would)\W+)*(?:needs?|has|have|got|must|should|gotta) (?:to|be)\b|"
    r"^\W*(?:(?:and|also|ok|plus)\W+)*(?:one|something|ones) (?:that|which|to) \w+", re.I)
ACTIVITY_NEED = re.compile(
    r"\b(something|anything|stuff|things?|what)\s+(to|for|i can use|i could use)\b|\bwhat (do|would|should) i (need|get)\b|"
    r"\bwhat (do|does|would|will|might|should|could) (\w+ ){0,3}(need|want|like|use|enjoy)\b|"
    r"\bwhat (could|can|should|shall) (i|we) (send|get|buy|give|bring|take)\b|\bwhat'?ll (stop|keep|help)\b|"
    r"\bkeep (her|him|them|me|us) (sane|busy|entertained|occupied|amused|happy)\b|\bwhat would (actually )?impress\b")
_CHOICE = re.compile(r"\b(then|i'?ll (go with|have|take)|let'?s go with|go for|fine|ok(ay)?|that one)\b")
_HEDGE = re.compile(
    r"\b(if poss(ible)?|if (you|u) (can|have (it|them|one|any))|if (you'?ve|youve|you have) got (it|them|one|any)|ideally|"
    r"preferably|prefer(ably)? but|would be nice|nice to have|(is|would be) a bonus|not essential|not a must|"
    r"not fussed but|if there'?s one|if there are any)\b", re.I)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


_SORT = re.compile(
    r"\b(sort|order|rank|arrange|list)(ed)? (them|these|those|it|the \w+|by|from)\b|"
    r"\b(cheapest|lowest|least expensive|priciest|most expensive|highest|dearest) (one )?first\b|"
    r"\b(low|lowest|cheapest) to (high|highest|priciest)\b|\b(high|highest|priciest) to (low|lowest|cheapest)\b",
    re.I)
_SORT_DESC = re.compile(r"\b(priciest|most expensive|highest|dearest|high to low|highest to lowest|descending)\b", re.I)


def sort_request(text: str) -> str | None:
    """"sort them cheapest first" -> "price_asc"; "high to low" -> "price_desc"; else None."""
    if not _SORT.search(text or ""):
        return None
    return "price_desc" if _SORT_DESC.search(text) else "price_asc"


# "the big bag", "go back to the small one": the most (least) of the size, when nothing else is asked
# ("how much weight can the big one hold" asks about the one the words point at)
_PLAIN_SIZE = (
    (re.compile(r"\bthe (big|large|huge) (one|ones|bag|bags|pack|packs|box|tub|tin|bottle|size)\b", re.I),
     "capacity|volume|size|pack size|bag size|weight|length|height", "max"),
    (re.compile(r"\bthe (small|little|tiny|mini) (one|ones|bag|bags|pack|packs|box|tub|tin|bottle|size)\b", re.I),
     "capacity|volume|size|pack size|bag size|weight|length|height", "min"),
)
_ASKS = re.compile(r"\b(how|what|whats|what's|which|does|do|is|are|can|will|would|could|has|have)\b", re.I)


def superlative(text: str) -> tuple[str, str] | None:
    """(attribute pattern, "min"|"max") of a superlative ("the cheapest", "lasts longest"), or of
    a comparative asked as a choice ("which is cheaper?")."""
    low = (text or "").lower()
    if re.search(r"\b(which|what)\b", low):
        if re.search(r"\b(cheaper|less expensive|more affordable|lower price)\b", low):
            return "price", "min"
        if re.search(r"\b(pricier|more expensive|dearer)\b", low):
            return "price", "max"
    for pattern, attribute, direction in _SUPERLATIVES:
        if pattern.search(text or ""):
            return attribute, direction
    if not _ASKS.search(low):
        for pattern, attribute, direction in _PLAIN_SIZE:
            if pattern.search(low):
                return attribute, direction
    return None


_COMPARATIVE = re.compile(
    r"\b(brighter|bigger|larger|roomier|smaller|tinier|longer|shorter|heavier|lighter|thicker|thinner|wider|taller|"
    r"faster|quicker|stronger|more (powerful|compact|storage|memory|ram|zoom)|(higher|better) (resolution|zoom))\b", re.I)


def is_comparative(text: str) -> bool:
    """"any brighter version", "a bigger one": more than the shown one, not the most of all.
    "the smaller tank" names one of two (the smaller of them), so it is not a comparative."""
    m = _COMPARATIVE.search(text or "")
    return bool(m) and not re.search(r"\b(the|that|this)\s+$", (text or "")[: m.start()], re.I)


def _described(p: dict[str, Any], text: str, catalog: Catalog) -> bool:
    """The question's words appear in the product's description (an answerable detail)."""
    product = catalog.view.products.get(p.get("product_id") or "")
    return bool(product and best_sentence(product.description, text))


def _by_options(include: dict[str, list[str]], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shown products whose chosen variant has the named option values ("the green one")."""
    if not include:
        return []
    out = []
    for p in shown:
        opts = {str(k).lower(): str(v).lower() for k, v in (p.get("options") or p.get("attributes") or {}).items()}
        if all(opts.get(k.lower()) in {x.lower() for x in vals} for k, vals in include.items()):
            out.append(p)
    return out


def _exclude_extreme(g: Any, words: Any, types: list[str], sup: tuple[str, str]) -> None:
    """A negated superlative excludes the extreme value of that option for each type."""
    pattern, direction = sup
    for t in types:
        options = words.values.get(t, {})
        name = option_matching(pattern, options)
        numbered = [(option_number(v), v) for v in options.get(name, {}).values()] if name else []
        numbered = [(n, v) for n, v in numbered if n is not None]
        if len(numbered) >= 2:
            extreme = (min if direction == "min" else max)(numbered)[1]
            g.exclude.setdefault(name, [])
            if extreme not in g.exclude[name]:
                g.exclude[name].append(extreme)


def apply_shopping(
    state: DialogueState, intent: str, slots: dict[str, Any], text: str, catalog: Catalog,
    default_diversity: float,
) -> ShoppingUpdate:
    """Update ``state`` in place from one shopping-related turn and say what changed.

    The need (types, constraints) persists until the shopper names another type;
    refinements narrow it; exclusions ("not the black ones") are kept apart from
    inclusions; a newer explicit constraint replaces an older soft one.
    """
    words = catalog.words
    g = words.ground(text, state.types)
    refinements = detect_refinements(text)
    question = is_question(text)
    sup = superlative(text)
    low = (text or "").lower()
    check = _IS_THE_EXTREME.search(low)
    if check and state.last_shown:  # "and is that the cheaper one too?": a yes/no about the one shown
        refinements = tuple(r for r in refinements if r not in ("cheaper", "pricier"))
        sup = ("price", "max") if check.group(1) in ("pricier", "priciest", "dearer", "most expensive") else ("price", "min")
        question = True
    if sup and sup[0] != "price" and re.search(r"\b(?:not|no|nothing|anything but|except)\s+(?:the\s+|a\s+)?\w+est\b", low):
        _exclude_extreme(g, words, state.types or g.types, sup)  # "not the thinnest one, my knees"
        sup = None
    if g.exclude or g.include:  # "not the black one" is about black, not about one product
        refinements = tuple(r for r in refinements if r != "not_one")
    shown = state.last_shown
    items = resolve_items(slots.get("item_ref"), text, state)
    referential = bool(re.search(r"\b(the|that|this)\s+([\w-]+\s+){0,2}(one|ones)\b", low))
    identifying: set[str] = set()  # options that only say which shown product ("the plastic one")
    if not items and shown and g.include and (referential or question):
        matched = _by_options(g.include, shown)
        if matched and len(matched) < len(shown) or (matched and referential):
            items = matched
            if referential and len(matched) < len(shown):
                identifying = set(g.include)
        elif referential and len(g.include) > 1:  # "does the blue one come in XL": blue says which
            for name, values in g.include.items():
                picked = _by_options({name: values}, shown)
                if picked and len(picked) < len(shown):
                    items, identifying = picked, {name}
                    break
    if re.search(r"\b(both|the two|these two|those two|all of them|all three|the three)\b", low) and len(shown) >= 2:
        items = items or list(shown[:3] if "three" in low or "all" in low else shown[:2])
    elif re.search(r"\b(both|the two|these two|those two)\b", low) and len(shown) == 1 and state.earlier:
        items = items or [state.earlier[-1], shown[0]]  # a product of an earlier list and the one shown now
    if re.search(r"\b(which|any) (of them|of these|of those|ones?)\b", low) and len(shown) >= 2 and not items:
        items = list(shown)
    focus = state.shown(state.focus_id)
    if re.search(r"\bcompare\b|\bvs\.?\b|\bversus\b", low) and len(items) == 1 and focus and focus is not items[0]:
        items = [focus, items[0]]
    types = [t for t in g.types if t not in g.exclude_types]
    if question and types and not items:  # "what themes do the puzzles come in" -> the shown puzzle
        typed = [p for p in shown if p.get("category") in types]
        if len(typed) == 1:
            items = typed
    if sup and g.include and not re.search(r"\b(first|second|third|last|both|these|those)\b", low):
        items = []  # "the cheapest one in XL": a constrained search, not the cheapest shown item
    item = items[0] if len(items) == 1 else (items[0] if items and not question else None)
    if (not types and not g.exclude_types and slots.get("product") and not question and not state.types
            and not g.include and not g.exclude):
        types = [t for t in words.ground(str(slots["product"])).types if t not in g.exclude_types]
    shown_types = {p.get("category") for p in shown}
    target = item or focus or (shown[0] if len(shown) == 1 else None)
    if (target and types and not set(types) <= shown_types and not g.include and re.match(
            r"\W*(?:and |so |but |ok |okay )?(does|do|is|are|can|will|would|has|have|did) "
            r"(it|that|this|they|these|those|that one|this one)\b", low)):
        types = []  # "does that need a separate filter": the filter is asked about the shown tank
    pointing = bool(re.search(r"\b(it|its|it's|this|that|these|those|they|them|the \w+ one|come in|comes in)\b", low))
    priced = bool(re.search(r"\b(price|prices|cost|costs|how much|hows much|hw much|how expensive)\b", low))
    yes_no = bool(re.match(r"\W*(?:and |so |but )?(is|are|does|do|has|have|can|will)\b", low))  # "is the a5 a hardback"
    about_target = bool(target) and question and not g.exclude and (
        bool(g.asked) or (bool(g.include) and (pointing or bool(item) or yes_no)) or _described(target, text, catalog)
        or priced and not g.include and not re.search(r"\d", low)
        and (pointing or bool(types) and target.get("category") in types  # "the thermostat, whats the price again"
             or len(low.split()) <= 3)  # "hows much"
    )
    sorting = sort_request(text) if shown or state.types else None
    bounded = any(b is not None for b in price_bounds(text)) and not re.match(
        r"\W*(is|are|does|do|was|will|would) (it|this|that|they|these|those|the|one)\b", low)  # "anything under 300?"
    if shown and price_for_quantity(text):  # "whats that for 2 of them": a question about the shown item
        return ShoppingUpdate(question=True, about_shown=True, item=focus or item or shown[0], grounding=g)
    kind_wanted = bool(re.search(  # "what about a bed for my dog": a kind of product, not the one shown
        r"\b(?:what|how) about (?:a|an|some|any)\b|\b(?:show me|i want|i need|looking for|i'?d like|got) (?:a|an|some|any)\b",
        low)) and not re.search(r"\b(it|its|this|that|these|those|them|one|ones)\b", low)
    about_shown = not sorting and not bounded and not kind_wanted and bool(shown) and set(types) <= shown_types and not g.exclude and not g.forget and not (
        {"not_one", "different", "not_brand"} & set(refinements)) and (
        ((question or referential) and (bool(items) or bool(sup)) and not (sup and g.include and not items))
        or about_target
        or (question and bool(g.asked) and not g.include)
    )
    gift_words = any(w in low for w in GIFT_WORDS)
    setting_up = bool(re.search(  # "setting up a home office, what do I need": an open need too
        r"\b(setting up|set up|kitting out|kit out|kitting|essentials for|starter kit|everything i need|"
        r"what (do|would|should|will) i need|what else do i need)\b", low))
    gift = gift_words or setting_up or (intent == "recommend" and not state.types)
    new_need = open_need = False
    examples = bool(re.search(r"\b(ideas?|maybe|or something|something like|suggest|such as|like a)\b", low))
    if types and len(types) == 1 and gift_words and examples and g.interest_types and not about_shown:
        # "ideas? maybe something like a candle": that idea and the others that suit; two or more
        # named ("maybe a candle or a nice cushion") are the ideas themselves
        types = list(dict.fromkeys(types + [t for t in g.interest_types if t not in g.exclude_types]))
        open_need = len(types) > 1
    present = bool(PRESENT.search(low))
    owned = bool(re.search(r"\b(his|her|their|my|our)\s+\w+", low)) and not re.search(
        r"\b(maybe|such as|something like|like a|ideas like)\b", low)  # "out on his bike or skateboard": what he has
    if (types and (len(types) == 1 or owned) and present and g.interest_types and set(types) <= set(g.interest_types)
            and not about_shown and not state.types and len(types) < len(g.interest_types)):
        types = [t for t in g.interest_types if t not in g.exclude_types]  # "a present for a coffee snob"
        open_need = True
        g.include = {}  # "his road bike": what he has, not what to show
    if types and state.open_need and not gift_words and set(types) & set(state.types) and set(types) - set(state.types):
        types = [t for t in types if t in state.types]  # "just toys please" narrows the open need
    if types and not about_shown and set(types) != set(state.types):
        new_need = True
    elif not types and g.interest_types and not about_shown and (
            gift or state.open_need and g.exclude_types or ACTIVITY_NEED.search(low)):
        # "something to listen to music on the go": the types that suit the activity, an open need
        # an open need re-aimed: "actually forget coffee, he also likes tea"
        types = [t for t in g.interest_types if t not in g.exclude_types and t not in state.exclude_types]
        open_need = True
        new_need = set(types) != set(state.types)
    if (not types and not new_need and present and state.types and not about_shown and not refinements
            and not g.include and not g.exclude):
        new_need = True  # "a gift for a 12 yo": a new need even when nothing in it names a product type
    if new_need:
        carried = list(state.exclude_types)
        budget = {k: state.slots[k] for k in ("price_min", "price_max") if k in state.slots}
        same_person = open_need and state.open_need  # a present re-aimed: the budget is the giver's
        state.reset_shopping()
        if same_person or re.search(r"\bsame (budget|price|price range|limit)\b", low):  # "phones instead, same budget"
            state.slots.update(budget)
        state.types = types
        state.open_need = open_need or len(types) > 1 and gift
        state.exclude_types = carried if open_need else []
        state.slots["category"] = types[0] if len(types) == 1 else None
        if slots.get("product"):
            state.slots["product"] = str(slots["product"])
    changed = new_need
    for t in g.exclude_types:
        if t not in state.exclude_types:
            state.exclude_types.append(t)
            changed = True
    if state.exclude_types and state.types:
        remaining = [t for t in state.types if t not in state.exclude_types]
        if remaining != state.types:
            state.types = remaining
            if not remaining:  # "she already has one": the open need goes on without that type
                state.open_need = False
    if not state.types and g.exclude_types and (gift or state.open_need):
        pass
    if re.search(r"\b(forget|scrap|ignore|never ?mind|drop|no) (about )?(the |my |that )?(budget|price limit|"
                 r"price cap|limit|max)\b|\bmoney'?s no object\b|\bbudget (doesn'?t|does not) matter\b", low):
        for name in ("price_min", "price_max"):  # "ok forget the budget"
            if state.slots.pop(name, None) is not None:
                changed = True
            state.soft.pop(name, None)
    if sup and not g.include and not g.exclude and re.search(
            r"\b(overall|of (them )?all|in the (whole )?(store|shop)|you (have|sell|stock) (at all|overall)|full stop)\b", low):
        # "whats the cheapest laptop u have overall": the earlier filters go, the type stays
        if state.options or state.exclude_options or any(k in state.slots for k in ("price_min", "price_max")):
            changed = True
        state.options, state.exclude_options = {}, {}
        for name in ("price_min", "price_max"):
            state.slots.pop(name, None)
            state.soft.pop(name, None)
    lo, hi = (None, None) if g.not_money else price_bounds(text)
    numbers_free = has_bare_number(text) and any(
        re.search(r"\d", tok) and i not in g.consumed for i, tok in enumerate(g.tokens))
    if lo is None and hi is None and numbers_free and not question and not _AGE.search(low):
        # a bare number is the model's price slot; not "16gb", "the 30-50 range", "hes 5" (an age)
        lo, hi = slots.get("price_min"), slots.get("price_max")
    for name, value in (("price_min", lo), ("price_max", hi)):
        if value is not None:
            try:
                state.slots[name] = round(float(value), 2)
                state.soft.pop(name, None)
                changed = True
            except (TypeError, ValueError):
                pass
    hedged = bool(_HEDGE.search(low))  # "silver if poss": a preference, dropped when it blocks the rest
    if about_shown and not question and items and g.include and _CHOICE.search(low):
        for name, values in g.include.items():  # "fine, the hard plastic one in grey then": the choice
            state.options[name] = list(values)  # narrows the need, so "the medium" next keeps it
    if not about_shown:
        for name, values in g.include.items():
            if hedged:
                state.soft[f"option:{name}"] = list(values)
            else:
                state.soft.pop(f"option:{name}", None)
            state.options[name] = list(values)
            rest = [v for v in state.exclude_options.get(name, []) if v not in values]
            if rest:
                state.exclude_options[name] = rest
            else:
                state.exclude_options.pop(name, None)
            changed = True
        if state.types and not new_need and not g.include:
            for name, values in g.unavailable.items():  # "and in purple?": none of these types has it
                state.options[name] = list(values)
                changed = True
        for name, values in g.forget.items():  # "forget silver": the constraint goes
            state.soft.pop(f"option:{name}", None)
            for bucket in (state.options, state.exclude_options):
                keep = [] if "*" in values else [v for v in bucket.get(name, []) if v not in values]
                if keep:
                    bucket[name] = keep
                else:
                    bucket.pop(name, None)
            changed = True
        if g.include and len(state.types) > 1 and state.open_need and not new_need:
            # "he wears an 11" of gift ideas: the ideas that come in it (hiking boots, not the backpack)
            def has(t: str, name: str, values: list[str]) -> bool:
                own = {str(v).lower() for v in words.values.get(t, {}).get(name, {}).values()}
                return bool(own & {v.lower() for v in values})
            owners = [t for t in state.types if all(has(t, n, vs) for n, vs in g.include.items())]
            if owners and len(owners) < len(state.types):
                state.types = owners
        for name, values in g.exclude.items():
            have = state.exclude_options.setdefault(name, [])
            have += [v for v in values if v not in have]
            keep = [v for v in state.options.get(name, []) if v not in values]
            if keep:
                state.options[name] = keep
            else:
                state.options.pop(name, None)
            changed = True
        if (g.include or g.exclude or lo is not None or hi is not None) and "different" not in refinements:
            state.seen_products = []  # a new constraint searches the whole need again
        if (g.include or g.exclude or lo is not None or hi is not None) and state.soft:
            for name in list(state.soft):  # an explicit constraint beats an older inferred one
                if name.startswith("option:"):
                    continue  # a stated preference stays one: it gives way only when it blocks
                if name in ("price_max", "price_min") and state.slots.get(name) == state.soft[name]:
                    state.slots.pop(name, None)
                state.soft.pop(name, None)
    for b in g.brands:
        state.slots["brand"] = b
        state.exclude_brands = [x for x in state.exclude_brands if x.lower() != b.lower()]
        changed = True
    for b in g.exclude_brands:
        if b not in state.exclude_brands:
            state.exclude_brands.append(b)
        changed = True
    if sup and not about_shown:  # "the cheapest one in XL", "the smartphone with the most storage"
        sort = {("price", "min"): "price_asc", ("price", "max"): "price_desc"}.get(sup, f"{sup[1]}:{sup[0]}")
        changed = changed or sort != state.sort
        state.sort = sort
    elif re.search(r"\b(best quality|top of the range)\b", low) and not about_shown:
        state.sort = "price_desc"
    if sorting:  # "sort them cheapest first": the same need, in price order
        state.sort = sorting
        changed = True
    note = ""
    if not about_shown:
        note = _apply_refinements(state, refinements, item, default_diversity)
    asked_values = {k: v for k, v in g.include.items() if k not in identifying} if about_shown else {}
    if (state.types and not new_need and not about_shown and not changed and not refinements and not items
            and _REQUIREMENT.search(low) and g.leftover):
        # "needs to keep the rain off too": no option says it, so the words join the search text
        words = g.leftover[:120]
        state.last_query = f"{state.last_query or ' '.join(state.types)} {words}".strip()[-400:]
        state.requirements = [*state.requirements[-2:], words]
        state.seen_products = []
        changed = True
    return ShoppingUpdate(
        refinements, new_need, changed or bool(refinements), item, tuple(items), note,
        question=question, about_shown=about_shown, asked=tuple(g.asked), asked_values=asked_values,
        superlative=sup, grounding=g,
    )


def _apply_refinements(
    state: DialogueState, refinements: tuple[str, ...], item: dict[str, Any] | None,
    default_diversity: float,
) -> str:
    shown = state.last_shown
    prices = [float(p["price"]) for p in shown]
    notes = []
    if "cheaper" in refinements and prices:
        # below what was shown: the one product's price, or the average of a list
        ceiling = round((min(prices) if len(prices) == 1 else sum(prices) / len(prices)) - 0.01, 2)
        current = state.slots.get("price_max")
        state.slots["price_max"] = min(ceiling, float(current)) if current is not None else ceiling
        state.soft["price_max"] = state.slots["price_max"]
        state.sort = "price_asc"
        if state.slots.get("price_min") is not None and state.slots["price_min"] > state.slots["price_max"]:
            state.slots.pop("price_min")
    if "pricier" in refinements and prices:
        floor = round(sum(prices) / len(prices) + 0.01, 2)
        state.slots["price_min"] = floor
        if state.slots.get("price_max") is not None and state.slots["price_max"] < floor:
            state.slots.pop("price_max")
    target = item or state.shown(state.focus_id) or (shown[0] if len(shown) == 1 else None)
    if "not_brand" in refinements:
        brand = (target or {}).get("brand") or state.slots.get("brand")
        if brand is None and shown:
            brands = [p.get("brand") for p in shown if p.get("brand")]
            brand = max(set(brands), key=brands.count) if brands else None
        if brand:
            if brand not in state.exclude_brands:
                state.exclude_brands.append(brand)
            if str(state.slots.get("brand", "")).lower() == brand.lower():
                state.slots.pop("brand")
        else:
            notes.append("no_brand")
    if "not_one" in refinements and not target and shown:
        notes.append("no_target")
    if "not_one" in refinements and target:
        if target.get("product_id"):
            if target["product_id"] not in state.exclude_products:
                state.exclude_products.append(target["product_id"])
        elif target["id"] not in state.exclude_ids:
            state.exclude_ids.append(target["id"])
        if state.focus_id == target["id"]:
            state.focus_id = None
    if "different" in refinements:
        state.diversity = min(1.0, (state.diversity or default_diversity) + 0.3)
        for p in shown:  # a product, or a bare result's own id where no product view is known
            key = p.get("product_id") or p["id"]
            if key not in state.seen_products:
                state.seen_products.append(key)
    return ",".join(notes)
