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


def text_at(defn: Any, path: str) -> Any:
    """The text (plain string or ``{language: text}``) stored at a path that :func:`iter_texts` yields."""
    from .wording import split_path

    entry = defn
    for step in split_path(path):
        if isinstance(entry, list) and isinstance(step, int) and step < len(entry):
            entry = entry[step]
        elif isinstance(entry, dict):
            entry = entry.get(step, entry.get(_int_key(step)))
        else:
            return None
    return entry


def _int_key(step: Any) -> Any:
    try:
        return int(step)
    except (TypeError, ValueError):
        return step


def with_translations(defn: dict, language: str, texts: dict[str, str]) -> dict:
    """Copy of ``defn`` with ``texts`` ({path: text}) set as the ``language`` version of each text.

    A plain string becomes ``{default: string, language: text}``; an empty text removes that
    language's version. Paths that hold no text are ignored.
    """
    import copy

    from .wording import split_path

    result = copy.deepcopy(defn)
    default = declared_languages(result)[0]
    known = dict(iter_texts(result))
    for path, text in texts.items():
        if path not in known:
            continue
        old = known[path]
        mapping = dict(old) if isinstance(old, dict) else {default: old}
        if text.strip():
            mapping[language] = text.strip()
        else:
            mapping.pop(language, None)
        *parents, last = split_path(path)
        holder = result
        for step in parents:
            holder = holder[step] if isinstance(holder, list) else holder.get(step, holder.get(_int_key(step)))
        key = last if last in holder else _int_key(last)
        holder[key] = mapping if len(mapping) > 1 else mapping.get(default, "")
    return result


def with_language(defn: dict, code: str) -> dict:
    """Copy of ``defn`` that declares one more language (its texts still to be translated)."""
    import copy

    result = copy.deepcopy(defn)
    languages = declared_languages(result)
    if code not in languages:
        result["languages"] = [*languages, code]
    return result
