"""Every piece of respondent- or staff-facing text in a definition, and translation checks."""
from __future__ import annotations

from typing import Any, Iterator

from .model import declared_languages, dict_entries, iter_items
from .problems import key_path

SURVEY_TEXT_KEYS = ("title", "description", "thank_you")
CONSTRUCT_TEXT_KEYS = ("label", "description")
PAGE_TEXT_KEYS = ("title", "intro")
ITEM_TEXT_KEYS = ("text", "help")


def iter_texts(defn: Any) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, text)`` for every text field present in ``defn``."""
    if not isinstance(defn, dict):
        return
    yield from _present(defn, "", SURVEY_TEXT_KEYS)
    for _, path, construct in dict_entries(defn, "constructs"):
        yield from _present(construct, path, CONSTRUCT_TEXT_KEYS)
    for _, path, scale in dict_entries(defn, "scales"):
        labels = scale.get("labels")
        if isinstance(labels, dict):
            for point, label in labels.items():
                yield key_path(key_path(path, "labels"), point), label
        yield from _present(scale, path, ("not_applicable",))
    for _, path, page in dict_entries(defn, "pages"):
        yield from _present(page, path, PAGE_TEXT_KEYS)
    for ref in iter_items(defn):
        yield from _present(ref.item, ref.path, ITEM_TEXT_KEYS)
        for _, option_path, option in dict_entries(ref.item, "options", ref.path):
            yield from _present(option, option_path, ("label",))


def _present(entry: dict, parent: str, keys: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for key in keys:
        if key in entry:
            yield key_path(parent, key), entry[key]


def translation_problems(defn: Any) -> Iterator[tuple[str, str]]:
    """``(path, message)`` for each text lacking a declared language or using an undeclared one.

    A plain string counts as the default (first) language only, so a survey
    declaring more than one language needs mappings everywhere.
    """
    languages = declared_languages(defn)
    for path, text in iter_texts(defn):
        if isinstance(text, str):
            missing = languages[1:]
            if missing:
                yield path, (f"missing translation for {_names(missing)}: plain text counts as "
                             f"'{languages[0]}' only; give a mapping such as {{{languages[0]}: ..., {missing[0]}: ...}}")
        elif isinstance(text, dict) and text:
            missing = [code for code in languages if code not in text]
            if missing:
                yield path, f"missing translation for {_names(missing)}"
            for code in text:
                if code not in languages:
                    yield key_path(path, code), (f"language '{code}' is not declared in 'languages' "
                                                 f"({', '.join(languages)})")


def _names(codes: list[str]) -> str:
    quoted = [f"'{code}'" for code in codes]
    return f"language {quoted[0]}" if len(quoted) == 1 else "languages " + ", ".join(quoted)
