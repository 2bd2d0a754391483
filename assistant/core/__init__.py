"""The small shared core under everything else: settings, user errors, the torch device and
threads, the database (engine, sessions, the SQLAlchemy models, model-version plumbing).

``retrieval/`` and ``ranker/`` are libraries: of ``assistant`` they import only this package
(``tests/test_layers.py`` checks it). Nothing here imports the rest of ``assistant``.
"""
