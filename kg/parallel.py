"""Where documents are extracted: in this process, in local worker processes (`--jobs N`) or on a Dask
cluster (`--scheduler ADDRESS`); and one piece of work run beside the build's own (`in_background`).

Each runs a function over items and yields the results in the items' order, with a bounded number of
items submitted ahead of the result being taken, so neither the items nor the results of a whole
corpus are ever held at once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler before giving up
AHEAD_PER_WORKER = 4  # items submitted ahead of the one taken, per worker process or thread


def _submitted_ahead(submit: Callable[[Item], Future], items: Iterable[Item], limit: int
                     ) -> Iterator[tuple[Item, Future]]:
    """(item, submit(item)) in order, with up to `limit` more items submitted than taken."""
    pending: deque[tuple[Item, Future]] = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) > limit:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def map_locally(function: Callable[[Item], Result], items: Iterable[Item], jobs: int = 1) -> Iterator[Result]:
    """`function` of every item, in order; in `jobs` forked processes when there are several (they
    inherit what this process has loaded, such as the vocabulary)."""
    if jobs <= 1:
        yield from map(function, items)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for _, future in _submitted_ahead(lambda item: pool.submit(function, item), items, AHEAD_PER_WORKER * jobs):
            yield future.result()


async def _probe(address: str) -> None:
    """Open and close a connection to `address` (OSError or ValueError when that fails)."""
    from distributed.comm import connect as open_comm

    comm = await open_comm(address, timeout=CONNECT_TIMEOUT)
    await comm.close()


def connect(address: str):
    """A `dask.distributed.Client` of the scheduler at `address`; ValueError naming the address when Dask
    is not installed, or the scheduler cannot be reached or has no worker within CONNECT_TIMEOUT seconds."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise ValueError("--scheduler needs Dask's distributed scheduler: pip install 'kg[distributed]'") from None
    try:  # probed first (a Client made for a bad address hangs for 20 s when it is collected), in a thread
        with ThreadPoolExecutor(1) as thread:  # of its own, for this one may be running an event loop
            thread.submit(lambda: asyncio.run(_probe(address))).result()
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ValueError(f"cannot reach the Dask scheduler at {address} ({error})") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        client.close()
        raise ValueError(f"the Dask scheduler at {address} has no worker (none joined within "
                         f"{CONNECT_TIMEOUT:g} s)") from None
    return client


def map_on_cluster(function: Callable[[Item], Result], items: Iterable[Item], client,
                   failed: Callable[[Item, Exception], Result]) -> Iterator[Result]:
    """`function` of every item on the Dask cluster of `client`, in order; an item whose workers died
    on it (after Dask's retries) gives `failed(item, error)` instead. Losing the scheduler raises."""
    from dask.distributed import KilledWorker

    limit = AHEAD_PER_WORKER * max(1, sum(client.nthreads().values()))
    for item, future in _submitted_ahead(lambda item: client.submit(function, item, pure=False), items, limit):
        try:
            yield future.result()
        except KilledWorker as error:
            yield failed(item, error)
        finally:
            future.release()


def in_background(function: Callable[[], Result], fork: bool = True) -> Callable[..., Result | None]:
    """Start `function` in a forked process (which sees this process's data as it is, without a copy
    being sent) and return `finish`: `finish()` waits for its result, or raises its error;
    `finish(cancel=True)` stops it first. Without `fork` (or where there is none) the function runs
    here and now."""
    if not fork or "fork" not in multiprocessing.get_all_start_methods():
        result = function()
        return lambda cancel=False: result
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(function, sending), daemon=True)
    process.start()
    sending.close()

    def finish(cancel: bool = False) -> Result | None:
        if cancel:
            process.kill()
        try:
            failed, value = (False, None) if cancel else receiving.recv()
        except EOFError:  # it died without a word
            failed, value = True, None
        finally:
            process.join()
            receiving.close()
        if failed:
            raise value or ChildProcessError(f"a background process died (exit code {process.exitcode})")
        return value

    return finish


def _send_result(function: Callable[[], Result], sending) -> None:
    try:
        sending.send((False, function()))
    except BaseException as error:  # Ctrl-C included: the parent raises it
        sending.send((True, error))
