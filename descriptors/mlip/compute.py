"""Compute (or extend) the CHGNet structure cache for a list of metals.

Plans the relaxations (``descriptors.mlip.prototypes``), skips those already in the
cache (shipped or user) with the same settings and potential version, runs the
rest serially, on a local process pool (``workers``) or on a Dask cluster
(``dask_scheduler``: a ``tcp://host:port`` address, or ``"local"`` for a
``LocalCluster`` of ``workers`` processes), and saves the cache atomically after
every finished relaxation, so an interrupted run resumes where it stopped.
A structure whose relaxation raises or does not converge is saved as a flagged
row; the others are unaffected.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from descriptors.errors import InputError
from descriptors.mlip.prototypes import StructureTask, li_reference_tasks, metal_tasks
from descriptors.mlip.relax import RelaxSettings, relax_task, require_mlip, task_payload
from descriptors.mlip.structure_cache import SHIPPED_NAME, StructureCache, complete_row, read_cache, row_id

#: Address schemes a Dask scheduler can listen on.
DASK_PROTOCOLS = ("tcp://", "tls://", "inproc://", "ucx://")

#: Heaviest element in CHGNet's training set (MPtrj, from the Materials Project).
MAX_Z = 94


@dataclass
class ComputeReport:
    """What a run did (counts, timings and flagged rows)."""

    cache: Path
    planned: int = 0
    skipped: int = 0
    computed: int = 0
    not_converged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    atoms_relaxed: int = 0
    seconds: float = 0.0
    backend: str = "serial"
    messages: list[str] = field(default_factory=list)

    @property
    def per_minute(self) -> float:
        """Structures relaxed per minute of wall time."""
        return 60.0 * self.computed / self.seconds if self.seconds > 0 else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"cache": str(self.cache), "structures_per_minute": self.per_minute}


def plan(metals: list[str], prototypes: list[str] | None = None, solutions: bool = True) -> list[StructureTask]:
    """Every relaxation needed for ``metals`` (elemental Li once, then each metal's set)."""
    if not metals:
        raise InputError("name at least one metal (e.g. Mg Ca Sr)")
    from pymatgen.core.periodic_table import Element

    from descriptors.data.elements import check_metal

    for m in metals:
        if Element(check_metal(m)).Z > MAX_Z:
            raise InputError(f"{m}: CHGNet's training data (Materials Project) stop at Pu (Z = {MAX_Z}); {m} is not supported")
    tasks = li_reference_tasks()
    seen = set()
    for m in metals:
        for t in metal_tasks(m, prototypes=prototypes, solutions=solutions):
            if (t.metal, t.key) not in seen:
                seen.add((t.metal, t.key))
                tasks.append(t)
    return tasks


def _shipped_ids(cache_path: Path) -> set[tuple[str, str, str, str]]:
    from descriptors.data.files import datasets_dir

    shipped = datasets_dir() / SHIPPED_NAME
    if not shipped.is_file() or shipped.resolve() == cache_path.resolve():
        return set()
    return {row_id(r) for r in read_cache(shipped).rows if not str(r["status"]).startswith("failed")}


def _run_local(payloads: list[dict[str, Any]], settings: dict[str, Any], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1:
        for p in payloads:
            yield relax_task(p, settings)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(relax_task, p, settings) for p in payloads]
        try:
            for f in as_completed(futures):
                yield f.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _run_dask(payloads: list[dict[str, Any]], settings: dict[str, Any], scheduler: str, workers: int) -> Iterator[dict[str, Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError('--dask-scheduler needs dask.distributed: pip install "interlayer-screen[mlip]"') from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        address = cluster.scheduler_address
    else:
        address = scheduler
    try:
        try:
            client = Client(address, timeout="20s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        try:
            futures = client.map(relax_task, payloads, [settings] * len(payloads), pure=False)
            try:
                for f in as_completed(futures):
                    yield f.result()
            except BaseException:
                client.cancel(futures)
                raise
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def compute_binaries(metals: list[str], cache_path: Path | str, *, prototypes: list[str] | None = None, solutions: bool = True,
                     settings: RelaxSettings | None = None, workers: int = 1, dask_scheduler: str | None = None,
                     force: bool = False, progress: bool = True) -> ComputeReport:
    """Relax what the cache lacks for ``metals`` and save each result as it arrives.

    Args:
        metals: element symbols (checked; Li is added as the reference).
        cache_path: the cache CSV to extend (created if missing; rows that fail validation are
            moved to ``<cache>.rejected.csv`` and recomputed).
        prototypes: prototype names (default: all); solutions: include dilute and random cells.
        settings: relaxation settings; ``threads`` defaults to the CPU count divided by the workers.
        workers: local processes (or Dask ``LocalCluster`` workers with ``dask_scheduler="local"``).
        dask_scheduler: ``tcp://...`` address of a running Dask scheduler, or ``"local"``.
        force: recompute rows that are already cached.
        progress: show a tqdm progress bar on stderr.
    """
    if int(workers) < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    if dask_scheduler is not None and dask_scheduler != "local" and not dask_scheduler.startswith(DASK_PROTOCOLS):
        raise InputError(f"--dask-scheduler '{dask_scheduler}': give an address such as tcp://10.0.0.5:8786, or 'local'")
    tasks = plan(list(metals), prototypes, solutions)
    require_mlip()
    from descriptors.mlip.relax import potential_versions

    versions = potential_versions()
    threads = max(1, (os.cpu_count() or 1) // int(workers))
    s = (settings or RelaxSettings(threads=threads)).check()
    cache_path = Path(cache_path)
    cache = StructureCache(cache_path)
    report = ComputeReport(cache=cache_path, planned=len(tasks), messages=list(cache.messages))
    done = set() if force else _shipped_ids(cache_path)
    todo = [t for t in tasks if force or not (
        (t.metal, t.key, s.tag(), versions["potential_version"]) in done
        or cache.has(t.metal, t.key, s.tag(), versions["potential_version"]))]
    report.skipped = len(tasks) - len(todo)
    if cache.rejected:
        cache.save()  # the rejected lines are kept beside the cache; drop them from it now
    if not todo:
        return report
    payloads = [task_payload(t) for t in todo]
    sd = asdict(s)
    if dask_scheduler:
        report.backend = f"dask ({dask_scheduler})"
        results = _run_dask(payloads, sd, dask_scheduler, int(workers))
    else:
        report.backend = "serial" if int(workers) == 1 else f"{int(workers)} processes"
        results = _run_local(payloads, sd, int(workers))
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    bar = tqdm(total=len(todo), desc="relaxing", unit="structure", disable=not progress)
    try:
        for row in results:
            row = complete_row(row, versions)
            cache.add(row)
            cache.save()
            report.computed += 1
            report.atoms_relaxed += int(row["n_atoms"])
            label = f"{row['metal']} {row['key']}"
            if str(row["status"]).startswith("failed"):
                report.failed.append(f"{label}: {row['status']}")
            elif not row["converged"]:
                report.not_converged.append(f"{label}: {row['status']}")
            bar.set_postfix_str(label, refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        raise InputError(f"interrupted after {report.computed} of {len(todo)} relaxations; they are saved in {cache_path}; "
                         "run the same command again to resume") from None
    except Exception as exc:  # a dead worker process or a lost Dask worker: keep what is saved, say how to resume
        if isinstance(exc, InputError):
            raise
        raise InputError(f"the run stopped after {report.computed} of {len(todo)} relaxations ({type(exc).__name__}: {exc}); "
                         f"finished ones are saved in {cache_path}; run the same command again to resume") from None
    finally:
        bar.close()
        report.seconds = time.perf_counter() - t0
    return report


__all__ = ["ComputeReport", "compute_binaries", "plan"]
