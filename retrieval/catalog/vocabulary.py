"""What the catalogue contains, as words: categories, brands and option values.

The dialogue step uses it to recognise "in blue", "a Water Bottle", "Nike" as
filters. Computed by streaming the products table; option names with very many
distinct values (ids, free text) are left out, since they are not filter words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.core.models import Product

logger = logging.getLogger(__name__)

MAX_OPTION_VALUES = 200


@dataclass(frozen=True)
class CatalogVocabulary:
    """Distinct categories, brands and option values (attribute name -> values), as stored."""

    categories: set[str] = field(default_factory=set)
    brands: set[str] = field(default_factory=set)
    options: dict[str, set[str]] = field(default_factory=dict)


def vocabulary(session: Session, max_option_values: int = MAX_OPTION_VALUES) -> CatalogVocabulary:
    """Read the vocabulary of the current catalogue.

    Only scalar attribute values count (as text); an option with more than
    ``max_option_values`` distinct values is dropped.
    """
    categories: set[str] = set()
    brands: set[str] = set()
    options: dict[str, set[str]] = {}
    too_many: set[str] = set()
    stmt = select(Product.category, Product.subcategory, Product.brand, Product.attributes)
    for category, subcategory, brand, attributes in session.execute(
        stmt.execution_options(yield_per=2000)
    ):
        for name in (category, subcategory):
            if name:
                categories.add(name)
        if brand:
            brands.add(brand)
        for key, value in (attributes or {}).items():
            if key in too_many or value is None or isinstance(value, (dict, list)):
                continue
            text = str(value).strip()
            if not text:
                continue
            values = options.setdefault(key, set())
            values.add(text)
            if len(values) > max_option_values:
                too_many.add(key)
                del options[key]
    if too_many:
        logger.info("vocabulary: left out options with too many values: %s", sorted(too_many))
    return CatalogVocabulary(categories=categories, brands=brands, options=options)
