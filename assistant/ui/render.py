"""Safe rendering. Nothing a shopper, an agent or a catalogue row wrote is ever
interpreted as HTML: text is escaped here, and the Chatbot sanitises on top.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlparse

_BRACKET = re.compile(r"([\[\]])")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|>~])")


def escape_text(text: str | None) -> str:
    """HTML-escape ``text`` so ``<script>`` shows as text; Markdown emphasis and tables still
    render, but never a link or an image: square brackets are escaped, so
    ``[x](javascript:…)`` and ``![](https://tracker/…)`` show as the text they are.

    Text that is already entity-escaped (the assistant escapes echoed shopper text) is
    unescaped first, so it is escaped exactly once and reads the same as it was typed.
    """
    return _BRACKET.sub(r"\\\1", html.escape(html.unescape(text or ""), quote=True))


def escape_markdown(text: str | None) -> str:
    """Escape HTML and Markdown syntax: for catalogue text shown inside Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(html.unescape(text or ""), quote=True))


def safe_url(url: str | None) -> str | None:
    """Only absolute http(s) URLs (no ``javascript:``/``data:``), attribute-escaped."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None
    return html.escape(url.strip(), quote=True)


def format_price(price: Any, currency: str | None = None) -> str:
    try:
        value = float(price)
    except (TypeError, ValueError):
        return ""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get((currency or "USD").upper())
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {escape_text(currency)}"


def product_options(product: dict[str, Any]) -> str:
    """``colour: blue · size: M`` from the product's options/attributes (scalars only)."""
    options = product.get("options") or product.get("attributes") or {}
    if not isinstance(options, dict):
        return ""
    parts = []
    for key, value in list(options.items())[:4]:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value[:4])
        if isinstance(value, (str, int, float)) and str(value):
            parts.append(f"{key}: {value}")
    return " · ".join(parts)


def card_html(product: dict[str, Any]) -> str:
    """One product card. Every field is escaped; the image URL must be http(s)."""
    title = escape_text(product.get("title") or product.get("id") or "")
    available = product.get("available", True)
    availability = "In stock" if available else "Out of stock"
    price = format_price(product.get("price"), product.get("currency"))
    options = escape_text(product_options(product))
    reason = escape_text(product.get("reason") or "")
    meta = " · ".join(escape_text(x) for x in (product.get("brand"), product.get("category")) if x)
    image = safe_url(product.get("image_url"))
    img = (
        f'<img class="aisle-card-img" src="{image}" alt="" loading="lazy" referrerpolicy="no-referrer">'
        if image
        else ""
    )
    stock_class = "aisle-in" if available else "aisle-out"
    return (
        f'<div class="aisle-card" data-product-id="{escape_text(str(product.get("id", "")))}">'
        f"{img}"
        f'<div class="aisle-card-title">{title}</div>'
        f'<div class="aisle-card-meta">{meta}</div>'
        + (f'<div class="aisle-card-options">{options}</div>' if options else "")
        + f'<div class="aisle-card-price">{price} <span class="{stock_class}">{availability}</span></div>'
        + (f'<div class="aisle-card-reason">{reason}</div>' if reason else "")
        + "</div>"
    )


def products_markdown(products: list[dict[str, Any]], limit: int = 6) -> str:
    """A short Markdown list of products (for the agent's suggestion panel)."""
    lines = []
    for p in products[:limit]:
        line = f"- **{escape_markdown(p.get('title'))}** — {format_price(p.get('price'), p.get('currency'))}"
        if not p.get("available", True):
            line += " (out of stock)"
        if p.get("reason"):
            line += f"  \n  _{escape_markdown(p.get('reason'))}_"
        lines.append(line)
    return "\n".join(lines) if lines else "_No product suggestions._"


CARD_CSS = """
.aisle-card {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px; min-height:120px}
.aisle-card-img {width:100%; max-height:120px; object-fit:contain}
.aisle-card-title {font-weight:600}
.aisle-card-meta, .aisle-card-options {font-size:0.85em; opacity:0.8}
.aisle-card-price {margin-top:4px}
.aisle-in {color:#15803d; font-size:0.85em}
.aisle-out {color:#b91c1c; font-size:0.85em}
.aisle-card-reason {font-size:0.85em; font-style:italic; margin-top:4px}
"""
