"""What a council's policy tests reach: `hearth policy test --coverage` (as `opa test --coverage`).

Every rule, row, gate part and form check of a council is a *target*, located in its file.
Running the council's tests (hearth.engine.policy_tests) gives, for each case test, the
engine's answer and the rules that held at each point it judged (evaluate's ``trace``);
for each form test, the messages the answers got. A target is *reached* when some test's
evaluation used it to decide part of the answer -- docs/policy-language.md, "What the
tests reach", says exactly when for each kind. The report lists the targets no test
reaches, each as file:line: what. The council is a PolicyFiles or its folder: every target is
located in the set (``<origin>/versions/2025-01.yaml:12:7``), wherever its files came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hearth.rules.source import LList, LMap, Loc, load_yaml

from .forms_catalog import FormCatalog
from .policy import Policy, PolicyVersion, load_policy
from .policy_files import PolicyFiles, PolicySource, policy_files
from .policy_tests import TEST_PARTS, TestResult, form_catalog, run_test_file

# The sides of a gate a test can show, by the part that decides them.
GATE_SIDES = {
    ("blocked_until", True): "no test lifts its block (blocked_until never holds)",
    ("blocked_until", False): "no test shows it blocked (blocked_until holds, or unless overrides it, in every test)",
    ("unless", True): "no test overrides it (unless never holds while it is blocked)",
    ("needs_approval", True): "no test shows it approved (needs_approval never holds)",
    ("needs_approval", False): "no test shows it waiting for approval (needs_approval holds in every test)",
}


@dataclass(frozen=True)
class Target:
    """Something a test can reach: its key, where it is written, and what it means not to reach it."""

    key: tuple
    loc: Loc
    unreached: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.unreached}"


@dataclass
class CoverageReport:
    council: str
    targets: list
    reached: set = field(default_factory=set)
    results: list = field(default_factory=list)

    @property
    def missing(self) -> list:
        return [target for target in self.targets if target.key not in self.reached]

    @property
    def complete(self) -> bool:
        return not self.missing

    def summary(self) -> str:
        hit = len(self.targets) - len(self.missing)
        return (f"{self.council}: tests reach {hit} of {len(self.targets)} rules, rows, gate parts and form checks"
                f" ({len(self.missing)} not reached)")


def council_coverage(source: PolicySource) -> CoverageReport:
    """Run the council's tests (its PolicyFiles, or its folder) and say what they reach.
    SourceError as `hearth policy test` raises it."""
    files = policy_files(source, TEST_PARTS)
    policy = load_policy(files)
    results = [result for relative in files.glob("tests/*.yaml") for result in run_test_file(policy, files, relative)]
    catalog = form_catalog(files, policy.current.effective_from)
    report = CoverageReport(files.council_id, policy_targets(policy, files) + form_targets(catalog, files),
                            results=results)
    for result in results:
        report.reached |= reached_by(result)
    return report


# ------------------------------------------------------------------ targets
def policy_targets(policy: Policy, files: PolicyFiles) -> list[Target]:
    return [target for version in policy.versions for target in version_targets(version, files)]


def version_targets(version: PolicyVersion, files: PolicyFiles) -> list[Target]:
    """Every target of one version, located in its file in the council's files."""
    relative = f"versions/{version.version}.yaml"
    doc = load_yaml(files.text(relative), files.location(relative))
    v = version.version
    targets = []

    def items(section: str) -> list:
        node = doc.get(section)
        return list(node) if isinstance(node, LList) else []

    def loc_of(node: LMap, key: str) -> Loc:
        return node.key_loc(key) if key in node else node.loc

    by_id = {section: {str(item.get("id")): item for item in items(section) if isinstance(item, LMap)}
             for section in ("triggers", "deadlines", "duties", "gates", "interventions")}
    for trigger in version.triggers:
        node = by_id["triggers"][trigger.id]
        targets.append(Target((v, "trigger", trigger.id), node.loc, f"trigger {trigger.id}: no test fires it"))
    for section in ("recommendation", "chair", "invitees"):
        nodes = items(section)
        for i, row in enumerate(getattr(version, section)):
            loc = nodes[i].loc if i < len(nodes) else doc.loc
            says = _row_says(section, row, nodes[i] if i < len(nodes) else None)
            targets.append(Target((v, section, i), loc, f"{section} row {i + 1}{says}: {_ROW_UNREACHED[section]}"))
    for section in ("deadlines", "duties"):
        for ob in getattr(version, section):
            targets += _obligation_targets(v, ob, by_id[section][ob.id])
    for gate in version.gates:
        node = by_id["gates"][gate.id]
        for (part, holds), unreached in GATE_SIDES.items():
            if getattr(gate, part) is not None and (part != "unless" or gate.blocked_until is not None):
                targets.append(Target((v, "gate", gate.id, part, holds), loc_of(node, part),
                                      f"gate {gate.id}: {unreached}"))
    for intervention in version.interventions:
        if intervention.when is not None:
            node = by_id["interventions"][intervention.id]
            targets.append(Target((v, "intervention", intervention.id), loc_of(node, "when"),
                                  f"intervention {intervention.id}: its when never holds (no test offers it)"))
    return targets


_ROW_UNREACHED = {
    "recommendation": "no test's recommendation comes from it",
    "chair": "no test's chair comes from it",
    "invitees": "it applies in no test",
}


def _row_says(section: str, row, node) -> str:
    """What a row gives, as written: its recommendation, or its roles ("one of a/b" for a choice)."""
    if section == "recommendation":
        return f" ({row.recommend or 'none'})"
    keys = ("options",) if section == "chair" else ("required", "consider")
    written = [item for key in keys if isinstance(node, LMap) and isinstance(node.get(key), list)
               for item in node[key]]
    roles = [f"one of {'/'.join(map(str, item['one_of']))}" if isinstance(item, dict) and "one_of" in item
             else str(item) for item in written]
    return f" ({', '.join(roles)})" if roles else ""


def _obligation_targets(v: str, ob, node: LMap) -> list[Target]:
    kind = ob.kind
    due = node.get("due")
    targets = []
    for i, row in enumerate(ob.due):
        if isinstance(due, LList) and len(ob.due) > 1:
            loc, unreached = due.item_loc(i), f"due row {i + 1} ({row.duration}) never sets an instance's due date"
        else:
            loc, unreached = node.value_loc("due") if "due" in node else node.loc, "no test starts an instance"
        targets.append(Target((v, "due", ob.id, i), loc, f"{kind} {ob.id}: {unreached}"))
    parts = [("unless", ob.unless is not None, "its unless never holds for an instance"),
             ("waived_by", ob.waived_by is not None, "no test waives an instance"),
             ("planned_by", ob.planned_by is not None, "no test arranges an instance (planned_for)")]
    for part, present, unreached in parts:
        if present:
            targets.append(Target((v, part, ob.id), node.key_loc(part), f"{kind} {ob.id}: {unreached}"))
    moves = node.get("moved_by")
    for j, move in enumerate(ob.moved_by):
        loc = moves.item_loc(j) if isinstance(moves, LList) else node.key_loc("moved_by")
        events = " or ".join(move.event.types)
        targets.append(Target((v, "moved_by", ob.id, j), loc, f"{kind} {ob.id}: no test moves an instance by {events}"))
    return targets


def form_targets(catalog: FormCatalog, files: PolicyFiles) -> list[Target]:
    """Each check of each current form (kept versions only show old records)."""
    targets = []
    for form_id, defn in sorted(catalog.forms.items()):
        if not defn.checks:
            continue
        relative = f"forms/{form_id}.yaml"
        file = files.location(relative)
        doc = load_yaml(files.text(relative), file)
        nodes = doc.get("checks") if isinstance(doc, LMap) else None
        for i, check in enumerate(defn.checks):
            loc = nodes.item_loc(i) if isinstance(nodes, LList) else Loc(file)
            targets.append(Target(("form", form_id, i), loc,
                                  f"form {form_id}: check {i + 1} ('{check.message}') is never shown by a form test"))
    return targets


# ------------------------------------------------------------------ what a test reaches
def reached_by(result: TestResult) -> set:
    if result.form is not None:
        return {("form", result.form.id, i) for i, check in enumerate(result.form.checks)
                if (result.form_errors or {}).get(check.field) == check.message}
    if result.version is None or result.answer is None:
        return set()
    version, answer, v = result.version, result.answer, result.version.version
    held = set().union(*result.trace) if result.trace else set()
    keys = {(v, "trigger", trigger["rule"]) for trigger in answer["triggers"]}
    reason = answer.get("recommendation_reason")
    if reason:
        keys.add((v, "recommendation", int(reason["rule"].split("[")[1].rstrip("]"))))
    chosen = next((i for i in range(len(version.chair)) if f"chair:{i}" in held), None)
    if chosen is not None:
        keys.add((v, "chair", chosen))
    keys |= {(v, "invitees", i) for i in range(len(version.invitees)) if f"invitees:{i}" in held}
    obligations = version.deadlines + version.duties
    for point in result.trace:
        for ob in obligations:
            if f"unless:{ob.id}" in point:
                keys.add((v, "unless", ob.id))
                continue
            row = next((i for i in range(len(ob.due)) if f"due:{ob.id}:{i}" in point), None)
            if row is not None:
                keys.add((v, "due", ob.id, row))
    labels = {t: et.label.lower() for t, et in version.vocabulary.event_types.items()}
    for entry in answer["deadlines"] + answer["duties"]:
        ob = next((o for o in obligations if o.id == entry["id"]), None)
        if ob is None:
            continue
        if "waived_on" in entry:
            keys.add((v, "waived_by", ob.id))
        if "planned_for" in entry:
            keys.add((v, "planned_by", ob.id))
        for j, move in enumerate(ob.moved_by):
            # the basis names each move: "<event label> to <date> on <day>" or "<event label> by <amount> on <day>"
            if any(f"{labels.get(t, t)} {word} " in entry["basis"] for t in move.event.types for word in ("to", "by")):
                keys.add((v, "moved_by", ob.id, j))
    for gate in version.gates:
        holds = {part: f"gate:{gate.id}:{part}" in held for part in ("blocked_until", "unless", "needs_approval")}
        if gate.blocked_until is not None:
            if holds["blocked_until"]:
                keys.add((v, "gate", gate.id, "blocked_until", True))
            elif gate.unless is not None and holds["unless"]:
                keys.add((v, "gate", gate.id, "unless", True))
                continue
            else:
                keys.add((v, "gate", gate.id, "blocked_until", False))
                continue
        if gate.needs_approval is not None:
            keys.add((v, "gate", gate.id, "needs_approval", holds["needs_approval"]))
    keys |= {(v, "intervention", i.id) for i in version.interventions
             if i.when is not None and f"intervention:{i.id}" in held}
    return keys
