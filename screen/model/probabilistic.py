"""The gap model as a NumPyro model function: priors, lab (study) effects and the likelihood of every observable.

Kept apart from the inference (:mod:`screen.model.inference` runs NUTS on it), as NumPyro and PyMC keep a model
apart from its sampler. The physics and the measurement models are the NumPy code of :mod:`screen.model.physics`
and :mod:`screen.model.likelihood`, evaluated with ``jax.numpy``.

Sites (all in the transformed space of :mod:`screen.model.parameters`)::

    z             ~ Normal(PRIOR_CENTER, prior_sigma)          18 physics parameters (log / logit)
    lab_scale_mV  ~ HalfNormal(LAB_SCALE_PRIOR_MV)              spread of the lab effects, tau (mV)
    lab_z         ~ Normal(0, 1)                                one per study (non-centred)
    lab_offset_mV = lab_scale_mV * lab_z                        the study's offset on the margin (mV)
    observations  : factor(log_likelihood(terms(theta, design, lab_offset)))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from screen.model.likelihood import Targets, log_likelihood
from screen.model.parameters import IS_LOGIT, LAB_SCALE_PRIOR_MV, PARAM_NAMES, PRIOR_CENTER
from screen.model.physics import Design, terms


class Structure:
    """What stays fixed between fits on data of the same shape: the design, which row is which observable (and whether
    it is censored), each row's study, the prior widths. Compared by identity, so a sampler compiled for one
    :class:`ModelData` is reused for another that shares its structure (:meth:`ModelData.with_values`)."""

    def __init__(self, design: Design, observable: np.ndarray, exact: np.ndarray, study_index: np.ndarray,
                 studies: tuple[str, ...], prior_sigma: np.ndarray, lab_effects: bool) -> None:
        self.design, self.observable, self.exact = design, observable, exact
        self.study_index, self.studies, self.prior_sigma, self.lab_effects = study_index, studies, prior_sigma, lab_effects


@dataclass(frozen=True)
class ModelData:
    """What the model function conditions on: the :class:`Structure` and the observed values (a JAX pytree whose
    leaves are the values, so that the sampler may take them as traced arguments)."""

    structure: Structure
    value: Any
    upper: Any
    weight: Any

    @classmethod
    def build(cls, design: Design, targets: Targets, study_index: np.ndarray, studies: tuple[str, ...],
              prior_sigma: np.ndarray, lab_effects: bool = True) -> ModelData:
        st = Structure(design, targets.observable, targets.exact, np.asarray(study_index), tuple(studies),
                       np.asarray(prior_sigma, dtype=float), bool(lab_effects))
        return cls(st, targets.value, targets.upper, targets.weight)

    def with_values(self, value: np.ndarray, upper: np.ndarray) -> ModelData:
        """The same structure with new observed values (e.g. a data set simulated at the corpus' design)."""
        return ModelData(self.structure, value, upper, self.weight)

    @property
    def targets(self) -> Targets:
        st = self.structure
        return Targets(st.observable, st.exact, self.value, self.upper, self.weight)

    # shortcuts used by the sampler
    design = property(lambda self: self.structure.design)
    study_index = property(lambda self: self.structure.study_index)
    studies = property(lambda self: self.structure.studies)
    prior_sigma = property(lambda self: self.structure.prior_sigma)
    lab_effects = property(lambda self: self.structure.lab_effects)


_REGISTERED: list[bool] = []


def register_pytree() -> None:
    """Make :class:`ModelData` a JAX pytree (once per process): its values are leaves, its structure static."""
    if _REGISTERED:
        return
    import jax

    jax.tree_util.register_pytree_node(
        ModelData, lambda d: ((d.value, d.upper, d.weight), d.structure),
        lambda structure, leaves: ModelData(structure, *leaves))
    _REGISTERED.append(True)


def natural_jax(z: Any) -> Any:
    """Transformed parameters -> natural units (``jax.numpy``; :func:`screen.model.parameters.to_natural` in NumPy)."""
    import jax
    import jax.numpy as jnp

    return jnp.where(IS_LOGIT, jax.nn.sigmoid(z), jnp.exp(z))


def row_offsets(lab_offset: Any, study_index: np.ndarray, xp: Any = np) -> Any:
    """Each row's lab offset (mV) from the per-study offsets (last axis); rows with no study (-1) get 0."""
    padded = xp.concatenate([lab_offset, xp.zeros(lab_offset.shape[:-1] + (1,))], axis=-1)
    return padded[..., np.where(study_index < 0, padded.shape[-1] - 1, study_index)]


def gap_model(data: ModelData) -> None:
    """NumPyro model function of the gap model (see the module docstring for its sites)."""
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    z = numpyro.sample("z", dist.Normal(jnp.asarray(PRIOR_CENTER), jnp.asarray(data.prior_sigma)).to_event(1))
    natural = natural_jax(z)
    theta = {name: natural[k] for k, name in enumerate(PARAM_NAMES)}
    offset: Any = 0.0
    if data.lab_effects and data.studies:
        tau = numpyro.sample("lab_scale_mV", dist.HalfNormal(LAB_SCALE_PRIOR_MV))
        eps = numpyro.sample("lab_z", dist.Normal(0.0, 1.0).expand([len(data.studies)]).to_event(1))
        delta = numpyro.deterministic("lab_offset_mV", tau * eps)
        offset = row_offsets(delta, data.study_index[data.design.row], jnp)
    t = terms(theta, data.design, offset, jnp)
    numpyro.factor("observations", log_likelihood(t, data.targets, jnp))
