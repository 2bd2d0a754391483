"""The product catalogue: row schema and validation, importers (CSV, JSON lines,
Parquet, tau2) with column maps, and the catalogue's vocabulary.

- ``import_catalog(path, fmt="auto", mapping=None, replace=False, session=None)`` -> ``ImportReport``
- ``vocabulary(session)`` -> ``CatalogVocabulary(categories, brands, options)``
- ``catalog_version(session)``: bumped by every import that changes a product.
"""

from retrieval.catalog.importer import ImportReport, Rejection, import_catalog
from retrieval.catalog.schema import FIELDS, ProductRow, RowError
from retrieval.catalog.store import bump_catalog_version, catalog_version
from retrieval.catalog.vocabulary import CatalogVocabulary, vocabulary

__all__ = [
    "FIELDS",
    "CatalogVocabulary",
    "ImportReport",
    "ProductRow",
    "Rejection",
    "RowError",
    "bump_catalog_version",
    "catalog_version",
    "import_catalog",
    "vocabulary",
]
