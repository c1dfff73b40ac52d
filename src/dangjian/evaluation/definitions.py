"""An evaluation form's definition as data: the default forms come from data/evaluation.yaml (a copy of
shared/domain/evaluation.yaml), organizers copy and edit them per program.

A definition is JSON of one shape for every kind of form:

    {"levels": [{"value": 4, "zh": "非常满意", "en": "Very satisfied"}, ...],   # the scale, best first
     "level_points": {"4": 20, "3": 15, "2": 10, "1": 5},                    # level -> points (cards)
     "dimensions": [{"id": "relevance", "zh": ..., "en": ...}, ...],          # rated on the scale
     "onsite_dimensions": [{"id": ..., "zh": ..., "en": ...}],               # added for on-site sessions
     "choices": [{"id": ..., "zh": ..., "en": ..., "max_select": 3,
                  "options": [{"id": ..., "zh": ..., "en": ...}] | "options_source": "class_sessions"}],
     "open_questions": [{"id": ..., "zh": ..., "en": ..., "required": false}],
     "unit_items": [...]}                                                     # follow-up: the unit answers

`validate_definition` says what is wrong in words naming the row; nothing else reads unchecked JSON.
"""

import re
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dangjian.evaluation.enums import FormKind

YAML_PATH = Path(__file__).resolve().parent / "data" / "evaluation.yaml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LIST_KEYS = ("dimensions", "onsite_dimensions", "choices", "open_questions", "unit_items")
MAX_ROWS = 40
TEXT_MAX = 200


def label(row: dict) -> str:
    """A row's words in the interface language (Chinese when no English is given)."""
    if (get_language() or "zh").startswith("en") and row.get("en"):
        return row["en"]
    return row.get("zh") or row.get("en") or ""


def _row(item: dict) -> dict:
    return {"id": item["id"], "zh": item.get("zh", ""), "en": item.get("en", "")}


def _options(options) -> list[dict]:
    return [_row(option) for option in options]


@cache
def yaml_data() -> dict:
    return yaml.safe_load(YAML_PATH.read_text(encoding="utf-8"))


def _section(data: dict, section_id: str) -> dict:
    return next(section for section in data["sections"] if section["id"] == section_id)


def default_definitions() -> dict[str, dict]:
    """{kind: {"title_zh", "title_en", "definition"}} from evaluation.yaml."""
    data = yaml_data()
    scale = data["scales"]["likert4"]
    levels = [{"value": level["value"], "zh": level["zh"], "en": level["en"]} for level in scale["levels"]]
    card = _section(data, "session_card")
    forms = {FormKind.SESSION_CARD: {
        "title_zh": card["title"]["zh"], "title_en": card["title"]["en"],
        "definition": {
            "levels": levels,
            "level_points": {str(level): points for level, points in card["level_points"].items()},
            "dimensions": [_row(item) for item in card["dimensions"]],
            "onsite_dimensions": [_row(item) for item in card.get("extra_dimensions_onsite", [])],
            "choices": [],
            "open_questions": [{**_row(item), "required": bool(item.get("required", False))}
                               for item in card.get("open_questions", [])],
            "unit_items": [],
        }}}
    for kind, section_id in ((FormKind.PROGRAMME, "programme"), (FormKind.FOLLOW_UP, "follow_up")):
        section = _section(data, section_id)
        definition = {"levels": levels, "level_points": {}, "dimensions": [], "onsite_dimensions": [],
                      "choices": [], "open_questions": [], "unit_items": []}
        for item in section["items"]:
            if item.get("respondent") == "unit_party_group":
                definition["unit_items"].append({**_row(item), "type": item["type"]})
            elif item["type"] == "likert4":
                definition["dimensions"].append(_row(item))
            elif item["type"] == "text":
                definition["open_questions"].append({**_row(item), "required": bool(item.get("required", False))})
            elif item.get("parts"):  # one question in parts: each part is a choice of its own
                for part in item["parts"]:
                    definition["choices"].append({**_row(part), "max_select": part.get("max_select", 1),
                                                  "options_source": item["options_source"]})
            else:
                definition["choices"].append({
                    **_row(item), "max_select": len(item["options"]) if item.get("multiple") else 1,
                    "options": _options(item["options"])})
        forms[kind] = {"title_zh": section["title"]["zh"], "title_en": section["title"]["en"],
                       "definition": definition}
    return forms


def _check_rows(rows, key: str, errors: list[str], ids: set) -> None:
    if not isinstance(rows, list):
        errors.append(_("“%(key)s” must be a list.") % {"key": key})
        return
    if len(rows) > MAX_ROWS:
        errors.append(_("“%(key)s” has more than %(max)d rows.") % {"key": key, "max": MAX_ROWS})
    for number, row in enumerate(rows, start=1):
        where = {"key": key, "row": number}
        if not isinstance(row, dict):
            errors.append(_("%(key)s, row %(row)d: not a row.") % where)
            continue
        ident = row.get("id")
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            errors.append(_("%(key)s, row %(row)d: the id must be lower-case letters, digits and “_”, starting "
                            "with a letter.") % where)
        elif ident in ids:
            errors.append(_("%(key)s, row %(row)d: the id “%(id)s” is used twice.") % {**where, "id": ident})
        ids.add(ident)
        if not str(row.get("zh") or "").strip():
            errors.append(_("%(key)s, row %(row)d: the Chinese wording is missing.") % where)
        for language in ("zh", "en"):
            if len(str(row.get(language) or "")) > TEXT_MAX:
                errors.append(_("%(key)s, row %(row)d: the wording is longer than %(max)d characters.")
                              % {**where, "max": TEXT_MAX})
        if key == "choices":
            if not (isinstance(row.get("max_select"), int) and row["max_select"] >= 1):
                errors.append(_("%(key)s, row %(row)d: say how many options may be chosen (at least 1).") % where)
            if row.get("options_source") not in (None, "class_sessions"):
                errors.append(_("%(key)s, row %(row)d: unknown source of options.") % where)
            elif row.get("options_source") is None:
                options = row.get("options")
                if not isinstance(options, list) or not options:
                    errors.append(_("%(key)s, row %(row)d: a choice needs options.") % where)
                else:
                    _check_rows(options, f"{key} {number}", errors, set())


def validate_definition(definition, *, kind: str) -> None:
    """ValidationError naming each wrong row; a card needs at least one dimension and the points of every
    level."""
    errors: list[str] = []
    if not isinstance(definition, dict):
        raise ValidationError({"definition": _("The definition must be an object.")})
    levels = definition.get("levels")
    if not isinstance(levels, list) or len(levels) < 2 or not all(
            isinstance(level, dict) and isinstance(level.get("value"), int) and level.get("zh") for level in levels):
        errors.append(_("The scale needs at least two levels, each with a number and its words."))
        values = []
    else:
        values = [level["value"] for level in levels]
        if len(set(values)) != len(values):
            errors.append(_("Two levels of the scale have the same number."))
    ids: set = set()
    for key in LIST_KEYS:
        _check_rows(definition.get(key, []), key, errors, ids if key != "unit_items" else set())
    if kind == FormKind.SESSION_CARD:
        if not definition.get("dimensions"):
            errors.append(_("A session card needs at least one dimension."))
        points = definition.get("level_points")
        if not isinstance(points, dict) or {str(value) for value in values} - set(points) or not all(
                isinstance(value, int | float) and value >= 0 for value in points.values()):
            errors.append(_("Give the points of every level of the scale."))
    elif kind in FormKind.values and not (definition.get("dimensions") or definition.get("choices")
                                          or definition.get("open_questions")):
        errors.append(_("The form has no question."))
    if errors:
        raise ValidationError({"definition": errors})


def dimensions_for(definition: dict, *, teaching_form: str | None = None) -> list[dict]:
    """The rated rows of a form; for a session of an on-site teaching form, the on-site dimensions too."""
    from dangjian.evaluation.enums import ONSITE_FORMS

    rows = list(definition.get("dimensions", []))
    if teaching_form in ONSITE_FORMS:
        rows += definition.get("onsite_dimensions", [])
    return rows
