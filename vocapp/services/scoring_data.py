"""Scoring's database I/O: one query to read responses, bulk writes for scores, the run's summary.

No ORM objects and no per-value Python work on this path, and one way per backend (vocapp runs on
SQLite and PostgreSQL). Reading: the database extracts the Likert items from each response's answers
JSON and hands the rows over as CSV text (PostgreSQL ``COPY ... TO STDOUT``; SQLite builds one CSV line
per response from one multi-path ``json_extract``), parsed by pandas' C CSV reader in one call.
Writing: one ``contact_scores`` row per response, its per-construct values assembled into JSON by the
database (PostgreSQL: binary COPY of NumPy columns into a temporary table, then ``INSERT ... SELECT
jsonb_build_object(...)``; SQLite: ``executemany`` with ``json_object``).
"""
from __future__ import annotations

import io
from itertools import repeat
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import String, select, type_coerce

from vocapp.core.scoring.summary import score_summary
from vocapp.extensions import db
from vocapp.models import AccountScore, Contact, ContactScore, Response, ScoringRun
from vocapp.services.bulk import dialect_name, driver_connection, pg_column_type, pg_copy_binary, pg_query_csv

ROLE_ITEM = "decision_role"
META_COLUMNS = ["response_id", "contact_id", "duration_seconds", "submitted_at", "account_id", "contact_role",
                "relationship", "stated_role"]


# --------------------------------------------------------------------------------------------- reading

def _json_path(item: str) -> str:
    return '$."' + item.replace('"', '\\"') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _meta_select() -> list[Any]:
    """Response and contact columns (PostgreSQL); the timestamp as text (parsed vectorised, not per row)."""
    return [Response.id, Response.contact_id, Response.duration_seconds,
            type_coerce(Response.submitted_at, String), Contact.account_id, Contact.role, Contact.relationship,
            Response.answers[ROLE_ITEM].as_string()]


def _responses_query(version_ids: Sequence[int], columns: list[Any]):
    return (select(*columns)
            .outerjoin(Contact, Contact.id == Response.contact_id)
            .where(Response.survey_version_id.in_(list(version_ids)), Response.status == "complete")
            .order_by(Response.id))


def _numeric_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Item values as floats: numbers and numeric strings kept, anything else (text, booleans, lists) NaN."""
    def column(values: pd.Series) -> pd.Series:
        plain = values.map(lambda v: None if isinstance(v, (bool, list, dict)) else v)
        return pd.to_numeric(plain, errors="coerce").astype(float)
    return frame.apply(column) if len(frame.columns) else frame.astype(float)


def _read_csv(data: bytes | str, names: list[str], dtypes: dict[str, Any], items: list[str]) -> pd.DataFrame:
    """Parse headerless CSV with the item columns as floats; if any item value is not a number, parse
    those columns as text and turn non-numeric values into NaN (the slow path, for odd data only)."""
    def parse(item_type: Any) -> pd.DataFrame:
        source = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
        return pd.read_csv(source, header=None, names=names, keep_default_na=False,
                           na_values=["", "null"] if item_type is float else [""],
                           dtype={**dtypes, **{name: item_type for name in items}})
    try:
        return parse(float)
    except ValueError:
        frame = parse(str)
        frame[items] = _numeric_frame(frame[items])
        return frame


def _meta_frame(response_id, contact_id, duration, submitted_at, account_id, contact_role, relationship,
                stated_role) -> pd.DataFrame:
    index = pd.Index(np.asarray(response_id, dtype=np.int64), name="response_id")
    stated = pd.Series(stated_role, dtype=object, index=index)
    stated = stated.where(stated.notna() & (stated != ""))
    submitted = pd.Series(submitted_at, dtype=object, index=index)
    try:
        submitted = pd.to_datetime(submitted, utc=True, format="ISO8601")
    except ValueError:
        submitted = pd.to_datetime(submitted, utc=True, format="mixed")
    return pd.DataFrame({
        "contact_id": pd.array(contact_id, dtype="Int64"),
        "account_id": pd.array(account_id, dtype="Int64"),
        "role": stated.fillna(pd.Series(contact_role, dtype=object, index=index)),
        "relationship": pd.Series(relationship, dtype=object, index=index),
        "duration_seconds": pd.to_numeric(pd.Series(duration, dtype=object, index=index),
                                          errors="coerce").astype(float),
        "submitted_at": submitted,
    }, index=index)


_CSV_TEXT = ("submitted_at", "contact_role", "relationship", "stated_role")
_CSV_TYPES = {"response_id": "int64", "contact_id": "Int64", "duration_seconds": float, "account_id": "Int64",
              **{name: object for name in _CSV_TEXT}}


def _frames_from_csv(data: bytes | str, items: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers, meta) from headerless CSV lines: the META_COLUMNS, then one value per item (no lines:
    empty frames)."""
    if not data:  # no rows: nothing for the CSV reader to parse
        meta = _meta_frame(*([()] * len(META_COLUMNS)))
        return pd.DataFrame(np.empty((0, len(items))), index=meta.index, columns=items), meta
    item_names = [f"i{k}" for k in range(len(items))]
    frame = _read_csv(data, META_COLUMNS + item_names, _CSV_TYPES, item_names)
    meta = _meta_frame(*(frame[name].to_numpy(dtype=object) if name in _CSV_TEXT else frame[name].array
                         for name in META_COLUMNS))
    answers = pd.DataFrame(frame[item_names].to_numpy(dtype=float), index=meta.index, columns=items)
    return answers, meta


def _load_postgresql(version_ids: Sequence[int], items: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PostgreSQL writes the rows as CSV itself (COPY ... TO STDOUT), one ``->>`` per item."""
    columns = _meta_select() + [Response.answers[item].as_string() for item in items]
    return _frames_from_csv(pg_query_csv(_responses_query(version_ids, columns)), items)


def _sqlite_csv_field(expression: str) -> str:
    """A text expression as a quoted CSV field (quotes doubled; NULL: an empty field)."""
    return f"""ifnull('"' || replace({expression}, '"', '""') || '"', '')"""


def _sqlite_item_field(path: str) -> str:
    """One item as a CSV field, by its JSON type: numbers as they are, text quoted, anything else empty."""
    value = f"json_extract(answers, {path})"
    return (f"CASE json_type(answers, {path}) WHEN 'integer' THEN {value} WHEN 'real' THEN {value} "
            f"WHEN 'text' THEN {_sqlite_csv_field(value)} ELSE '' END")


def _load_sqlite(version_ids: Sequence[int], items: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SQLite builds one CSV line per response: the meta columns, then the items. ONE ``json_extract``
    with a path per item gives them as a JSON array, whose inside is already a CSV line when every
    value is a number, null or plain text; a response whose array holds a list, an object or an escape
    has its items written one by one by JSON type instead (same query). pandas parses all lines at once."""
    stated = f"json_extract(r.answers, {_sql_string(_json_path(ROLE_ITEM))})"
    meta = " || ',' || ".join([
        "r.id", "ifnull(r.contact_id, '')", "ifnull(printf('%.17g', r.duration_seconds), '')",
        "ifnull(r.submitted_at, '')", "ifnull(c.account_id, '')", _sqlite_csv_field("c.role"),
        _sqlite_csv_field("c.relationship"), _sqlite_csv_field(stated)])
    paths = [_sql_string(_json_path(item)) for item in (items if len(items) != 1 else items * 2)]
    if paths:  # (one item: its path twice, so json_extract still returns an array; the copy is dropped)
        inside = "substr(arr, 2, length(arr) - 2)"
        one_by_one = " || ',' || ".join(_sqlite_item_field(path) for path in paths)
        line = (f"meta || ',' || CASE WHEN instr({inside}, '[') OR instr(arr, '{{') OR instr(arr, '\\') "
                f"THEN {one_by_one} ELSE {inside} END")
        extract = f", json_extract(r.answers, {', '.join(paths)}) AS arr, r.answers AS answers"
    else:
        line, extract = "meta", ""
    marks = ", ".join("?" for _ in version_ids)
    sql = (f"SELECT {line} FROM (SELECT {meta} AS meta{extract} FROM responses AS r "
           f"LEFT OUTER JOIN contacts AS c ON c.id = r.contact_id "
           f"WHERE r.survey_version_id IN ({marks}) AND r.status = 'complete' ORDER BY r.id)")
    cursor = driver_connection().cursor()
    try:
        text = "\n".join(row[0] for row in cursor.execute(sql, tuple(version_ids)).fetchall())
    finally:
        cursor.close()
    answers, meta_frame = _frames_from_csv(text, [f"i{k}" for k in range(len(paths))])
    answers = answers.iloc[:, :len(items)]
    answers.columns = items
    return answers, meta_frame


def load_responses(version_ids: Sequence[int], items: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete responses to the given survey versions, in one query joined to their contacts.

    Returns ``answers`` (index response_id, one float column per item; NaN missing or non-numeric) and
    ``meta`` (index response_id: contact_id, account_id, role, relationship, duration_seconds,
    submitted_at). The role is the response's ``decision_role`` answer when there is one, else the
    contact's role.
    """
    items = list(items)
    if dialect_name() == "postgresql":
        return _load_postgresql(version_ids, items)
    return _load_sqlite(version_ids, items)


# --------------------------------------------------------------------------------------------- writing

def _pg_insert_select(load: dict[str, np.ndarray], insert_sql: str, params: dict[str, Any]) -> None:
    """Binary-COPY ``load`` into a temporary table ``scoring_load``, run ``insert_sql`` (which selects
    from it) with ``params``, drop the temporary table. One server round trip per step, no per-row
    Python; the temporary table is not WAL-logged."""
    with driver_connection().cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.scoring_load")
        cursor.execute("CREATE TEMPORARY TABLE scoring_load ("
                       + ", ".join(f"{name} {pg_column_type(v)}" for name, v in load.items()) + ")")
        pg_copy_binary("scoring_load", load)
        cursor.execute(insert_sql, params)
        cursor.execute("DROP TABLE pg_temp.scoring_load")


def _pg_json_object(prefix: str, constructs: Sequence[str], null: str = "'NaN'") -> str:
    """jsonb_build_object over load columns ``<prefix>0..``, keyed by the %(c<j>)s parameters."""
    pairs = ", ".join(f"%(c{j})s::text, nullif({prefix}{j}, {null})" for j in range(len(constructs)))
    return f"jsonb_build_object({pairs})"


def _sqlite_json_object(constructs: Sequence[str]) -> str:
    """json_object over one ? placeholder per construct (a NULL binds as JSON null)."""
    return "json_object(" + ", ".join(f"{_sql_string(c)}, ?" for c in constructs) + ")"


def _columns(prefix: str, matrix: np.ndarray) -> dict[str, np.ndarray]:
    return {f"{prefix}{j}": matrix[:, j] for j in range(matrix.shape[1])}


def _nullable(matrix: np.ndarray, missing: Any = None) -> list[list[Any]]:
    """Columns of ``matrix`` as Python lists, NaN (or ``missing``) as None."""
    out = []
    for column in matrix.T:
        values = column.tolist()
        absent = np.isnan(column) if missing is None else column == missing
        if absent.any():
            values = [None if a else v for v, a in zip(values, absent.tolist())]
        out.append(values)
    return out


def store_contact_scores(run_id: int, scores: pd.DataFrame, flags: pd.DataFrame,
                         constructs: Sequence[str]) -> None:
    """One ``contact_scores`` row per scored response: scores and z scores as {construct: value} JSON."""
    if scores.empty:
        return
    ids = scores.index.to_numpy(dtype=np.int64)
    values = scores[list(constructs)].to_numpy(dtype=float)
    z = scores[[f"{c}_z" for c in constructs]].to_numpy(dtype=float)
    flag_text = flags["flags"].reindex(scores.index).fillna("")
    excluded = flags["excluded"].reindex(scores.index).fillna(True).to_numpy(dtype=bool)
    if dialect_name() == "postgresql":
        names = {f"c{j}": c for j, c in enumerate(constructs)}
        codes, labels = pd.factorize(flag_text)
        load = {"response_id": ids, **_columns("s", values), **_columns("z", z),
                "flag": codes.astype(np.int64), "excluded": excluded}
        _pg_insert_select(load, (
            "INSERT INTO contact_scores (run_id, response_id, scores, factor_scores, flags, excluded) "
            f"SELECT %(run_id)s, response_id, {_pg_json_object('s', constructs)}, "
            f"{_pg_json_object('z', constructs)}, (%(labels)s::text[])[flag + 1], excluded FROM scoring_load"),
            {"run_id": run_id, "labels": [label or None for label in labels], **names})
        return
    flag_list = flag_text.where(flag_text != "", None).tolist()
    obj = _sqlite_json_object(constructs)
    rows = zip(repeat(run_id), ids.tolist(), *_nullable(values), *_nullable(z), flag_list, excluded.tolist())
    db.session.connection().exec_driver_sql(
        "INSERT INTO contact_scores (run_id, response_id, scores, factor_scores, flags, excluded) "
        f"VALUES (?, ?, {obj}, {obj}, ?, ?)", list(rows))


ACCOUNT_JSON_COLUMNS = ("scores", "low", "high", "observed", "posterior_sd", "n_respondents")
ACCOUNT_FIELDS = ("score", "low", "high", "observed", "sd", "n_respondents")  # aggregate_accounts' columns
_FLOAT_JSON = ACCOUNT_JSON_COLUMNS[:-1]


def store_account_scores(run_id: int, accounts: pd.DataFrame, constructs: Sequence[str]) -> None:
    """One ``account_scores`` row per scored account from ``aggregate_accounts``' long rows (observed
    and sd stored as null where the rows lack them)."""
    if accounts.empty:
        return
    missing = {field: np.nan for field in ACCOUNT_FIELDS if field not in accounts.columns}
    wide = accounts.assign(**missing).pivot(index="account_id", columns="construct", values=list(ACCOUNT_FIELDS))
    ids = wide.index.to_numpy(dtype=np.int64)
    matrices = {name: wide[field].reindex(columns=list(constructs)).to_numpy(dtype=float)
                for name, field in zip(ACCOUNT_JSON_COLUMNS, ACCOUNT_FIELDS)}
    counts = np.nan_to_num(matrices.pop("n_respondents"), nan=-1).astype(np.int64)
    names = {f"c{j}": c for j, c in enumerate(constructs)}
    columns = ", ".join(ACCOUNT_JSON_COLUMNS)
    dialect = dialect_name()
    if dialect == "postgresql":
        load = {"account_id": ids, **_columns("n", counts)}
        for j, name in enumerate(_FLOAT_JSON):
            load.update(_columns(f"f{j}_", matrices[name]))
        objects = ", ".join(_pg_json_object(f"f{j}_", constructs) for j in range(len(_FLOAT_JSON)))
        _pg_insert_select(load, (
            f"INSERT INTO account_scores (run_id, account_id, {columns}) "
            f"SELECT %(run_id)s, account_id, {objects}, {_pg_json_object('n', constructs, '-1')} FROM scoring_load"),
            {"run_id": run_id, **names})
        return
    lists = [_nullable(matrices[name]) for name in _FLOAT_JSON] + [_nullable(counts, missing=-1)]
    obj = _sqlite_json_object(constructs)
    rows = zip(repeat(run_id), ids.tolist(), *(column for part in lists for column in part))
    db.session.connection().exec_driver_sql(
        f"INSERT INTO account_scores (run_id, account_id, {columns}) "
        f"VALUES (?, ?, {', '.join([obj] * len(ACCOUNT_JSON_COLUMNS))})", list(rows))


def account_scores_frame(run_id: int) -> pd.DataFrame:
    """A run's account scores as long rows: account_id (accounts.id), construct, score (estimate),
    low, high, n_respondents, observed, sd; constructs an account has no score on are left out
    (observed and sd are NaN for runs stored before they were kept)."""
    rows = db.session.execute(select(AccountScore.account_id, AccountScore.scores, AccountScore.low,
                                     AccountScore.high, AccountScore.n_respondents, AccountScore.observed,
                                     AccountScore.posterior_sd)
                              .where(AccountScore.run_id == run_id).order_by(AccountScore.account_id)).all()
    long = [(account, c, score, low[c], high[c], n[c], (observed or {}).get(c), (sd or {}).get(c))
            for account, scores, low, high, n, observed, sd in rows for c, score in scores.items()
            if score is not None]
    frame = pd.DataFrame(long, columns=["account_id", "construct", "score", "low", "high", "n_respondents",
                                        "observed", "sd"])
    return frame.astype({"account_id": "int64", "score": float, "low": float, "high": float,
                         "n_respondents": "int64", "observed": float, "sd": float})


def store_scores(run_id: int, scores: pd.DataFrame, flags: pd.DataFrame, accounts: pd.DataFrame,
                 constructs: Sequence[str]) -> None:
    """Bulk-insert a run's contact scores and account scores (the caller commits)."""
    store_contact_scores(run_id, scores, flags, constructs)
    store_account_scores(run_id, accounts, constructs)


# --------------------------------------------------------------------------------------------- summary

def _stored_fitted_scores(run_id: int, constructs: Sequence[str]) -> tuple[pd.DataFrame, pd.Series]:
    """A run's stored 0-100 scores of its unflagged responses (a column per construct, the database
    extracting each from the JSON) and each response's relationship type (its contact's, today)."""
    statement = (select(ContactScore.response_id, Contact.relationship,
                        *(ContactScore.scores[c].as_float() for c in constructs))
                 .join(Response, Response.id == ContactScore.response_id)
                 .outerjoin(Contact, Contact.id == Response.contact_id)
                 .where(ContactScore.run_id == run_id, ContactScore.excluded.is_(False)))
    rows = db.session.execute(statement).all()
    frame = pd.DataFrame(rows, columns=["response_id", "relationship", *constructs]).set_index("response_id")
    return frame[list(constructs)].astype(float), frame["relationship"]


def run_summary(run: ScoringRun) -> dict[str, Any]:
    """The figures the run page and its charts show about ``run``'s scores (``core.scoring.summary``).

    Stored with the run when it is scored; a run stored before summaries were kept gets its summary
    computed once from its stored scores, and kept (committed)."""
    if run.summary is None:
        constructs = list(run.diagnostics.get("constructs", []))
        scores, relationship = _stored_fitted_scores(run.id, constructs)
        run.summary = score_summary(scores, relationship, constructs)
        db.session.commit()
    return run.summary
