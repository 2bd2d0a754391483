"""Aisle web app: shopper chat (``/``), support-agent assist (``/agent``) and the
store-owner dashboard (``/dashboard``), plus the ``/chat`` API endpoint.

Layout and wiring only; the handlers live in ``assistant.ui``. It ships in the package:
``aisle serve`` and ``python app.py`` (a checkout's launcher) start this same app.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import gradio as gr

from assistant.errors import UserError
from assistant.settings import get_settings
from assistant.staff.auth import check_serving
from assistant.staff.routes import sign_in_form, sign_out_form
from assistant.ui import agent_view, chat, dashboard_view, server, shopper
from assistant.ui.render import CARD_CSS

logger = logging.getLogger(__name__)

CSS = (
    CARD_CSS
    + """
#shopper-chat .message {font-size: 0.95em}
.staff-sign-in label {display: block; margin: 0.4em 0}
.staff-sign-in input {margin-left: 0.5em; padding: 0.3em}
.staff-error {color: #b00020}
"""
)


def chat_endpoint(
    message: str, session_id: str | None = None, request: gr.Request = None
) -> dict[str, Any]:
    """One turn: ``{"session_id","message_id","reply","intent","confidence","slots","action","products","handoff"}``.

    ``session_id`` is the conversation's token: ``None`` (or a token this server never
    issued) starts a new conversation, and the answer carries its token to pass back.
    """
    try:
        return chat.chat_api(message, session_id, chat.client_address(request))
    except UserError as err:
        raise gr.Error(str(err)) from err


PRIVATE: dict[str, Any] = {"api_visibility": "private"}

# ----------------------------------------------------------------- shopper page
with gr.Blocks(title="Aisle") as demo:
    # the browser's conversation number only; the conversation's owner is the HttpOnly
    # aisle_shopper cookie the server issues (assistant.ui.tokens)
    browser = gr.BrowserState(
        shopper.empty_browser(), storage_key="aisle-conversation", secret=chat.browser_secret()
    )
    message_ids = gr.State([])
    products = gr.State([])
    feedback_id = gr.State(None)
    gr.Markdown("## Aisle — shop and get help")
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Aisle assistant",
                elem_id="shopper-chat",
                height=480,
                sanitize_html=True,
                allow_tags=False,
                feedback_options=("Like", "Dislike", *shopper.FEEDBACK_REASONS),
                placeholder='Ask for a product ("waterproof hiking boots under $150") or about an order.',
            )
            with gr.Row(visible=False) as reason_row:
                reason = gr.Textbox(
                    placeholder="What went wrong? (optional)",
                    show_label=False,
                    scale=4,
                    elem_id="feedback-reason",
                )
                reason_button = gr.Button("Send reason", scale=1)
            with gr.Row():
                box = gr.Textbox(
                    placeholder="Type a message…",
                    show_label=False,
                    scale=5,
                    elem_id="shopper-input",
                    max_length=get_settings().max_message_chars,
                )
                send_button = gr.Button("Send", variant="primary", scale=1, elem_id="shopper-send")
            with gr.Row():
                diversity = gr.Slider(
                    0,
                    1,
                    value=get_settings().diversity,
                    step=0.1,
                    label="Similar ↔ Varied",
                    info="How different the suggested products are from each other",
                )
                new_button = gr.Button("New conversation", size="sm")
        with gr.Column(scale=2, elem_id="product-cards"):
            gr.Markdown("### Products")
            cards, card_buttons = [], []
            for _slot in range(shopper.MAX_CARDS):
                with gr.Column(visible=False, elem_classes=["aisle-slot"]) as column:
                    html = gr.HTML()
                    with gr.Row():
                        card_buttons.append(
                            {
                                "more_like_this": gr.Button(
                                    "More like this", size="sm", min_width=60
                                ),
                                "not_for_me": gr.Button("Not for me", size="sm", min_width=60),
                                "add_to_cart": gr.Button(
                                    "Add to cart", size="sm", variant="primary", min_width=60
                                ),
                            }
                        )
                cards += [column, html]
    turn_inputs = [box, chatbot, message_ids, browser, diversity]
    turn_outputs = [chatbot, box, message_ids, browser, products, *cards]
    for slot, buttons in enumerate(card_buttons):
        for kind, button in buttons.items():
            event = button.click(
                partial(shopper.card_action, slot, kind),
                [products, browser],
                [products, box, *cards],
                **PRIVATE,
            )
            if kind == "more_like_this":  # ask for similar products right away
                event.success(shopper.submit, turn_inputs, turn_outputs, **PRIVATE)

    for trigger in (box.submit, send_button.click):
        trigger(shopper.submit, turn_inputs, turn_outputs, **PRIVATE)
    chatbot.like(shopper.like, [message_ids, browser], [feedback_id, reason_row], **PRIVATE)
    for trigger in (reason.submit, reason_button.click):
        trigger(
            shopper.send_reason, [reason, feedback_id, browser], [reason, reason_row], **PRIVATE
        )
    for trigger in (new_button.click, chatbot.clear):
        trigger(
            shopper.new_conversation,
            [browser],
            [chatbot, message_ids, browser, products, *cards],
            **PRIVATE,
        )
    demo.load(
        shopper.restore, [browser], [chatbot, message_ids, browser, products, *cards], **PRIVATE
    )
    # each tick waits (shopper.watch: up to 20 s, woken by assistant.notify); a tick while one
    # is pending is dropped (trigger_mode "once"), and waits do not queue behind each other
    gr.Timer(1.0).tick(
        shopper.watch,
        [browser, message_ids],
        [chatbot, message_ids],
        concurrency_limit=None,
        show_progress="hidden",
        **PRIVATE,
    )

    gr.api(chat_endpoint, api_name="chat")

# ----------------------------------------------------------------- support-agent page
with demo.route("Agent", "/agent"):
    agent_draft = gr.State(None)
    gr.Markdown("## Support-agent assist")
    with gr.Column(visible=True) as agent_login:  # a plain form posting to /staff/login
        gr.HTML(sign_in_form("/agent"))
    agent_status = gr.Markdown()
    with gr.Column(visible=False) as agent_workspace:
        with gr.Row():
            agent_refresh = gr.Button("Refresh queue", size="sm")
            gr.HTML(sign_out_form("/agent"))
        agent_queue = gr.Dataframe(
            headers=agent_view.QUEUE_COLUMNS,
            label="Live sessions (handed-off first)",
            interactive=False,
            column_widths=["16%", "10%", "14%", "10%", "50%"],
            wrap=True,
            max_height=220,
        )
        agent_pick = gr.Dropdown(label="Session", choices=[], elem_id="agent-session")
        with gr.Row():
            with gr.Column(scale=3):
                agent_transcript = gr.Chatbot(
                    label="Transcript",
                    height=360,
                    sanitize_html=True,
                    allow_tags=False,
                    feedback_options=None,
                    elem_id="agent-transcript",
                )
                agent_text = gr.Textbox(
                    label="Reply (edit the draft)", lines=4, elem_id="agent-reply"
                )
                with gr.Row():
                    agent_send = gr.Button("Send", variant="primary", elem_id="agent-send")
                    agent_redraft = gr.Button("New draft")
                    agent_take = gr.Button("Take over")
                    agent_back = gr.Button("Hand back to bot")
            with gr.Column(scale=2):
                agent_state = gr.JSON(label="Dialogue state")
                gr.Markdown("**Suggested products**")
                agent_suggestions = gr.Markdown()
    agent_timer = gr.Timer(3.0)

    # Every handler below reads the staff cookie itself (gr.Request); none takes a sign-in
    # from its inputs.
    demo.load(
        agent_view.on_load,
        None,
        [agent_login, agent_workspace, agent_status, agent_queue, agent_pick],
        **PRIVATE,
    )
    agent_refresh.click(agent_view.queue, None, [agent_queue, agent_pick], **PRIVATE)
    agent_pick.change(
        agent_view.open_session,
        [agent_pick],
        [agent_transcript, agent_state, agent_text, agent_suggestions, agent_draft],
        **PRIVATE,
    )
    agent_redraft.click(
        agent_view.draft, [agent_pick], [agent_text, agent_suggestions], **PRIVATE
    ).then(lambda text: text, [agent_text], [agent_draft], **PRIVATE)
    agent_send.click(
        agent_view.send,
        [agent_pick, agent_text, agent_draft],
        [agent_transcript, agent_state, agent_text],
        **PRIVATE,
    )
    agent_take.click(agent_view.take_over, [agent_pick], [agent_state], **PRIVATE)
    agent_back.click(agent_view.hand_back, [agent_pick], [agent_state], **PRIVATE)
    agent_timer.tick(
        agent_view.refresh_transcript, [agent_pick], [agent_transcript, agent_state], **PRIVATE
    )

# ----------------------------------------------------------------- store-owner dashboard
with demo.route("Dashboard", "/dashboard"):
    gr.Markdown("## Store dashboard")
    with gr.Column(visible=True) as admin_login:  # a plain form posting to /staff/login
        gr.HTML(sign_in_form("/dashboard"))
    admin_status = gr.Markdown()
    with gr.Column(visible=False) as admin_workspace:
        with gr.Row():
            days = gr.Slider(1, 90, value=30, step=1, label="Days")
            dash_refresh = gr.Button("Refresh", size="sm")
            gr.HTML(sign_out_form("/dashboard"))
        dash_summary = gr.Markdown()
        with gr.Row():
            plot_conv = gr.LinePlot(
                x="day",
                y="conversations",
                title="Conversations per day",
                height=220,
                y_lim=[0, None],
            )
            plot_thumbs = gr.ScatterPlot(
                x="day", y="thumbs_up_rate", title="Thumbs-up rate", height=220, y_lim=[0, 1]
            )
            plot_handoff = gr.ScatterPlot(
                x="day", y="handoff_rate", title="Hand-off rate", height=220, y_lim=[0, 1]
            )
        with gr.Row():
            plot_intents = gr.BarPlot(
                x="intent", y="turns", title="Top intents", height=220, sort="-y", y_lim=[0, None]
            )
            plot_zero = gr.LinePlot(
                x="day",
                y="zero_result_searches",
                title="Zero-result searches",
                height=220,
                y_lim=[0, None],
            )
            plot_violations = gr.LinePlot(
                x="day",
                y="constraint_violations",
                title="Constraint violations (must stay 0)",
                height=220,
                y_lim=[0, None],
            )
        plot_latency = gr.ScatterPlot(
            x="day",
            y="latency_ms",
            color="percentile",
            title="Reply latency (ms)",
            height=220,
            y_lim=[0, None],
        )
        versions = gr.Dataframe(label="Dialogue model versions", interactive=False, wrap=True)
        with gr.Row():
            export_format = gr.Dropdown(
                list(dashboard_view.EXPORT_FORMATS), value="sft", label="Export format"
            )
            export_button = gr.Button("Export training data")
            export_link = gr.HTML(visible=False, elem_id="export-download")
        with gr.Row():
            version_pick = gr.Dropdown(label="Model version", choices=[])
            promote_button = gr.Button("Promote")
            rollback_button = gr.Button("Roll back")
            retrain_button = gr.Button("Retrain from feedback", variant="primary")
        with gr.Row():
            action_result = gr.JSON(label="Result")
            job_status = gr.JSON(label="Retraining job", value={"state": "idle"})

    dash_outputs = [
        dash_summary,
        plot_conv,
        plot_thumbs,
        plot_handoff,
        plot_intents,
        plot_zero,
        plot_violations,
        plot_latency,
        versions,
        version_pick,
    ]
    demo.load(
        dashboard_view.on_load,
        [days],
        [admin_login, admin_workspace, admin_status, *dash_outputs],
        **PRIVATE,
    )
    dash_refresh.click(dashboard_view.refresh, [days], dash_outputs, **PRIVATE).then(
        dashboard_view.retrain_status, None, [job_status], **PRIVATE
    )
    retrain_button.click(dashboard_view.retrain, None, [job_status], **PRIVATE)
    export_button.click(
        dashboard_view.export, [export_format], [export_link, admin_status], **PRIVATE
    )
    for button, fn, inputs in (
        (promote_button, dashboard_view.promote, [version_pick]),
        (rollback_button, dashboard_view.rollback, None),
    ):
        button.click(fn, inputs, [action_result], **PRIVATE).success(
            dashboard_view.refresh, [days], dash_outputs, **PRIVATE
        )


def launch(
    host: str | None = None,
    port: int | None = None,
    *,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> server.RunningServer | None:
    """Start the server: blocking, or in a thread with ``prevent_thread_lock=True`` (the
    returned handle's ``close()`` stops it). The assistant's models (dialogue model, embedder,
    indexes, ranker, policy) are loaded first, so the port opens ready and the first turn is
    as fast as the tenth. Refuses (``UserError``) a non-loopback host while a default staff
    password applies."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    defaults = check_serving(host, settings)
    if defaults:
        logger.warning(
            "\n%s\nDEFAULT STAFF PASSWORDS IN USE (%s): anyone who can reach %s:%s can sign "
            "in as staff.\nSet them with `aisle hash-password` before exposing the app.\n%s",
            "!" * 78,
            ", ".join(defaults),
            host,
            port,
            "!" * 78,
        )
    chat.warm_up()  # every model loads before the port accepts connections
    app = server.build_app(
        demo.queue(default_concurrency_limit=8), settings, host=host, port=port, css=CSS
    )
    return server.serve(app, host, port, block=not prevent_thread_lock, quiet=quiet)


def main() -> None:
    """``python app.py``: set up a fresh home (as ``aisle serve`` does), then serve."""
    import sys

    from assistant.logs import configure_logging
    from assistant.store.bootstrap import prepare_home

    configure_logging(logging.INFO)  # AISLE_LOG_FORMAT=json: JSON lines with request/session ids
    prepare_home()
    try:
        launch()
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
