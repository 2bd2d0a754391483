"""The catalogue vocabulary: categories, brands, option values; noisy options left out."""

from __future__ import annotations

from assistant.store.db import session_scope
from retrieval.catalog import import_catalog, vocabulary


def test_vocabulary_from_an_import(engine, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "id,title,price,category,subcategory,brand,color,size,serial\n"
        "1,Tee,5,Clothing,Shirts,Acme,red,M,s1\n"
        "2,Tee,5,Clothing,Shirts,Acme,blue,L,s2\n"
        "3,Mug,4,Kitchen,,Potter,red,,s3\n"
        "4,Pan,9,Kitchen,,,,,s4\n",
        encoding="utf-8",
    )
    import_catalog(path)
    with session_scope(engine) as s:
        vocab = vocabulary(s, max_option_values=3)
    assert vocab.categories == {"Clothing", "Shirts", "Kitchen"}
    assert vocab.brands == {"Acme", "Potter"}
    # 'serial' has 4 distinct values > 3: not a filter word, left out
    assert vocab.options == {"color": {"red", "blue"}, "size": {"M", "L"}}


def test_vocabulary_of_empty_catalogue(engine):
    with session_scope(engine) as s:
        vocab = vocabulary(s)
    assert (vocab.categories, vocab.brands, vocab.options) == (set(), set(), {})
