"""Exports and reports, pure over pandas: the codebook, row shaping, spreadsheet safety, streaming
writers (CSV, Excel, SPSS, Parquet, JSON) and the results report's statistics with small-group
suppression."""
from .codebook import (CODEBOOK_VARIABLES, EXPORT_KINDS, KINDS, Variable, account_variables, codebook_rows,
                       contact_variables, merged_items, option_columns, response_variables)
from .safety import FORMULA_PREFIXES, neutralise, neutralise_frame, neutralise_series
from .shaping import conform, shape_accounts, shape_contacts, shape_responses
from .writers import FORMATS, MEDIA_TYPES, STREAMED_FORMATS, iter_csv, iter_json, write_file

__all__ = [
    "CODEBOOK_VARIABLES", "EXPORT_KINDS", "FORMATS", "FORMULA_PREFIXES", "KINDS", "MEDIA_TYPES",
    "STREAMED_FORMATS", "Variable", "account_variables", "codebook_rows", "conform", "contact_variables",
    "iter_csv", "iter_json", "merged_items", "neutralise", "neutralise_frame", "neutralise_series",
    "option_columns", "response_variables", "shape_accounts", "shape_contacts", "shape_responses", "write_file",
]
