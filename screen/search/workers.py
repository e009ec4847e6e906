"""Worker processes for a parallel screening run, stopped whole by Ctrl-C or SIGTERM.

Why not :class:`multiprocessing.pool.Pool`: Ctrl-C in a terminal reaches the whole process group, so every pool worker
raises ``KeyboardInterrupt`` at once; the pool replaces a dead worker with a fresh one that waits for tasks holding the
task queue's lock, and ``Pool.terminate`` then waits for that lock forever (and each worker prints its traceback).
Here the parent alone decides: workers start with SIGINT ignored (inherited from the moment they exist, so a Ctrl-C
during their start-up cannot reach them either), and the parent stops them with SIGTERM, which a worker turns into
the same ``KeyboardInterrupt`` a single-process run handles (its running batch is left as a kill would leave it, for
an exact ``--resume``). Each worker reports through its own pipe, so no queue, lock or resource tracker is involved.
"""

from __future__ import annotations

import pickle
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

#: seconds a worker is given to stop after the first SIGTERM before it is killed, and between repeated SIGTERMs
STOP_GRACE_S = 20.0
RESEND_S = 2.0
#: seconds between the parent's looks at its workers (and its progress callback)
POLL_S = 0.25


class WorkerDied(RuntimeError):
    """A worker process ended without reporting (killed from outside, or out of memory)."""


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _worker_entry(conn: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run ``target(*args)`` in a worker and send ("ok", result) or ("error", exception) to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's (this also drops one pending since start-up)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGTERM, _stop)
    try:
        message: tuple[str, Any] = ("ok", target(*args))
    except KeyboardInterrupt:
        message = ("stopped", None)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        message = ("error", exc)
    try:
        conn.send(message)
    except (pickle.PicklingError, TypeError, AttributeError):
        conn.send(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]}")))
    finally:
        conn.close()


def run_in_workers(target: Callable[..., Any], arg_lists: Sequence[tuple[Any, ...]], *,
                   on_poll: Callable[[], None] | None = None) -> list[Any]:
    """Run ``target(*args)`` for each entry of ``arg_lists`` in its own spawned process; return the results in order.

    The first worker error stops the others and is raised here; ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM turned into
    it by the CLI) stops every worker within :data:`STOP_GRACE_S` and is raised again once none is left running.
    ``on_poll`` is called every :data:`POLL_S` seconds while the workers run (a progress bar).
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    procs, conns = [], []
    # While the workers start, SIGINT is blocked in this thread, so the workers inherit it blocked (only the parent
    # hears Ctrl-C; each worker then ignores it, :func:`_worker_entry`), and a Ctrl-C in that window is recorded by a
    # handler here and stops the run once they are started. (Ignoring it instead would lose it: the kernel hands a
    # signal to a thread that does not block it, such as a BLAS thread, where an ignored signal is discarded.) A handler
    # can be set from the main thread only; from another thread the workers keep the default.
    main = threading.current_thread() is threading.main_thread()
    interrupted: list[int] = []
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if main else None
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum)) if main else None
    try:
        try:
            for args in arg_lists:
                receive, send = ctx.Pipe(duplex=False)
                p = ctx.Process(target=_worker_entry, args=(send, target, args), daemon=True)
                p.start()
                send.close()
                procs.append(p)
                conns.append(receive)
        finally:
            if mask is not None:  # set on the main thread only
                signal.signal(signal.SIGINT, previous)
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if interrupted and previous is not signal.SIG_IGN:  # a command started with Ctrl-C ignored keeps ignoring it
            raise KeyboardInterrupt
    except BaseException:
        _stop_all(procs)
        for c in conns:
            c.close()
        raise
    results: list[Any] = [None] * len(procs)
    pending = set(range(len(procs)))
    try:
        while pending:
            for i in sorted(pending):
                if conns[i].poll():
                    status, value = _receive(conns[i], i)
                    pending.discard(i)
                    if status == "error":
                        raise value
                    if status == "stopped":  # stopped from outside (SIGTERM to the worker alone): the run stops too
                        raise KeyboardInterrupt
                    results[i] = value
                elif not procs[i].is_alive() and not conns[i].poll():
                    raise WorkerDied(f"screening worker {i} ended without a result (exit code {procs[i].exitcode}); "
                                     "its finished trials are kept: continue with --resume")
            if on_poll:
                on_poll()
            if pending:
                time.sleep(POLL_S)
    finally:
        _stop_all(procs)
        for c in conns:
            c.close()
    return results


def _receive(conn: Any, worker: int) -> tuple[str, Any]:
    try:
        return conn.recv()
    except EOFError:
        raise WorkerDied(f"screening worker {worker} closed its pipe without a result; continue with --resume") from None


def _stop_all(procs: list[Any]) -> None:
    """SIGTERM to every worker still running, again every :data:`RESEND_S` seconds to those that have not stopped (a
    worker interrupted inside its own clean-up, e.g. waiting for the journal's lock, stops at the next one), then kill
    what is still running after :data:`STOP_GRACE_S`."""
    deadline = time.monotonic() + STOP_GRACE_S
    while True:
        alive = [p for p in procs if p.is_alive()]
        if not alive or time.monotonic() >= deadline:
            break
        for p in alive:
            p.terminate()
        resend = min(deadline, time.monotonic() + RESEND_S)
        for p in alive:
            p.join(max(0.0, resend - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join()
