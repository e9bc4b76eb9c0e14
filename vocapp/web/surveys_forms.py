"""Forms of the Surveys pages, and conversion between an item form and an item dict."""
from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from vocapp.core.surveys import (CHOICE_TYPES, ITEM_TYPES, NUMERIC_TYPES, entries_by_id, iter_items, localise)
from vocapp.core.surveys.answers import OPERATORS
from vocapp.core.surveys.editing import set_text


class CreateSurveyForm(FlaskForm):
    slug = StringField("Survey id", validators=[DataRequired(), Length(max=64)])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])


class UploadForm(FlaskForm):
    file = FileField("Definition file (YAML or JSON)", validators=[FileRequired()])


class SettingsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    description = TextAreaField("Description (shown before the first page)", validators=[Optional()])
    thank_you = TextAreaField("Thank-you message", validators=[Optional()])


class PageForm(FlaskForm):
    page_id = StringField("Page id", validators=[DataRequired(), Length(max=64)])
    title = StringField("Title", validators=[DataRequired()])
    intro = TextAreaField("Introduction", validators=[Optional()])


class ConstructForm(FlaskForm):
    construct_id = StringField("Construct id", validators=[DataRequired(), Length(max=64)])
    label = StringField("Label", validators=[DataRequired()])
    description = TextAreaField("What it means", validators=[Optional()])


class ItemForm(FlaskForm):
    item_id = StringField("Item id", validators=[DataRequired(), Length(max=64)])
    type = SelectField("Type", choices=[SelectChoice(kind) for kind in ITEM_TYPES])
    text = TextAreaField("Question or statement", validators=[DataRequired()])
    help = TextAreaField("Help text", validators=[Optional()])
    required = BooleanField("Answer required")
    scale = SelectField("Scale (likert)", choices=[])
    construct = SelectField("Construct (likert)", choices=[])
    reverse = BooleanField("Reverse-keyed (likert): agreeing means less of the construct")
    options = TextAreaField("Options (choice items): one per line, as value | label", validators=[Optional()])
    number_min = StringField("Smallest answer (number items)", validators=[Optional()])
    number_max = StringField("Largest answer (number items)", validators=[Optional()])
    show_if_item = SelectField("Show only if this earlier item…", choices=[])
    show_if_values = StringField("…has one of these answers (comma-separated values)", validators=[Optional()])
    show_if_op = SelectField("…or compares", choices=[SelectChoice("", "—")] + [SelectChoice(op) for op in OPERATORS])
    show_if_value = StringField("…with this number", validators=[Optional()])

    #: validator paths (after ``pages[p].items[i]``) shown next to each field
    FIELD_FOR_PATH = {"id": "item_id", "type": "type", "text": "text", "help": "help", "required": "required",
                      "scale": "scale", "construct": "construct", "reverse": "reverse", "options": "options",
                      "min": "number_min", "max": "number_max", "show_if": "show_if_item"}


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Add each field's problem (from ``item_from_form``/``scale_from_form``) to that field of ``form``."""
    for name, message in errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]


def set_item_choices(form: ItemForm, defn: dict, page_index: int, item_index: int) -> None:
    """Scales, constructs and earlier items of ``defn`` as the form's select choices."""
    form.scale.choices = [SelectChoice("", "—")] + [SelectChoice(key) for key in entries_by_id(defn, "scales")]
    form.construct.choices = [SelectChoice("", "—")] + [
        SelectChoice(key, f"{key}: {localise(entry.get('label'))}")
        for key, entry in entries_by_id(defn, "constructs").items()]
    earlier = []
    for ref in iter_items(defn):
        if (ref.page_index, ref.item_index) >= (page_index, item_index):
            break
        earlier.append(SelectChoice(ref.item["id"], f"{ref.item['id']}: {localise(ref.item.get('text'))[:60]}"))
    form.show_if_item.choices = [SelectChoice("", "— always show —")] + earlier


def fill_item_form(form: ItemForm, item: dict) -> None:
    """Put an item's values into the form (default-language text)."""
    form.item_id.data = item.get("id", "")
    form.type.data = item.get("type", "text")
    form.text.data = localise(item.get("text"))
    form.help.data = localise(item.get("help"))
    form.required.data = bool(item.get("required"))
    form.scale.data = item.get("scale", "")
    form.construct.data = item.get("construct", "")
    form.reverse.data = bool(item.get("reverse"))
    options = item.get("options") if isinstance(item.get("options"), list) else []
    form.options.data = "\n".join(f"{option.get('value', '')} | {localise(option.get('label'))}"
                                  for option in options if isinstance(option, dict))
    form.number_min.data = _plain(item.get("min"))
    form.number_max.data = _plain(item.get("max"))
    condition = item.get("show_if") if isinstance(item.get("show_if"), dict) else {}
    form.show_if_item.data = condition.get("item", "")
    values = condition.get("in") if isinstance(condition.get("in"), list) else []
    form.show_if_values.data = ", ".join(str(value) for value in values)
    form.show_if_op.data = condition.get("op", "")
    form.show_if_value.data = _plain(condition.get("value"))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def item_from_form(form: ItemForm, old: dict, defn: dict) -> tuple[dict, dict[str, str]]:
    """Build the item the form describes; returns ``(item, {field name: error})`` for unreadable input."""
    errors: dict[str, str] = {}
    kind = form.type.data
    item: dict[str, Any] = {"id": form.item_id.data.strip(), "type": kind,
                            "text": set_text(old.get("text"), form.text.data.strip(), defn)}
    if form.help.data and form.help.data.strip():
        item["help"] = set_text(old.get("help"), form.help.data.strip(), defn)
    if form.required.data:
        item["required"] = True
    condition = _condition_from_form(form, defn, errors)
    if condition:
        item["show_if"] = condition
    if kind == "likert":
        for key, entries in (("scale", "scales"), ("construct", "constructs")):
            choices = list(entries_by_id(defn, entries))
            chosen = getattr(form, key).data or (choices[0] if len(choices) == 1 else None)
            if chosen:  # the only scale (or construct) is the obvious choice when none was picked
                item[key] = chosen
        if form.reverse.data:
            item["reverse"] = True
    if kind in CHOICE_TYPES:
        item["options"] = _options_from_text(form.options.data or "", old, defn, errors)
    if kind == "number":
        for field, key in ((form.number_min, "min"), (form.number_max, "max")):
            if field.data and field.data.strip():
                number = _number(field.data)
                if number is None:
                    errors[field.name] = f"'{field.data}' is not a number"
                else:
                    item[key] = number
    return item, errors


def _number(text: str) -> int | float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "option"


def _options_from_text(text: str, old: dict, defn: dict, errors: dict[str, str]) -> list[dict]:
    old_options = old.get("options") if isinstance(old.get("options"), list) else []
    old_labels = {option.get("value"): option.get("label") for option in old_options if isinstance(option, dict)}
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, _, label = line.partition("|")
        value, label = value.strip(), label.strip()
        if not label:
            value, label = _slug(value), value
        options.append({"value": value, "label": set_text(old_labels.get(value), label, defn)})
    if not options:
        errors["options"] = "give at least one option, one per line as value | label"
    return options


def _condition_from_form(form: ItemForm, defn: dict, errors: dict[str, str]) -> dict | None:
    target_id = form.show_if_item.data
    if not target_id:
        return None
    target = next((ref.item for ref in iter_items(defn) if ref.item.get("id") == target_id), {})
    if form.show_if_op.data:
        value = _number(form.show_if_value.data or "")
        if value is None:
            errors["show_if_value"] = "give the number to compare the answer with"
            return None
        return {"item": target_id, "op": form.show_if_op.data, "value": value}
    raw = [value.strip() for value in (form.show_if_values.data or "").split(",") if value.strip()]
    if not raw:
        errors["show_if_values"] = "give the answers that show this item, or an operator and a number"
        return None
    numeric = target.get("type") in NUMERIC_TYPES
    values: list[Any] = [int(value) if numeric and value.lstrip("-").isdigit() else value for value in raw]
    return {"item": target_id, "in": values}


def item_summary(defn: dict, item: dict) -> str:
    """One line describing an item for the draft overview."""
    parts = [item.get("type", "?")]
    if item.get("type") == "likert":
        parts.append(f"{item.get('construct', '?')} on {item.get('scale', '?')}")
        if item.get("reverse"):
            parts.append("reverse-keyed")
    if item.get("required"):
        parts.append("required")
    condition = item.get("show_if")
    if isinstance(condition, dict):
        rule = (f"in {', '.join(map(str, condition['in']))}" if "in" in condition
                else f"{condition.get('op')} {condition.get('value')}")
        parts.append(f"shown if {condition.get('item')} {rule}")
    return " · ".join(parts)



class ScaleForm(FlaskForm):
    scale_id = StringField("Scale id", validators=[DataRequired(), Length(max=64)])
    minimum = StringField("Lowest point", validators=[DataRequired()])
    maximum = StringField("Highest point", validators=[DataRequired()])
    labels = TextAreaField("Point labels: one per line, as point | label", validators=[Optional()])
    not_applicable = StringField("“Not applicable” answer (empty: none)", validators=[Optional(), Length(max=200)])


def fill_scale_form(form: ScaleForm, scale: dict) -> None:
    """Show ``scale`` in the form (default-language labels)."""
    form.scale_id.data, form.minimum.data, form.maximum.data = scale.get("id"), str(scale.get("min", "")), \
        str(scale.get("max", ""))
    labels = scale.get("labels") if isinstance(scale.get("labels"), dict) else {}
    form.labels.data = "\n".join(f"{point} | {localise(label)}" for point, label in sorted(labels.items()))
    form.not_applicable.data = localise(scale.get("not_applicable"))


def scale_from_form(form: ScaleForm, old: dict, defn: dict) -> tuple[dict, dict[str, str]]:
    """The scale the form describes, keeping other languages' labels; ``(scale, {field: error})``."""
    errors: dict[str, str] = {}
    bounds = {}
    for field, key in ((form.minimum, "min"), (form.maximum, "max")):
        number = _number(field.data or "")
        if not isinstance(number, int):
            errors[field.name] = f"'{field.data}' is not a whole number"
        bounds[key] = number
    scale: dict[str, Any] = {"id": form.scale_id.data.strip(), **bounds}
    old_labels = old.get("labels") if isinstance(old.get("labels"), dict) else {}
    labels: dict[int, Any] = {}
    for line in (form.labels.data or "").splitlines():
        if not line.strip():
            continue
        point_text, _, label = line.partition("|")
        point = _number(point_text)
        if not isinstance(point, int) or not label.strip():
            errors[form.labels.name] = f"'{line.strip()}' is not 'point | label' with a whole-number point"
            continue
        labels[point] = set_text(old_labels.get(point), label.strip(), defn)
    if labels:
        scale["labels"] = labels
    if form.not_applicable.data and form.not_applicable.data.strip():
        scale["not_applicable"] = set_text(old.get("not_applicable"), form.not_applicable.data.strip(), defn)
    return scale, errors
