"""Nothing from a message or the catalogue is interpreted as HTML."""

from __future__ import annotations

from assistant.ui import render


def test_script_is_escaped_once():
    assert (
        render.escape_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    # already-escaped text (the assistant escapes echoed input) is not double-escaped
    assert render.escape_text("&lt;b&gt;") == "&lt;b&gt;"
    assert render.escape_text("**bold** & more") == "**bold** &amp; more"


def test_card_escapes_every_field():
    html = render.card_html(
        {
            "id": 'x" onmouseover="a',
            "title": "<img src=x onerror=alert(1)>",
            "brand": "<b>B</b>",
            "category": "c",
            "price": 12.5,
            "available": False,
            "reason": "<script>r</script>",
            "attributes": {"color": "<i>red</i>"},
            "image_url": "javascript:alert(1)",
        }
    )
    assert "<img src=x" not in html and "<script>" not in html and "<b>B" not in html
    assert "<i>red" not in html and "javascript:" not in html
    assert 'onmouseover="a' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "$12.50" in html and "Out of stock" in html


def test_card_image_only_http():
    assert 'src="https://e.com/a.jpg?x=1&amp;y=2"' in render.card_html(
        {"id": "p", "title": "t", "price": 1, "image_url": "https://e.com/a.jpg?x=1&y=2"}
    )
    assert "<img" not in render.card_html(
        {"id": "p", "title": "t", "price": 1, "image_url": "data:image/png;base64,AA"}
    )
    assert "<img" not in render.card_html({"id": "p", "title": "t", "price": 1})


def test_products_markdown_escapes_markdown_links():
    text = render.products_markdown(
        [{"title": "[click](javascript:alert(1))", "price": 3, "reason": "r"}]
    )
    assert "](javascript" not in text and "\\[click\\]" in text


def test_markdown_links_and_images_never_render_from_chat_text():
    out = render.escape_text("see [here](javascript:alert(1)) ![](https://tracker.example/p.png) **ok**")
    assert "](" not in out.replace("\\](", "")  # every bracket escaped: no link, no image
    assert "\\[here\\](javascript:alert(1))" in out and "!\\[\\](https://tracker.example/p.png)" in out
    assert "**ok**" in out  # emphasis still renders
