"""Campaign progress figures from invitation rows: counts per status, response rates, completions a day."""
from __future__ import annotations

import pandas as pd

#: statuses of invitations that were e-mailed (the denominator of the response rate)
EMAILED = ("sent", "bounced", "opened", "started", "completed")
PROGRESS_KEYS = ("invited", "sent", "opened", "started", "completed", "bounced", "failed", "revoked", "queued")


def progress_counts(invitations: pd.DataFrame) -> dict[str, int]:
    """invited (all invitations), and per stage the invitations that reached it (opened counts those
    that went on to start or complete too); columns status, opened_at, started_at."""
    status = invitations["status"]
    counts = {"invited": int(len(invitations))}
    counts["sent"] = int(status.isin(EMAILED).sum())
    counts["opened"] = int((invitations["opened_at"].notna() | status.isin(["opened", "started", "completed"])).sum())
    counts["started"] = int((invitations["started_at"].notna() | status.isin(["started", "completed"])).sum())
    for name in ("completed", "bounced", "failed", "revoked", "queued"):
        counts[name] = int((status == name).sum())
    return counts


def response_rates(invitations: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by``: e-mailed invitations, completed ones and the rate (completed / e-mailed)."""
    frame = invitations.assign(group=invitations[by].astype(object).where(invitations[by].notna(), "(none)").astype(str),
                               emailed=invitations["status"].isin(EMAILED),
                               completed=invitations["status"] == "completed")
    table = frame.groupby("group", sort=True)[["emailed", "completed"]].sum().astype(int)
    table["rate"] = (table["completed"] / table["emailed"].where(table["emailed"] > 0)).round(3)
    return table.reset_index().rename(columns={"group": by})


def completions_per_day(completed_at: pd.Series) -> pd.DataFrame:
    """Completed responses per calendar day (UTC), every day from the first to the last: day, count."""
    days = pd.to_datetime(completed_at.dropna(), utc=True).dt.floor("D")
    if days.empty:
        return pd.DataFrame({"day": pd.Series(dtype="datetime64[ns, UTC]"), "count": pd.Series(dtype=int)})
    counts = days.value_counts().sort_index()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq="D", tz="UTC")
    return pd.DataFrame({"day": full, "count": counts.reindex(full, fill_value=0).astype(int).to_numpy()})
