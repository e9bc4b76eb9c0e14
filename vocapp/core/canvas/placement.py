"""Placement of accounts on the canvas: readiness, zones with hysteresis, leave-alone overlay, movements."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from vocapp.core.constants import CONTACT_PREFERENCE_ITEM, ESSENTIAL_ONLY

from .definition import CanvasDefinition

NO_ZONE = "(none)"
PASSTHROUGH_COLUMNS = ["account_name", "relationship"]


def essential_only_counts(answers: pd.DataFrame, item: str = CONTACT_PREFERENCE_ITEM) -> pd.Series:
    """Respondents per account whose ``item`` answer is ``essential_only`` (needs account_id and item)."""
    if item not in answers.columns or answers.empty:
        return pd.Series(dtype=int, name="essential_only")
    asked = answers[item].astype("string").str.strip() == ESSENTIAL_ONLY
    return asked.fillna(False).groupby(answers["account_id"].astype(str)).sum().astype(int).rename("essential_only")


def wide_scores(account_scores: pd.DataFrame) -> pd.DataFrame:
    """Long account scores -> one row per account: <construct> (the estimate), <construct>_low, _high,
    and, when the rows carry them, <construct>_observed and <construct>_sd; n_respondents."""
    if account_scores.empty:
        return pd.DataFrame({"n_respondents": pd.Series(dtype=int)}, index=pd.Index([], name="account_id"))
    scores = account_scores.assign(account_id=account_scores["account_id"].astype(str))
    extra = [c for c in ("observed", "sd") if c in scores.columns]
    wide = scores.pivot_table(index="account_id", columns="construct", values=["score", "low", "high", *extra],
                              aggfunc="first", dropna=False)
    out = pd.DataFrame(index=wide.index)
    for construct in scores["construct"].unique():
        out[construct] = wide[("score", construct)]
        out[f"{construct}_low"] = wide[("low", construct)]
        out[f"{construct}_high"] = wide[("high", construct)]
        for column in extra:
            out[f"{construct}_{column}"] = wide[(column, construct)]
    out["n_respondents"] = scores.groupby("account_id")["n_respondents"].max().reindex(out.index)
    return out


def _weighted(frame: pd.DataFrame, weights: dict[str, float], suffix: str = "") -> pd.Series:
    columns = [f"{c}{suffix}" for c in weights]
    if not set(columns) <= set(frame.columns):
        return pd.Series(np.nan, index=frame.index)
    w = pd.Series(list(weights.values()), index=columns)
    return frame[columns].mul(w, axis=1).sum(axis=1, min_count=len(w)) / w.sum()


def side_with_hysteresis(values: pd.Series, cut: float, margin: float, previous_side: pd.Series) -> pd.Series:
    """'high'/'low' per value; an account keeps its previous side unless it crosses by more than margin."""
    high = np.where(previous_side == "high", values >= cut - margin,
                    np.where(previous_side == "low", values >= cut + margin, values >= cut))
    return pd.Series(np.where(high, "high", "low"), index=values.index)


def _respondents(counts: pd.Series) -> pd.Series:
    counts = counts.astype(int)
    return counts.astype(str) + np.where(counts == 1, " respondent", " respondents")


def _whole(values: pd.Series) -> pd.Series:
    return values.round().astype("Int64").astype(str)


def probability_below(placed: pd.DataFrame, construct: str, level: float) -> pd.Series:
    """Posterior probability that each account's ``construct`` is below ``level``: normal posterior
    with mean <construct> (the estimate) and SD <construct>_sd. Placements of runs stored without a
    posterior SD fall back to the interval: 1 when its upper end is below the level, else 0."""
    if f"{construct}_sd" in placed.columns:
        sd = placed[f"{construct}_sd"].to_numpy(dtype=float)
        score = placed[construct].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = stats.norm.cdf((level - score) / sd)
        has_sd = np.isfinite(sd) & (sd > 0)
    else:
        p, has_sd = np.zeros(len(placed)), np.zeros(len(placed), dtype=bool)
    upper = placed.get(f"{construct}_high", pd.Series(np.nan, index=placed.index)).to_numpy(dtype=float)
    fallback = (upper < level).astype(float)
    return pd.Series(np.where(has_sd, p, np.where(np.isfinite(upper), fallback, np.nan)), index=placed.index)


def _percent(values: pd.Series) -> pd.Series:
    return (100 * values).round().astype("Int64").astype(str) + "%"


def leave_alone_reasons(placed: pd.DataFrame, essential: pd.Series, definition: CanvasDefinition) -> pd.Series:
    """Readable reason per account ('' when not flagged); reasons are joined by '; '.

    Appetite: flagged when P(appetite < cut) exceeds the definition's probability; the reason shows
    the estimate with its interval, the observed mean, the respondents and both probabilities.
    """
    construct = definition.leave_alone_construct
    cut, wanted = definition.leave_alone_cut, definition.leave_alone_probability
    appetite = pd.Series("", index=placed.index, dtype=object)
    if construct in placed.columns:
        prob = probability_below(placed, construct, cut)
        low = (prob > wanted).fillna(False)
        rows = placed.loc[low]
        observed = pd.Series("", index=rows.index, dtype=object)
        if f"{construct}_observed" in rows.columns:
            seen = rows[f"{construct}_observed"].notna()
            observed[seen] = " (observed " + _whole(rows.loc[seen, f"{construct}_observed"]) + ")"
        appetite[low] = (f"{construct} " + _whole(rows[construct]) + " [" + _whole(rows[f"{construct}_low"])
                         + "-" + _whole(rows[f"{construct}_high"]) + "]" + observed + " from "
                         + _respondents(rows["n_respondents"]) + f": P(below {cut:g}) "
                         + _percent(prob[low]) + f" (flagged above {wanted:.0%})")
    asked = pd.Series("", index=placed.index, dtype=object)
    if definition.leave_alone_essential_only:
        many = essential > 1
        asked[essential > 0] = "asked for essential contact only"
        asked[many] = asked[many] + " (" + _respondents(essential[many]) + ")"
    joiner = np.where((appetite != "") & (asked != ""), "; ", "")
    return appetite + joiner + asked


def place_accounts(
    accounts: pd.DataFrame,
    account_scores: pd.DataFrame,
    opportunity: pd.Series,
    essential_only: pd.Series | None,
    definition: CanvasDefinition,
    previous_zones: pd.Series | None = None,
) -> pd.DataFrame:
    """Place every account in ``accounts`` (column account_id) on the canvas.

    Returns one row per account: account_id, readiness (+ _low/_high), opportunity, zone, leave_alone,
    leave_alone_reason, co_creation, held_by_hysteresis, heard, <construct> and <construct>_low/_high,
    n_respondents (plus account_name/relationship when given). Accounts without scores for every
    readiness construct are placed in the unheard zone on opportunity only. ``previous_zones`` maps
    account_id to the zone name (or id) of the previous run, for hysteresis.
    """
    ids = pd.Index(accounts["account_id"].astype(str).unique(), name="account_id")
    placed = wide_scores(account_scores).reindex(ids)
    placed["n_respondents"] = placed["n_respondents"].fillna(0).astype(int)
    placed["opportunity"] = pd.Series(opportunity, dtype=float).set_axis(
        pd.Index(opportunity.index.astype(str))).reindex(ids).fillna(0.0)
    weights = definition.readiness_weights
    placed["readiness"] = _weighted(placed, weights)
    placed["readiness_low"] = _weighted(placed, weights, "_low")
    placed["readiness_high"] = _weighted(placed, weights, "_high")
    placed["heard"] = placed["readiness"].notna()

    zones_by_key = {z.name: z for z in definition.zones} | {z.id: z for z in definition.zones}
    previous = (pd.Series(previous_zones).set_axis(pd.Index(pd.Series(previous_zones).index.astype(str)))
                .reindex(ids) if previous_zones is not None else pd.Series(np.nan, index=ids, dtype=object))
    previous_zone = previous.map(lambda v: zones_by_key.get(v))
    prev_x = previous_zone.map(lambda z: z.opportunity if z is not None else None)
    prev_y = previous_zone.map(lambda z: z.readiness if z is not None else None)
    margin = definition.hysteresis_margin
    x_side = side_with_hysteresis(placed["opportunity"], definition.opportunity_cut, margin, prev_x)
    y_side = side_with_hysteresis(placed["readiness"], definition.readiness_cut, margin, prev_y)
    raw_x = np.where(placed["opportunity"] >= definition.opportunity_cut, "high", "low")
    raw_y = np.where(placed["readiness"] >= definition.readiness_cut, "high", "low")
    zone_name = {(z.opportunity, z.readiness): z.name for z in definition.zones if z.heard}
    placed["zone"] = [zone_name[(x, y)] if heard else definition.unheard_zone.name
                      for x, y, heard in zip(x_side, y_side, placed["heard"])]
    placed["held_by_hysteresis"] = placed["heard"] & ((x_side.values != raw_x) | (y_side.values != raw_y))

    essential = (pd.Series(essential_only, dtype=float).set_axis(pd.Index(pd.Series(essential_only).index.astype(str)))
                 .reindex(ids).fillna(0).astype(int) if essential_only is not None
                 else pd.Series(0, index=ids))
    placed["essential_only"] = essential
    placed["leave_alone_reason"] = leave_alone_reasons(placed, essential, definition)
    placed["leave_alone"] = placed["leave_alone_reason"] != ""
    innovation = definition.innovation_construct
    placed["co_creation"] = (placed[innovation] >= definition.innovation_threshold).fillna(False) & \
        ~placed["leave_alone"] if innovation in placed.columns else False

    placed = placed.reset_index()
    extra = [c for c in PASSTHROUGH_COLUMNS if c in accounts.columns]
    if extra:
        info = accounts.assign(account_id=accounts["account_id"].astype(str)).drop_duplicates("account_id")
        placed = placed.merge(info[["account_id", *extra]], on="account_id", how="left")
    return placed


def zone_counts(placements: pd.DataFrame, definition: CanvasDefinition) -> pd.DataFrame:
    """Accounts and leave-alone flags per zone, in definition order (zones with 0 accounts included)."""
    order = [z.name for z in definition.zones]
    grouped = placements.groupby("zone")
    counts = pd.DataFrame({"accounts": grouped.size(), "leave_alone": grouped["leave_alone"].sum()})
    counts = counts.reindex(order).fillna(0).astype(int)
    counts.index.name = "zone"
    return counts.reset_index()


def movements(previous: pd.Series, current: pd.Series) -> pd.DataFrame:
    """From zone -> to zone counts between two placements (Series account_id -> zone).

    Every account in either placement is counted once; an account absent from one side appears with
    zone '(none)'. Rows where the zone did not change are included (moved == False).
    """
    both = pd.concat([pd.Series(previous, dtype=object).rename("from_zone"),
                      pd.Series(current, dtype=object).rename("to_zone")], axis=1).fillna(NO_ZONE)
    return movement_table(both.groupby(["from_zone", "to_zone"]).size().rename("count").reset_index())


def movement_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The movements table from (from_zone, to_zone, count) rows, e.g. counted by a database: a
    ``moved`` column, moved rows first, then the largest counts."""
    table = counts.sort_values(["from_zone", "to_zone"], ignore_index=True)
    table["count"] = table["count"].astype("int64")
    table["moved"] = table["from_zone"] != table["to_zone"]
    return table.sort_values(["moved", "count"], ascending=[False, False], ignore_index=True)
