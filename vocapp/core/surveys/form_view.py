"""Plain, localised view data for rendering a page of a questionnaire (templates/surveys/_form.html).

Templates receive only strings, numbers and booleans from here, so the one set of Jinja macros
can render any definition; all text is escaped by Jinja's autoescaping.
"""
from __future__ import annotations

from typing import Any

from .answers import NOT_APPLICABLE, condition_met, field_name, next_page_index, visible_item_ids
from .messages import Message
from .model import NPS_RANGE, declared_languages, entries_by_id, items_by_id, localise

#: the hint under an item whose show_if compares an earlier answer on the same page, per operator
#: (templates without values: the hint is made from one with the question and value filled in)
_OPERATOR_HINTS = {
    "==": Message("Answer this only if your answer to “%(question)s” was exactly %(value)s."),
    "!=": Message("Answer this only if your answer to “%(question)s” was anything other than %(value)s."),
    ">": Message("Answer this only if your answer to “%(question)s” was more than %(value)s."),
    ">=": Message("Answer this only if your answer to “%(question)s” was at least %(value)s."),
    "<": Message("Answer this only if your answer to “%(question)s” was less than %(value)s."),
    "<=": Message("Answer this only if your answer to “%(question)s” was at most %(value)s."),
}


def page_view(defn: dict, page_index: int, answers: dict[str, Any] | None = None,
              errors: dict[str, str] | None = None, language: str | None = None) -> dict:
    """View data for page ``page_index``: title, intro and the items a respondent sees.

    Items whose ``show_if`` depends on an earlier page are left out when the condition is not met;
    items depending on the same page are included with ``show_if`` data (a script may hide them,
    and without a script a hint says when to answer them).
    """
    answers, errors = answers or {}, errors or {}
    languages = declared_languages(defn)
    lang = language if language in languages else languages[0]
    page = defn["pages"][page_index]
    page_item_ids = {item["id"] for item in page["items"]}
    visible = visible_item_ids(defn, answers)
    items = []
    for item in page["items"]:
        condition = item.get("show_if")
        same_page_condition = bool(condition) and condition.get("item") in page_item_ids
        if condition and not same_page_condition and item["id"] not in visible:
            continue
        items.append(_item_view(defn, item, answers, errors.get(item["id"]), lang, languages,
                                same_page_condition))
    return {
        "id": page["id"], "index": page_index, "number": page_index + 1, "count": len(defn["pages"]),
        "title": localise(page.get("title"), lang, languages), "intro": localise(page.get("intro"), lang, languages),
        "items": items, "language": lang,
        "is_first": next_page_index(defn, page_index, answers, -1) is None,
        "is_last": next_page_index(defn, page_index, answers, 1) is None,
    }


def _item_view(defn: dict, item: dict, answers: dict[str, Any], error: str | None, lang: str,
               languages: list[str], same_page_condition: bool) -> dict:
    item_id, kind = item["id"], item["type"]
    answer = answers.get(item_id)
    view: dict[str, Any] = {
        "id": item_id, "type": kind, "name": field_name(item_id), "dom_id": f"item-{item_id}",
        "text": localise(item.get("text"), lang, languages), "help": localise(item.get("help"), lang, languages),
        "required": bool(item.get("required")), "error": error, "value": "" if answer is None else answer,
        "points": [], "options": [], "not_applicable": None, "show_if": None, "condition_hint": "",
        "min": item.get("min"), "max": item.get("max"),
    }
    if kind == "likert":
        scale = entries_by_id(defn, "scales").get(item.get("scale"), {})
        labels = scale.get("labels") or {}
        # label keys are ints in a parsed file and strings once stored as JSON
        view["points"] = [_choice(view, point, localise(labels.get(point, labels.get(str(point))), lang, languages)
                                  or str(point),
                                  answer == point, item_id in answers)
                          for point in range(scale.get("min", 1), scale.get("max", 0) + 1)]
        if scale.get("not_applicable"):
            view["not_applicable"] = _choice(view, NOT_APPLICABLE,
                                             localise(scale["not_applicable"], lang, languages),
                                             item_id in answers and answer is None, True)
    elif kind == "nps":
        view["points"] = [_choice(view, point, str(point), answer == point, True)
                          for point in range(NPS_RANGE[0], NPS_RANGE[1] + 1)]
    elif kind in ("single_choice", "multi_choice"):
        chosen = answer if isinstance(answer, list) else [answer]
        view["options"] = [_choice(view, option["value"], localise(option.get("label"), lang, languages),
                                   option["value"] in chosen, True) for option in item.get("options", [])]
    choices = view["points"] or view["options"]
    #: where the error summary's link puts the focus: the first radio/checkbox, or the text box
    view["focus_id"] = choices[0]["id"] if choices else f"{view['dom_id']}-input"
    if same_page_condition:
        condition = item["show_if"]
        view["show_if"] = {"field": field_name(condition["item"]), "in": condition.get("in"),
                           "op": condition.get("op"), "value": condition.get("value"),
                           "met": condition_met(condition, answers)}
        view["condition_hint"] = _condition_hint(defn, condition, lang, languages)
    return view


def _choice(view: dict, value: Any, label: str, checked: bool, answered: bool) -> dict:
    return {"value": value, "label": label, "checked": bool(checked and answered),
            "id": f"{view['dom_id']}-{value}"}


def _condition_hint(defn: dict, condition: dict, lang: str, languages: list[str]) -> str:
    target = items_by_id(defn).get(condition["item"])
    if target is None:
        return ""
    question = localise(target.item.get("text"), lang, languages)
    if "in" in condition:
        labels = {option["value"]: localise(option.get("label"), lang, languages)
                  for option in target.item.get("options", [])}
        chosen = [f"“{labels.get(value, value)}”" for value in condition["in"]]
        if len(chosen) == 1:
            return Message("Answer this only if you chose %(choice)s for “%(question)s”.", choice=chosen[0],
                           question=question)
        return Message("Answer this only if you chose %(choices)s or %(last)s for “%(question)s”.",
                       choices=", ".join(chosen[:-1]), last=chosen[-1], question=question)
    hint = _OPERATOR_HINTS.get(condition.get("op"))
    if hint is None:
        return ""
    return Message(hint.template, question=question, value=condition.get("value"))
