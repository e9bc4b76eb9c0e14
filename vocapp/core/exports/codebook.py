"""The codebook: every exported variable with its label, type and value labels.

A ``Variable`` list fixes an export's columns, their order and their types, so every chunk of a
streamed export has the same schema and every format (CSV, Excel, SPSS, Parquet, JSON) says the same
thing about each column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from vocapp.core.constants import EXPORT_KINDS  # noqa: F401 (re-exported)
from vocapp.core.surveys import NPS_RANGE, entries_by_id, iter_items, localise, option_values

#: variable kinds: how a column is typed in every format
KINDS = ("string", "integer", "float", "boolean", "datetime")
RELATIONSHIP_LABELS = {"member": "member", "customer": "customer", "both": "member and customer"}
YES_NO = {0: "no", 1: "yes"}
CHOSEN = {0: "not chosen", 1: "chosen"}
METRIC_LABELS = {
    "membership_fees_12m": "Membership fees in the trailing 12 months",
    "commercial_12m": "Commercial purchases in the trailing 12 months",
    "total_12m": "Net spend (fees and purchases) in the trailing 12 months",
    "prior_12m": "Net spend in the 12 months before that",
    "purchase_frequency": "Purchases in the trailing 12 months",
    "recency_days": "Days since the latest transaction",
    "breadth": "Distinct commercial categories bought in the trailing 12 months",
    "growth": "Symmetric growth of net spend against the prior 12 months",
    "commercial_share": "Share of net spend that is commercial",
    "headroom": "Spend headroom against the 75th percentile of accounts of the same size",
}
FLAG_LABELS = {"straightlining": "Same answer to every scale item", "speeding": "Answered implausibly fast",
               "too_many_missing": "Too many items unanswered"}


@dataclass(frozen=True)
class Variable:
    """One exported column: ``name``, human ``label``, ``kind`` (see KINDS), optional value labels."""

    name: str
    label: str
    kind: str
    value_labels: dict[Any, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"variable {self.name}: kind {self.kind!r} is not one of {', '.join(KINDS)}")


#: columns more than one export has (one wording for one meaning)
_ACCOUNT_ID = Variable("account_id", "Account id in the CRM", "string")
_RELATIONSHIP = Variable("relationship", "Relationship with the organisation", "string", RELATIONSHIP_LABELS)
_SUBMITTED_AT = Variable("submitted_at", "When the response was submitted (UTC)", "datetime")
_SCORING_RUN_ID = Variable("scoring_run_id", "Scoring run the scores come from", "integer")


def construct_labels(definition: dict | None, constructs: Sequence[str]) -> dict[str, str]:
    """Construct id -> label from the definition (the id itself when the definition does not name it)."""
    declared = entries_by_id(definition or {}, "constructs")
    return {c: localise(declared.get(c, {}).get("label")) or c for c in constructs}


def _construct_variables(constructs: Sequence[str], definition: dict | None,
                         columns: Sequence[tuple[str, str, str]]) -> list[Variable]:
    """Construct by construct, a variable per (name suffix, label after the construct's, kind) in ``columns``."""
    labels = construct_labels(definition, constructs)
    return [Variable(f"{c}{suffix}", f"{labels[c]}: {text}", kind) for c in constructs for suffix, text, kind in columns]


def account_variables(constructs: Sequence[str], definition: dict | None, metrics: Sequence[str]) -> list[Variable]:
    """The accounts export: one row per placed account."""
    out = [_ACCOUNT_ID,
           Variable("account_name", "Account name", "string"),
           _RELATIONSHIP,
           Variable("n_respondents", "Respondents behind the account's scores", "integer")]
    out += _construct_variables(constructs, definition, [("", "account score (0-100)", "float"),
                                                         ("_low", "lower bound of the 90% interval", "float"),
                                                         ("_high", "upper bound of the 90% interval", "float")])
    out += [Variable("readiness", "Readiness (0-100), the canvas's vertical axis", "float"),
            Variable("opportunity", "Opportunity (0-100), the canvas's horizontal axis", "float"),
            Variable("zone", "Canvas zone", "string"),
            Variable("leave_alone", "Left alone by outreach", "boolean", YES_NO),
            Variable("leave_alone_reason", "Why the account is left alone", "string")]
    out += [Variable(m, METRIC_LABELS.get(m, m), "float") for m in metrics]
    out += [_SCORING_RUN_ID,
            Variable("placement_run_id", "Placement run the zone comes from", "integer")]
    return out


def contact_variables(constructs: Sequence[str], definition: dict | None, flags: Sequence[str]) -> list[Variable]:
    """The contacts export: one row per contact and response (contacts without a response: one row)."""
    out = [Variable("email", "Contact e-mail", "string"), _ACCOUNT_ID, _RELATIONSHIP,
           Variable("role", "Role in the account's decisions", "string")]
    out += _construct_variables(constructs, definition, [("", "score (0-100)", "float"),
                                                         ("_z", "standardised factor score", "float")])
    out += [Variable(f"flag_{f}", f"Quality flag: {FLAG_LABELS.get(f, f)}", "boolean", YES_NO) for f in flags]
    out += [Variable("excluded", "Left out of the model fit (flagged)", "boolean", YES_NO),
            Variable("response_status", "Response status", "string",
                     {"none": "no response", "partial": "started, not submitted", "complete": "submitted"}),
            _SUBMITTED_AT,
            Variable("response_id", "Response id (joins the responses export)", "integer"),
            _SCORING_RUN_ID]
    return out


def merged_items(definitions: Iterable[dict]) -> list[tuple[dict, dict]]:
    """(item, its definition) over several versions, newest first: every item id once, in the order of
    the newest version that asks it."""
    seen: dict[str, tuple[dict, dict]] = {}
    for definition in definitions:
        for ref in iter_items(definition):
            item_id = ref.item.get("id")
            if isinstance(item_id, str) and item_id not in seen:
                seen[item_id] = (ref.item, definition)
    return list(seen.values())


def _item_variables(item: dict, definition: dict) -> list[Variable]:
    text = " ".join(localise(item.get("text")).split())
    kind = item.get("type")
    if kind == "multi_choice":
        return [Variable(f"{item['id']}_{option.get('value')}", f"{text}: {localise(option.get('label'))}",
                         "integer", CHOSEN)
                for option in item.get("options") or [] if isinstance(option, dict)]
    if kind == "single_choice":
        options = {o.get("value"): localise(o.get("label")) for o in item.get("options") or [] if isinstance(o, dict)}
        return [Variable(item["id"], text, "string", options)]
    if kind == "likert":
        scale = entries_by_id(definition, "scales").get(item.get("scale"), {})
        labels = {int(point): localise(label) for point, label in (scale.get("labels") or {}).items()}
        return [Variable(item["id"], text, "integer", labels)]
    if kind == "nps":
        low, high = NPS_RANGE
        return [Variable(item["id"], text, "integer", {low: "not at all likely", high: "extremely likely"})]
    if kind == "number":
        return [Variable(item["id"], text, "float")]
    return [Variable(item["id"], text, "string")]


def response_variables(definitions: Sequence[dict]) -> list[Variable]:
    """The responses export: one row per response, one column per item (multiple choice: one 0/1
    column per option), over every version given (newest first)."""
    out = [Variable("response_id", "Response id", "integer"),
           _ACCOUNT_ID,
           Variable("survey_version", "Survey version answered", "integer"),
           Variable("source", "How the response arrived", "string",
                    {"web": "answered online", "import": "imported", "demo": "demo data"}),
           Variable("status", "Response status", "string",
                    {"partial": "started, not submitted", "complete": "submitted"}),
           _SUBMITTED_AT,
           Variable("duration_seconds", "Time spent answering (seconds)", "float")]
    for item, definition in merged_items(definitions):
        out += _item_variables(item, definition)
    return out


def option_columns(definitions: Sequence[dict]) -> dict[str, list[tuple[str, str]]]:
    """Per multiple-choice item id: (option value, column name) pairs."""
    return {item["id"]: [(value, f"{item['id']}_{value}") for value in option_values(item)]
            for item, _ in merged_items(definitions) if item.get("type") == "multi_choice"}


CODEBOOK_VARIABLES = [Variable("dataset", "Export the variable belongs to", "string"),
                      Variable("variable", "Column name", "string"),
                      Variable("label", "What the column holds", "string"),
                      Variable("type", "Column type", "string"),
                      Variable("value_labels", "Codes and their meaning (code=label; ...)", "string")]


def codebook_rows(datasets: dict[str, list[Variable]]) -> list[dict[str, Any]]:
    """The codebook as rows: one per (dataset, variable), value labels as ``code=label; ...``."""
    return [{"dataset": name, "variable": v.name, "label": v.label, "type": v.kind,
             "value_labels": "; ".join(f"{code}={label}" for code, label in v.value_labels.items())}
            for name, variables in datasets.items() for v in variables]
