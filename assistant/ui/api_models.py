"""The request and response bodies of the ``/v1`` API, as pydantic models: FastAPI validates
requests with them and the OpenAPI document (``/v1/openapi.json``) describes them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from assistant.feedback.records import MAX_REASON_CHARS
from assistant.store.models import USER_ID_CHARS
from assistant.ui.chat import PRODUCT_EVENTS
from assistant.ui.tokens import MAX_TOKEN_CHARS

MAX_QUERY_CHARS = 1_000
MAX_K = 100
MAX_FILTER_CHARS = 200
MAX_PRODUCT_ID_CHARS = 64  # interaction_events.product_id
MAX_MESSAGE_ID = 2**63 - 1  # a database integer

SessionToken = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TOKEN_CHARS,
        description="the conversation's token: `session` of a `/v1/chat` answer",
    ),
]
UserId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=USER_ID_CHARS,
        description="a personalisation key the caller asserts (the shopper's id in your system)",
    ),
]


def _json_integer(value: Any) -> Any:
    """A JSON integer: ``12`` or ``12.0`` (JSON Schema counts both), never ``"12"`` or ``true``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    return value


Diversity = Annotated[float, Field(ge=0.0, le=1.0, description="0 similar ... 1 varied")]


class ApiError(BaseModel):
    """Every 4xx and 5xx answer of the ``/v1`` API."""

    error: str = Field(description="what is wrong, naming the input, and how to fix it")


class Product(BaseModel):
    """A product shown through the variant that best fits the shopper's constraints (the items
    of search ``results`` and chat ``products``); ``id`` is that variant's SKU."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    category: str | None
    brand: str | None
    price: float
    available: bool
    score: float
    product_id: str | None = None
    options: dict[str, Any] | None = Field(None, description="the options of the chosen variant")
    price_range: list[float] | None = Field(
        None, min_length=2, max_length=2, description="[min, max] over the product's variants"
    )
    option_values: dict[str, list[Any]] | None = Field(
        None, description='every value each option takes, e.g. {"color": ["black", "blue"]}'
    )
    currency: str | None = None
    reason: str | None = Field(None, description="why the ranker shows it (chat)")


# ------------------------------------------------------------------ POST /v1/chat
class ChatRequest(BaseModel):
    """Body of ``POST /v1/chat`` (checked by the handler itself: 400 for a body that is not a
    JSON object, 413 over 64 KiB, 422 for a missing, mistyped, out-of-range or unknown field)."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(
        min_length=1,
        description="the shopper's text; at most AISLE_MAX_MESSAGE_CHARS (4000) characters, "
        "not blank",
    )
    session: str | None = Field(
        None,
        description="the token of an earlier answer to continue its conversation; null, or a "
        "token this server never issued, starts a new one",
    )
    session_id: str | None = Field(None, description="the same as `session`")
    user_id: UserId | None = None
    diversity: Diversity | None = None


class ChatResponse(BaseModel):
    """The ``aisle chat --json`` object; ``session_id`` (and ``session``) is the token."""

    model_config = ConfigDict(extra="allow")

    session_id: str
    session: str
    message_id: int
    reply: str
    intent: str
    confidence: float
    slots: dict[str, Any]
    action: str
    products: list[Product]
    handoff: bool
    understood_by: Literal["encoder", "generative", "fallback"] = Field(
        "encoder", description="which model produced the turn's frame"
    )


# ------------------------------------------------------------------ GET /v1/search
class SearchFilters(BaseModel):
    """The exact filters that were applied (only those given)."""

    model_config = ConfigDict(extra="allow")

    min_price: float | None = None
    max_price: float | None = None
    category: list[str] | None = None
    brand: list[str] | None = None


class SearchResponse(BaseModel):
    """The ``aisle search --json`` object."""

    query: str
    filters: SearchFilters
    results: list[Product]


# ------------------------------------------------------------------ POST /v1/feedback
class ThumbsFeedback(BaseModel):
    """A thumbs up or down on one reply (an assistant or agent message) of the conversation."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["thumbs"]
    session: SessionToken
    message_id: Annotated[
        int,
        BeforeValidator(_json_integer),
        Field(ge=1, le=MAX_MESSAGE_ID, description="`message_id` of a `/v1/chat` answer"),
    ]
    rating: Literal["up", "down"]
    reason: str | None = Field(None, max_length=MAX_REASON_CHARS, description="optional, free text")


ProductEvent = Literal[PRODUCT_EVENTS]  # type: ignore[valid-type]  # click, card actions


class ProductFeedback(BaseModel):
    """A click or card action on a product the conversation was shown."""

    model_config = ConfigDict(extra="forbid")

    kind: ProductEvent = Field(
        description="`not_for_me` also keeps the product out of the conversation's next results"
    )
    session: SessionToken
    product_id: str = Field(
        min_length=1,
        max_length=MAX_PRODUCT_ID_CHARS,
        description="`id` of a product in one of the conversation's answers",
    )


FEEDBACK_KINDS = ("thumbs", *PRODUCT_EVENTS)
FeedbackRequest = Annotated[ThumbsFeedback | ProductFeedback, Field(discriminator="kind")]


MAX_WAIT_S = 30.0  # the longest a GET /v1/chat/messages may wait for a new message


class ChatMessage(BaseModel):
    """One stored message of the conversation, as written (not HTML-escaped)."""

    id: int
    role: Literal["user", "assistant", "agent"] = Field(description="`agent`: a support agent")
    text: str


class MessagesResponse(BaseModel):
    """The conversation's messages after ``after`` (empty when none came within ``wait``)."""

    session: str
    messages: list[ChatMessage]


class FeedbackResponse(BaseModel):
    """What was recorded."""

    recorded: Literal[True] = True
    kind: str
    feedback_id: int | None = Field(None, description="the stored thumbs (kind `thumbs`)")
    message_id: int | None = None
    product_id: str | None = None
