"""What workers sharing one database study need beyond optuna: waiting out a database that stopped answering, failing
a worker's own interrupted batch, and one worker at a time for the study's first set-up (PostgreSQL advisory lock)."""

from __future__ import annotations

import time
from typing import Any

from descriptors.errors import InputError

__all__ = ["DB_RETRY_ENV", "START_MARK", "fail_own", "one_worker_at_a_time", "wait_for_database"]

#: Environment variable: seconds a worker waits for a database that stopped answering.
DB_RETRY_ENV = "INTERLAYER_DB_RETRY_S"


def wait_for_database(study: Any) -> None:
    """Wait (backoff 0.5 s doubling to 8 s) until the study's database answers again; re-raise after the wait."""
    import os

    from optuna.exceptions import StorageInternalError

    try:
        limit = float(os.environ.get(DB_RETRY_ENV, "60"))
    except ValueError:
        raise InputError(f"${DB_RETRY_ENV} must be a number of seconds, got {os.environ.get(DB_RETRY_ENV)!r}") from None
    deadline, pause = time.monotonic() + limit, 0.5
    while True:
        time.sleep(pause)
        try:
            study._storage.get_study_id_from_name(study.study_name)
            return
        except StorageInternalError:
            if time.monotonic() + pause > deadline:
                raise
        pause = min(2 * pause, 8.0)


def fail_own(study: Any, trials: list[Any]) -> None:
    """Fail this worker's trials of an interrupted batch (those already told stay as they are)."""
    from optuna.trial import TrialState

    for t in trials:
        try:
            study.tell(t, state=TrialState.FAIL)
        except Exception:  # told before the outage, or failed as stale by another worker meanwhile
            continue


#: Study attribute set once the starting designs are enqueued (the number enqueued; -1 for none).
START_MARK = "interlayer_start_designs_enqueued"


def one_worker_at_a_time(storage: Any, name: str) -> Any:
    """A PostgreSQL advisory lock keyed by the study name (other storages: a journal folder already has one process)."""
    import hashlib
    from contextlib import contextmanager, nullcontext

    engine = getattr(storage, "engine", None)
    if engine is None or engine.dialect.name != "postgresql":
        return nullcontext()
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)

    @contextmanager
    def held() -> Any:
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    return held()
