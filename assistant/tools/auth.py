"""Authentication: locate the shopper's customer id by email, or by name + zip code."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.models import Customer

logger = logging.getLogger(__name__)


def find_customer_by_email(session: Session, email: str) -> Customer | None:
    """The customer with this email (case-insensitive), or ``None``."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return session.scalars(select(Customer).where(func.lower(Customer.email) == email)).first()


def find_customer_by_name_zip(
    session: Session, first_name: str, last_name: str, zip_code: str
) -> Customer | None:
    """The one customer with this first name, last name and default-address zip, or ``None``."""
    first, last, zip_code = (first_name or "").strip(), (last_name or "").strip(), (zip_code or "").strip()
    if not (first and last and zip_code):
        return None
    rows = session.scalars(
        select(Customer).where(
            func.lower(Customer.first_name) == first.lower(),
            func.lower(Customer.last_name) == last.lower(),
        )
    ).all()
    matches = [c for c in rows if str((c.address or {}).get("zip", "")).strip() == zip_code]
    if len(matches) != 1:
        if len(matches) > 1:
            logger.warning("name + zip matched %d customers; refusing to guess", len(matches))
        return None
    return matches[0]
