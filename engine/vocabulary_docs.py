"""The vocabulary as a page a policy officer reads: docs/vocabulary.md.

Written from the vocabulary as the engine reads it (engine/vocabulary.yaml, or a council's
policy version with its additions), never by hand: `hearth policy vocabulary` prints it and
tests/test_vocabulary_docs.py fails when docs/vocabulary.md is out of step.
"""
from __future__ import annotations

from .policy_model import PolicyVersion
from .vocabulary import EventField, Vocabulary, shared_vocabulary

REGENERATE = "hearth policy vocabulary > docs/vocabulary.md"

_KINDS = {
    "text": "text",
    "number": "a number",
    "boolean": "`true` or `false`",
    "date": "a date, `YYYY-MM-DD`",
    "role": "one role",
    "roles": "a list of roles",
    "action": "one of the gated actions",
    "placement_type": "one of the placement types",
    "choice": "one of its values",
    "list": "a list",
}


def shared_vocabulary_page() -> str:
    """docs/vocabulary.md: the shared vocabulary of engine/vocabulary.yaml."""
    return vocabulary_markdown(shared_vocabulary(), "The shared vocabulary", (
        f"Generated from `engine/vocabulary.yaml` by `{REGENERATE}`; do not edit it by hand. "
        "Every council's policy starts from these words and may add its own under `vocabulary:` "
        "(docs/policy-language.md). `hearth policy vocabulary COUNCIL` prints a council's, additions included."))


def council_vocabulary_page(version: PolicyVersion) -> str:
    """A council's words: the shared vocabulary with the additions of one policy version."""
    council = version.council
    return vocabulary_markdown(version.vocabulary, f"{council.name}: the vocabulary", (
        f"The shared vocabulary with {council.short_name or council.name}'s additions, as policy version "
        f"{version.version} has them (`hearth policy vocabulary {council.id}`)."))


def vocabulary_markdown(vocabulary: Vocabulary, title: str, origin: str) -> str:
    """The whole page. ``origin`` says where the words come from and how to print the page again."""
    out = [f"# {title}", "", origin, ""]
    out += _section("Fields of a case", "What conditions may ask of the case itself (the evaluation contract's "
                                        "`child` and `placement`), for example `{child.age: {at_least: 16}}`.",
                    ["field", "kind", "what it may hold"],
                    [[_code(name), spec.kind, _case_holds(spec, vocabulary)] for name, spec in vocabulary.case_fields().items()])
    out += _section("Placement types", "`placement.type` of a case; conditions write `{placement.type: ifa_foster}`.",
                    ["id", "label"], [[_code(key), _cell(label)] for key, label in vocabulary.placement_types.items()])
    out += _section("Roles", "Who takes part: chairs, invitees, attendees, and the `role`/`roles` fields of events.",
                    ["id", "label"], [[_code(key), _cell(label)] for key, label in vocabulary.roles.items()])
    out += _section("Parties", "Accepted besides the roles by a `role` field that says `parties: true` "
                               "(who raised a concern may be the carer).",
                    ["id", "label"], [[_code(key), _cell(label)] for key, label in vocabulary.parties.items()])
    out += _section("Role groups", "A name for several roles, accepted wherever roles are "
                                   "(a council adds its own under `vocabulary: role_groups:`).",
                    ["group", "roles"], [[_code(name), ", ".join(_code(role) for role in roles)]
                                         for name, roles in vocabulary.role_groups.items()])
    out += _section("Gated actions", "What a gate may hold back (`gates: actions:`) and what `action` fields hold.",
                    ["id", "label", "costed"], [[_code(key), _cell(spec["label"]), _yes(spec["costed"])]
                                                for key, spec in vocabulary.actions.items()])
    out += _section("Recommendations", "What a `recommendation:` row may recommend.",
                    ["id", "label"], [[_code(key), _cell(label)] for key, label in vocabulary.recommendations.items()])
    out += _section("The app's roles", "Who signs in to the web app (not the roles people play in a meeting); "
                                       "an event type's `recorded_by` lists these. A council cannot add to them. "
                                       "An event type that says nothing may be recorded by "
                                       f"{_people(vocabulary.recorded_by_default, vocabulary)} "
                                       "(`recorded_by_default`).",
                    ["id", "label"], [[_code(key), _cell(label)] for key, label in vocabulary.app_roles.items()])
    out += _section("Fields every event may carry", "`common_event_fields`: any event, whatever its type, may "
                                                    "carry these.",
                    ["field", "kind", "what it may hold", "required"],
                    [_field_row(name, spec) for name, spec in vocabulary.common_event_fields.items()])
    out += ["## Event types", "",
            "What a case's `events` may be. Each event has `type` and `on` (a date, or a date and time); "
            "the fields below are all optional unless marked required. Conditions name them as "
            "`{event: type, where: {field: value}}`.", ""]
    for type_id, event_type in vocabulary.event_types.items():
        recorders = event_type.recorded_by or vocabulary.recorded_by_default
        default = "" if event_type.recorded_by else " (the default)"
        out += [f"### `{type_id}`: {_cell(event_type.label)}", "",
                f"Recorded by: {_people(recorders, vocabulary)}{default}.", ""]
        if event_type.closes_case:
            outcome = f", its outcome from `{event_type.outcome_field}`" if event_type.outcome_field else ""
            out += [f"Recording it closes the case (`closes_case`){outcome}.", ""]
        if event_type.fields:
            out += _table(["field", "kind", "what it may hold", "required"],
                          [_field_row(name, spec) for name, spec in event_type.fields.items()])
        else:
            out += ["No fields of its own.", ""]
    return "\n".join(out).rstrip() + "\n"


def _case_holds(spec, vocabulary: Vocabulary) -> str:
    if spec.kind == "choice" and tuple(spec.choices) == tuple(vocabulary.placement_types):
        return "one of the placement types"
    if spec.choices:
        return "one of " + ", ".join(_code(value) for value in spec.choices)
    return _KINDS.get(spec.kind, spec.kind)


def _section(title: str, intro: str, header: list, rows: list) -> list:
    return [f"## {title}", "", intro, ""] + (_table(header, rows) if rows else ["None.", ""])


def _table(header: list, rows: list) -> list:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows), ""]


def _field_row(name: str, spec: EventField) -> list:
    return [_code(name), spec.kind, _holds(spec), "yes" if spec.required else "no"]


def _holds(spec: EventField) -> str:
    """What a field may hold: its kind in words, then every bound it declares."""
    parts = [_KINDS.get(spec.kind, spec.kind)]
    if spec.kind == "role" and spec.parties:
        parts = ["one role, or a party (`carer`)"]
    if spec.values:
        parts = ["one of " + ", ".join(_code(value) for value in spec.values)]
    if spec.whole:
        parts.append("whole numbers only")
    if spec.min is not None:
        parts.append(f"at least {spec.min:g}")
    if spec.max is not None:
        parts.append(f"at most {spec.max:,g}" if spec.max < 1e6 else f"at most {spec.max:,}")
    if spec.max_length is not None:
        parts.append(f"at most {spec.max_length:,} characters")
    if spec.not_future:
        parts.append("not after the day it is recorded")
    return "; ".join(parts)


def _people(app_roles: tuple, vocabulary: Vocabulary) -> str:
    names = [f"{_cell(vocabulary.app_roles.get(role, role)).lower()} (`{role}`)" for role in app_roles]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def _code(word: str) -> str:
    return f"`{word}`"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
