"""Demo step: place the demo base on the canvas and compare the leave-alone flags with the known truth."""
from __future__ import annotations

from vocapp.services.canvas import place, placement_table


def run(context) -> str:
    base = context.shared.get("base")
    as_of = base.as_of.date() if base is not None else None
    placement_run = place(as_of=as_of)
    context.shared["placement_run_id"] = placement_run.id
    summary = placement_run.summary
    zones = ", ".join(f"{row['zone']} {row['accounts']}" for row in summary["zones"])
    text = f"canvas placement run {placement_run.id}: {zones}; {summary['n_flagged']} left alone"
    if base is not None and summary["n_flagged"]:
        _, table = placement_table(placement_run.id)
        truth = base.truth.set_index("account_id")["wants_left_alone"]
        flagged = table.loc[table["leave_alone"], "external_id"]
        correct = int(truth.reindex(flagged).fillna(False).sum())
        text += (f" ({correct} of {len(flagged)} truly want it; {correct} of {int(truth.sum())} such accounts "
                 f"found) - open /canvas/")
    return text
