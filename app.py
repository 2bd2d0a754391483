"""Launcher of a source checkout: ``python app.py`` starts the same app as ``aisle serve``.

The app (layout, wiring, ``launch``) is ``assistant.ui.app``, which ships in the package;
``demo`` is re-exported here for ``gradio app.py`` reload mode.
"""

from assistant.ui.app import chat_endpoint, demo, launch, main  # noqa: F401

if __name__ == "__main__":
    main()
