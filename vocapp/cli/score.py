"""``vocapp score``: score a survey's responses and print a run summary."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from vocapp.cli import no_pages
from vocapp.cli.progress import TerminalProgress
from vocapp.core.constants import CORRELATIONS, FACTOR_METHODS

if TYPE_CHECKING:
    from vocapp.models import ScoringRun


def _num(value, fmt: str = ".2f") -> str:
    return "n/a" if value is None else format(value, fmt)


def run_summary(run: ScoringRun, survey_id: str) -> list[str]:
    """Readable lines describing a stored run (what `vocapp score` prints)."""
    d = run.diagnostics
    lines = []
    if run.method == "scale_means":
        lines.append(f"Survey {survey_id}: unit-weighted scale means (no factor model fitted)")
    elif d.get("applied_model_from_run"):
        lines.append(f"Survey {survey_id}: applied the frozen model of run {d['applied_model_from_run']} "
                     f"({run.parameters.get('method')}, rotation {run.rotation or 'none'})")
    else:
        replaced = f", replacing the model of run {run.based_on_run_id}" if run.based_on_run_id else ""
        lines.append(f"Survey {survey_id}: fitted a new model ({run.parameters.get('method')}, "
                     f"{run.parameters.get('correlations', 'pearson')} correlations, "
                     f"rotation {run.rotation or 'none'}){replaced}")
    flags = d.get("flags", {})
    lines.append(f"Responses: {run.n_responses} scored, {run.n_flagged} flagged and left out of fitting "
                 f"(straight-lining {flags.get('straightlining', 0)}, speeding {flags.get('speeding', 0)}, "
                 f"too many missing {flags.get('too_many_missing', 0)})")
    if run.method != "scale_means":
        bartlett = d.get("bartlett", {})
        lines.append(f"Fitted on {d.get('n_rows', d.get('n'))} responses (rows used; "
                     f"{d.get('n_complete', 'n/a')} complete, {d.get('n_pairwise_min', 'n/a')} behind the "
                     f"sparsest item pair); KMO {_num(d.get('kmo'))}; Bartlett chi2 "
                     f"{_num(bartlett.get('chi2'), '.1f')} on {bartlett.get('df')} df, p {_num(bartlett.get('p_value'), '.3g')}")
        components = d.get("suggested_components")
        basis = "factor-based parallel analysis" if components is not None else "parallel analysis"
        also = f" ({components} by component-based)" if components is not None else ""
        lines.append(f"Factors: {d.get('suggested_factors')} suggested by {basis}{also}, "
                     f"{d.get('declared_constructs')} declared, {d.get('n_factors')} fitted")
        lines.append("Reliability:")
        for construct, rel in d.get("reliability", {}).items():
            lines.append(f"  {construct:<24} alpha {_num(rel.get('alpha'))}  standardised alpha "
                         f"{_num(rel.get('alpha_standardised'))}  omega total {_num(rel.get('omega'))}"
                         f"  ({rel.get('n_items')} items)")
        misfit = d.get("misfit_items", [])
        lines.append("Misfit items: " + ("none" if not misfit else "; ".join(
            f"{m['item']} {m['issue']}" for m in misfit)))
        fit = d.get("fit_indices", {})
        if fit.get("chi2") is not None:
            state = "" if fit.get("converged") else f" (NOT converged: {fit.get('message')})"
            lines.append(f"CFA of the declared key: chi2 {_num(fit['chi2'], '.1f')} on {fit.get('df')} df, "
                         f"RMSEA {_num(fit.get('rmsea'), '.3f')}, CFI {_num(fit.get('cfi'), '.3f')}, "
                         f"TLI {_num(fit.get('tli'), '.3f')}, SRMR {_num(fit.get('srmr'), '.3f')}{state}")
        else:
            lines.append(f"CFA of the declared key: {fit.get('message', 'not available')}")
    lines.extend(invariance_lines(d.get("invariance") or {}))
    lines.extend(account_model_lines(d.get("account_model") or {}))
    for warning in d.get("warnings", []) or []:
        lines.append(f"Warning: {warning}")
    lines.append(f"Accounts scored: {d.get('n_accounts', 0)}")
    lines.append(f"Run id: {run.id}")
    return lines


def invariance_lines(invariance: dict) -> list[str]:
    """One line per invariance level (or why the check did not run), per grouping."""
    lines = []
    for result in invariance.values():
        if not result.get("checked"):
            lines.append(f"Measurement invariance by {result.get('by')}: {result.get('message')}")
            continue
        sizes = ", ".join(f"{g} {result['group_sizes'][g]}" for g in result["groups"])
        lines.append(f"Measurement invariance by {result['by']} ({sizes}; {result['rule']}):")
        for level in result["levels"]:
            change = "" if "delta_cfi" not in level else (
                f", delta CFI {level['delta_cfi']:+.3f}: {'holds' if level['holds'] else 'FAILS'}")
            lines.append(f"  {level['level']:<10} chi2 {_num(level['chi2'], '.1f')} on {level['df']} df, "
                         f"CFI {_num(level['cfi'], '.3f')}, RMSEA {_num(level['rmsea'], '.3f')}, "
                         f"SRMR {_num(level['srmr'], '.3f')}{change}")
    return lines


def account_model_lines(model: dict) -> list[str]:
    """The multilevel account model's variance components per construct."""
    parts = []
    for construct, vc in (model.get("constructs") or {}).items():
        assumed = " assumed" if vc.get("assumed_icc") else ""
        parts.append(f"{construct} ICC {_num(vc.get('icc'))}{assumed} (between {_num(vc.get('between'), '.0f')}, "
                     f"within {_num(vc.get('within'), '.0f')})")
    if not parts:
        return []
    return [f"Account estimates (multilevel, {model.get('level', 0.9):.0%} posterior intervals): " + "; ".join(parts)]


@no_pages
@click.command("score")
@click.option("--survey", "survey_id", required=True, help="Survey id (the definition's id).")
@click.option("--refit", is_flag=True, help="Fit a new model instead of applying the stored one.")
@click.option("--method", type=click.Choice(FACTOR_METHODS), default=None,
              help="Factoring method for a new model (default minres).")
@click.option("--correlations", type=click.Choice(CORRELATIONS), default=None,
              help="Item correlations for a new model: pearson (default) or polychoric (ordinal).")
@click.option("--rotation", default=None,
              help="Rotation for a new model: oblimin (default), promax, varimax, quartimax, ... or none.")
@click.option("--role-weight", "role_weights", multiple=True, metavar="ROLE=WEIGHT",
              help="Weight of a respondent role in account scores (repeatable; default decision_maker=2, "
                   "influencer=1.5, user=1).")
@click.option("--assumed-icc", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
              help="ICC for account estimates where the run cannot estimate it (no account with two "
                   "respondents), e.g. one another survey of the same accounts reported (default 0.3).")
@with_appcontext
def score(survey_id: str, refit: bool, method: str | None, correlations: str | None, rotation: str | None,
          role_weights: tuple[str, ...], assumed_icc: float | None) -> None:
    """Score a survey's responses into construct scores per contact and account."""
    from vocapp.core.scoring import DEFAULT_ROLE_WEIGHTS
    from vocapp.services.scoring import run_scoring

    weights = None
    if role_weights:
        weights = dict(DEFAULT_ROLE_WEIGHTS)
        for entry in role_weights:
            role, _, value = entry.partition("=")
            try:
                weights[role.strip()] = float(value)
            except ValueError:
                raise click.BadParameter(f"{entry!r}: expected ROLE=WEIGHT, e.g. decision_maker=3",
                                         param_hint="--role-weight") from None
    with TerminalProgress(f"Scoring {survey_id}") as progress:
        run = run_scoring(survey_id, refit=refit, method=method, rotation=rotation, role_weights=weights,
                          progress=progress, correlations=correlations, assumed_icc=assumed_icc)
    for line in run_summary(run, survey_id):
        click.echo(line)


commands = [score]
