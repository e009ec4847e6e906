"""A journal file written once per batch: :class:`BatchedJournalBackend`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from optuna.storages.journal import JournalFileBackend


class BatchedJournalBackend(JournalFileBackend):
    """optuna's journal file whose appends wait in memory until :meth:`flush`.

    A single-worker study makes about a dozen journal operations per trial; written one by one, each takes a file
    lock and an fsync. Held until the batch is told, they are written with one lock and one fsync, and a run killed
    mid-batch leaves only whole batches in the file (what exact resume needs). Reads see the pending operations, so
    the storage behaves as if they were written. For a single writer only: the run that holds the output folder.
    """

    def __init__(self, file_path: str) -> None:
        super().__init__(file_path)
        self._pending: list[dict[str, Any]] = []
        self._on_disk = sum(1 for _ in super().read_logs(0))

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        if log_number_from < self._on_disk:
            yield from super().read_logs(log_number_from)
            yield from self._pending
        else:
            yield from self._pending[log_number_from - self._on_disk:]

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        self._pending.extend(logs)

    def flush(self) -> None:
        """Write the pending operations (one lock, one fsync). A write the system refuses (disk full) is undone: the file
        is cut back to its length before the write, so it never ends in half a batch, and the operations stay pending."""
        if self._pending:
            path = self._file_path
            size = os.path.getsize(path) if os.path.exists(path) else 0
            try:
                super().append_logs(self._pending)
            except OSError:
                with contextlib.suppress(OSError):
                    os.truncate(path, size)
                raise
            self._on_disk += len(self._pending)
            self._pending = []


def flush_journal(study: Any) -> None:
    """Write a batched journal's pending operations now (other storages write as they go)."""
    backend = getattr(study._storage, "_backend", None)
    if isinstance(backend, BatchedJournalBackend):
        backend.flush()
