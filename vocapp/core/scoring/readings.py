"""Plain-language readings of the evidence figures, with the usual thresholds, for the run page.

Each function returns ``(verdict, sentence)``: a one-word verdict (good, acceptable, poor, ...) and
what the figure means for trusting the scores. Thresholds are the conventional ones, named in each
sentence so an analyst can disagree with them: Kaiser (1974) for KMO; Hu & Bentler (1999) for CFI,
TLI, RMSEA and SRMR; the common .70/.80/.90 bands for alpha and omega (Nunnally).
"""
from __future__ import annotations

import math

Reading = tuple[str, str]
_UNKNOWN: Reading = ("n/a", "Not computed for this run.")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def kmo(value: float | None) -> Reading:
    """Kaiser-Meyer-Olkin sampling adequacy: do the items share enough variance for factor analysis?"""
    if _missing(value):
        return _UNKNOWN
    bands = [(0.9, "excellent"), (0.8, "good"), (0.7, "middling"), (0.6, "mediocre"), (0.5, "poor")]
    verdict = next((word for cut, word in bands if value >= cut), "unacceptable")
    meaning = ("the items share plenty of common variance: factor analysis is well founded" if value >= 0.7 else
               "factor analysis is possible but the factors may be unstable" if value >= 0.5 else
               "the items share too little variance: do not trust factor scores from this run")
    return verdict, f"KMO {value:.2f} is {verdict} (Kaiser: .90 excellent, .80 good, .70 middling, .60 mediocre, " \
                    f"below .50 unacceptable): {meaning}."


def bartlett(p_value: float | None) -> Reading:
    """Bartlett's test of sphericity: are the items correlated at all?"""
    if _missing(p_value):
        return _UNKNOWN
    if p_value < 0.05:
        return "good", "The items are correlated (p < .05), as a factor model needs."
    return "poor", "The items are not clearly correlated (p ≥ .05): a factor model has little to work with."


def reliability(value: float | None, name: str = "alpha") -> Reading:
    """Cronbach's alpha or McDonald's omega of one construct's items."""
    if _missing(value):
        return _UNKNOWN
    if value >= 0.9:
        return "excellent", f"{name} {value:.2f} ≥ .90: very consistent items (check they are not near-duplicates)."
    if value >= 0.8:
        return "good", f"{name} {value:.2f} ≥ .80: consistent enough to compare individual contacts."
    if value >= 0.7:
        return "acceptable", f"{name} {value:.2f} ≥ .70: fine for account and group averages; individual scores are noisy."
    return "questionable", f"{name} {value:.2f} < .70: the items do not measure one thing well; read scores with care."


def fit(index: str, value: float | None) -> Reading:
    """One confirmatory fit index (cfi, tli, rmsea, srmr) against Hu & Bentler's cut-offs."""
    if _missing(value):
        return _UNKNOWN
    if index in ("cfi", "tli"):
        verdict = "good" if value >= 0.95 else "acceptable" if value >= 0.90 else "poor"
        rule = "≥ .95 good, ≥ .90 acceptable"
    elif index == "rmsea":
        verdict = "good" if value <= 0.06 else "acceptable" if value <= 0.08 else "mediocre" if value <= 0.10 else "poor"
        rule = "≤ .06 good, ≤ .08 acceptable, above .10 poor"
    elif index == "srmr":
        verdict = "good" if value <= 0.08 else "poor"
        rule = "≤ .08 good"
    else:
        raise ValueError(f"unknown fit index {index!r}")
    meaning = {"good": "the declared key describes the answers well",
               "acceptable": "the declared key describes the answers adequately",
               "mediocre": "the key fits only roughly: look at the misfit items",
               "poor": "the answers do not follow the declared key: look at the misfit items before using scores"}
    return verdict, f"{index.upper()} {value:.3f} ({rule}): {meaning[verdict]}."


def overall(kmo_value: float | None, fit_indices: dict, reliabilities: dict[str, float | None]) -> Reading:
    """One sentence for the top of the run page: can these scores be trusted, and what to look at."""
    problems = []
    if not _missing(kmo_value) and kmo_value < 0.6:
        problems.append("sampling adequacy (KMO)")
    if fit("cfi", fit_indices.get("cfi"))[0] == "poor" or fit("rmsea", fit_indices.get("rmsea"))[0] == "poor":
        problems.append("the fit of the declared key")
    weak = [name for name, value in reliabilities.items() if not _missing(value) and value < 0.7]
    if weak:
        problems.append("reliability of " + ", ".join(weak))
    if not problems:
        return "trustworthy", "The evidence supports these scores: adequate sampling, a key that fits and reliable constructs."
    return "caution", "Read these scores with care: check " + "; ".join(problems) + " below."


def overall_from_diagnostics(diagnostics: dict) -> Reading:
    """:func:`overall` for a scoring run's stored diagnostics (omega where there is one, else alpha)."""
    reliabilities = {construct: (values.get("omega") if values.get("omega") is not None else values.get("alpha"))
                     for construct, values in (diagnostics.get("reliability") or {}).items()}
    return overall(diagnostics.get("kmo"), diagnostics.get("fit_indices") or {}, reliabilities)
