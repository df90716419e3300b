"""Calling the WSGI app directly (schemathesis) inside a test's transaction."""

import contextlib


@contextlib.contextmanager
def wsgi_keeps_the_test_connection():
    """Requests through the WSGI app must not close the test transaction's connection
    when they end, as Django's test client (which reconnects the handler after each
    of its own requests: use it before this block, not inside)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
