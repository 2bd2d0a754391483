"""Pick the action of a turn from the understanding, the refinements and the state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.dialogue.answers import asks_total as _asks_total
from assistant.dialogue.refine import ACTIVITY_NEED, ShoppingUpdate
from assistant.dialogue.service_flow import not_arrived
from assistant.dialogue.state import DialogueState
from assistant.dialogue.suggest import asks_cross_sell, asks_personal
from assistant.nlu.labels import SERVICE_INTENTS
from retrieval.money import price_bounds

POLICY_INTENTS = frozenset(
    {"check_refund_policy", "check_cancellation_fee", "delivery_options", "delivery_period"}
)
HANDOFF_INTENTS = frozenset({"complaint", "contact_human_agent", "contact_customer_service"})
NO_TOOL_INTENTS = frozenset(
    {"newsletter_subscription", "create_account", "delete_account", "recover_password",
     "registration_problems", "review", "switch_account", "place_order", "payment_issue"}
)  # fmt: skip
SHOPPING_ACTIONS = {"search_products": "search", "recommend": "recommend",
                    "compare_products": "compare", "product_question": "product_question"}  # fmt: skip
_HUMAN = re.compile(
    r"\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one|a real\s+)?(human|person|agent|representative|someone|manager)\b"
    r"|\b(human|real person|live agent)\s+please\b",
    re.I,
)


_CAPABILITY = re.compile(
    r"\b(what|wat)\b.{0,25}\b(can|could) (you|u) (do|help)\b|"
    r"\bwhat (can|could) (you|u) (actually|even|really|exactly|possibly) (do|help)\b|"
    r"\bwhat (can|could|do|else can) (you|u) (do|help|offer)\b|\bhow (can|could|do) (you|u) help\b|"
    r"\bwhat (are|r) (you|u)( for| able to do)?\s*\??$|\bwhat can i (ask|do here)\b|\bwho are (you|u)\b|"
    r"\bwhat do (you|u) (sell|offer|stock|carry)\b|\bwhat kinds? of (things|stuff|products) do (you|u)\b|"
    r"\b(are|r) (you|u) (a |an )?(bot|robot|ai|chatgpt|gpt|chat ?bot|human|real|person|computer|machine)\b|"
    r"\bis (this|it) (a bot|a robot|a real person|a human|automated)\b|"
    r"\bcan (you|u) (actually |even |really )?(order|buy|purchase|place (an )?orders?)\b.{0,30}\bfor me\b|"
    r"\bor do (you|u) (just|only) (show|tell|search|find|list|give|point|recommend)\b|"
    r"\bbot or (a )?(real )?(person|human)\b|\bwhat is this( chat| site)?\s*\??$|^\s*help\s*[?!.]*$",
    re.I,
)
_DAMAGED = re.compile(
    r"\b(smashed|broken|broke|damaged|cracked|crushed|dented|shattered|torn|ripped|leaking|faulty|defective|chipped|"
    r"scratched|arrived with (a|an) (\w+ )?(crack|dent|scratch|chip|hole|tear|stain)|(a|massive|huge|big) crack|"
    r"doesn'?t work|does not work|stopped (working|pumping|charging|heating|spinning|running|connecting|turning on|holding (a )?charge)|"
    r"won'?t (turn on|charge|pump|heat|connect|switch on)|dead on arrival|wrong (item|size|colou?r|product|"
    r"thing|one|model)|not what i ordered|missing (parts?|pieces?|items?)|arrived (broken|damaged|in pieces)|"
    r"(don'?t|doesn'?t|do not|does not|didn'?t) fit|too (small|big|tight|large|short|long) for me|"
    r"keeps (cutting out|breaking|stopping|turning off|switching off|dying|leaking)|not working)\b",
    re.I,
)
_POLICY_QUESTION = re.compile(
    r"^\W*(?:(?:ok|okay|thanks|thank you|thx|ta|cheers|cool|great|right|and|also|so|oh|one more thing|separately|"
    r"btw|by the way|quick question|random question|another thing|hmm|hey)\W+)*"
    r"(how long|how many (business )?days|when (will|do|does|would|should|can)|what if|what happens if|"
    r"do i get|will i get|is there a fee|how much is the fee|how do refunds|what (reasons?|grounds) (are|is|do|can)|(can|could) (i|we|she|he|they|you) "
    r"(return|exchange|send)\b.*\bif\b|if (i|we|she|he) (buy|order|get|purchase)\b.*\b(can|could)\b|"
    r"if (i|we) (return|cancel|send (it|them|something) back|exchange)\b.*\b(does|do|will|is|would)\b|"
    r"how long (till|until|before|for)|if\b.{0,60}\b(can|could) (i|we) (return|exchange|swap|send)|"
    r"(can|could) (i|you|we) (still )?(cancel|return|exchange) (an|a|any) (order|item|purchase)\b|"
    r"(will|would|does|do|is) (the|my) (money|refund|refunds)\b|how (fast|quick|quickly|soon) (do|will|would|can) (i|we)\b|"
    r"(can|could) (i|we) (swap|exchange) (it|them|this|that)\b.*\b(different|other|another|instead|later)\b)"
    r"|\b(can|could) (i|we) (return|exchange|swap) (it|them|this|these|that|those)\b.*\b(later|afterwards|after|once|within)\b"
    r"|\b(what'?s|whats|what is|what are|tell me|how does|how do) (the |your |ur )?(returns?|refunds?|exchanges?|cancellation|"
    r"delivery|shipping) (policy|policies|rules|process)\b",  # "whats the returns policy if it arrives damaged"
    re.I)
_POLICY_FOLLOW_UP = re.compile(r"^\W*(what if|and if|what about|and for|how about)\b", re.I)
_POLICY_TOPIC = re.compile(r"\b(refund|money (\w+ )?back|reimburs|return|exchange|swap|cancel|gift card|fee|deliver|ship)", re.I)
_SEND_BACK = re.compile(r"\b(send|take|bring) (it|them|this|these|that|those) back\b|\breturn (it|this|them|these|my)\b|"
                        r"\b(send|take|bring) back (a|an|the|my)\b", re.I)
_ORDER_TALK = re.compile(
    r"\b(my (order|parcel|package|delivery|purchase)|i (ordered|bought|purchased)|(it|they|order|parcel) "
    r"(arrived|came)|was delivered|got delivered)\b", re.I)
# a "what's / where / when / why" opening of an off-topic question ("whats a good name for a black cat")
_WH_OPEN = re.compile(r"\W*(?:(?:and|so|ok|okay|hey)\W+)?(?:whats|wats|where|wheres|when|why)\b", re.I)
# asking whether the store has something ("have you got one in black", "do you sell leads")
_HAVE_YOU = re.compile(r"\b(have|has) (you|u) got\b|\bdo (you|u|ya) (have|sell|stock|do|carry)\b|\bgot any\b|\byou got\b", re.I)
_WANTS_TASK = re.compile(
    r"(?:^\W*|\b(?:i|we) )(?:really )?(?:need|want|would like|'?d like|have) to (?:return|cancel|exchange|send back)\b|"
    r"\bhelp me (?:to )?(?:return|cancel|exchange)\b|"
    r"\b(?:can|could) (?:you|u) (?:please |pls )?(?:cancel|return|exchange) (?:an?|my|the|this|that) (?:order|item|purchase)\b", re.I)
_RESUME_TASK = re.compile(
    r"\b(?:go ahead|carry on|continue|proceed|let'?s|please|just)\b.{0,20}\b(?:cancel|return|exchange|swap|change)\b|"
    r"\b(?:cancel|return|exchange) (?:it|that|them|the order|my order)\b|\bback to (?:the |my )?(?:cancell?ation|return|exchange|order)\b",
    re.I)
# an order named by what is in it, answering the service task's question ("the one with the laptop in it")
_ORDER_BY_CONTENTS = re.compile(
    r"^\W*(?:(?:it'?s|its|it is|i mean|oh|um+|er+m?)\W+)*(?:the |my )?(?:one|order|parcel|package|delivery) "
    r"(?:with|that has|that had|containing|that contains|that included) ", re.I)
_LEAVE_SERVICE = re.compile(
    r"\b(nvm|never ?mind|forget (it|that|about it)|(i'?ll|ill|i will) (check|do|sort|look)( it| that| this)?( out)? later|"
    r"back to (the |my )?(shopping|browsing|products?|[a-z]+s\b|[a-z]+\b(?= *[,.!?-]| (?:pls|please|then|again|now)\b)))", re.I)
# a named product with one of these is a need even when the model calls the message off-topic
# ("dog food but no chicken, she's allergic", "my hoover just died on me")
_NEED_CUE = re.compile(
    r"\b(need|needs|want|wanted|looking for|after (a|an|some)|any|got any|do you (have|sell|stock|do)|for my|"
    r"recommend|suggest|buy|get (me|her|him|one)|died|broke|broken|stopped working|packed (in|up)|gave up|"
    r"destroy(s|ed|er)?|annihilat\w*|wreck(s|ed)?|chew(s|ed)? through|shred(s|ded)?|rip(s|ped)? (it|them) apart|"
    r"worn out|wore out|ancient|knackered|on its last legs|falling apart|dying|rubbish|useless|"
    r"that (is|isn'?t|isnt|does|doesn'?t|doesnt|has|hasn'?t|won'?t|wont)|thats|which is|"
    r"with|without|but|pls|please|present|gift|pressie|prezzie|birthday|christmas|xmas|father'?s day|"
    r"mother'?s day|housewarming)\b", re.I)
_ASKS_A_SERVICE = re.compile(r"\W*(can|could|would|will) (you|u) (please )?(design|plan|fix|repair|install|build|make|draw|write)\b", re.I)
# a question about "it" / "them" / "any of them": the products in front of the shopper
_ABOUT_IT = re.compile(r"^\W*(?:(?:and|so|but|ok|okay|oh|hmm)\W+)*(?:does|do|can|could|will|would|is|are|has|have|did)\s+"
                       r"(?:it|they|them|this|that|these|those|any of (?:them|these|those)|either|both)\b", re.I)
_REPAIR = re.compile(r"\b(repair|repairs|repairer|fix|fixing|mend|mending)\b.{0,25}\b(places?|shops?|services?|someone|somebody|"
                     r"anyone|near me|nearby|local)\b|\b(any|good) (\w+ )?(repair|repairs|fix)(ers?)? (places?|shops?)\b", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+|\b\d{5}\b")
_PERSON = re.compile(r"\b(human|person|agent|someone|somebody|manager|supervisor|staff|call me|phone me)\b", re.I)
_TRIVIA = re.compile(r"^\W*(is it true|did you know|why (do|does|is|are)|how come|fun fact|who (is|was|invented))\b", re.I)
# words of an order or account matter: with a confident service intent they win over a product named
# ("remove the phone case from order 88213", "update my phone number", "a review for the vacuum")
_SERVICE_TALK = re.compile(
    r"\b(orders?|ordered|account|invoice|receipt|refund|address|phone number|email address|password|review|"
    r"checkout|check out|card|payment|paid|charged|deliver(y|ed)|parcel|package|tracking|voucher|"
    r"(?<!noise )(?<!noise-)cancel(l?ing|l?ation|l?ed|s)?|fee|fees|penalty)\b", re.I)
_THANKS = re.compile(r"^\W*(ok\W+|oh\W+)?(ta|cheers|thanks|thank you|thx|ty|tysm|much appreciated|nice one|lovely|brill|ace)\b.{0,40}$|"
                     r"\b(ur|you'?re|you are) (a |an )?(star|legend|lifesaver|life saver|gem|angel)\b", re.I)
_NEW_SHOPPING = re.compile(
    r"\b(show me|looking for|look for|do you (have|sell|stock)|i need (a|an|some)|i want (a|an|some) new|"
    r"recommend|search for|find me|shopping for|(also|still) (need|want|after)|need a new|"
    r"while (i'?m|im|i am) (here|at it|waiting)|while i wait|in the meantime|meanwhile)\b", re.I)
OOS_FIRM = 0.85  # the model's out-of-scope this sure beats product words in a longer message
_OTHER_COMPANY = re.compile(
    r"\b(amazon|ebay|etsy|zara|h&m|ikea|walmart|argos|tesco|aliexpress|temu|shein|asos|"
    r"netflix|spotify|disney\+?|hulu|uber|deliveroo|doordash|just eat|airbnb|booking\.com|ryanair|easyjet|"
    r"fedex|dhl|usps|royal mail|evri|dpd|paypal account|apple store|google play|xbox live|"
    r"playstation store|my bank|my gym|my landlord|my phone (carrier|provider|contract))\b", re.I)
# "my bank" is also where a refund from this store lands: with a firm service intent and the
# store addressed ("you said my refund was approved but there's nothing in my bank")
_OWN_INSTITUTION = re.compile(r"\bmy (bank|gym|landlord|phone (carrier|provider|contract))\b", re.I)
_TO_THE_STORE = re.compile(r"\b(you|your|u|ur|you'?ve|you guys)\b|\bmy (refund|order|parcel|package|return)\b", re.I)


def _other_company(text: str, intent: str, confidence: float) -> bool:
    """The message is about another company's or institution's service, not this store's."""
    found = [m.group(0) for m in _OTHER_COMPANY.finditer(text)]
    if not found:
        return False
    if all(_OWN_INSTITUTION.fullmatch(f) for f in found) and intent in SERVICE_INTENTS and (
            confidence >= OOS_FIRM and _TO_THE_STORE.search(text)):
        return False
    return True
CART = re.compile(r"\b(cart|basket|trolley|shopping bag|my total|the total so far)\b", re.I)
_CART_ADD = re.compile(r"\b(add|put|throw|pop|stick|place|chuck|bung|shove|whack|toss)\b|\bi'?ll take\b", re.I)
_TAKE_OUT = r"take (?:it|that|this|them|those|the (?:\w+ ){0,2}(?:one|ones|\w+)) out\b|get rid of\b"
_CART_REMOVE = re.compile(rf"\b(remove|take out|take off|delete|drop|empty|clear|{_TAKE_OUT})", re.I)


_NAMES_ITEM = re.compile(r"\b(the \w+ (ones?|pair)|(that|this|it|them|those|these) (in|into|to)|"
                         r"(one|two|three|four|\d+|a couple|a pair) of (the|them|those|these)\b)", re.I)
_CART_QUESTION = re.compile(r"\b(what'?s|whats|what is|what do|show|view|see|how much|total|how many|check)\b|\?\s*$", re.I)


_PRICE_WORDS = re.compile(r"\b(under|below|less than|cheaper than|over|above|between|budget)\b|[$£€]|\d", re.I)
_CART_ALONE = re.compile(
    r"^\W*(?:(?:ok|okay|yes|yeah|yep|great|perfect|cool|then|and|pls|please|i'?ll|lets|let'?s|can you|could you)\W+)*"
    r"(add|i'?ll take|ill take)\b(?!\s+(a|an|some)\s+look)", re.I)
_CHECKOUT = re.compile(r"\b(check ?out|place (the|my) order|pay now|proceed to (payment|checkout)|buy (it|them|these) now)\b", re.I)


SET_QUANTITY = re.compile(  # "actually make it 2", "change that to three"
    r"^\W*(?:(?:ok|okay|actually|sorry|oh|no|and|pls|please|wait|hmm)\W+)*(?:can you |could you |please )?"
    r"(?:make (?:it|that|them)|change (?:it|that|them|the quantity) to|set (?:it|that|the quantity) to|just|only)\s+"
    r"(\d{1,2}|one|two|three|four|five|six|a couple)\b(?!\s*(?:dollars|bucks|pounds|quid|euros|\$|£|€))", re.I)


_COMPARE = re.compile(
    r"\b(compare|comparison|vs\.?|versus|difference between|diff between|stack up|better,)\b|"
    r"\b(?:recommend|choose|pick|go for|better)\b.{0,20}\bbetween\b.{1,40}\b(?:and|or)\b", re.I)


def _two_values(update: ShoppingUpdate) -> bool:
    """The message names two or more values of one option ("the rubber and iron ones")."""
    g = update.grounding
    return bool(g and not g.types and any(len(v) >= 2 for v in g.include.values()))


def cart_action(text: str, has_cart: bool = False) -> str | None:
    """``add`` / ``remove`` / ``set`` (the quantity of the last line) / ``show`` / ``checkout``
    when the message is about the conversation's basket."""
    text = text or ""
    if _CHECKOUT.search(text):
        return "checkout"
    if has_cart and re.match(rf"^\W*(?:(?:ok|actually|and|pls|please|oh|wait|sorry|hmm)\W+)*(remove|take out|delete|drop|{_TAKE_OUT})",
                             text, re.I):
        return "remove"
    if has_cart and SET_QUANTITY.search(text):
        return "set"
    if not CART.search(text):
        if _CART_ALONE.search(text) or re.search(r"\bi'?ll take (it|that one|the \w+ one|both)\b", text, re.I):
            return "add"
        return None
    if _CART_REMOVE.search(text):
        return "remove"
    if _CART_ADD.search(text):
        return "add"
    if _NAMES_ITEM.search(text) and not _CART_QUESTION.search(text):
        return "add"  # "two of the white ones in my basket pls"
    return "show"


class Action(StrEnum):
    """What a turn does; each has one handler in ``assistant.dialogue.actions``."""

    SEARCH = "search"
    RECOMMEND = "recommend"
    SUGGEST = "suggest"
    COMPARE = "compare"
    PRODUCT_QUESTION = "product_question"
    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    CART = "cart"
    SERVICE = "service"
    SERVICE_RETURN = "service_return"
    CONFIRM_YES = "confirm_yes"
    CONFIRM_NO = "confirm_no"
    CONFIRM_AGAIN = "confirm_again"
    COMPLAINT = "complaint"
    POLICY_ANSWER = "policy_answer"
    UNSUPPORTED = "unsupported"
    HANDOFF = "handoff"
    CAPABILITY = "capability"
    SMALLTALK = "smalltalk"
    CLARIFY = "clarify"
    OUT_OF_SCOPE = "out_of_scope"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Plan:
    """The action of one turn and why it was chosen (stored with the assistant message)."""

    action: Action
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", Action(self.action))  # a plain string is checked here


def plan_action(
    intent: str,
    confidence: float,
    text: str,
    state: DialogueState,
    update: ShoppingUpdate | None,
    *,
    threshold: float,
    service_entities: bool,
    affirm: bool,
    deny: bool,
    confirmation: str | None = None,
) -> Plan:
    """Ordered rules; the first that applies decides.

    ``confirmation`` is the reading of the reply to a listed write (``assistant.dialogue.confirm``):
    ``"yes"``, ``"no"``, ``"unclear"`` (about the write: ask again) or ``None`` (no write is
    waiting, or the message moves on to something else).
    """
    if state.pending is not None:
        if confirmation == "yes":
            return Plan("confirm_yes", "explicit yes to the listed write")
        if confirmation == "no":
            return Plan("confirm_no", "no to the listed write")
        if confirmation == "unclear":
            return Plan("confirm_again", "no clear yes to the listed write: nothing written, asked again")
    cart = cart_action(text, bool(state.cart))
    if state.pending is None and cart not in ("add", "remove", "set", "checkout"):
        if asks_cross_sell(text):
            return Plan("suggest", "what goes with the basket")
        g = update.grounding if update else None
        if asks_personal(text) and not _PRICE_WORDS.search(text) and not (
                g and (g.types or g.include or g.brands or g.interest_types)):
            return Plan("suggest", "personal recommendations, no product named")
    if (cart == "add" and not state.last_shown and state.pending is None and update and update.new_need
            and update.grounding and update.grounding.types):
        # "can you put the big maple chopping board in my basket" before anything was shown: find it first
        return Plan("search", "basket: add, but nothing shown yet: the product named, to pick from")
    if cart is not None and (state.task is None or CART.search(text)) and state.pending is None and not (
            intent == "payment_issue" and confidence >= OOS_FIRM):  # "card declined at checkout"
        return Plan("cart", f"basket: {cart}")
    if state.offer is not None and not state.pending:
        restated = bool(update and (update.constraints or update.new_need))  # "no more than fifty bucks"
        if affirm and not restated:
            return Plan("accept_offer", "yes to the relaxation offered")
        if (state.offer.get("drop") == "price_max" and update and update.superlative == ("price", "min")
                and price_bounds(text) == (None, None) and not update.new_need):
            return Plan("accept_offer", "the cheapest there is, over the limit that fitted nothing")  # "fine, whats the cheapest then"
        if deny and not restated:
            return Plan("decline_offer", "no to the relaxation offered")
    if _HUMAN.search(text):
        return Plan("handoff", f"{intent}: the shopper wants a person")
    if _REPAIR.search(text) and not _NEW_SHOPPING.search(text):  # "know any good repair places near me?"
        return Plan("out_of_scope", "a repair service elsewhere")
    if _other_company(text, intent, confidence) and not service_entities and state.task is None:
        return Plan("out_of_scope", "about another company's service")
    if _WANTS_TASK.search(text) and not (update and update.about_shown) and state.pending is None:
        return Plan("service", "the shopper asks to start an order task")  # "i need to return something, how do i"
    if not_arrived(text) and state.pending is None:  # "i paid for a phone 2 weeks ago and STILL nothing"
        return Plan("service", "something paid for has not arrived: track the order")
    if (_POLICY_QUESTION.search(text) and _POLICY_TOPIC.search(text) and not service_entities
            and not (update and update.about_shown)):  # an open task stays open for the next turn
        if state.last_action == "policy_answer" and _POLICY_FOLLOW_UP.search(text):  # "what if i paid with a gift card"
            return Plan("policy_answer", "a follow-up to the policy answer")
        return Plan("policy_answer", "a general question the policy answers")
    if _DAMAGED.search(text) and state.task is None:
        return Plan("complaint", "a damaged or wrong item: apologise, offer return/exchange or a person")
    wants_person = re.search(r"\b(need|want|get|give|put)\b.{0,20}\b(human|person|agent|someone|somebody)\b", text, re.I)
    # the model's intent acts alone only when it is sure enough: below the threshold a hand-off or
    # policy intent is a guess ("e reader" read as contact_human_agent at 0.17), and the words'
    # shopping or the clarifying question below decide
    sure = confidence >= threshold
    # a product the store sells named with no word of a person or a problem ("bluetooth speakr?") is a
    # need, whatever the model guessed for the unknown spelling
    names_product = bool(update and update.grounding and update.grounding.types and update.new_need
                         and intent == "contact_human_agent" and not wants_person
                         and not re.search(r"\b(human|person|agent|someone|somebody|manager|staff|call|phone me)\b", text, re.I))
    # a hand-off or complaint intent with no person, no order and no damage named, on words that
    # shop ("desk lamp that ISNT battery powered, had one before and it died", "it needs a proper
    # filter" about the shown vacuums): the shopper is describing a need, not asking for a person
    names_product = names_product or bool(
        update and not wants_person and not _PERSON.search(text) and not _ORDER_TALK.search(text)
        and not service_entities and not _SERVICE_TALK.search(text)
        and (update.new_need and update.grounding and update.grounding.types and _NEED_CUE.search(text)
             or (update.constraints or update.refinements) and state.last_shown and not update.new_need))
    if (intent in HANDOFF_INTENTS and sure and not (update and update.about_shown) and not names_product
            and not (_CAPABILITY.search(text) and not wants_person)):  # "are you a bot? what can you do"
        if intent == "complaint" and not re.search(r"\b(manager|supervisor|person|human|agent)\b", text, re.I):
            return Plan("complaint", "a complaint: apologise and offer a person")
        return Plan("handoff", f"{intent}: the shopper wants a person")

    if state.last_action == "policy_answer" and _POLICY_FOLLOW_UP.search(text) and not service_entities:
        return Plan("policy_answer", "a follow-up to the policy answer")
    if _SEND_BACK.search(text) and intent not in SERVICE_INTENTS:
        if state.task is not None:
            return Plan("service", "continuing the open service task")
        return Plan("service_return", "the shopper wants to send an item back")
    if update and state.last_shown and _COMPARE.search(text) and not service_entities and (
            update.new_need or _two_values(update)):  # "compare them with the headphones you have"
        return Plan("compare", "the shown products against another kind or option")
    if _CAPABILITY.search(text) and not (update and (update.constraints or update.about_shown)):
        return Plan("capability", "what the assistant can do")
    if update and update.about_shown and not (intent in SERVICE_INTENTS and confidence >= 0.9 and service_entities):
        if update.items and len(update.items) >= 2 and re.search(r"\b(compare|vs|versus|difference|better)\b", text, re.I):
            return Plan("compare", "comparing the referenced products")
        return Plan("product_question", "a question about the shown products")
    if (intent == "out_of_scope" and update and update.question and state.last_shown
            and (confidence < OOS_FIRM or _ABOUT_IT.match(text) and not _TRIVIA.search(text))
            and not (update.constraints or update.refinements) and state.last_action in SHOPPING_ACTIONS.values()):
        # "can it go in the dishwasher", "do any of them push themselves": about the products shown
        return Plan("product_question", "a question while looking at products")
    if state.last_shown and len(state.last_shown) >= 2 and _asks_total(text) and not service_entities:
        return Plan("product_question", "what the shown products cost together")
    # an open service task whose last reply asked the shopper something: the answer continues it
    # ("the electric kettle", "paypal") unless the shopper clearly starts shopping
    asked = state.last_action in ("ask_auth", "service_tool", "clarify", "confirm", "complaint", "service")
    # asked for an email or a name, the shopper asks about products instead ("are the black over-ear
    # ones even in stock", "cheapest of those?"): that is no answer to the question, and shopping goes on
    named_type = bool(update and update.grounding and update.grounding.types)
    shops_instead = bool(
        state.last_action in ("ask_auth", "complaint") and update and not service_entities
        and (intent in SHOPPING_ACTIONS and (confidence >= 0.9 or named_type)
             or _HAVE_YOU.search(text) and (update.constraints or named_type)  # "have you got one in black instead"
             or intent not in SERVICE_INTENTS and intent != "provide_info" and (update.new_need or update.constraints)
             and not _EMAIL.search(text) and not _ORDER_BY_CONTENTS.search(text))
        and not _SERVICE_TALK.search(text)
        and (update.refinements or update.constraints or update.new_need or update.superlative
             or update.about_shown and state.last_shown or update.question and named_type))
    shopping_cue = shops_instead or bool(_NEW_SHOPPING.search(text)) or bool(  # "ok while I wait, any cat litter?"
        update and update.grounding and update.grounding.types and update.new_need
        and (re.search(r"\b(any|got|need|want|also|do (u|you) (do|have|sell|stock))\b", text, re.I)
             or len(text.split()) <= 8 and text.strip().endswith("?")))  # "hardback notebooks?"
    names_task = state.task is not None and bool(_RESUME_TASK.search(text))  # "ok forget it, go ahead and cancel"
    leaving = not names_task and (_LEAVE_SERVICE.search(text) or intent in ("goodbye", "thanks")
               or intent == "out_of_scope" and confidence >= threshold
               and not (update and update.grounding and update.grounding.types)) and not service_entities
    continuing_service = state.task is not None and not leaving and (
        service_entities or names_task or intent == "provide_info" and not shopping_cue
        or asked and bool(_ORDER_BY_CONTENTS.search(text))
        or (asked and not shopping_cue and intent not in ("search_products", "recommend", "compare_products")
            or asked and len(text.split()) <= 6 and not shopping_cue)
    )
    continuing_shopping = bool(
        update
        and (update.refinements or update.item or update.items or update.constraints)
        and (state.last_shown or update.new_need)
        and not (
            intent == "out_of_scope" and confidence >= threshold
            and state.last_action not in SHOPPING_ACTIONS.values()
            and not (update.refinements or update.item)
        )
    )
    firm_oos = intent == "out_of_scope" and confidence >= OOS_FIRM and len(text.split()) > 3
    if firm_oos and update and update.new_need and update.grounding and (
            update.grounding.types or update.grounding.interest_types and ACTIVITY_NEED.search(text.lower())):
        # the message names a product the store sells, as a need: shopping beats the model's off-topic
        # ... or asks about a product it names ("will my kitten actually like the catnip fish thing")
        firm_oos = bool(_TRIVIA.search(text)) or not (_NEED_CUE.search(text) or _NEW_SHOPPING.search(text)
                                                      or len(text.split()) <= 4
                                                      or update.question and update.grounding.types
                                                      and not _ASKS_A_SERVICE.match(text)
                                                      and not _WH_OPEN.match(text))
    if (update and (update.refinements or update.new_need or update.constraints)
            and (state.last_shown or update.new_need or shops_instead and state.types)
            and not continuing_service and not service_entities and not (firm_oos and not update.refinements and (update.new_need or not state.types))
            and not (_ORDER_TALK.search(text) and intent not in SHOPPING_ACTIONS)
            and (intent not in SERVICE_INTENTS or confidence < 0.8 or update.new_need and intent != "place_order"
                 and not (confidence >= OOS_FIRM and _SERVICE_TALK.search(text)))):
        if update.items and len(update.items) >= 2 and re.search(r"\b(compare|vs|versus|difference)\b", text, re.I):
            return Plan("compare", "comparing the referenced products")
        if update.item and not (update.refinements or update.constraints or update.new_need):
            return Plan("product_question", "item reference")
        return Plan("recommend" if intent == "recommend" else "search", "the shopping need, refined")
    own = re.search(r"\b(my|i have|i'?ve got|saved|left on|balance)\b", text, re.I)  # "how much is left on my gift card"
    if intent == "check_payment_methods" and sure and state.customer_id is None and not continuing_service and not own:
        return Plan("policy_answer", "payment methods in general: from the policy")
    if intent in SERVICE_INTENTS and intent in POLICY_INTENTS and sure and not continuing_service:
        return Plan("policy_answer", f"{intent} answered from the policy")
    if (re.search(r"\b(back to|go back to|return to)\b", text, re.I) and not service_entities and update
            and update.grounding and (update.grounding.types or update.grounding.include) and not names_task
            and (state.types or update.new_need)):  # "cool ta. back to the speaker, it needs to survive the sprinklers"
        return Plan("search", "back to the shopping need")
    if confidence < threshold and not (continuing_service or continuing_shopping or service_entities):
        if state.fail_streak + 1 >= 2:
            return Plan("handoff", f"low confidence ({confidence:.2f}) twice in a row")
        return Plan("clarify", f"low confidence ({confidence:.2f})")
    if continuing_service:
        return Plan("service", "continuing the open service task")
    if intent in NO_TOOL_INTENTS:
        return Plan("unsupported", f"{intent}: no store tool for it")
    if intent in SERVICE_INTENTS:
        return Plan("service", f"{intent} via store tools")
    if service_entities and intent not in SHOPPING_ACTIONS:
        return Plan("service", "order or account details")
    if update and update.refinements and state.last_shown and intent not in ("search_products", "recommend"):
        return Plan("search", f"refinement {'/'.join(update.refinements)} of the shown products")
    if intent in SHOPPING_ACTIONS:
        action = SHOPPING_ACTIONS[intent]
        if action == "search" and update and update.item and not update.constraints and not update.new_need:
            return Plan("product_question", "item reference: show the item")
        if action == "compare" and not state.last_shown:
            return Plan("search", "nothing shown yet to compare")
        if action == "compare" and update and len(update.items) == 1:
            return Plan("product_question", "one item referenced: show it")
        return Plan(action, intent)
    if continuing_shopping:
        if update.refinements or update.constraints:
            return Plan("search", "refinement of the shown products")
        return Plan("product_question", "item reference")
    if intent == "provide_info" and update and update.constraints:
        return Plan("search", "more constraints for the current need")
    if intent in ("greeting", "thanks", "goodbye", "affirm", "deny") or _THANKS.search(text):
        return Plan("smalltalk", intent)
    if intent == "provide_info":
        return Plan("clarify", "information without an open request")
    return Plan("out_of_scope", intent)
