"""The posterior: simulation-based calibration (reduced), lab effects, the stored InferenceData."""

from __future__ import annotations

import numpy as np
import pytest

from descriptors.errors import InputError
from screen.model.inference import SamplerSettings
from screen.model.simulate import sbc_ranks, uniformity
from screen.model.training import make_pipeline, training_set


@pytest.fixture(scope="module")
def corpus_data():
    ts = training_set()
    pipe = make_pipeline(n_draws=0)
    gap = pipe.named_steps["gap"]
    return gap.model_data(pipe.named_steps["cells"].fit_transform(ts.X), ts.y)


def test_reduced_simulation_based_calibration_gives_uniform_ranks(corpus_data):
    """20 data sets simulated from the prior at the corpus' design, each fitted with short chains: the rank of every
    true parameter among its posterior draws must not be detectably non-uniform (chi-square per parameter, Bonferroni
    over the 19 quantities at 1 %). The full check (100 sets, longer chains) is benchmarks/bench_sbc.py."""
    settings = SamplerSettings(num_chains=2, num_warmup=100, num_samples=100, target_accept=0.9, dense_mass=False, seed=0)
    ranks = sbc_ranks(corpus_data, settings, n_sims=20, n_draws=49, seed=1)
    table = uniformity(ranks, bins=4)
    assert table["chi2_p_value"].min() > 0.01 / len(table), table.sort_values("chi2_p_value").head()


def test_a_fitted_lab_gets_its_own_offset_and_a_new_lab_the_spread(gap_pipeline):
    gap = gap_pipeline.named_steps["gap"]
    assert "LI25" in gap.studies_ and len(gap.lab_scale_mV_) == len(gap.draws_z_)
    own = gap.lab_offsets(["LI25"], 1)[:, 0]
    new = gap.lab_offsets([""], 1)[:, 0]
    assert not np.array_equal(own, new)
    with pytest.raises(InputError, match="no fitted lab effect"):
        gap.check_study_id("NOT-A-STUDY")


def test_the_registry_stores_the_full_sample_as_netcdf(registry):
    from screen.model.inference import import_arviz
    from screen.model.registry import POSTERIOR_FILE

    idata = import_arviz().from_netcdf(str(registry.root / "v0" / POSTERIOR_FILE))
    meta = registry.metadata(0)
    assert idata.posterior.sizes["chain"] == meta["sampler"]["num_chains"]
    assert idata.posterior.sizes["draw"] == meta["sampler"]["num_samples"]
    assert list(idata.posterior["z"].coords["parameter"].values)[0] == "eta_floor_mV"
    assert "diverging" in idata.sample_stats
