"""Run one service call from many threads at once, each thread on its own database connection."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections


@dataclass
class Outcome:
    index: int
    result: object = None
    error: BaseException | None = None


def race(attempts: int, prepare: Callable[[int], object], act: Callable[[int, object], object]) -> list[Outcome]:
    """Call prepare(i) in thread i (its own reads, like a separate request), wait until every thread is
    ready, then call act(i, prepared) in all threads at the same moment. Returns one Outcome per thread.

    Every thread closes its database connections when it ends.
    """
    barrier = threading.Barrier(attempts, timeout=60)
    outcomes = [Outcome(i) for i in range(attempts)]

    def run(i: int) -> None:
        try:
            try:
                prepared = prepare(i)
            except BaseException:
                barrier.abort()  # the others must not wait for a thread that will never arrive
                raise
            barrier.wait()
            outcomes[i].result = act(i, prepared)
        except BaseException as exc:  # noqa: BLE001 - reported to the test, which asserts on the type
            outcomes[i].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"race-{i}") for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung (deadlock?)"
    return outcomes
