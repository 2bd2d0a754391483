"""Everything after understanding: dialogue state, refinements, planning, responses, safety.

``state`` holds what a conversation remembers (stored as JSON in ``ChatSession.state``);
``refine`` turns a shopper turn into state updates ("cheaper", "in blue", "not that one");
``planner`` picks the action; ``shopping`` and ``service_flow`` execute it; ``respond``
writes grounded text from tool results; ``safety`` cleans the raw message.
"""
