"""Fit the D and G bands of a measured Raman spectrum of carbon.

Model: linear baseline + Lorentzian D band (near 1350 cm⁻¹) + Lorentzian
G band (near 1580 cm⁻¹), least squares with ``scipy.optimize.curve_fit``
over 1000–1800 cm⁻¹. Reports the intensity (peak-height) ratio and the
integrated-area ratio I_D/I_G, band positions and widths, and the fit
quality (R² and the relative RMS residual).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from descriptors.errors import InputError

FIT_WINDOW_CM1 = (1000.0, 1800.0)


def lorentzian(x: np.ndarray, height: float, center: float, fwhm: float) -> np.ndarray:
    """Lorentzian line of peak ``height`` at ``center`` with full width ``fwhm`` (cm⁻¹)."""
    hw = fwhm / 2.0
    return height * hw**2 / ((x - center) ** 2 + hw**2)


def _model(x: np.ndarray, b0: float, b1: float, hd: float, cd: float, wd: float, hg: float, cg: float, wg: float) -> np.ndarray:
    return b0 + b1 * (x - 1400.0) + lorentzian(x, hd, cd, wd) + lorentzian(x, hg, cg, wg)


@dataclass(frozen=True)
class RamanFit:
    """Result of a D/G band fit (positions and widths in cm⁻¹)."""

    id_ig_height: float
    id_ig_area: float
    d_center_cm1: float
    g_center_cm1: float
    d_fwhm_cm1: float
    g_fwhm_cm1: float
    r_squared: float
    rel_rms_residual: float
    n_points: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def read_spectrum(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a two-column spectrum (Raman shift in cm⁻¹, intensity).

    Accepts comma, tab, semicolon or whitespace separators and ``#`` comments;
    a non-numeric first line is taken as a header. Raises :class:`InputError`
    naming the file and line of the first bad row.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: spectrum file not found")
    xs, ys = [], []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a text file") from None
    first = True
    for i, line in enumerate(lines, start=1):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        parts = s.replace(",", " ").replace(";", " ").replace("\t", " ").split()
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            if first:
                first = False
                continue  # a header line
            raise InputError(f"{p}: line {i}: expected two numbers (shift, intensity), got '{line.strip()}'") from None
        first = False
        if len(vals) != 2:
            raise InputError(f"{p}: line {i}: expected 2 columns (shift, intensity), got {len(vals)}")
        if not all(np.isfinite(vals)):
            raise InputError(f"{p}: line {i}: NaN or infinite value")
        xs.append(vals[0])
        ys.append(vals[1])
    x, y = np.asarray(xs), np.asarray(ys)
    if len(x) < 20:
        raise InputError(f"{p}: only {len(x)} data points; need at least 20")
    return x, y


def fit_d_g(shift_cm1: np.ndarray, intensity: np.ndarray, *, label: str = "spectrum") -> RamanFit:
    """Fit D and G bands; see the module docstring for the model."""
    from scipy.optimize import curve_fit

    x = np.asarray(shift_cm1, dtype=float)
    y = np.asarray(intensity, dtype=float)
    lo, hi = FIT_WINDOW_CM1
    sel = (x >= lo) & (x <= hi)
    if sel.sum() < 20 or x[sel].min() > 1300 or x[sel].max() < 1620:
        raise InputError(f"{label}: the spectrum must cover 1300-1620 cm-1 with at least 20 points between {lo:.0f} and {hi:.0f}")
    x, y = x[sel], y[sel]
    order = np.argsort(x)
    x, y = x[order], y[order]
    base = float(np.percentile(y, 5))
    span = float(y.max() - base)
    if span <= 0:
        raise InputError(f"{label}: flat spectrum, no D/G bands to fit")

    def near(c: float) -> float:
        return float(max(y[np.abs(x - c) < 40].max() - base, 1e-3 * span)) if np.any(np.abs(x - c) < 40) else 0.5 * span

    p0 = [base, 0.0, near(1350), 1350, 120, near(1585), 1585, 80]
    bounds = ([-np.inf, -np.inf, 0, 1250, 10, 0, 1500, 10], [np.inf, np.inf, np.inf, 1450, 500, np.inf, 1650, 300])
    try:
        popt, _ = curve_fit(_model, x, y, p0=p0, bounds=bounds, maxfev=20000)
    except (RuntimeError, ValueError) as exc:
        raise InputError(f"{label}: D/G fit did not converge ({exc})") from None
    resid = y - _model(x, *popt)
    ss_res = float(np.sum(resid**2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    _, _, hd, cd, wd, hg, cg, wg = popt
    if hg <= 0:
        raise InputError(f"{label}: no G band found")
    return RamanFit(
        id_ig_height=float(hd / hg),
        id_ig_area=float(hd * wd / (hg * wg)),
        d_center_cm1=float(cd), g_center_cm1=float(cg), d_fwhm_cm1=float(wd), g_fwhm_cm1=float(wg),
        r_squared=1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan"),
        rel_rms_residual=float(np.sqrt(ss_res / len(x)) / span),
        n_points=int(len(x)),
    )


def fit_file(path: str | Path) -> RamanFit:
    """Read a spectrum file and fit it."""
    x, y = read_spectrum(path)
    return fit_d_g(x, y, label=str(path))
