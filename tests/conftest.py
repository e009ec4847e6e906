"""Shared fixtures."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

from descriptors.data.curated import load_table


def pytest_configure(config):
    """Descriptor memo files of the test session go to a fresh folder, not the user's cache; posteriors are sampled
    with the quick NUTS profile (2 chains x 100 + 100) unless ``$INTERLAYER_SAMPLER`` says otherwise: the tests check
    behaviour and science that short chains already show, the full sampler's diagnostics are the benchmark's."""
    os.environ["INTERLAYER_CACHE_DIR"] = tempfile.mkdtemp(prefix="interlayer-test-cache-")
    os.environ.setdefault("INTERLAYER_SAMPLER", "quick")


@pytest.fixture(scope="session")
def binaries():
    return load_table("li_binaries.csv")


@pytest.fixture(scope="session")
def outcomes():
    return load_table("literature_outcomes.csv")


@pytest.fixture
def synthetic_spectrum():
    """D/G spectrum with a known area ratio 0.8*150/(1.0*70) and height ratio 0.8."""
    from descriptors.graphitization.raman import lorentzian

    x = np.linspace(900, 1900, 600)
    rng = np.random.default_rng(42)
    y = 5 + 0.002 * (x - 1400) + lorentzian(x, 0.8, 1350, 150) + lorentzian(x, 1.0, 1590, 70) + rng.normal(0, 0.01, x.size)
    return x, y, 0.8 * 150 / 70, 0.8


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """A model registry in a temporary folder, with version 0 built from the curated data."""
    from screen.model.registry import ModelRegistry

    reg = ModelRegistry(tmp_path_factory.mktemp("models"))
    reg.ensure_default()
    return reg


@pytest.fixture(scope="session")
def gap_pipeline(registry):
    return registry.load(0)[0]


@pytest.fixture
def model_env(registry, monkeypatch):
    """Point the CLI at the session registry."""
    monkeypatch.setenv("INTERLAYER_MODEL_DIR", str(registry.root))
    return registry
