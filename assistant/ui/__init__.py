"""Handlers and services behind the Gradio app (``assistant/ui/app.py``), testable without a browser.

- ``render``: safe HTML/Markdown for chat messages and product cards.
- ``chat``: one shopper turn (the UI and the ``/chat`` API share it), history, events, feedback.
- ``shopper``: the shopper page's event handlers.
- ``agent_view`` / ``dashboard_view``: the protected support-agent and store-owner pages.
"""
