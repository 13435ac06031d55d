"""The events a submitted record produces: the bridge from what workers record to what rules evaluate."""
from __future__ import annotations

from typing import Any, Mapping

from hearth.rules.conditions import holds

from .model import FormDefinition, Produce


def events_from(defn: FormDefinition, answers: Mapping[str, Any]) -> list[dict]:
    """Case-document events ({"type", "on", ...fields}) for answers that passed validation (JSON).

    An event is left out when its date is unanswered or its ``when`` does not hold;
    event fields whose answer is empty are left out. An entry with ``each`` is read once for
    every row of its group, the row's answers standing beside (and before) the form's.
    """
    out = []
    for p in defn.produces:
        if p.each:
            unanswered = {f.id: None for f in defn.field(p.each).fields}  # a row's blank is its own, not the form's
            rows = answers.get(p.each) or []
            out.extend(event for row in rows if isinstance(row, Mapping)
                       for event in _produced(p, {**answers, **unanswered, **row}))
        else:
            out.extend(_produced(p, answers))
    return out


def _produced(p: Produce, answers: Mapping[str, Any]) -> list[dict]:
    """The events one entry of ``produces`` makes from these answers."""
    out = []
    on = answers.get(p.on)
    if on and (p.when is None or holds(p.when, answers)):
        fields: dict = {}
        for name, source in p.fields:
            value = _value(source, answers)
            if value is not None and value != [] and value != "":
                fields[name] = value
        if p.event_from:
            chosen = answers.get(p.event_from)
            types = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        else:
            types = [p.event]
        for t in types:
            known = p.type_fields.get(t)
            out.append({"type": t, "on": on, **{k: v for k, v in fields.items() if known is None or k in known}})
    return out


def _value(source: tuple, answers: Mapping[str, Any]) -> Any:
    if source[0] == "value":
        return source[1]
    _, answer_id, mapping = source
    value = answers.get(answer_id)
    if mapping is not None:
        return mapping.get(value) if value is not None else None
    return value
