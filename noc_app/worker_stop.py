"""Bounded shutdown of a worker pool's futures, shared by the poller and the action service (no Qt)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import Any


def stop_workers(
    in_flight: Iterable[Future[Any]],
    lock: threading.Lock,
    executor: Executor,
    *,
    own_executor: bool,
    wait_s: float,
) -> bool:
    """Cancel queued futures, wait up to wait_s for running ones; True when none is left running.

    The set is copied under `lock`, but cancel() runs outside it: a cancelled future's
    done-callback runs at once and takes the same lock.
    """
    with lock:
        pending = list(in_flight)
    running = [f for f in pending if not f.cancel()]
    if running:
        wait(running, timeout=max(0.0, wait_s))
    if own_executor and isinstance(executor, ThreadPoolExecutor):
        executor.shutdown(wait=False, cancel_futures=True)
    return all(f.done() for f in running)
