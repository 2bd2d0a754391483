"""Execute one planned turn: shopping, service, policy, handoff, small talk -> an ``Outcome``."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.dialogue import answers, confirm, extract, policy_answer, respond, suggest
from assistant.dialogue.planner import SET_QUANTITY, Action, Plan, cart_action, plan_action
from assistant.dialogue.refine import apply_shopping, is_comparative, ordinals
from assistant.dialogue.safety import CleanMessage
from assistant.dialogue.service_flow import FlowReply, ServiceFlow
from assistant.dialogue.shopping import ShoppingEngine
from assistant.dialogue.state import EARLIER_KEPT, DialogueState
from assistant.dialogue.vocab import Catalog, load_catalog
from assistant.nlu.types import Understanding
from assistant.settings import Settings
from assistant.store.models import ChatSession
from assistant.verify import Verifier

logger = logging.getLogger(__name__)

HANDOFF_TEXT = "YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON."
EMPTY_TEXT = "Your message was empty. Tell me what you're looking for (e.g. \"running shoes under $100\") or ask about an order."
REFUSE_TEXT = (
    "I can't change how I work or give anyone extra access. I can help you shop, and with your "
    "own orders and account once you've verified who you are."
)
SMALLTALK = {
    "greeting": "Hi! I can help you find products, or with your orders, returns and account. What are you looking for?",
    "thanks": "You're welcome! Anything else I can help with?",
    "goodbye": "Goodbye, and thanks for visiting!",
}
SHOPPING = ("search", "recommend", "compare", "product_question", "accept_offer")
CAPABILITY_TEXT = (
    "I'm this store's assistant. I can help you find products (\"waterproof boots under $250\", \"a gift for "
    "someone who cooks\"), answer questions about them and compare them, keep a basket for you, and help with "
    "orders: where an order is, cancelling, returns and exchanges, changing an address, refunds and the store's "
    "policies. I can also put you through to a person from our team."
)
COMPLAINT_TEXT = (
    "I'm sorry about that — that's not how it should arrive. I can start a return or an exchange for it right "
    "here, or put you through to a person from our team. "
)
POLICY_MIN = 0.30  # cosine between the question and a passage for the passage to answer it
POLICY_STRICT = 0.45  # for requests with no tool, where an unrelated passage would mislead
TOPIC_BONUS = 0.1  # a passage whose section title names the question's topic (exchange, return, cancel, ...)
_POLICY_TOPICS = re.compile(r"\b(exchang|return|refund|cancel|address|payment|gift card|deliver|ship)")


@dataclass
class Outcome:
    reply: str
    action: str
    products: list[dict[str, Any]] = field(default_factory=list)
    handoff: bool = False
    plan: dict[str, Any] = field(default_factory=dict)


class TurnRunner:
    """Plans and executes one understood turn over the state (mutated in place)."""

    def __init__(self, settings: Settings, engine: ShoppingEngine, policy_index, verifier: Verifier | None = None) -> None:
        self.settings, self.engine, self.policy = settings, engine, policy_index
        self.verifier = verifier or Verifier(settings)  # shopper verification, bound to this turn's client
        self._passage_vecs: dict = getattr(policy_index, "_aisle_passage_vecs", {})
        if policy_index is not None:
            policy_index._aisle_passage_vecs = self._passage_vecs

    def run(
        self, db: Session, chat: ChatSession, state: DialogueState, clean: CleanMessage,
        u: Understanding, *, dry_run: bool = False,
    ) -> Outcome:
        if clean.empty:
            return Outcome(EMPTY_TEXT, "clarify", plan={"action": "clarify", "reason": "empty message"})
        if clean.injection:
            return Outcome(REFUSE_TEXT, "refuse", plan={"action": "refuse", "reason": "instructions inside the message"})
        text = clean.read
        catalog = load_catalog(db)
        refusal = ServiceFlow(db, state, self.verifier).one_shopper(text, u.slots)
        if refusal is not None:  # another shopper's account: refused whatever the intent
            state.pending = None
            return Outcome(refusal.text, refusal.action, plan={"action": "refuse", "reason": "another shopper"})
        code = ServiceFlow(db, state, self.verifier).code_turn(text, u.slots)
        if code is not None:  # a one-time code typed back (or a new one asked for), whatever the intent
            return Outcome(code.text, code.action, handoff=code.handoff, plan={"action": "service", "reason": "verification code"})
        shop = state.copy()
        update = apply_shopping(shop, u.intent, u.slots, text, catalog, self.settings.diversity)
        entities = bool(
            extract.email(text, u.slots) or extract.order_id(text, u.slots) or extract.address(text)
            or (state.task and (extract.cancel_reason(text) or extract.zip_code(text, u.slots)))
            or (state.last_action == "ask_auth" and extract.zip_code(text, u.slots))
        )
        plan = plan_action(
            u.intent, u.confidence, text, state, update, threshold=self.settings.handoff_confidence,
            service_entities=entities, affirm=extract.is_affirm(text, u.intent), deny=extract.is_deny(text, u.intent),
            confirmation=_confirmation(text) if state.pending is not None else None,
        )
        note = ""
        if state.pending is not None and plan.action not in ("confirm_yes", "confirm_no", "confirm_again"):
            note = f"(I've set aside the change I listed: {state.pending['verb']}.) "
            state.pending = None
        if plan.action in SHOPPING:
            _adopt(state, shop)
            fresh = update.new_need or not state.last_query or (u.intent == "recommend" and not update.refinements)
            if plan.action in ("search", "recommend") and fresh:
                state.last_query = text
        out = self._dispatch(db, chat, state, plan, text, u, update, dry_run, catalog)
        if plan.action in SHOPPING and "no_brand" in update.note:
            note += "These products don't list a brand, so I can't filter by brand. "
        out.reply = note + out.reply
        if clean.truncated:
            out.reply += f"\n(Your message was {clean.original_chars} characters; I read the first {len(clean.text)}.)"
        out.plan = {"action": plan.action, "reason": plan.reason, **out.plan}
        state.fail_streak = state.fail_streak + 1 if out.action == "clarify" and plan.action == "clarify" else 0
        return out

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, db, chat, state, plan: Plan, text, u, update, dry_run, catalog: Catalog) -> Outcome:
        turn = Turn(db, chat, state, plan, text, u, update, dry_run, catalog, ServiceFlow(db, state, self.verifier))
        return _HANDLERS[plan.action](self, turn)

    # one handler per Action
    def _capability(self, t: Turn) -> Outcome:
        if _RANGE_QUESTION.search(t.text):  # "what do you sell?": the store's own product types
            return Outcome(_range_text(t.catalog.words.all_types()) + "\n\n" + CAPABILITY_TEXT, "capability")
        return Outcome(CAPABILITY_TEXT, "capability")

    def _complaint(self, t: Turn) -> Outcome:
        t.state.task = None
        reply = t.flow.handle("get_refund", t.text, t.u.slots)
        return Outcome(COMPLAINT_TEXT + reply.text, "complaint", handoff=reply.handoff)

    def _cart_turn(self, t: Turn) -> Outcome:
        return self._cart(t.state, t.text, t.update, t.catalog)

    def _service_return(self, t: Turn) -> Outcome:
        return _flow(t.flow.handle("get_refund", t.text, t.u.slots))

    def _confirm_yes(self, t: Turn) -> Outcome:
        if t.dry_run:
            p, t.state.pending = t.state.pending, None
            return Outcome(f"Okay, I'll now {p['summary']}.", "service_tool")
        return _flow(t.flow.confirm())

    def _confirm_no(self, t: Turn) -> Outcome:
        return _flow(t.flow.deny())

    def _confirm_again(self, t: Turn) -> Outcome:
        return _flow(t.flow.ask_again())

    def _handoff(self, t: Turn) -> Outcome:
        from assistant.tools import transfer_to_human

        transfer_to_human(t.db, t.chat.id, f"{t.plan.reason}; last message: {t.text[:200]}")
        t.state.handoff_summary = t.plan.reason
        t.state.task, t.state.pending = None, None
        return Outcome(HANDOFF_TEXT, "handoff", handoff=True, plan={"handoff_reason": t.plan.reason})

    def _clarify(self, t: Turn) -> Outcome:
        return Outcome(
            "Sorry, I didn't get that. Could you rephrase? I can search products (\"a blue t-shirt under $60\"), "
            "or help with an order (\"where is my order?\").", "clarify",
        )

    def _service(self, t: Turn) -> Outcome:
        return _flow(t.flow.handle(t.u.intent, t.text, t.u.slots))

    def _policy_answer(self, t: Turn) -> Outcome:
        if t.plan.reason.startswith("a follow-up"):  # "what if I paid with a gift card?" after an answer
            return self._policy(f"{t.state.last_reply} {t.text}", t.u.intent,
                                kind=policy_answer.answer_kind(t.text, t.state.last_reply))
        return self._policy(t.text, t.u.intent)

    def _unsupported(self, t: Turn) -> Outcome:
        out = self._policy(t.text, t.u.intent, strict=True)
        cited = out.plan.get("citation") is not None
        out.reply = ("I can't do that here. " + (out.reply + " " if cited else "")
                     + "Would you like me to transfer you to a person from our team?")
        return Outcome(out.reply, "unsupported", plan=out.plan)

    def _decline_offer(self, t: Turn) -> Outcome:
        t.state.offer = None
        return Outcome("Okay. Tell me what to change: price, colour, brand or the kind of product.", "clarify")

    def _search_turn(self, t: Turn) -> Outcome:
        if "no_target" in t.update.note and t.update.refinements == ("not_one",):
            return Outcome("Which one don't you want? Say \"not the second one\" or \"not the blue one\".", "clarify")
        if t.plan.action == Action.ACCEPT_OFFER:
            _relax(t.state)
        carried = list(t.state.types)
        g = t.update.grounding
        if (t.update.question and t.update.asked and not t.state.last_shown and carried and g is not None
                and not (g.types or g.include or g.exclude)):
            # "what colours have u got then" after nothing fitted: what the need's products come in
            return Outcome(answers.type_options_answer(t.catalog.view, carried, list(t.update.asked)), "product_question")
        missing = _not_sold(t.text, t.update, [])
        if missing and carried:  # "do you have toasters?" while looking at headphones: the need stays
            return Outcome(f"I can't find any {missing} in this store, so we don't seem to sell them. Tell me what "
                           f"else you're looking for, or carry on with the {' / '.join(carried)}.", "search")
        before = _talked_about(t.state, t.text) if answers.asks_total(t.text) else None
        out = self._search(t.db, t.chat, t.state, recommend=t.plan.action == Action.RECOMMEND, catalog=t.catalog)
        if before is not None and out.products and before.get("id") != out.products[0]["id"]:
            # "and the cheapest jigsaw u have, what do both come to": the new find and the one before
            out.reply += "\n" + answers.total_answer([before, out.products[0]])
        if (t.update.question and t.update.new_need and out.products and t.state.last_shown
                and not _BROWSING.search(t.text)):
            # "how thick a branch can your secateurs cut": the products, and the answer for the first
            answer, _ = answers.answer_question(t.state.last_shown[0], t.text, asked=t.update.asked,
                                                asked_values=t.update.asked_values, view=t.catalog.view)
            if answer and answer != answers.DONT_KNOW:
                out.reply = answer + "\n" + out.reply
        missing = _not_sold(t.text, t.update, out.products)
        if missing:  # "do you sell mattresses?": say so, then show the nearest things
            out.reply = (f"I can't find any {missing} in this store, so we don't seem to sell them. "
                         + (f"The closest things I found:\n{out.reply.split(chr(10), 1)[-1]}" if out.products else out.reply))
        return out

    def _suggest(self, t: Turn) -> Outcome:
        """Personal picks or what goes with the basket, for the verified customer (else the
        turn's user); a shopper nobody knows gets the popular products, said so."""
        state = t.state
        user = state.customer_id or t.chat.user_id
        ranker = self.engine.ranker
        counts = ranker.popularity if ranker is not None and ranker.popularity.items else None
        if t.plan.reason.startswith("what goes with"):
            focus = state.shown(state.focus_id) or (state.last_shown[0] if len(state.last_shown) == 1 else None)
            basket = [c["id"] for c in state.cart] or ([focus["id"]] if focus else [])
            if not basket:
                return Outcome("Your basket is empty, so there's nothing to match yet. Add something, or ask me "
                               "to recommend something for you.", "clarify")
            rules = ranker.association if ranker is not None and ranker.association is not None else None
            if rules is None:
                from ranker.association import AssociationRules

                rules = AssociationRules.from_session(t.db)
            found = suggest.cross_sell(t.db, t.catalog.view, basket, user, rules, counts=counts)
        else:
            more = state.last_action == "recommend" and re.search(r"\b(else|more|other)\b", t.text, re.I)
            skip = [p["id"] for p in state.last_shown] if more else []  # "what else would I like"
            found = suggest.personal(t.db, t.catalog.view, user, counts=counts, skip=skip)
        state.offer = None
        if found.products:
            state.show(found.products, _SHOWN)
        state.focus_id = None
        return Outcome(suggest.reply_text(found), "recommend", products=[_public(p) for p in found.products],
                       plan={"source": found.source, "fallback": found.why, "recommender": found.version})

    def _compare(self, t: Turn) -> Outcome:
        state = t.state
        if len(t.update.items) < 2 and state.last_shown and t.plan.reason.startswith("the shown products against"):
            out = self._compare_other(t)
            if out is not None:
                return out
        items = list(t.update.items) if len(t.update.items) >= 2 else state.last_shown[:3]
        if len(items) >= 2 and answers.asks_total(t.text):  # "what would both cost together"
            return Outcome(answers.total_answer(items), "product_question", products=[_public(p) for p in items])
        if len(items) < 2:
            if len(state.last_shown) == 1:
                p = state.last_shown[0]
                return Outcome(answers.describe(p) + " It's the only product I showed; name another to compare it "
                               "with.", "compare", products=[_public(p)])
            return Outcome("Show me which products to compare, e.g. \"compare the first and the third\".", "clarify")
        state.focus_id = None
        return Outcome(answers.compare_table(items), "compare", products=[_public(p) for p in items])

    def _compare_other(self, t: Turn) -> Outcome | None:
        """The shown product against the best of a newly named kind ("compare them with the
        headphones"), or one shown product's variants by the values named ("the rubber and iron ones")."""
        state, g = t.state, t.update.grounding
        base = state.shown(state.focus_id) or state.last_shown[0]
        if t.update.new_need:
            found = self._search(t.db, t.chat, state, recommend=False, catalog=t.catalog)
            if not found.products:
                return None
            items = [base, found.products[0]]
        else:
            name, values = next((n, v) for n, v in g.include.items() if len(v) >= 2)
            pool = [p for p in state.last_shown if name.lower() in {k.lower() for k in (p.get("option_values") or {})}]
            if not pool:
                return None
            filters = self.engine.filters(state, t.catalog)
            items = [answers.through(pool[0], {name: [v]}, t.catalog.view, filters) for v in values[:3]]
            items = [p for p in items if str((p.get("options") or {}).get(name, "")).lower() in {v.lower() for v in values}]
            if len({p["id"] for p in items}) < 2:
                return None
        state.show(items, _SHOWN)
        state.focus_id = None
        return Outcome(answers.compare_table(items), "compare", products=[_public(p) for p in items])

    def _product_question(self, t: Turn) -> Outcome:
        state, update, catalog, text = t.state, t.update, t.catalog, t.text
        filters = self.engine.filters(state, catalog)
        if len(update.items) >= 2 and answers.asks_total(text):  # "total if i get both"
            return Outcome(answers.total_answer(list(update.items)), "product_question",
                           products=[_public(p) for p in update.items])
        named_missing = update.item is None and bool(ordinals(text))  # "the second one" of one shown
        item = None if named_missing else (
            update.item or state.shown(state.focus_id) or (state.last_shown[0] if len(state.last_shown) == 1 else None)
        )
        if update.superlative and state.last_shown and not named_missing:
            pool = list(update.items) if len(update.items) >= 2 else state.last_shown
            reply, picked = answers.superlative_answer(pool, *update.superlative, view=catalog.view, filters=filters,
                                                       wanted=dict(update.grounding.include) if update.grounding else None,
                                                       comparative=is_comparative(text))
            if picked and item is not None and re.search(r"^\W*(?:and |so |but )?(?:is|was|isn'?t) (?:that|it|this)\b", text, re.I):
                same = picked[0]["id"] == item["id"]  # "is that the cheaper one too?": yes, or which one is
                reply = ("Yes — " if same else "No — ") + reply[:1].lower() + reply[1:]
            if picked:
                state.focus_id = picked[0]["id"]
                _show_variant(state, picked[0])
            return Outcome(reply, "product_question", products=[_public(p) for p in picked])
        if item is None and len(update.items) >= 2:
            replies = [answers.answer_question(p, text, asked=update.asked, asked_values=update.asked_values,
                                               view=catalog.view) for p in update.items]
            return Outcome("\n".join(r for r, _ in replies), "product_question",
                           products=[_public(p) for _, p in replies])
        if item is None and 2 <= len(state.last_shown) <= 3 and update.question:
            # "is it waterproof tho" with two coats shown: the answer for each, not "which one?"
            replies = [answers.answer_question(p, text, asked=update.asked, asked_values=update.asked_values,
                                               view=catalog.view) for p in state.last_shown]
            if any(r != answers.DONT_KNOW for r, _ in replies):
                return Outcome("\n".join(f"{p.get('title')}: {r}" if r == answers.DONT_KNOW else r
                                         for (r, p) in replies), "product_question",
                               products=[_public(p) for _, p in replies])
        if item is None:
            if state.last_shown:
                return Outcome(f"I showed {len(state.last_shown)} product(s); which one do you mean? "
                               "Say \"the first one\", \"the second one\", ...", "clarify")
            if not (state.types or state.last_query):  # names nothing this store sells
                return Outcome("I can't find that product in this store. Tell me what you're looking for "
                               "and I'll search, e.g. \"do the hiking boots come in size 11?\"", "search")
            out = self._search(t.db, t.chat, state, recommend=False, catalog=catalog)
            if update.question and out.products and state.last_shown:
                # "whats the warranty on those fountains" with none shown: them, and the answer for the first
                first = state.last_shown[0]
                answer, _ = answers.answer_question(first, text, asked=update.asked, asked_values=update.asked_values,
                                                    view=catalog.view)
                if answer and answer not in (answers.DONT_KNOW, answers.describe(first)):
                    out.reply = answer + "\n" + out.reply
            return out
        state.focus_id = item["id"]
        reply, shown = answers.answer_question(item, text, asked=update.asked, asked_values=update.asked_values,
                                               view=catalog.view, filters=filters)
        if shown.get("id") != item.get("id") and not shown.get("available", True) and not re.search(
                r"\b(price|cost|costs|how much|hows much)\b", text, re.I):
            # "do u have a natural rubber one": only out of stock; the reply says so, and no card
            # offers what cannot be bought
            return Outcome(reply, "product_question", products=[])
        if shown.get("id") != item.get("id"):  # "what about softshell then": that variant is now the one shown
            state.earlier = [*(e for e in state.earlier if e.get("id") != item.get("id")),
                             {k: item.get(k) for k in _SHOWN if k in item}][-EARLIER_KEPT:]
            _show_variant(state, shown)
            state.focus_id = shown["id"]
        return Outcome(reply, "product_question", products=[_public(shown)])

    def _smalltalk(self, t: Turn) -> Outcome:
        return Outcome(SMALLTALK.get(t.u.intent, "Okay. What would you like to do next?"), "smalltalk")

    def _out_of_scope(self, t: Turn) -> Outcome:
        return Outcome(
            "That's outside what I can help with. I can help you shop in this store, or with your orders, returns and account.",
            "out_of_scope",
        )

    def _refuse(self, t: Turn) -> Outcome:
        return Outcome(REFUSE_TEXT, "refuse")

    def _cart(self, state: DialogueState, text: str, update, catalog: Catalog) -> Outcome:
        """The conversation's basket: add / remove / show; no sign-in until an order action."""
        what = cart_action(text, bool(state.cart))
        if what == "checkout":
            if not state.cart:
                return Outcome("Your basket is empty, so there's nothing to check out yet.", "cart")
            return Outcome(respond.cart_text(state.cart) + " Placing the order isn't possible in this chat yet: "
                           "check out on the store's website, or ask me to put you through to a person.", "cart")
        if what == "show" or what is None:
            return Outcome(respond.cart_text(state.cart), "cart", products=[])
        if what == "remove":
            return self._cart_remove(state, text, update)
        if what == "set":  # "actually make it 2": the line in focus, else the last one added
            line = next((c for c in state.cart if c["id"] == state.focus_id), state.cart[-1])
            line["quantity"] = _quantity(SET_QUANTITY.search(text).group(1) + " of")
            return Outcome(f"Done: {line['title']} × {line['quantity']}. " + respond.cart_text(state.cart), "cart")
        items = self._cart_items(state, update, catalog)
        if not items:
            if state.last_shown:
                return Outcome(f"Which one should I add? I showed {len(state.last_shown)}; say \"add the first "
                               "one to my basket\".", "clarify")
            return Outcome("There's nothing to add yet: tell me what you're looking for first.", "clarify")
        quantity = _quantity(text)
        added = []
        for p in items:
            if not p.get("available", True):
                continue
            line = next((c for c in state.cart if c["id"] == p["id"]), None)
            if line:
                line["quantity"] += quantity
            else:
                state.cart.append({"id": p["id"], "product_id": p.get("product_id"), "title": p["title"],
                                   "category": p.get("category"), "price": p["price"], "currency": p.get("currency"),
                                   "options": dict(p.get("options") or {}), "quantity": quantity})
            added.append(p)
        if not added:
            return Outcome(f"{answers.label(items[0])} is out of stock, so I can't add it.", "cart",
                           products=[_public(items[0])])
        state.focus_id = added[-1]["id"]
        if not state.shown(state.focus_id):
            state.last_shown = [*state.last_shown, {k: added[-1].get(k) for k in _SHOWN if k in added[-1]}]
        names = ", ".join(answers.label(p) for p in added)
        return Outcome(f"Added {names} to your basket. " + respond.cart_text(state.cart), "cart",
                       products=[_public(p) for p in added])

    def _cart_items(self, state: DialogueState, update, catalog: Catalog) -> list[dict[str, Any]]:
        """What "add ..." refers to: referenced or superlative items of the shown list, else the
        product in focus; named option values pick the variant ("the medium one")."""
        items = list(update.items) if update and update.items else []
        if not items and update and update.superlative and state.last_shown:
            _reply, items = answers.superlative_answer(state.last_shown, *update.superlative, view=catalog.view)
        if not items:
            focus = state.shown(state.focus_id) or (state.last_shown[0] if len(state.last_shown) == 1 else None)
            items = [focus] if focus else []
        wanted = (update.grounding.include if update and update.grounding else {}) or {}
        if wanted:
            items = [answers.through(p, wanted, catalog.view, self.engine.filters(state, catalog)) for p in items]
        return items

    def _cart_remove(self, state: DialogueState, text: str, update) -> Outcome:
        if not state.cart:
            return Outcome("Your basket is already empty.", "cart")
        named = set(update.grounding.types) if update and update.grounding else set()
        items = list(update.items) if update and update.items else []
        ids = {p["id"] for p in items} | {p.get("product_id") for p in items if p.get("product_id")}
        keep = [c for c in state.cart if not (c["id"] in ids or c.get("product_id") in ids or c.get("category") in named)]
        if len(keep) == len(state.cart):
            if len(state.cart) == 1 or re.search(r"\b(empty|clear|everything|all)\b", text, re.I):
                keep = []
            else:
                return Outcome("Which item should I take out? " + respond.cart_text(state.cart), "cart")
        state.cart = keep
        return Outcome("Removed. " + respond.cart_text(state.cart), "cart")

    def _search(self, db, chat, state: DialogueState, *, recommend: bool, catalog: Catalog | None = None) -> Outcome:
        result = self.engine.find(db, state, user_id=chat.user_id, session_id=chat.id, catalog=catalog)
        plan = {"filters": result.filters.to_dict(), "query": self.engine.query_text(state),
                "scores": result.scores, "guard_removed": result.violations}
        action = "recommend" if recommend else "search"
        if not result.products:
            state.offer = result.offer and {"drop": result.offer["drop"], "label": result.offer["label"]}
            return Outcome(respond.nothing_fits(state, result.offer, result.out_of_stock), action, plan=plan)
        state.offer = None
        focus = state.shown(state.focus_id)
        state.show(result.variants or result.products, _SHOWN)
        # the product talked about before stays "it" when the new list holds it ("under 150 then", "add it")
        kept = next((p for p in state.last_shown if focus and p.get("product_id")
                     and p.get("product_id") == focus.get("product_id")), None)
        state.focus_id = kept["id"] if kept else None
        return Outcome(respond.product_list(result.products, state, recommend=recommend, beyond=result.beyond,
                                            relaxed=result.relaxed, variants=result.variants), action,
                       products=[_public(p) for p in result.products], plan=plan)

    def _policy(self, text: str, intent: str, strict: bool = False, kind: str | None = None) -> Outcome:
        """The best policy passage, cited, when it is about the question (cosine >= threshold), and
        its sentence that answers what is asked (``kind``: a time, a fee; read from ``text`` when not given)."""
        kind = kind or policy_answer.answer_kind(text)
        text = _POLICY_WORDS.sub(lambda m: _POLICY_WORD_MAP[m.group(0).lower()], text)  # "swap" -> "exchange"
        # a question of timing or cost looks wider: the sentence with the answer may sit in a passage
        # ranked below others about the same topic
        passages = self.policy.search(text, k=3 if kind is None else 6) if self.policy is not None else []
        relevance = self._relevance(text, passages)
        # the question's topic word in a section's own title ("can i swap it" -> "Exchange delivered
        # order") is evidence the embeddings alone can miss on a long, chatty question
        topics = set(_POLICY_TOPICS.findall(text.lower()))
        relevance = [r + (TOPIC_BONUS if topics & set(_POLICY_TOPICS.findall((p.section or "").split(">")[-1].lower())) else 0.0)
                     for r, p in zip(relevance, passages, strict=True)]
        floor = POLICY_STRICT if strict else POLICY_MIN
        ranked = sorted(zip(relevance, range(len(passages)), strict=True), reverse=True)
        if not ranked or ranked[0][0] < floor:
            return Outcome("The store's policy doesn't say anything about that. Would you like me to transfer you to a person?",
                           "policy_answer", plan={"citation": None, "relevance": ranked[0][0] if ranked else None})
        relevant = [passages[i] for score, i in ranked if score >= floor]
        best, sentence = self._best_sentence(text, relevant, kind)
        return Outcome(respond.policy_answer(best, sentence), "policy_answer",
                       plan={"citation": {"source": best.source, "section": best.section}, "relevance": round(ranked[0][0], 3),
                             "asks": kind})

    def _best_sentence(self, text: str, passages: list, kind: str | None = None) -> tuple[Any, str | None]:
        """(passage, sentence): the sentence of the relevant passages that answers ``text`` best
        (cosine of the embeddings, plus a bonus for a sentence holding the kind of answer asked
        for), with the passage it belongs to; the sentence is ``None`` when the passage is a single
        sentence and nothing else is relevant."""
        split = [(p, x.strip()) for p in passages
                 for x in re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?])\s+|\n+(?=[-*\d])", p.text) if len(x.strip()) > 20]
        if len(split) < 2:
            return passages[0], None
        missing = [x for _, x in split if x not in self._passage_vecs]
        if missing:
            for t, v in zip(missing, self.engine.search_service.encode(missing), strict=True):
                self._passage_vecs[t] = v
        q = self.engine.search_service.encode([text])[0]

        def score(px) -> float:  # a policy written for staff: prefer what a shopper is told
            staff = bool(re.search(r"\b(you (should|must|can|need|have to|are)|the agent|the user|ask the|remember to|"
                                   r"remind the|the customer)\b", px[1], re.I))
            answers = policy_answer.BONUS if policy_answer.carries(kind, px[1]) else 0.0
            return float(q @ self._passage_vecs[px[1]]) - (0.08 if staff else 0.0) + answers

        return max(split, key=score)

    def _relevance(self, text: str, passages) -> list[float]:
        if not passages:
            return []
        missing = [p.text for p in passages if p.text not in self._passage_vecs]
        if missing:
            for t, v in zip(missing, self.engine.search_service.encode(missing), strict=True):
                self._passage_vecs[t] = v
        q = self.engine.search_service.encode([text])[0]
        return [float(q @ self._passage_vecs[p.text]) for p in passages]


@dataclass
class Turn:
    """Everything one action handler reads and writes (``state`` is changed in place)."""

    db: Session
    chat: ChatSession
    state: DialogueState
    plan: Plan
    text: str
    u: Understanding
    update: Any
    dry_run: bool
    catalog: Catalog
    flow: ServiceFlow


_HANDLERS: dict[Action, Callable[[TurnRunner, Turn], Outcome]] = {
    Action.SEARCH: TurnRunner._search_turn,
    Action.RECOMMEND: TurnRunner._search_turn,
    Action.SUGGEST: TurnRunner._suggest,
    Action.ACCEPT_OFFER: TurnRunner._search_turn,
    Action.DECLINE_OFFER: TurnRunner._decline_offer,
    Action.COMPARE: TurnRunner._compare,
    Action.PRODUCT_QUESTION: TurnRunner._product_question,
    Action.CART: TurnRunner._cart_turn,
    Action.SERVICE: TurnRunner._service,
    Action.SERVICE_RETURN: TurnRunner._service_return,
    Action.CONFIRM_YES: TurnRunner._confirm_yes,
    Action.CONFIRM_NO: TurnRunner._confirm_no,
    Action.CONFIRM_AGAIN: TurnRunner._confirm_again,
    Action.COMPLAINT: TurnRunner._complaint,
    Action.POLICY_ANSWER: TurnRunner._policy_answer,
    Action.UNSUPPORTED: TurnRunner._unsupported,
    Action.HANDOFF: TurnRunner._handoff,
    Action.CAPABILITY: TurnRunner._capability,
    Action.SMALLTALK: TurnRunner._smalltalk,
    Action.CLARIFY: TurnRunner._clarify,
    Action.OUT_OF_SCOPE: TurnRunner._out_of_scope,
    Action.REFUSE: TurnRunner._refuse,
}
assert set(_HANDLERS) == set(Action), "every Action needs a handler"


def _quantity(text: str) -> int:
    """How many to add: "add 2 of those", "two of them" (1 by default, at most 20)."""
    words = {"two": 2, "three": 3, "four": 4, "five": 5, "a couple": 2, "a pair": 2}
    m = re.search(r"\b(\d{1,2})\s*(?:x\b|of\b|bags?\b|packs?\b|pcs?\b|pieces?\b|units?\b|more\b)", text or "", re.I)
    if m:
        return max(1, min(20, int(m.group(1))))
    for word, n in words.items():
        if re.search(rf"\b{word}\b", text or "", re.I):
            return n
    return 1


def _flow(reply: FlowReply) -> Outcome:
    return Outcome(reply.text, reply.action, handoff=reply.handoff)


# shoppers' words for the terms a store policy uses, so its passages are found
_POLICY_WORD_MAP = {"swap": "exchange", "swapped": "exchanged", "swapping": "exchanging", "send back": "return",
                    "send it back": "return it", "money back": "refund", "bring back": "return",
                    "ways to pay": "payment methods", "ways can i pay": "payment methods", "how can i pay": "payment methods",
                    "how do i pay": "payment methods", "pay with": "payment methods"}  # fmt: skip
# a question that looks for products rather than asking about one ("do you have a cheaper one?")
_BROWSING = re.compile(
    r"\b(do (you|u|ya) (have|sell|stock|do|carry|got)|have (you|u) got|got any|any\b|are there|is there|"
    r"show me|looking for|recommend|suggest|what (\w+ )?(do|have) (you|u)|which (\w+ )?(should|would|is best|are best))\b",
    re.I)

_POLICY_WORDS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _POLICY_WORD_MAP), key=len, reverse=True)) + r")\b", re.I)


def _adopt(state: DialogueState, shop: DialogueState) -> None:
    for name in ("slots", "options", "exclude_brands", "exclude_ids", "diversity", "offer", "types",
                 "exclude_types", "exclude_options", "exclude_products", "seen_products", "sort", "soft", "open_need",
                 "requirements"):
        setattr(state, name, getattr(shop, name))


def _relax(state: DialogueState) -> None:
    offer, state.offer = state.offer or {}, None
    drop = offer.get("drop", "")
    if drop in ("price_max", "price_min", "brand", "category"):
        state.slots.pop(drop, None)
        if drop == "category":
            state.slots.pop("product", None)
    elif drop.startswith("option:"):
        state.options.pop(drop.split(":", 1)[1], None)


_SHOWN = ("id", "product_id", "title", "price", "currency", "brand", "category", "available", "attributes", "options",
          "option_values", "price_range", "score", "reason")
_PUBLIC = ("id", "title", "category", "brand", "price", "currency", "available", "score", "reason", "product_id",
           "options", "price_range", "option_values")


def _public(p: dict[str, Any]) -> dict[str, Any]:
    """The search-result fields of DESIGN.md, the product view (product_id, options, price_range,
    option_values) and the ranker's reason."""
    return {k: p.get(k) for k in _PUBLIC if k in p}


def _confirmation(text: str) -> str | None:
    """The reading of a reply to a listed write; ``None`` when the message moves on to something else."""
    reply = confirm.read_reply(text)
    if reply == "unclear" and not confirm.about_confirmation(text):
        return None
    return reply


_RANGE_QUESTION = re.compile(
    r"\bwhat (?:do|does|d'?you) (?:you|u|ya|the store|this (?:store|shop))(?: guys| all| lot)? (?:sell|stock|carry|have|offer)\b|"
    r"\bwhat (?:kinds?|sorts?|types?) of (?:things|stuff|products|items)\b|\bwhat(?:'s| is) (?:in stock|on sale|for sale)\b|"
    r"\bwhat (?:products|items|things) do\b", re.I)
_ASK_SOLD = re.compile(
    r"\b(?:do|d'?|does) ?(?:you|u|ya|the store|this (?:store|shop))(?: guys| all| lot| folks)? (?:sell|stock|carry|have|do|got|offer)"
    r"(?: any| some| a| an)? ([a-z][a-z' -]{1,40}?)\s*(?:\?|$|[,.!]| at all| or\b| in\b| for\b| like\b)|"
    r"\b(?:have|got) (?:you|u) got(?: any| some)? ([a-z][a-z' -]{1,40}?)\s*(?:\?|$|[,.!])", re.I)


def _range_text(types: list[str]) -> str:
    shown = types[:40]
    more = f", and {len(types) - len(shown)} more" if len(types) > len(shown) else ""
    return f"This store sells {len(types)} kinds of products: {', '.join(shown)}{more}."


def _not_sold(text: str, update, products: list[dict[str, Any]]) -> str | None:
    """The thing a shopper asked the store for ("do you sell mattresses") when nothing in the
    catalogue is that thing: no type, option, brand or interest was read from the message, and
    no product found names it in its title or category."""
    m = _ASK_SOLD.search(text or "")
    g = update.grounding if update is not None else None
    if m is None or g is None or g.types or g.include or g.brands or g.interest_types:
        return None
    thing = (m.group(1) or m.group(2) or "").strip(" '-")
    words = [w for w in re.findall(r"[a-z]+", thing.lower()) if w not in _FILLER]
    if not words or len(words) > 4:
        return None
    stems = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]
    for p in products:
        names = f"{p.get('title') or p.get('name') or ''} {p.get('category') or ''}".lower()
        if any(stem in names for stem in stems):
            return None
    return thing


_FILLER = frozenset("any some a an the things stuff products items kind kinds sort of good nice cheap decent".split())


def _talked_about(state: DialogueState, text: str) -> dict[str, Any] | None:
    """The shown product a message adds a new one to: the cheapest of the list for "cheapest of
    those", else the one in focus or the only one shown."""
    shown = state.last_shown
    if shown and re.search(r"\bcheapest (one )?(of|out of) (those|them|these)\b", text or "", re.I):
        return min(shown, key=lambda p: p["price"])
    return state.shown(state.focus_id) or (shown[0] if len(shown) == 1 else None)


def _show_variant(state: DialogueState, p: dict[str, Any]) -> None:
    """A variant an answer picked ("the cheapest wireless one") stands for its product in the
    shown list, so "is that one over-ear" is about it."""
    if state.shown(p["id"]):
        return
    entry = {k: p.get(k) for k in _SHOWN if k in p}
    for i, q in enumerate(state.last_shown):
        if q.get("product_id") and q.get("product_id") == p.get("product_id"):
            state.last_shown[i] = entry
            return
    state.last_shown = [*state.last_shown, entry]
