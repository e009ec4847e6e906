"""Model registry: numbered versions of the fitted gap model in a folder.

Layout: ``<root>/v<N>/model.json`` (settings, point parameters, the thinned
posterior draws with their lab offsets, diagnostics), ``<root>/v<N>/posterior.nc``
(the full NUTS sample as ArviZ InferenceData, netCDF) and
``<root>/v<N>/metadata.json`` (data hash, package version, sampler, diagnostics,
metrics, time, seed, training files). Version 0 is built from the curated data: reproducibly
(fixed seed) the first time it is needed, and again if the curated data, the
model code or the package version changed. Retraining adds version N+1.

The *default* version (used when no version is asked for) is version 0 until a
user pins another with :meth:`ModelRegistry.set_default` (``interlayer models
default N``, kept in ``<root>/default.json``); retraining never moves it.

Writes are atomic and serialised: a version is written into a temporary folder
inside the root and renamed into place under a lock on ``<root>/.registry.lock``,
so an interrupted write leaves the registry as it was and two processes saving
at once get two versions. Version folders get the usual permissions (the umask),
so a shared registry is readable by others. Models are stored as JSON (no
pickle), so they are readable, diffable and safe to load.

Root: ``--model-dir``, else ``$INTERLAYER_MODEL_DIR``, else
``$XDG_DATA_HOME/interlayer-screen/models`` (``~/.local/share/...``).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from descriptors.atomic import atomic_folder, remove_stale_staging
from descriptors.errors import InputError

MODEL_DIR_ENV = "INTERLAYER_MODEL_DIR"
SEED = 0
N_DRAWS = 128
POSTERIOR_FILE = "posterior.nc"
DEFAULT_FILE = "default.json"
LOCK_FILE = ".registry.lock"
#: When on (the command line turns it on), every load is recorded so the command can say which version it used.
_ANNOUNCE: dict[str, Any] = {"on": False, "loaded": []}


def announce_loads(on: bool = True) -> list[str]:
    """Start (``on``) or stop recording which model version and data hash each :meth:`ModelRegistry.load` returns;
    returns the lines recorded so far (the CLI prints them on stderr when a command succeeds)."""
    lines = list(dict.fromkeys(_ANNOUNCE["loaded"]))
    _ANNOUNCE["on"], _ANNOUNCE["loaded"] = on, []
    return lines


def _folder_mode() -> int:
    """Permissions a folder made with ``mkdir`` would get here (0o777 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def default_model_dir() -> Path:
    """Registry root from the environment (see module docstring)."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interlayer-screen" / "models"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("interlayer-screen")
    except PackageNotFoundError:  # source checkout
        return "0+unknown"


def model_code_sha256() -> str:
    """sha256 of the source of the model and its descriptors (``screen/model``, ``descriptors``): version 0 is rebuilt
    when it changes, so an upgrade never leaves a default model the new code cannot read or would fit differently."""
    from descriptors.data.memo import code_digest

    return code_digest(("screen/model", "descriptors"))


def library_versions() -> dict[str, str]:
    """Versions of the libraries a fit depends on (recorded with every model)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for lib in ("numpy", "scipy", "pandas", "scikit-learn", "pymatgen", "jax", "numpyro", "arviz"):
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:  # pragma: no cover
            out[lib] = "missing"
    return out


class ModelRegistry:
    """Versions of the gap model under ``root``."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_model_dir()
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.root}: cannot create the model registry (a file of that name exists; it must be a folder)")

    def versions(self) -> list[int]:
        """Version numbers present (a folder ``v<N>``), readable or not; :meth:`check` says which can be used."""
        if not self.root.is_dir():
            return []
        return sorted(int(p.name[1:]) for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit())

    def _read(self, version: int, name: str) -> dict[str, Any]:
        """One JSON file of a version, or a one-line error naming the file and the version."""
        path = self.root / f"v{version}" / name
        fix = ("delete the folder; version 0 is rebuilt from the curated data on the next run" if version == 0
               else "delete the folder or retrain")
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{path}: model version {version} has no {name} ({fix})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: model version {version} is corrupted ({name} is not valid JSON: "
                             f"{str(exc).splitlines()[0][:80]}); {fix}") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read model version {version} ({exc.strerror})") from None
        if not isinstance(state, dict):
            raise InputError(f"{path}: model version {version} is corrupted ({name} is not a JSON object); {fix}")
        return state

    def metadata(self, version: int) -> dict[str, Any]:
        if not (self.root / f"v{version}").is_dir():
            raise InputError(f"model version {version} is not in {self.root} (have: {', '.join(map(str, self.versions())) or 'none'})")
        return self._read(version, "metadata.json")

    def check(self, version: int) -> tuple[str, dict[str, Any] | None]:
        """(``ok``, metadata), or (the one-line reason the version cannot be used, None), for ``interlayer models list``."""
        try:
            meta = self.metadata(version)
            pipeline_from_state(self._read(version, "model.json"))
            meta["metrics"]["loso"]["gap_model"]["balanced_accuracy"]
        except InputError as exc:
            return str(exc), None
        except (KeyError, TypeError):
            return f"model version {version}: metadata.json lacks its metrics", None
        return "ok", meta

    def default_version(self) -> int:
        """The version used when none is asked for: the pinned one (``default.json``), else 0."""
        path = self.root / DEFAULT_FILE
        if not path.is_file():
            return 0
        try:
            v = json.loads(path.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{path}: not a valid default-version file; pin one again with 'interlayer models default N' "
                             "or delete it (version 0 is then the default)") from None
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise InputError(f"{path}: default version must be a whole number >= 0, got {v!r}")
        return v

    def set_default(self, version: int) -> None:
        """Pin the version used when none is asked for (it must exist and load)."""
        status, _ = self.check(version) if version != 0 else ("ok", self.ensure_default())
        if status != "ok":
            raise InputError(f"cannot make version {version} the default: {status}")
        from descriptors.atomic import atomic_target

        with self._lock(), atomic_target(self.root / DEFAULT_FILE) as tmp:
            tmp.write_text(json.dumps({"version": version}) + "\n", encoding="utf-8")

    def delete(self, version: int) -> None:
        """Remove a version; version 0 (rebuilt from the curated data) and the default are refused."""
        from descriptors.atomic import remove_folder

        if version == 0:
            raise InputError("version 0 is the model of the curated data and cannot be deleted")
        if version == self.default_version():
            raise InputError(f"version {version} is the default; pin another first ('interlayer models default N')")
        final = self.root / f"v{version}"
        if not final.is_dir():
            raise InputError(f"model version {version} is not in {self.root} (have: {', '.join(map(str, self.versions())) or 'none'})")
        with self._lock():
            remove_folder(final)

    def load(self, version: int | None = None, progress: bool = False) -> tuple[Any, dict[str, Any]]:
        """(fitted pipeline, metadata) of a version; default :meth:`default_version` (building version 0 if needed)."""
        if version is None:
            version = self.default_version()
        if version == 0:
            self.ensure_default(progress=progress)
        meta = self.metadata(version)
        try:
            pipeline = pipeline_from_state(self._read(version, "model.json"))
        except InputError as exc:
            raise InputError(f"model version {version} in {self.root}: {exc}") from None
        if _ANNOUNCE["on"]:
            _ANNOUNCE["loaded"].append(f"model v{version} (data {str(meta.get('data_sha256', ''))[:12]}) from {self.root}")
        return pipeline, meta

    def next_version(self) -> int:
        v = self.versions()
        return v[-1] + 1 if v else 0

    def _lock(self) -> Any:
        """Exclusive lock on the registry for the short moments that number, rename or delete versions."""
        import fcntl
        from contextlib import contextmanager

        @contextmanager
        def held() -> Any:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise InputError(f"{self.root}: cannot create the model registry ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

        return held()

    def save(self, pipeline: Any, metadata: dict[str, Any], version: int | None = None, replace: bool = False) -> int:
        """Write a version atomically; return its number. The number is taken under the registry lock, so two
        processes saving at once get two versions and neither replaces the other."""
        with self._lock():
            version = self.next_version() if version is None else version
            final = self.root / f"v{version}"
            if final.exists() and not replace:
                raise InputError(f"{final} already exists; the registry changed while fitting, run again")
            meta = dict(metadata) | {"version": version}
            remove_stale_staging(self.root, ".v*-*")  # left by a write that was killed
            with atomic_folder(final, replace=replace) as tmp:
                (tmp / "model.json").write_text(json.dumps(pipeline_state(pipeline), indent=1), encoding="utf-8")
                (tmp / "metadata.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
                idata = getattr(pipeline.named_steps["gap"], "idata_", None)
                if idata is not None:
                    idata.to_netcdf(str(tmp / POSTERIOR_FILE), engine="h5netcdf")
                os.chmod(tmp, _folder_mode())
        return version

    def ensure_default(self, progress: bool = False) -> dict[str, Any]:
        """Build version 0 from the curated data unless an up-to-date one exists; return its metadata."""
        from screen.model.training import training_set

        ts = training_set()
        if 0 in self.versions():
            meta = self.metadata(0)
            if (meta.get("data_sha256") == ts.data_sha256 and meta.get("package_version") == package_version()
                    and meta.get("model_code_sha256") == model_code_sha256()):
                return meta
            sys.stderr.write("interlayer: curated data, model code or package version changed; rebuilding model version 0\n")
        pipe, meta = fit_and_evaluate(ts, progress=progress)
        meta |= {"description": "shipped default: curated literature data", "parent_version": None}
        self.save(pipe, meta, version=0, replace=True)
        return self.metadata(0)


def pipeline_state(pipeline: Any) -> dict[str, Any]:
    cells = pipeline.named_steps["cells"]
    return {"cells": cells.get_params(), "gap": pipeline.named_steps["gap"].to_dict()}


def pipeline_from_state(state: dict[str, Any]) -> Any:
    from sklearn.pipeline import Pipeline

    from screen.model.cells import CellFeaturizer
    from screen.model.gap_model import NucleationGapModel

    try:
        return Pipeline([("cells", CellFeaturizer(**state["cells"])), ("gap", NucleationGapModel.from_dict(state["gap"]))])
    except (KeyError, TypeError) as exc:
        raise InputError(f"saved model is not readable by this version ({exc}); retrain it") from None


def fit_and_evaluate(ts: Any, progress: bool = False, n_draws: int = N_DRAWS, seed: int = SEED) -> tuple[Any, dict[str, Any]]:
    """Sample the posterior on a training set and cross-validate; return (pipeline, metadata).

    The stored leave-one-study-out figure fits each fold's MAP (seconds; a quick check that travels with every
    version and lets ``retrain`` compare before and after); the headline, every fold a full posterior, is
    ``interlayer calibrate``'s.
    """
    from screen.model.training import cross_validate, make_pipeline, sampler_profile

    pipe = make_pipeline(n_draws=n_draws, random_state=seed).fit(ts.X, ts.y)
    cv = {"loso": cross_validate(ts, "loso", random_state=seed, progress=progress)}
    metrics = {s: r.metrics for s, r in cv.items()}
    gap = pipe.named_steps["gap"]
    held_out = {s: {str(k): float(v) for k, v in zip(r.predictions["record_id"], r.predictions["p_gap_model"])}
                for s, r in cv.items()}
    meta = {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": package_version(),
        "model_code_sha256": model_code_sha256(),
        "libraries": library_versions(),
        "data_sha256": ts.data_sha256,
        "n_observations": pipe.named_steps["gap"].n_observations_,
        "n_fresh_records": ts.n_fresh,
        "study_ids": sorted(map(str, ts.X["study_id"].unique())),
        "seed": seed,
        "n_draws": n_draws,
        "sampler": sampler_profile(),
        "diagnostics": gap.diagnostics_,
        "parameters": pipe.named_steps["gap"].params_,
        "metrics": metrics,
        "metrics_folds": "MAP per fold (a quick check; interlayer calibrate samples the posterior of every fold)",
        "held_out_p_under_carbon": held_out,
        "unused_nucleation_rows": ts.skipped,
    }
    return pipe, meta
