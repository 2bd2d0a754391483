"""Rules of the planner that read the message's words beside the model's intent and confidence.

The intent and confidence are given (this tests the rule, not the model)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.dialogue.planner import plan_action
from assistant.dialogue.refine import ShoppingUpdate
from assistant.dialogue.state import DialogueState


def plan(text: str, intent: str, confidence: float, update: ShoppingUpdate | None = None):
    return plan_action(intent, confidence, text, DialogueState(), update, threshold=0.35,
                       service_entities=False, affirm=False, deny=False).action


@pytest.mark.parametrize("text", [
    "you said my refund was approved but theres nothing in my bank yet",
    "where's my refund? nothing has reached my bank from you",
])
def test_a_refund_from_the_store_landing_in_my_bank_is_service(text):
    assert plan(text, "track_refund", 0.97) == "service"


@pytest.mark.parametrize("text, intent, confidence", [
    ("my bank app wont let me log in", "recover_password", 0.97),  # nothing addressed to the store
    ("my bank charged me a fee, can you help", "payment_issue", 0.6),  # the model is unsure
    ("my amazon refund went to my bank ages ago", "track_refund", 0.97),  # another company named
])
def test_another_institution_stays_out_of_scope(text, intent, confidence):
    assert plan(text, intent, confidence) == "out_of_scope"


def test_a_cancellation_fee_question_with_money_words_is_not_a_search():
    text = "i might have to cancel but i cant afford to lose any money, is there a penalty for cancelling"
    update = ShoppingUpdate(constraints=True, new_need=True)
    assert plan(text, "check_cancellation_fee", 0.95, update) == "policy_answer"
    # a product whose name holds the word stays a search when the model says so
    assert plan("noise cancelling headphones under 200", "search_products", 0.95, update) == "search"


@pytest.mark.parametrize("intent", ["contact_human_agent", "complaint", "delivery_period", "check_payment_methods"])
def test_an_unsure_handoff_or_policy_intent_does_not_act_alone(intent):
    assert plan("e reader", intent, 0.17) == "clarify"
    assert plan("e reader", intent, 0.17, ShoppingUpdate(new_need=True, constraints=True)) == "search"
    assert plan("e reader", intent, 0.9) in ("handoff", "complaint", "policy_answer")


def test_an_order_named_by_its_contents_answers_the_service_question():
    state = DialogueState(task={"kind": "cancel"}, last_action="clarify")
    update = ShoppingUpdate(new_need=True, constraints=True)  # "laptop" names a product type
    for text in ("the one with the laptop in it", "its the order with the office chair"):
        action = plan_action("search_products", 0.8, text, state, update, threshold=0.35,
                             service_entities=False, affirm=False, deny=False).action
        assert action == "service"
    # with no service task open, the same words are about products
    assert plan("the one with the laptop in it", "search_products", 0.8, update) == "search"


@pytest.mark.parametrize("text", ["thanks. also how long till the refund shows up",
                                  "ok cool, how long until i get my money back"])
def test_a_policy_question_after_thanks_is_a_policy_question(text):
    assert plan(text, "track_refund", 0.7) == "policy_answer"


@pytest.mark.parametrize("text, intent", [
    ("this is ridiculous, i paid for a phone 2 weeks ago and STILL nothing", "track_refund"),
    ("i ordered a lamp last month and it never arrived", "search_products"),
    ("bought a kettle from u 10 days ago, still not here", "search_products"),
    ("paid for headphones last week and they havent arrived", "out_of_scope"),
])
def test_something_paid_for_that_has_not_come_is_order_tracking(text, intent):
    update = ShoppingUpdate(new_need=True, constraints=True)  # the product word reads as a need
    assert plan(text, intent, 0.5, update) == "service"


@pytest.mark.parametrize("text", [
    "i bought a phone last year, need a case for it",
    "i ordered a lamp from you before, do you have bulbs for it",
    "bought a kettle 2 weeks ago and it arrived fine, now i need mugs",
])
def test_a_need_beside_an_earlier_purchase_stays_shopping(text):
    update = ShoppingUpdate(new_need=True, constraints=True)
    assert plan(text, "search_products", 0.8, update) == "search"


def test_a_what_if_after_a_policy_answer_is_its_follow_up():
    state = DialogueState(last_action="policy_answer")
    p = plan_action("out_of_scope", 0.88, "what if i paid with a gift card", state, None, threshold=0.35,
                    service_entities=False, affirm=False, deny=False)
    assert p.action == "policy_answer" and p.reason.startswith("a follow-up")
    # the same words with no answer before them are a question of their own
    p = plan_action("out_of_scope", 0.88, "what if i paid with a gift card", DialogueState(), None, threshold=0.35,
                    service_entities=False, affirm=False, deny=False)
    assert p.action == "policy_answer" and not p.reason.startswith("a follow-up")


@pytest.mark.parametrize("text", [
    "i bought a phone last year and still haven't found a case that fits",
    "i ordered this mat before and i'm still waiting to find a matching block",
])
def test_still_without_a_delivery_word_is_not_a_late_order(text):
    from assistant.dialogue.service_flow import not_arrived

    assert not not_arrived(text)
    assert plan(text, "search_products", 0.8, ShoppingUpdate(new_need=True, constraints=True)) == "search"


@pytest.mark.parametrize("text, intent", [
    ("desk lamp that ISNT battery powered, had one before and it died constantly", "complaint"),
    ("my old kettle died, need a new one with a temperature dial", "contact_human_agent"),
])
def test_a_need_told_as_a_story_is_shopping_not_a_complaint(text, intent):
    update = ShoppingUpdate(new_need=True, constraints=True, grounding=SimpleNamespace(
        types=["Desk Lamp"], include={}, exclude={}, brands=[], interest_types=[]))
    assert plan(text, intent, 0.9, update) == "search"
    # an order named, or a person asked for, keeps the model's reading
    assert plan("the desk lamp i ordered arrived and it died constantly", intent, 0.9, update) != "search"
    assert plan("desk lamp died, i want to talk to a person", intent, 0.9, update) in ("handoff", "complaint")


def test_shopping_asked_instead_of_an_email_goes_on_shopping():
    state = DialogueState(task={"kind": "return"}, last_action="ask_auth",
                          last_shown=[{"id": "H1", "category": "Headphones"}])
    update = ShoppingUpdate(constraints=True, new_need=True, grounding=SimpleNamespace(
        types=["Headphones"], include={"color": ["black"]}, exclude={}, brands=[], interest_types=[]))
    p = plan_action("product_question", 0.95, "are the black over-ear ones even in stock rn", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action == "search"
    # an email or a name given is the answer to the question
    p = plan_action("provide_info", 0.95, "noah.brown@example.com", state, None,
                    threshold=0.35, service_entities=True, affirm=False, deny=False)
    assert p.action == "service"


@pytest.mark.parametrize("text, action", [
    ("ok navy's fine, bung it in the basket", "add"),
    ("two of the white ones in my basket pls", "add"),
    ("whats in my basket now", "show"),
    ("take the electric one out, changed my mind", "remove"),
    ("actually take the hand towel back out", "remove"),
])
def test_basket_words(text, action):
    from assistant.dialogue.planner import cart_action

    assert cart_action(text, has_cart=True) == action


@pytest.mark.parametrize("text", ["r u chatgpt or what", "are you an ai", "can u actually order stuff for me or do u just show me things"])
def test_what_are_you_is_a_capability_question(text):
    assert plan(text, "place_order", 0.9) == "capability"
    # "or do you only do replacements" asks about the store's returns, not the assistant
    assert plan("can i get a refund or do you only do replacements", "get_refund", 0.9) != "capability"


def test_a_question_about_the_shown_products_beats_a_sure_off_topic():
    state = DialogueState(last_shown=[{"id": "D1", "category": "Dutch Oven"}], last_action="search")
    update = ShoppingUpdate(question=True)
    p = plan_action("out_of_scope", 0.95, "can it go in the dishwasher", state, update, threshold=0.35,
                    service_entities=False, affirm=False, deny=False)
    assert p.action == "product_question"
    # trivia stays off-topic
    p = plan_action("out_of_scope", 0.95, "is it true goldfish only have a 3 second memory", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action == "out_of_scope"


def test_back_to_the_need_after_an_order_question_shops_again():
    state = DialogueState(task={"kind": "track"}, last_action="clarify", types=["Bluetooth Speaker"])
    update = ShoppingUpdate(constraints=True, grounding=SimpleNamespace(
        types=["Bluetooth Speaker"], include={"water resistance": ["yes"]}, exclude={}, brands=[], interest_types=[]))
    p = plan_action("goodbye", 0.3, "cool ta. back to the speaker, it needs to survive the sprinklers", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action == "search"


def test_did_my_order_arrive_is_order_tracking():
    from assistant.dialogue.service_flow import not_arrived

    assert not_arrived("oh btw did my last order actually get delivered? nothing in my emails")
    assert not not_arrived("did my sister like the lamp")


def test_asking_for_another_product_after_a_complaint_shops():
    """ "the bedside lamp arrived cracked" opened a return; "have you got one in black instead" is a
    search for the lamp type the complaint named, not an answer to the verification question."""
    state = DialogueState(task={"kind": "return"}, last_action="complaint", types=["Table Lamp"])
    update = ShoppingUpdate(constraints=True, grounding=SimpleNamespace(
        types=[], include={"Finish": ["Matte Black"]}, exclude={}, brands=[], interest_types=[]))
    p = plan_action("change_order", 0.77, "while youre there have you got one in black instead", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action == "search"
    # the shopper's details are the answer to the question, whatever else is said
    p = plan_action("provide_info", 0.95, "its noah.brown@example.com", state, None,
                    threshold=0.35, service_entities=True, affirm=False, deny=False)
    assert p.action == "service"


def test_the_cheapest_after_nothing_fitted_the_budget_takes_the_offer():
    state = DialogueState(types=["Dumbbell Set"], offer={"drop": "price_max", "label": "above your $400.00 limit"})
    update = ShoppingUpdate(superlative=("price", "min"), constraints=True)
    p = plan_action("search_products", 0.9, "fine, whats the cheapest adjustable set then", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action == "accept_offer"
    # a new limit is a new search, not a yes to dropping the old one
    p = plan_action("search_products", 0.9, "whats the cheapest under 450 then", state, update,
                    threshold=0.35, service_entities=False, affirm=False, deny=False)
    assert p.action != "accept_offer"


@pytest.mark.parametrize("text", [
    "can you cancel an order i put in yesterday, ordered the wrong size by mistake",
    "can you tell me when my order is going to arrive",
])
def test_asking_the_assistant_to_act_on_an_order_is_service(text):
    assert plan(text, "delivery_period", 0.9) == "service"


def test_a_thing_that_stopped_working_is_a_complaint():
    assert plan("the water fountain i ordered for my cat has stopped pumping after 2 weeks", "out_of_scope", 0.84) \
        == "complaint"
