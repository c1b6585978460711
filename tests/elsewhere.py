"""Run a change on another database connection, as another worker would: the tests of
what is kept while the database is unchanged (core.dbstate) commit from there."""

import threading

from django.db import connections


def on_another_connection(change) -> None:
    """Run `change()` in another thread (so on its own connection), its error raised here."""
    failed = []

    def run():
        try:
            change()
        except Exception as exc:  # reported in the test's own thread
            failed.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failed, failed


def queries_of_a_kept_look(look, tries: int = 30) -> list:
    """The queries of `look()` when answered from what is kept: the fewest of a few
    tries. On PostgreSQL the state is the cluster's snapshot, so a commit in another
    database of the cluster (another test process's) also makes a look compute afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fewest = None
    for _ in range(tries):
        with CaptureQueriesContext(connection) as queries:
            look()
        if fewest is None or len(queries.captured_queries) < len(fewest):
            fewest = queries.captured_queries
        if len(fewest) <= 1:  # the state's query alone: nothing fewer is possible
            break
    return fewest
