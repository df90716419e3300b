"""Running calls at once, each in its own thread with its own database connection.

For the races only PostgreSQL shows (row locks, concurrent transactions):
SQLite serialises writers on the whole file.
"""

import threading

from django.db import connection


def at_once(calls) -> tuple[list, list[BaseException]]:
    """Run every callable in its own thread, released together; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call hung (deadlock?)"
    return results, errors
