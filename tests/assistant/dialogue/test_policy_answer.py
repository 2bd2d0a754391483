"""What a policy question asks for, and which sentences hold that kind of answer."""

from __future__ import annotations

import pytest

from assistant.dialogue.policy_answer import answer_kind, carries


@pytest.mark.parametrize("question", [
    "how long do refunds take to come thru", "how fast do i get my money back",
    "how long till my refund shows up", "when will i see the money", "how many days does a refund take",
])
def test_a_timing_question(question):
    assert answer_kind(question) == "timing"


@pytest.mark.parametrize("question", ["can i return something if i just changed my mind",
                                      "where does the refund go", "when can i return it"])
def test_questions_that_do_not_ask_when(question):
    assert answer_kind(question) is None


def test_a_follow_up_asks_what_the_previous_answer_told():
    previous = "The original payment method will be refunded immediately if it is a gift card, otherwise within 5 to 7 business days."
    assert answer_kind("what if i paid with a gift card", previous) == "timing"
    assert answer_kind("what if i paid with a gift card", "The refund must go to the original payment method.") is None


def test_a_sentence_carries_a_time_or_a_fee():
    assert carries("timing", "the total will be refunded immediately if it is gift card, otherwise in 5 to 7 business days.")
    assert not carries("timing", "The refund must either go to the original payment method, or an existing gift card.")
    assert carries("cost", "There is a $5 restocking fee.") and not carries("cost", "Returns need the order id.")
    assert not carries(None, "in 5 to 7 business days")
