"""Inference for the gap model: NUTS on :func:`screen.model.probabilistic.gap_model`, the convergence diagnostics a
fit must pass, the ArviZ ``InferenceData`` it is stored as, and the thinned draws every downstream number uses.

A fit passes when, for every sampled quantity, R-hat <= 1.01, bulk and tail ESS >= 400, no transition diverged and
every chain's E-BFMI > 0.3 (:data:`THRESHOLDS`). The chains start near the MAP (jittered by a tenth of a prior width).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from screen.model.parameters import PARAM_NAMES

#: Convergence thresholds (the v3 specification).
THRESHOLDS = {"r_hat_max": 1.01, "ess_bulk_min": 400.0, "ess_tail_min": 400.0, "divergences_max": 0, "bfmi_min": 0.3}
#: Draws kept for every downstream number (predict, the screen's intervals and ranks, critical currents, suggest).
N_DRAWS = 128


def import_arviz() -> Any:
    """ArviZ, imported without its notice that a 1.x refactor is coming (the project pins the 0.x API)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz

    return arviz


def _jax() -> Any:
    """Import JAX for the sampler: 64-bit floats, and one host device per core so chains can run in parallel
    (effective only if nothing has started JAX's CPU backend yet; otherwise chains run one after another)."""
    import numpyro

    numpyro.set_host_device_count(max(4, os.cpu_count() or 1))
    numpyro.enable_x64()
    import jax

    return jax


@dataclass
class SamplerSettings:
    """NUTS settings: chains x (warm-up + draws), target acceptance, seed."""

    num_chains: int = 4
    num_warmup: int = 1000
    num_samples: int = 1000
    target_accept: float = 0.9
    seed: int = 0
    max_tree_depth: int = 10
    dense_mass: bool = True


@dataclass
class Posterior:
    """A fitted posterior: the full sample as InferenceData, its diagnostics, and :data:`N_DRAWS` thinned draws."""

    idata: Any
    diagnostics: dict[str, Any]
    z: np.ndarray  # (n_draws, n_params), transformed space
    lab_scale_mV: np.ndarray  # (n_draws,)
    lab_offset_mV: np.ndarray  # (n_draws, n_studies)
    studies: tuple[str, ...]
    new_lab_offset_mV: np.ndarray  # (n_draws,): a new lab's offset, drawn from Normal(0, lab_scale) per draw
    settings: dict[str, Any] = field(default_factory=dict)


class NutsRunner:
    """NUTS on :func:`~screen.model.probabilistic.gap_model` with the data as traced arguments: rerunning it on data
    that share a :class:`~screen.model.probabilistic.Structure` reuses the compiled sampling loop (NumPyro still
    re-initialises the kernel, which costs a compilation per run)."""

    def __init__(self, settings: SamplerSettings) -> None:
        self.settings = settings
        self._mcmc: Any = None

    def _build(self) -> Any:
        jax = _jax()
        from numpyro.infer import MCMC, NUTS

        from screen.model.probabilistic import gap_model, register_pytree

        register_pytree()
        s = self.settings
        method = os.environ.get("INTERLAYER_CHAIN_METHOD") or ("parallel" if jax.local_device_count() >= s.num_chains else "vectorized")
        kernel = NUTS(gap_model, target_accept_prob=s.target_accept, max_tree_depth=s.max_tree_depth, dense_mass=s.dense_mass)
        return MCMC(kernel, num_warmup=s.num_warmup, num_samples=s.num_samples, num_chains=s.num_chains, chain_method=method,
                    progress_bar=False, jit_model_args=True)

    def run(self, data: Any, z_init: np.ndarray, n_draws: int = N_DRAWS) -> Posterior:
        """Sample the posterior given ``data`` (:class:`~screen.model.probabilistic.ModelData`), chains started near
        ``z_init`` (the MAP)."""
        if self._mcmc is None:
            self._mcmc = self._build()
        import jax
        import jax.numpy as jnp

        s = self.settings
        seed = s.seed
        c = s.num_chains
        rng = np.random.default_rng(seed)
        init: dict[str, Any] = {"z": jnp.asarray(z_init + 0.1 * data.prior_sigma * rng.standard_normal((c, len(z_init))))}
        if data.lab_effects and bool(data.studies):
            init["lab_scale_mV"] = jnp.asarray(np.log(5.0) + 0.1 * rng.standard_normal(c))  # unconstrained (log) space
            init["lab_z"] = jnp.asarray(0.1 * rng.standard_normal((c, len(data.studies))))
        self._mcmc.run(jax.random.PRNGKey(seed), data, init_params=init, extra_fields=("diverging", "energy"))
        samples = {k: np.asarray(v) for k, v in self._mcmc.get_samples(group_by_chain=True).items()}
        extra = {k: np.asarray(v) for k, v in self._mcmc.get_extra_fields(group_by_chain=True).items()}
        idata = to_inference_data(samples, extra, data.studies)
        return thin(idata, data.studies, diagnose(idata), n_draws, s, seed)


def run_nuts(data: Any, z_init: np.ndarray, settings: SamplerSettings, n_draws: int = N_DRAWS) -> Posterior:
    """One NUTS fit; JAX's compiled code is released afterwards (a process that fits many models, a cross-validation
    or simulation-based calibration, would otherwise accumulate it until the compiler runs out of memory)."""
    try:
        return NutsRunner(settings).run(data, z_init, n_draws)
    finally:
        import jax

        jax.clear_caches()


def to_inference_data(samples: dict[str, np.ndarray], extra: dict[str, np.ndarray], studies: tuple[str, ...]) -> Any:
    """ArviZ InferenceData of a NUTS run (posterior: ``z`` by parameter, lab effects by study; sample_stats)."""
    az = import_arviz()
    posterior = {"z": samples["z"]}
    dims = {"z": ["parameter"]}
    for k in ("lab_scale_mV", "lab_z", "lab_offset_mV"):
        if k in samples:
            posterior[k] = samples[k]
            if k != "lab_scale_mV":
                dims[k] = ["study"]
    stats = {"diverging": extra["diverging"].astype(bool), "energy": extra["energy"]}
    return az.from_dict(posterior=posterior, sample_stats=stats, coords={"parameter": list(PARAM_NAMES), "study": list(studies)},
                        dims=dims)


def diagnose(idata: Any) -> dict[str, Any]:
    """Worst R-hat, bulk and tail ESS over every sampled quantity, divergences and the lowest chain E-BFMI, with the
    quantity each worst value belongs to and whether the fit passes :data:`THRESHOLDS`."""
    az = import_arviz()
    names = [v for v in ("z", "lab_scale_mV", "lab_z") if v in idata.posterior]
    summary = az.summary(idata, var_names=names, kind="diagnostics")
    div = int(np.asarray(idata.sample_stats["diverging"]).sum())
    bfmi = np.asarray(az.bfmi(idata), dtype=float)
    out: dict[str, Any] = {"r_hat_max": float(summary["r_hat"].max()), "r_hat_worst": str(summary["r_hat"].idxmax()),
           "ess_bulk_min": float(summary["ess_bulk"].min()), "ess_bulk_worst": str(summary["ess_bulk"].idxmin()),
           "ess_tail_min": float(summary["ess_tail"].min()), "ess_tail_worst": str(summary["ess_tail"].idxmin()),
           "divergences": div, "bfmi_min": float(bfmi.min()),
           "n_chains": int(idata.posterior.sizes["chain"]), "n_samples": int(idata.posterior.sizes["draw"])}
    t = THRESHOLDS
    out["passed"] = bool(out["r_hat_max"] <= t["r_hat_max"] and out["ess_bulk_min"] >= t["ess_bulk_min"]
                         and out["ess_tail_min"] >= t["ess_tail_min"] and div <= t["divergences_max"]
                         and out["bfmi_min"] > t["bfmi_min"])
    return out


def thin(idata: Any, studies: tuple[str, ...], diagnostics: dict[str, Any], n_draws: int, settings: SamplerSettings,
         seed: int) -> Posterior:
    """Keep ``n_draws`` evenly spaced draws of each chain (together ``n_draws``) and draw a new lab's offset per draw."""
    post = idata.posterior
    z = np.asarray(post["z"]).reshape(-1, len(PARAM_NAMES))
    n = z.shape[0]
    idx = np.unique(np.linspace(0, n - 1, min(n_draws, n)).round().astype(int))
    if "lab_scale_mV" in post:
        tau = np.asarray(post["lab_scale_mV"]).reshape(-1)[idx]
        off = np.asarray(post["lab_offset_mV"]).reshape(n, -1)[idx]
    else:
        tau, off = np.zeros(idx.size), np.zeros((idx.size, 0))
    new = tau * np.random.default_rng(seed + 1).standard_normal(idx.size)
    return Posterior(idata=idata, diagnostics=diagnostics, z=z[idx], lab_scale_mV=tau, lab_offset_mV=off, studies=tuple(studies),
                     new_lab_offset_mV=new, settings=vars(settings).copy() | {"seed": seed})
