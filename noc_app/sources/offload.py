"""Parse big response bodies in a helper process, so no long C call freezes the GUI thread.

Sources parse in worker threads, but `json.loads` of a 10 MB body is one C call
that holds the GIL for its whole run (~250 ms, plus the garbage collections it
triggers), and the GUI thread cannot run meanwhile.  Bodies of at least
`OFFLOAD_MIN_BYTES` are therefore parsed in one process-wide worker process
(forkserver: the Qt process itself has threads and must never fork), which
sends back only shapes the parent can take in without long C calls: numpy
arrays (unpickled by a memcpy) or JSON lists cut into marshal chunks of about
`CHUNK_BYTES`, rebuilt here in a Python loop the interpreter can interrupt.
Small bodies parse in the calling thread: the process hop costs milliseconds.

If the worker process dies, the pool is restarted once and the parse retried;
if that fails too, the body is parsed in the calling thread (correct, only
slower for the GUI) and a warning is logged.  `shutdown()` stops the worker
(also run at exit).  Like every multiprocessing worker, it imports the parent's
main module when that is a script file, so entry scripts need the usual
`if __name__ == "__main__":` guard (`noc-app` and `python -m noc_app` have it).
"""

from __future__ import annotations

import atexit
import logging
import marshal
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from noc_app.sources.base import BadAnswer
from noc_app.sources.http import decode_json

log = logging.getLogger(__name__)

T = TypeVar("T")

# json.loads of 512 KB takes ~10 ms in-thread; below that the process hop is not worth it.
OFFLOAD_MIN_BYTES = 512 * 1024
# marshal.loads of one 64 KB chunk of JSON values takes well under a millisecond.
CHUNK_BYTES = 64 * 1024
# A parse of the largest allowed body takes seconds at most; longer means the worker is stuck.
RESULT_TIMEOUT_S = 120.0
# After the worker failed twice in a row, big bodies parse in-thread this long before it is tried again.
RETRY_WORKER_AFTER_S = 60.0
WORKER_NICENESS = 10
WILDCARD = "*"  # in a split path: every element of the list at this level

_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None
_unavailable_until = 0.0  # time.monotonic()


@dataclass(frozen=True, slots=True)
class JsonChunks:
    """A JSON list cut into marshal-encoded chunks; stands in for the list while in transit."""

    chunks: tuple[bytes, ...]


# -- what the calling thread uses ----------------------------------------------------


def parse_big(parse: Callable[..., T], body: bytes, /, **kwargs: Any) -> T:
    """`parse(body, **kwargs)`: in the worker process when body is big, else in this thread.

    `parse` must be a module-level function whose result pickles without big
    nested containers (arrays, bytes, a few small objects).
    """
    if len(body) < OFFLOAD_MIN_BYTES:
        return parse(body, **kwargs)
    return run_in_worker(parse, body, **kwargs)


def load_json(
    body: bytes, *, what: str, split: tuple[str, ...] = (), each: Callable[[Any], Any] | None = None
) -> Any:
    """The same value as `decode_json(body, what=what)`, built without a long GIL hold.

    `split` is the path to the list that makes a body big, e.g. ("data", "result")
    or ("data", "result", "*", "values"); () is a top-level list.  A body whose
    shape does not follow the path still parses correctly, in one piece.
    With `each`, every item of that list is replaced by each(item) as soon as
    its chunk is loaded, so thousands of raw JSON objects never live at once
    (fewer objects survive into the garbage collector's oldest generation,
    whose full collections stall every thread).
    """
    if len(body) < OFFLOAD_MIN_BYTES:
        payload = decode_json(body, what=what)
        return payload if each is None else _map_at(payload, split, lambda value: _map_list(value, each))
    return join_json(run_in_worker(split_json, body, what=what, split=split), split, each)


def run_in_worker(parse: Callable[..., T], body: bytes, /, **kwargs: Any) -> T:
    """`parse(body, **kwargs)` in the worker process whatever the body's size; errors re-raised."""
    global _unavailable_until
    if time.monotonic() < _unavailable_until:
        return parse(body, **kwargs)
    for attempt in (1, 2):
        executor = _current_executor()
        try:
            future = executor.submit(parse, body, **kwargs)
        except BrokenProcessPool:
            _discard(executor)
            continue
        except RuntimeError:  # shut down meanwhile (retry on a new pool), or the interpreter is exiting
            continue
        try:
            return future.result(timeout=RESULT_TIMEOUT_S)
        except BrokenProcessPool:
            log.warning("parse worker process died (attempt %d); restarting it", attempt)
            _discard(executor)
        except TimeoutError as exc:
            _discard(executor, kill=True)
            raise BadAnswer(
                f"parsing a {len(body) / 1e6:.1f} MB response took over {RESULT_TIMEOUT_S:.0f} s; "
                "parser process restarted"
            ) from exc
    # A worker that cannot start (or keeps dying) is not retried on every poll.
    _unavailable_until = time.monotonic() + RETRY_WORKER_AFTER_S
    log.warning(
        "parse worker process unavailable; parsing big bodies in the polling thread for the next %.0f s",
        RETRY_WORKER_AFTER_S,
    )
    return parse(body, **kwargs)


def join_json(value: Any, split: tuple[str, ...], each: Callable[[Any], Any] | None = None) -> Any:
    """Put back every list `split_json` cut into chunks (items mapped by `each`); returns the value."""
    return _map_at(value, split, lambda found: _from_chunks(found, each))


def _from_chunks(value: Any, each: Callable[[Any], Any] | None) -> Any:
    if not isinstance(value, JsonChunks):
        return value if each is None else _map_list(value, each)
    items: list[Any] = []
    for chunk in value.chunks:  # one short marshal.loads per chunk: the GUI thread gets turns
        loaded = marshal.loads(chunk)
        items.extend(loaded if each is None else [each(item) for item in loaded])
    return items


def _map_list(value: Any, each: Callable[[Any], Any]) -> Any:
    return [each(item) for item in value] if isinstance(value, list) else value


# -- what runs in the worker process ---------------------------------------------------


def split_json(body: bytes, *, what: str, split: tuple[str, ...]) -> Any:
    """Parse body (errors as decode_json gives them) and cut the list(s) at `split` into chunks."""
    payload = decode_json(body, what=what)
    sizes: list[int] = []

    def measure(value: Any) -> Any:
        sizes.append(len(value) if isinstance(value, list) else 0)
        return value

    _map_at(payload, split, measure)
    # Items of one list are alike, so the body's mean bytes per item sizes the chunks well enough.
    count = sum(sizes)
    per_chunk = max(1, CHUNK_BYTES * count // max(1, len(body)))
    return _map_at(payload, split, lambda value: _to_chunks(value, per_chunk))


def _to_chunks(value: Any, per_chunk: int) -> Any:
    if not isinstance(value, list):
        return value
    return JsonChunks(tuple(marshal.dumps(value[i : i + per_chunk]) for i in range(0, len(value), per_chunk)))


def _map_at(value: Any, split: tuple[str, ...], leaf: Callable[[Any], Any]) -> Any:
    """Replace, in place, what sits at `split` (each element for "*") by leaf(it); returns value.

    Where the value does not have the path's shape, it is left as it is.
    """
    if not split:
        return leaf(value)
    head, rest = split[0], split[1:]
    if head == WILDCARD:
        if isinstance(value, list):
            for index, item in enumerate(value):
                value[index] = _map_at(item, rest, leaf)
    elif isinstance(value, dict) and head in value:
        value[head] = _map_at(value[head], rest, leaf)
    return value


# -- the worker process ---------------------------------------------------------------


def is_running() -> bool:
    """True when a worker pool exists (it starts on the first big body)."""
    return _executor is not None


def worker_pid() -> int:
    """The worker process's id, starting it if needed; for diagnostics and tests."""
    return _current_executor().submit(os.getpid).result(timeout=RESULT_TIMEOUT_S)


def shutdown() -> None:
    """Stop the worker process after its queued parses; the next big body starts a new one."""
    global _executor, _unavailable_until
    with _lock:
        executor, _executor = _executor, None
        _unavailable_until = 0.0
    if executor is not None:
        executor.shutdown(wait=False)


def _current_executor() -> ProcessPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_lower_priority)
        return _executor


def _context() -> multiprocessing.context.BaseContext:
    # forkserver forks from a clean single-threaded server, never from this process;
    # platforms without it (Windows) spawn.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Imported once by the server, so each worker starts with numpy and httpx loaded.
    context.set_forkserver_preload([__name__])
    return context


def _lower_priority() -> None:
    # Runs in the worker as it starts: on a busy machine the GUI process gets the CPU first.
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)


def _discard(executor: ProcessPoolExecutor, *, kill: bool = False) -> None:
    """Forget a broken or stuck pool (if still current) so the next call starts a fresh one."""
    global _executor
    with _lock:
        if _executor is executor:
            _executor = None
    if kill:
        # Python 3.14 has executor.kill_workers(); before that only the private map exists.
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown)
