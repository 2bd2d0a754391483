"""Answers about shown products, from the store's data only.

Yes/no and value questions read the chosen variant's options, the values the product
comes in, and its description; superlatives ("which is the cheapest?", "which lasts
longest?") compare the shown list; a comparison puts every referenced product side by side.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from retrieval.catalog.view import CatalogView, option_matching, option_number
from retrieval.grounding import norm, norm_tokens
from retrieval.lexicon import MATERIALS, concept_groups
from retrieval.types import Filters

DONT_KNOW = "I don't know — the store's data doesn't say."


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(value: float, currency: str | None = "USD") -> str:
    """``$1,234.50``; other currencies by their symbol (``€89.00``) or code (``CHF 89.00``)."""
    code = (currency or "USD").upper()
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{float(value):,.2f}" if symbol else f"{code} {float(value):,.2f}"


def price(p: dict[str, Any]) -> str:
    """The price of a shown product (its chosen variant) in its own currency."""
    return money(p["price"], p.get("currency"))


def _options(p: dict[str, Any]) -> dict[str, Any]:
    return dict(p.get("options") or p.get("attributes") or {})


def option_text(options: dict[str, Any]) -> str:
    """A variant's options for people: values, with yes/no options named ("7, leather, waterproof")."""
    out = []
    for name, value in options.items():
        low = str(value).strip().lower()
        unit = re.search(r"\(([^)]{1,6})\)\s*$", str(name))  # "Weight (g)": 1450 -> 1450 g
        if low in ("yes", "true"):
            out.append(str(name))
        elif low in ("no", "false"):
            out.append(f"not {name.lower()}" if " " not in str(name) else f"no {name}")
        elif unit and re.fullmatch(r"[\d.,]+", low):
            out.append(f"{value} {unit.group(1)}")
        else:
            out.append(str(value))
    return ", ".join(out)


def label(p: dict[str, Any]) -> str:
    opts = option_text(_options(p))
    return f"{p['title']} ({opts})" if opts else str(p["title"])


def _join(values: list[str]) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _option_for(pattern: str, products: list[dict[str, Any]]) -> str | None:
    """The option name of the shown products matching an attribute pattern ("battery life")."""
    return option_matching(pattern, [n for p in products for n in _options(p)])


def through(p: dict[str, Any], wanted: dict[str, list[str]], view: CatalogView | None,
             filters: Filters | None = None) -> dict[str, Any]:
    """Shown product ``p`` through its variant with the ``wanted`` option values (in stock, within
    the shopper's other constraints, cheapest first); ``p`` itself when there is none."""
    product = view.products.get(p.get("product_id") or "") if view is not None else None
    if product is None:
        return p
    matching = [v for v in product.variants if _has_values(v, wanted)]
    if not matching:
        return p
    ok = (lambda v: filters.accepts(v.as_record(product))) if filters is not None else (lambda v: True)
    return _as_shown(p, min(matching, key=lambda v: (not ok(v), not v.available, v.price)))


def _has_values(v, wanted: dict[str, list[str]], *, only_own: bool = False) -> bool:
    """Whether variant ``v`` has the wanted option values (case-insensitive); with ``only_own``
    an option the variant does not have is not held against it."""
    opts = {str(k).lower(): str(x).lower() for k, x in v.options.items()}
    return all(opts.get(k.lower()) in {w.lower() for w in vals}
               for k, vals in wanted.items() if not only_own or k.lower() in opts)


def _as_shown(p: dict[str, Any], v) -> dict[str, Any]:
    """Shown product ``p`` standing for its variant ``v``."""
    return {**p, "id": v.id, "price": v.price, "available": v.available, "options": dict(v.options),
            "attributes": dict(v.options)}


def superlative_answer(products: list[dict[str, Any]], attribute: str, direction: str, *,
                       view: CatalogView | None = None, filters: Filters | None = None,
                       wanted: dict[str, list[str]] | None = None,
                       comparative: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """The shown product that is the cheapest / longest-lasting / ... and why. Of one shown
    product, its variant: in stock, with the ``wanted`` values ("the cheapest wireless ones")
    and within the shopper's other constraints. ``comparative`` ("any brighter version"): of one
    shown product, a variant with more (or less) of it than the one shown."""
    pick = max if direction == "max" else min
    if comparative and attribute != "price" and len(products) == 1 and view is not None:
        answer = _comparative_answer(products[0], attribute, direction, view, filters)
        if answer is not None:
            return answer
    if attribute == "price":
        best = pick(products, key=lambda p: p["price"])
        word = "most expensive" if direction == "max" else "cheapest"
        if len(products) == 1:
            variant = _extreme_variant(best, pick, view, filters, wanted or {})
            if variant is not None:
                shown, _gone = variant  # an out-of-stock price is not quoted: it cannot be bought
                return f"The {word} {best['title']} in stock is {label(shown)} at {price(shown)}.", [shown]
            lo, hi = best.get("price_range") or (best["price"], best["price"])
            value = hi if direction == "max" else lo
            return f"{best['title']} is the only one shown; its {word} option costs {money(value)}.", [best]
        def other_options(p: dict[str, Any]) -> str:  # "how much is the cheapest one": what else it costs
            product = view.products.get(p.get("product_id") or "") if view is not None else None
            if direction != "min" or product is None:
                return ""
            fits = [v.price for v in (product.fitting(filters) if filters is not None else product.variants) if v.available]
            lo = min(fits, default=p["price"])  # only what can be bought within the shopper's constraints
            return f", from {money(lo, p.get('currency'))} in other options" if lo < p["price"] else ""

        others = ", ".join(f"{p['title']} {price(p)}{other_options(p)}" for p in products if p is not best)
        return f"The {word} is {label(best)} at {price(best)}{other_options(best)} (others: {others}).", [best]
    name = _option_for(attribute, products)
    if name is None:
        return (f"The store's data doesn't list {attribute.split('|')[0]} for these products, so I can't say "
                "which one is best on that."), []
    scored = [(p, option_number(_options(p).get(name))) for p in products]
    scored = [(p, v) for p, v in scored if v is not None]
    if not scored:
        return f"The store's data doesn't give {name} as a number for these products.", []
    if len(products) == 1 or len(scored) == 1:
        p = scored[0][0]
        values = [v for v in (p.get("option_values") or {}).get(name, []) if option_number(v) is not None]
        product = view.products.get(p.get("product_id") or "") if view is not None else None
        if product is not None and filters is not None:  # within the shopper's other constraints
            fitting = {str(v.options.get(name)) for v in product.fitting(filters)}
            values = [v for v in values if v in fitting] or values
        if product is not None and wanted:  # "a wired one then, widest view": among the wired ones
            own = {str(v.options.get(name)) for v in product.variants if v.available and _has_values(v, wanted, only_own=True)}
            values = [v for v in values if v in own] or values
        if values:
            top = pick(values, key=option_number)
            shown = through(p, {**{k: v for k, v in (wanted or {}).items() if k != name}, name: [top]}, view, filters)
            return (f"{p['title']} comes with {name} {_join(values)}; the {'most' if direction == 'max' else 'least'} "
                    f"is {top}: {label(shown)} at {price(shown)}."), [shown]
    best, _ = pick(scored, key=lambda pv: pv[1])
    rest = "; ".join(f"{q['title']}: {_options(q).get(name)}" for q, _ in scored if q is not best)
    return f"{label(best)} ({price(best)}) has the {'highest' if direction == 'max' else 'lowest'} {name}: {_options(best).get(name)}" + (
        f" (others — {rest})." if rest else "."), [best]


def _comparative_answer(p: dict[str, Any], attribute: str, direction: str, view: CatalogView,
                        filters: Filters | None) -> tuple[str, list[dict[str, Any]]] | None:
    """"any brighter version" of shown product ``p``: its in-stock variant with the most of the
    option beyond the shown one's value, within the shopper's other constraints if one is."""
    product = view.products.get(p.get("product_id") or "")
    name = _option_for(attribute, [p])
    current = _options(p).get(name) if name else None
    here = option_number(current)
    if product is None or here is None:
        return None
    more = direction == "max"
    better = [v for v in product.variants if v.available and option_number(v.options.get(name)) is not None
              and (option_number(v.options.get(name)) > here if more else option_number(v.options.get(name)) < here)]
    if not better:
        word = "more" if more else "less"
        return f"No — in stock, {p['title']} comes with no {word} {name} than this one ({current}).", [p]
    within = [v for v in better if filters is None or filters.accepts(v.as_record(product))]
    if within:
        best = (max if more else min)(within, key=lambda v: (option_number(v.options.get(name)) * (1 if more else -1), -v.price))
        shown = _as_shown(p, best)
        return f"Yes — {label(shown)} at {price(shown)} has {name} {best.options.get(name)} (this one: {current}).", [shown]
    # none within what the shopper asked for: say so, and show the nearest that has more of it
    shown = min((_as_shown(p, v) for v in better), key=lambda q: (len(_breaks(q, filters)), q["price"]))
    asked = ", ".join(f"{n} {'/'.join(vs)}" for n, vs in (filters.options if filters else ()))
    scope = f"with {asked}" if asked else "in stock"
    word = "more" if more else "less"
    return (f"No — {scope}, {p['title']} comes with no {word} {name} than {current}. With {word}: {label(shown)} at "
            f"{price(shown)} ({', '.join(_breaks(shown, filters)) or 'in stock'})."), [shown]


def _extreme_variant(p: dict[str, Any], pick, view: CatalogView | None, filters: Filters | None,
                     wanted: dict[str, list[str]]) -> tuple[dict[str, Any], float | None] | None:
    """(the cheapest/priciest in-stock variant of ``p`` with the wanted values and within the
    filters, the price of a more extreme one that is out of stock or ``None``)."""
    product = view.products.get(p.get("product_id") or "") if view is not None else None
    if product is None:
        return None
    own = [v for v in product.variants if _has_values(v, wanted, only_own=True)]
    pool = [v for v in own if filters is None or filters.accepts(v.as_record(product))] or own
    stocked = [v for v in pool if v.available]
    if not stocked:
        return None
    v = pick(stocked, key=lambda x: x.price)
    extreme = pick(pool, key=lambda x: x.price)
    gone = extreme.price if not extreme.available and extreme.price != v.price else None
    return _as_shown(p, v), gone


def _breaks(p: dict[str, Any], filters: Filters | None, ignore: Iterable[str] = ()) -> list[str]:
    """The shopper's constraints that shown product ``p`` does not meet, in words (options in
    ``ignore``, the ones the shopper is asking to change, do not count)."""
    if filters is None:
        return []
    skip = {n.lower() for n in ignore}
    opts = {str(k).lower(): str(v).lower() for k, v in _options(p).items()}
    out = [f"not {n} {'/'.join(vs)}" for n, vs in filters.options
           if n.lower() in opts and n.lower() not in skip and opts[n.lower()] not in {x.lower() for x in vs}]
    named = {n.lower() for n, vs in filters.options if f"not {n} {'/'.join(vs)}" in out} | skip
    out += [f"{n} {opts[n.lower()]}" for n, vs in filters.exclude_options
            if opts.get(n.lower()) in {x.lower() for x in vs} and n.lower() not in named]
    if filters.max_price is not None and p["price"] > filters.max_price:
        out.append(f"above {money(filters.max_price, p.get('currency'))}")
    if filters.min_price is not None and p["price"] < filters.min_price:
        out.append(f"below {money(filters.min_price, p.get('currency'))}")
    return out


def type_options_answer(view: CatalogView, types: list[str], options: list[str]) -> str:
    """What the products of ``types`` come in for each asked option, in stock first."""
    lines = []
    for t in types:
        variants = [v for prod in view.products.values() if prod.category == t for v in prod.variants]
        for option in options:
            values = list(dict.fromkeys(str(v.options[option]) for v in variants if v.options.get(option) is not None))
            if not values:
                continue
            stocked = [x for x in values if any(v.available and str(v.options.get(option)) == x for v in variants)]
            gone = [x for x in values if x not in stocked]
            text = f"{t} comes in {option} {_join(stocked)}" if stocked else f"No {t} is in stock in any {option}"
            lines.append(text + (f" ({_join(gone)}: out of stock)" if gone and stocked else "") + ".")
    return " ".join(lines) or DONT_KNOW


def _values_within(product, option: str, filters: Filters | None) -> list[str] | None:
    """The values of ``option`` among the in-stock variants that fit the shopper's other
    constraints (what they asked about is left open, what they ruled out stays out)."""
    if product is None or filters is None:
        return None
    rest = dataclasses.replace(filters, options=tuple(o for o in filters.options if o[0].lower() != option.lower()))
    out: list[str] = []
    for v in product.variants:
        value = v.options.get(option)
        if v.available and value is not None and rest.accepts(v.as_record(product)) and str(value) not in out:
            out.append(str(value))
    return out


def _comes_in_within(name: str, option: str, values: list[str], within: list[str], opts: dict[str, Any],
                     filters: Filters) -> str:
    """"any other colours": the values that fit what the shopper asked for (in stock)."""
    asked = ", ".join(f"{n} {'/'.join(vs)}" for n, vs in filters.options if n.lower() != option.lower())
    scope = f"with {asked}" if asked else "in stock"
    if len(within) == 1:
        text = f"{scope.capitalize()}, {name} comes only in {option} {within[0]}"
    else:
        text = f"{scope.capitalize()}, {name} comes in {option} {_join(within)}"
    return text + f" (this one: {opts.get(option, '—')}); other {option} options need other choices or are out of stock."


def answer_question(
    p: dict[str, Any], text: str, *, asked: tuple[str, ...] = (), asked_values: dict[str, list[str]] | None = None,
    view: CatalogView | None = None, filters: Filters | None = None,
) -> tuple[str, dict[str, Any]]:
    """(reply, product to show) for a question about product ``p`` (a shown result)."""
    low = (text or "").lower()
    if asked_values and re.search(r"\b(price|cost|how much|in stock|available|availability|sold out)\b", low):
        p = through(p, asked_values, view, filters)  # "how much is the 6mm one": that variant's price
    name = p["title"]
    opts = _options(p)
    comes_in = p.get("option_values") or {k: [v] for k, v in opts.items()}
    product = view.products.get(p.get("product_id")) if view is not None and p.get("product_id") else None
    weight_question = re.search(r"how much (weight|load|water|space|room|can it|does it (hold|weigh|carry|take))|"
                                r"how much (?!money\b|cash\b)[a-z]+ (does|do|can|will|would|could)\b", low)
    # "how much grass does the battery one do on one charge": an amount, not the price
    qty = price_for_quantity(low)
    if qty:  # "if i get 2, what's the total?"
        return f"{qty} × {label(p)} at {price(p)} each: {money(p['price'] * qty, p.get('currency'))} in total.", p
    per = re.search(r"\bper (pipette|dose|tablet|unit|item|piece|one|pack|can|pouch|bag|roll|bar|bottle)\b|\beach one\b", low)
    pack = option_matching("pack of|pack size|pack|count|pieces|quantity", list(opts))
    if per and pack and option_number(str(opts[pack])):  # "the 6 pack, how much is that per pipette"
        n = option_number(str(opts[pack]))
        return (f"{label(p)} costs {price(p)} for {opts[pack]}: {money(p['price'] / n, p.get('currency'))} each.", p)
    if re.search(r"\b(price|cost|how much|hows much|hw much)\b", low) and not weight_question:
        lo, hi = p.get("price_range") or (p["price"], p["price"])
        extra = f" (its options range from {money(lo, p.get('currency'))} to {money(hi, p.get('currency'))})" if hi > lo else ""
        stock = "" if p.get("available", True) else ", but it is out of stock"
        return f"{label(p)} costs {price(p)}{extra}{stock}.", p
    if re.search(r"\b(in stock|available|availability|sold out)\b", low):
        return f"{label(p)} is {'in stock' if p.get('available', True) else 'out of stock'}.", p
    if re.search(r"\bbrand\b|\bwho makes\b|\bmade by\b", low):
        brand = p.get("brand") or opts.get("brand")
        return (f"{name} is from {brand}.", p) if brand else (DONT_KNOW, p)
    how = bool(re.match(r"\W*how\b", low))  # "how long does the battery last": not a yes/no check
    if asked_values and not how:  # "does it keep out rain?", "got a waterproof pair in 11?"
        low_wanted = {k: {w.lower() for w in v} for k, v in asked_values.items()}
        missing = [k for k, vals in low_wanted.items() if str(opts.get(k, "")).lower() not in vals]
        asked_text = ", ".join(f"{k} {_join(v)}" for k, v in asked_values.items())
        if not missing:
            description = product.description if product is not None else p.get("description", "")
            more = best_sentence(description, text, minimum=2, shown=p)  # "fits a large dog? mine's 35kg"
            extra = f" The description says: \"{more}\"" if more else ""
            own = ", ".join(f"{k} {opts.get(k)}" for k in asked_values)  # "backlit?" -> backlight white
            either = len(asked_values) == 1 and re.search(r"\bor\b", low)  # "over the ear or in ear?"
            at = f" ({price(p)}{'' if p.get('available', True) else ', out of stock'})"
            return (f"{label(p)}{at} has {own}.{extra}" if either else f"Yes — {label(p)}{at} has {own}.{extra}"), p
        shown = through(p, asked_values, view, filters)
        if shown is not p:
            now = ", ".join(f"{k}: {opts.get(k, 'not listed')}" for k in missing)
            if _breaks(shown, filters, asked_values) and not _breaks(p, filters) and product is not None:
                # "does it have a high speed setting" of the white rechargeable one: not without
                # giving up something the shopper asked for; the nearest variant that has it
                nearest = min((_as_shown(p, v) for v in product.variants if v.available and _has_values(v, asked_values)),
                              key=lambda q: (len(_breaks(q, filters, asked_values)), q["price"]), default=None)
                if nearest is None:  # "peanut butter flavour?": only in a variant that is sold out
                    return (f"No — {label(p)} has {now}, and {name} with {asked_text} is out of stock "
                            f"({label(shown)})."), shown
                return (f"Not with what you asked for — {label(p)} has {now}. The nearest with {asked_text}: "
                        f"{label(nearest)} at {price(nearest)} ({', '.join(_breaks(nearest, filters, asked_values))})."), p
            if not shown.get("available", True):
                return (f"{name} comes with {asked_text} as {label(shown)} at {price(shown)}, but that one is "
                        f"out of stock (the one shown has {now})."), shown
            return (f"Yes — {name} also comes with {asked_text}: {label(shown)} at {price(shown)} "
                    f"(the one shown has {now})."), shown
        if len(asked_values) >= 2 and product is not None:
            # "is the a5 a hardback": the A5 says which variant, the hardback is the question
            for k in sorted(asked_values, key=lambda o: o.lower() in {n.lower() for n in missing}):
                # the option the shown variant already has is the question; the one it lacks says which
                rest = {n: v for n, v in asked_values.items() if n != k}
                which = [v for v in product.variants if _has_values(v, rest)]
                if which:
                    v = min(which, key=lambda x: (not x.available, x.price))
                    shown = _as_shown(p, v)
                    return (f"No — {label(shown)} ({price(shown)}) has {k} {v.options.get(k, 'not listed')}; "
                            f"{k} {_join(asked_values[k])} comes only with other options."), shown
        option = missing[0]
        if option in comes_in:
            return (f"No — {name} doesn't come with {asked_text}; its {option} options are "
                    f"{_join(comes_in[option])}."), p
    words = norm_tokens(text)  # "what colour are the lenses": lens color before frame color
    asked = tuple(sorted(asked, key=lambda o: -sum(
        1 for w in norm(o).split() for t in words if len(t) > 3 and (w.startswith(t[:4]) or len(w) >= 3 and t.startswith(w)))))
    for option in asked:  # "what sizes does it come in?", "what is it made of?"
        if option in comes_in:
            values = comes_in[option]
            within = _values_within(product, option, filters)
            narrower = bool(within) and str(opts.get(option)) in within and set(within) != set(values)
            if narrower and re.search(r"\b(other|else|different)\b", low):  # "any other colours"
                return _comes_in_within(name, option, values, within, opts, filters), p
            own = str(opts.get(option, values[0] if len(values) == 1 else "")).strip().lower()
            if own in ("yes", "no", "true", "false") and _YES_NO.match(low):  # "can i chuck the covers in the wash"
                description = product.description if product is not None else p.get("description", "")
                more = best_sentence(description, text, shown=p)
                extra = f" The description says: \"{more}\"" if more else ""
                yes = own in ("yes", "true")
                return (f"{'Yes' if yes else 'No'} — {label(p)} is {'' if yes else 'not '}{option.lower()}.{extra}"), p
            if len(values) == 1:
                return f"{name}: {option} {values[0]}.", p
            fits = ""
            if narrower:
                asked_any = filters is not None and bool(filters.options or filters.exclude_options or filters.max_price
                                                         or filters.min_price)
                scope = " with what you asked for" if asked_any else ""
                fits = (f", the only one in stock{scope}" if within == [str(opts.get(option))]
                        else f"; in stock{scope}: {_join(within)}")
            return f"{name} comes in {option} {_join(values)} (this one: {opts.get(option, '—')}{fits}).", p
    # the question names an option of the product
    for option in sorted(comes_in, key=len, reverse=True):
        if re.search(rf"\b{re.escape(option.lower())}s?\b", low):
            values = comes_in[option]
            return f"{name} comes in {option} {_join(values)} (this one: {opts.get(option, '—')}).", p
    # "how long are they?", "how big is it?": the dimension option it comes in
    m = re.match(r"\W*how (long|big|large|tall|high|heavy|wide)\b", low)
    if m and not re.search(r"\b(last|lasts|take|takes|until|till|deliver|delivery|ship|arrive|battery|charge)\b", low):
        option = option_matching(_HOW_OPTION[m.group(1)], list(comes_in))
        if option:
            values = comes_in[option]
            if len(values) == 1:
                return f"{name}: {option} {values[0]}.", p
            return f"{name} comes in {option} {_join(values)} (this one: {opts.get(option, '—')}).", p
    description = product.description if product is not None else p.get("description", "")
    sentence = best_sentence(description, text, shown=p)
    if re.search(r"\b(made (of|from)|material|fabric)\b", low):  # stated only in the description
        sentence = next((x for x in re.split(r"(?<=[.!?])\s+", description or "")
                         if set(norm(x).split()) & MATERIALS and not describes_other_variant(x, p)), sentence)
    if sentence:
        yes = _YES_NO.match(low) and not re.search(r"\b(not|no|never|isn'?t|aren'?t|doesn'?t|without|avoid)\b",
                                                      sentence.lower())
        lead = "Yes — from" if yes else "From"  # a yes/no question the description affirms
        return f"{lead} the product description of {name}: \"{sentence}\"", p
    if re.search(r"\?|^(what|which|is|are|does|do|how|can|will|has|have)\b", low):
        return DONT_KNOW, p
    return describe(p), p


_TOTAL = re.compile(r"\b(together|altogether|in total|total|combined|all in|in all|for both|both cost|both come to|"
                    r"add up|adds up|sum)\b", re.I)


def asks_total(text: str) -> bool:
    """True for a question about what several products cost together ("what would both cost
    together", "total if i get both")."""
    return bool(_TOTAL.search(text or "")) and not re.search(r"\b(cart|basket|trolley)\b", text or "", re.I)


def total_answer(products: list[dict[str, Any]]) -> str:
    """The products' prices one per line and their sum, in the store's own figures."""
    currencies = {p.get("currency") or "USD" for p in products}
    lines = [f"- {label(p)}: {price(p)}" + ("" if p.get("available", True) else " (out of stock)") for p in products]
    if len(currencies) > 1:
        return "\n".join(lines) + "\nThey are priced in different currencies, so I can't add them up."
    total = money(sum(p["price"] for p in products), currencies.pop())
    return "\n".join(lines) + f"\nTogether: {total}."


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a couple of": 2, "a pair of": 2}


def price_for_quantity(text: str) -> int | None:
    """How many items a price question is about ("if i get 2, what's the total", "whats that for
    2 of them"), or None when the message is not such a question."""
    low = (text or "").lower()
    qty = _quantity_asked(low)
    if qty and re.search(r"\b(total|altogether|come to|cost|how much|what'?s that|whats that|price|pay)\b", low):
        return qty
    return None


def _quantity_asked(low: str) -> int | None:
    """The number of items a price question is about ("if i get 2", "three of them"), or None."""
    m = re.search(r"\b(?:if i (?:get|buy|order|take)|for|buying|get)\s+(\d{1,2}|two|three|four|five|six)\b"
                  r"(?!\s*(?:kg|g|l|ml|cm|m|mm|ft|in|%|days?|weeks?|months?|years?|hours?|£|\$|€))"
                  r"|\b(\d{1,2}|two|three|four|five|six) of (?:them|those|these|it)\b", low)
    if not m:
        return None
    word = m.group(1) or m.group(2)
    n = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return n if 2 <= n <= 20 else None


_HOW_OPTION = {"long": "length|blade length|lead length", "big": "size|dimensions|capacity",
               "large": "size|dimensions|capacity", "tall": "height", "high": "height", "heavy": "weight",
               "wide": "width"}  # fmt: skip
_YES_NO = re.compile(r"\W*(is|are|does|do|can|will|would|could|has|have|ok|okay|fine|good|safe|and|on|in|with)\b")

# what a "how ..." question measures -> how a sentence states it ("how heavy?" -> "14 kg")
_MEASURES = (
    (re.compile(r"\bhow much (weight|load)\b|\b(carry|carries|hold|holds|take|takes|support|supports) (up to|how much)|"
                r"\bweight (limit|capacity)\b|\bmax(imum)? (load|weight)\b|how much can it (take|hold|carry)"),
     re.compile(r"\b(carries|carry|holds|hold|load|up to|max(imum)?|supports?|capacity)\b")),
    (re.compile(r"\b(heavy|heavier|weigh|weighs|weight)\b"), re.compile(r"\d\s*(kg|g|lbs?|pounds|oz)\b")),
    (re.compile(r"\bhow long\b.*\b(last|lasts|go|run|runs|work|protect|keep)\b|\b(last|lasts)\b"),
     re.compile(r"\d+\s*(hours?|hrs?|days?|weeks?|months?|years?|minutes?|mins?)\b|"
                r"\b(a|one|two|three|four|six|twelve) (week|month|year)s?\b|\bmonthly\b")),
    (re.compile(r"\bhow (big|large|long|tall|wide|deep)\b|\b(dimensions?|length|fit|fits)\b"),
     re.compile(r"\d\s*(cm|mm|m|in|inches|ft|feet)\b|\d\s*x\s*\d")),
    (re.compile(r"\b(hold|holds|capacity|litres?|liters?|tank|volume)\b"), re.compile(r"\d\s*(l|ml|litres?|liters?)\b")),
    (re.compile(r"\b(loud|louder|noisy|noise|quiet|quieter|silent|decibels?|db)\b"),
     re.compile(r"\d\s*(db|decibels?)\b|\b(quiet|silent|whisper|noise|noisy|loud)\b")),
    (re.compile(r"\bhow far\b|\b(range|distance)\b|\bon (one|a single|a full) charge\b"),
     re.compile(r"\d\s*(km|kilometres?|kilometers?|miles?)\b")),
    (re.compile(r"\bhow long\b.*\b(charge|charging|recharge)\b|\b(charge|charging) time\b"),
     re.compile(r"\d+(?:[.,]\d+)?\s*(hours?|hrs?|h|minutes?|mins?)\b.{0,20}\bcharge|\bcharge\w*\b.{0,25}\d+(?:[.,]\d+)?\s*(hours?|hrs?|h|minutes?|mins?)\b")),
    (re.compile(r"\b(warranty|warrantee|guarantee|guaranteed)\b"),
     re.compile(r"\b(warranty|guarantee)\b")),
    (re.compile(r"\b(age|old|kitten|kittens|puppy|puppies|months?)\b"),
     re.compile(r"\d+\s*(weeks?|months?|years?)\b|\b(kitten|puppy|puppies|kittens|adult|senior)s?\b")),
)


def best_sentence(description: str, question: str, *, minimum: float = 1.0,
                  shown: dict[str, Any] | None = None) -> str | None:
    """The description sentence sharing the most content words (or lexicon concepts) with the
    question; a sentence stating the measure a question asks for ("how heavy?" -> a weight in
    kg) counts as a shared word. With ``shown`` (a product as shown), a sentence that describes
    another of its variants ("... with backlight RGB" for the white-backlit one) is never quoted."""
    if not description:
        return None
    low = (question or "").lower()
    asked = {t for t in norm_tokens(question) if len(t) > 2 and t not in _FILLER}
    asked_concepts = {c for t in asked for c in concept_groups(t)}
    words_q = norm(question).split()  # phrases too: "put it together"
    asked_concepts |= {c for n in (2, 3) for k in range(len(words_q) - n + 1)
                       for c in concept_groups(" ".join(words_q[k : k + n]))}
    measures = [unit for cue, unit in _MEASURES if cue.search(low)]
    best, best_score = None, 0.0
    for sentence in re.split(r"(?<=[.!?])\s+", description.strip()):
        if shown is not None and describes_other_variant(sentence, shown):
            continue
        words = set(norm(sentence).split())
        score = len(asked & words) + len({c for w in words for c in concept_groups(w)} & set(asked_concepts))
        score += sum(1.5 for unit in measures if unit.search(sentence.lower()))
        if score > best_score:
            best, best_score = sentence.strip(), score
    return best if best_score >= minimum else None


def describes_other_variant(sentence: str, p: dict[str, Any]) -> bool:
    """The sentence names another value of an option where the shown variant has its own
    ("Keyboard with backlight RGB" said of the variant with backlight white)."""
    text = f" {norm(sentence)} "
    own = _options(p)
    for name, values in (p.get("option_values") or {}).items():
        mine = own.get(name)
        if mine is None or f" {norm(str(mine))} " in text:
            continue
        named = any(w in text.split() for w in norm(name).split() if len(w) > 2)
        if any(f" {norm(str(v))} " in text for v in values if norm(str(v)) and str(v) != str(mine)
               and (named or not re.fullmatch(r"[\d.,]+", str(v).strip()))):  # "2 year warranty" is no "Runtime (h) 2"
            return True
    return False


_FILLER = frozenset("does doe the this that it its is are what which how can will have has with you your they them "
                    "one come there any for and about tell more".split())


def describe(p: dict[str, Any]) -> str:
    stock = "in stock" if p.get("available", True) else "out of stock"
    brand = f", brand {p['brand']}" if p.get("brand") else ""
    text = f"{label(p)} — {price(p)}, {stock}{brand}."
    comes_in = {k: v for k, v in (p.get("option_values") or {}).items() if len(v) > 1}
    if comes_in:
        text += " Comes in " + "; ".join(f"{k}: {', '.join(v)}" for k, v in comes_in.items()) + "."
    return text


def compare_table(products: list[dict[str, Any]]) -> str:
    keys: list[str] = []
    for p in products:
        keys += [k for k in _options(p) if k not in keys]
    head = "| | " + " | ".join(f"{i}. {p['title']}" for i, p in enumerate(products, 1)) + " |"
    rows = [head, "|---" * (len(products) + 1) + "|"]
    rows.append("| price | " + " | ".join(price(p) for p in products) + " |")
    rows.append("| in stock | " + " | ".join("yes" if p.get("available", True) else "no" for p in products) + " |")
    if any(p.get("brand") for p in products):
        rows.append("| brand | " + " | ".join(p.get("brand") or "—" for p in products) + " |")
    for k in keys:
        rows.append(f"| {k} | " + " | ".join(str(_options(p).get(k, "—")) for p in products) + " |")
    text = "Side by side:\n" + "\n".join(rows)
    if len(products) == 2:  # "whats the price difference between the two"
        text += "\n" + difference_text(products[0], products[1])
    return text


def difference_text(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The price difference of two products from the store's figures."""
    gap = round(abs(float(a["price"]) - float(b["price"])), 2)
    if gap == 0:
        return f"Both cost {price(a)}."
    cheaper, dearer = (a, b) if a["price"] < b["price"] else (b, a)
    return (f"Price difference: {money(gap, a.get('currency'))} ({label(cheaper)} at {price(cheaper)} is cheaper than "
            f"{label(dearer)} at {price(dearer)}).")
