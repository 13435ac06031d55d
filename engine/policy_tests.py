"""Policy tests: a case, a date, and what the council's policy should say.

Policy officers write these beside their rules (policies/<council>/tests/) so a
change that breaks a clause is caught before it is published. Only what a
test names is checked; see docs/policy-language.md for the format. The tests are read from
the council's hearth.engine.policy_files.PolicyFiles (a folder is read into one), so a
test's place is ``<origin>/tests/<file>.yaml:line`` wherever the policy is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hearth.rules.source import LList, LMap, Loc, Problem, Problems, SourceError, load_yaml, parse_date, suggest

from hearth.forms import FormDefinition, validate_json

from .case import parse_case_data
from .evaluate import GATE_STATUSES, evaluate
from .obligations import OBLIGATION_STATUSES
from .forms_catalog import FormCatalog, UnknownForm, catalog_of
from .lru import LRU
from .policy import NoPolicyInForce, Policy, PolicyVersion, load_policy, read_policy_file
from .policy_files import COUNCIL_FILE, DOCUMENT_DIR, PolicyFiles, PolicySource, policy_files

TEST_KEYS = ("name", "on", "case", "expect")
EXPECT_KEYS = ("policy_version", "triggers", "recommendation", "chair", "invitees", "deadlines", "duties",
               "gates", "interventions")
# A form test: answers to one of the council's forms, and the messages they should get.
FORM_TEST_KEYS = ("name", "on", "form", "answers", "expect")
FORM_EXPECT_KEYS = ("valid", "errors")
# The parts of an invitees expectation that are sets of roles, any one of which will do.
ONE_OF_PARTS = ("required_one_of", "consider_one_of")
# The results of recent sets of files (run_council_tests): a few councils' drafts at a time.
RESULTS = LRU(16)
# Form catalogues recently made (form_catalog): every form test of a run asks for its council's,
# and reading every form's YAML again for each test was most of a run's time.
CATALOGUES = LRU(32)
# What running a council's tests reads of its folder (not the demo cases).
TEST_PARTS = (COUNCIL_FILE, "versions", DOCUMENT_DIR, "tests", "forms")
FORM_PARTS = (COUNCIL_FILE, "versions", DOCUMENT_DIR, "forms")


@dataclass
class TestResult:
    """One test's outcome, and what it was run against (the coverage report reads these)."""

    name: str
    loc: Loc
    failures: list = field(default_factory=list)
    version: PolicyVersion | None = None   # a case test: the version in force on its day,
    answer: dict | None = None             # the engine's answer,
    trace: list = field(default_factory=list)  # and the rules that held at each point judged
    form: FormDefinition | None = None     # a form test: the form filled,
    form_errors: dict | None = None        # and its messages by question

    @property
    def ok(self) -> bool:
        return not self.failures


def council_folder(policy: Policy) -> Path:
    """The folder a loaded policy came from (versions/<version>.yaml is in it)."""
    return Path(policy.versions[0].file).parent.parent


def run_council_tests(source: PolicySource) -> list[TestResult]:
    """Every test of a council's files (a PolicyFiles, or its folder) against their policy.

    A set of files (never a folder, which may change on disk) is run once and its results
    remembered by where it is kept and its content: the workspace runs the same draft's tests
    for the tests page, the request to publish it and the approval."""
    key = (source.council_id, source.origin, source.content_hash()) if isinstance(source, PolicyFiles) else None
    remembered = RESULTS.get(key) if key is not None else None
    if remembered is not None:
        return list(remembered)
    files = policy_files(source, TEST_PARTS)
    policy = load_policy(source)  # the whole set's: its answers name the set's content hash
    results = [result for relative in files.glob("tests/*.yaml") for result in run_test_file(policy, files, relative)]
    if key is not None:
        RESULTS.put(key, tuple(results))
    return results


def run_test_file(policy: Policy, source: PolicySource, relative: str | None = None) -> list[TestResult]:
    """The tests of one file: ``relative`` in the council's PolicyFiles, or a test file's path."""
    files = source if isinstance(source, PolicyFiles) else None
    return [run_test(policy, node, files) for node in read_test_file(source, relative)]


def read_test_file(source: PolicySource, relative: str | None = None) -> list[LMap]:
    """A test file's tests, their shape checked (what `hearth policy lint` reports) so that
    running them meets only the mistakes a test is for; SourceError listing every problem.
    ``source``: the council's PolicyFiles with ``relative`` the file's path in it, or the file."""
    if isinstance(source, PolicyFiles):
        file, text = source.location(relative), source.text(relative)
    else:
        file, text = str(source), read_policy_file(Path(source))
    doc = load_yaml(text, file)
    problems = Problems()
    if not isinstance(doc, LMap) or not isinstance(doc.get("tests"), LList):
        problems.add(getattr(doc, "loc", Loc(file)), "A test file needs 'tests:', a list of tests.")
        problems.raise_if_any()
    problems.check_keys(doc, ["tests"], "a test file")
    tests = []
    for i, node in enumerate(doc["tests"]):
        if not isinstance(node, LMap):
            problems.add(doc["tests"].item_loc(i), "Each test needs name, on, case and expect.")
            continue
        if "form" in node:
            _check_form_test_shape(node, problems)
            tests.append(node)
            continue
        problems.check_keys(node, TEST_KEYS, "a test", required=TEST_KEYS)
        if "name" in node and not _is_scalar(node["name"]):
            problems.add(node.value_loc("name"), "'name' is a sentence saying what the test shows.", "name")
        if "case" in node and not isinstance(node["case"], LMap):
            problems.add(node.value_loc("case"), "'case' is a case document: a mapping with child, placement "
                                                 "and events.", "case")
        if "expect" in node:
            if isinstance(node["expect"], LMap):
                problems.check_keys(node["expect"], EXPECT_KEYS, "'expect'")
                _check_expect_shape(node["expect"], problems)
            else:
                problems.add(node.value_loc("expect"), "'expect' is a mapping of what the answer should say, "
                                                       "for example expect: {recommendation: hold_stability_meeting}.",
                             "expect")
        tests.append(node)
    problems.raise_if_any()
    return tests


def _check_form_test_shape(node: LMap, problems: Problems) -> None:
    problems.check_keys(node, FORM_TEST_KEYS, "a form test", required=FORM_TEST_KEYS)
    for key, how in (("name", "a sentence saying what the test shows"), ("form", "the id of one of the council's forms")):
        if key in node and not _is_scalar(node[key]):
            problems.add(node.value_loc(key), f"'{key}' is {how}.", key)
    if "answers" in node and not isinstance(node["answers"], LMap):
        problems.add(node.value_loc("answers"), "'answers' is a mapping of the form's question ids to answers, "
                                                "as the JSON API takes them.", "answers")
    expect = node.get("expect")
    if "expect" in node and not isinstance(expect, LMap):
        problems.add(node.value_loc("expect"), "'expect' is a mapping, for example expect: {valid: true} or "
                                               "expect: {errors: {attended: Select who attended}}.", "expect")
    elif isinstance(expect, LMap):
        problems.check_keys(expect, FORM_EXPECT_KEYS, "'expect' of a form test")
        if "valid" in expect and not isinstance(expect["valid"], bool):
            problems.add(expect.value_loc("valid"), "'valid' is true (no messages) or false (some).", "valid")
        if "errors" in expect and not _is_mapping_of(expect["errors"], lambda v: v is None or isinstance(v, str)):
            problems.add(expect.value_loc("errors"), "'errors' maps a question id to the message it should get "
                                                     "(null: no message).", "errors")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _is_list_of_words(value: Any) -> bool:
    return value is None or (isinstance(value, LList) and all(isinstance(item, str) for item in value))


def _is_list_of_role_sets(value: Any) -> bool:
    return isinstance(value, LList) and all(isinstance(item, LList) and _is_list_of_words(item) for item in value)


def _is_mapping_of(value: Any, allowed) -> bool:
    return value is None or (isinstance(value, LMap) and all(allowed(item) for item in value.values()))


def _is_obligation_expectation(value: Any) -> bool:
    """'absent', one instance {due: ..., status: ...}, or a list of them (every instance, in order)."""
    if value is None or value == "absent":
        return True
    items = value if isinstance(value, LList) else [value]
    return all(item is None or _is_mapping_of(item, _is_scalar) for item in items)


# What each part of 'expect' must look like, and how to write it: checked before any test
# runs, so a list where a word goes is a located mistake and not a crash mid-comparison.
_EXPECT_SHAPES = {
    "policy_version": (_is_scalar, "the version's name, for example policy_version: 2025-01"),
    "recommendation": (_is_scalar, "one recommendation, or none"),
    "triggers": (_is_list_of_words, "a list of trigger ids, for example triggers: [repeated-missing]"),
    "chair": (_is_list_of_words, "a list of roles, for example chair: [iro]"),
    "invitees": (lambda v: _is_mapping_of(v, lambda item: _is_list_of_words(item) or _is_list_of_role_sets(item)),
                 "a mapping with required, consider and not, each a list of roles, and required_one_of and "
                 "consider_one_of, each a list of lists of roles (required_one_of: [[team_manager, practice_manager]])"),
    "deadlines": (lambda v: _is_mapping_of(v, _is_obligation_expectation),
                  "a mapping of deadline ids to absent, {due: ..., status: ...} or a list of those"),
    "duties": (lambda v: _is_mapping_of(v, _is_obligation_expectation),
               "a mapping of duty ids to absent, {due: ..., status: ...} or a list of those"),
    "gates": (lambda v: _is_mapping_of(v, _is_scalar),
              "a mapping of actions to a gate status (or absent)"),
    "interventions": (lambda v: _is_mapping_of(v, _is_list_of_words),
                      "a mapping with includes and excludes, each a list of intervention ids"),
}


# The words a mapping in 'expect' may hold: a misspelt one ('requird') would check nothing.
_EXPECT_PARTS = {"invitees": ("required", "consider", "not") + ONE_OF_PARTS, "interventions": ("includes", "excludes")}


def _check_expect_shape(expect: LMap, problems: Problems) -> None:
    for key, (fits, how) in _EXPECT_SHAPES.items():
        if key in expect and not fits(expect[key]):
            problems.add(expect.value_loc(key), f"'{key}' in 'expect' is {how}.", key)
        elif isinstance(expect.get(key), LMap) and key in _EXPECT_PARTS:
            problems.check_keys(expect[key], _EXPECT_PARTS[key], f"'{key}' in 'expect'")


def check_test_names(policy: Policy, tests: list[LMap], files: PolicyFiles | None = None) -> list[Problem]:
    """Every id, role, action and status a test's `expect` names, checked against the council's
    policy (any of its versions) and located, with "did you mean": a misspelt duty or status
    passed lint and then failed as "expected 'open', got None", which sent people looking
    for a fault in the rules rather than in the test. ``files``: the council's files the forms
    are in (default: the folder the policy was loaded from)."""
    known = _known_names(policy)
    problems = Problems()

    def check(value: Any, loc: Loc, what: str, names, field: str) -> None:
        if value is not None and str(value) not in names:
            problems.add(loc, f"'{value}' is not {what}.{suggest(str(value), names)}", field)

    def check_list(node: LMap | LList, key: str | int, what: str, names, field: str) -> None:
        items = node.get(key) if isinstance(node, LMap) else node[key]
        if isinstance(items, LList):
            for index, item in enumerate(items):
                check(item, items.item_loc(index), what, names, field)

    forms: dict | None = None
    for test in tests:
        expect = test.get("expect")
        if "form" in test:
            forms = _known_forms(policy, files) if forms is None else forms
            _check_form_names(test, forms, problems)
            continue
        if not isinstance(expect, LMap):
            continue
        check_list(expect, "triggers", "a trigger this council's policy has", known["triggers"], "triggers")
        if "recommendation" in expect:
            check(expect["recommendation"], expect.value_loc("recommendation"), "a recommendation this council's policy has",
                  known["recommendations"] | {"none"}, "recommendation")
        check_list(expect, "chair", "a role this council's policy knows", known["roles"], "chair")
        invitees = expect.get("invitees")
        if isinstance(invitees, LMap):
            for part in ("required", "consider", "not"):
                check_list(invitees, part, "a role this council's policy knows", known["roles"], f"invitees.{part}")
            for part in ONE_OF_PARTS:
                sets = invitees.get(part)
                for index, roles in enumerate(sets if isinstance(sets, LList) else []):
                    if isinstance(roles, LList):
                        check_list(sets, index, "a role this council's policy knows", known["roles"],
                                   f"invitees.{part}")
        for section, what in (("deadlines", "a deadline this council's policy has"), ("duties", "a duty this council's policy has")):
            obligations = expect.get(section)
            if not isinstance(obligations, LMap):
                continue
            for oid, want in obligations.items():
                check(oid, obligations.key_loc(oid), what, known[section], f"{section}.{oid}")
                for item in (want if isinstance(want, LList) else [want]):
                    if isinstance(item, LMap) and "status" in item:
                        check(item["status"], item.value_loc("status"), f"a status (statuses: {', '.join(OBLIGATION_STATUSES)})", OBLIGATION_STATUSES,
                              f"{section}.{oid}.status")
        gates = expect.get("gates")
        if isinstance(gates, LMap):
            for action, status in gates.items():
                check(action, gates.key_loc(action), "an action this council's policy knows", known["actions"], f"gates.{action}")
                check(status, gates.value_loc(action), f"a gate status (statuses: {', '.join(GATE_STATUSES)}, absent)", GATE_STATUSES + ("absent",),
                      f"gates.{action}")
        interventions = expect.get("interventions")
        if isinstance(interventions, LMap):
            for part in ("includes", "excludes"):
                check_list(interventions, part, "an intervention this council's policy has", known["interventions"], f"interventions.{part}")
    return problems.items


def _known_forms(policy: Policy, files: PolicyFiles | None) -> dict:
    """Form id -> its questions' ids (None when the forms have mistakes of their own, which lint
    reports on the forms)."""
    source = _forms_source(policy, files)
    try:
        catalog = form_catalog(source, policy.current.effective_from, policy)
    except SourceError:
        return {Path(str(name)).stem: None for name in source.glob("forms/*.yaml")}  # a PolicyFiles or a Path
    return {form_id: {question.id for question in defn.all_fields()} for form_id, defn in catalog.forms.items()}


def _forms_source(policy: Policy, files: PolicyFiles | None) -> PolicySource:
    """Where a policy's forms are: the files given, or the folder it was loaded from."""
    return files if files is not None else council_folder(policy)


def _check_form_names(test: LMap, forms: dict, problems: Problems) -> None:
    form_id = str(test.get("form"))
    if form_id not in forms:
        known = ", ".join(sorted(forms)) or "none yet"
        problems.add(test.value_loc("form"), f"'{form_id}' is not one of this council's forms.{suggest(form_id, forms)} "
                                             f"Forms: {known}.", "form")
        return
    expect, questions = test.get("expect"), forms[form_id]
    errors = expect.get("errors") if isinstance(expect, LMap) else None
    if not isinstance(errors, LMap) or questions is None:
        return
    for path in errors:
        question = str(path).split(".")[0]
        if question not in questions:
            problems.add(errors.key_loc(path), f"'{question}' is not a question of the form '{form_id}'."
                                               f"{suggest(question, questions)}", f"errors.{path}")


def form_catalog(source: PolicySource, on: date, policy: Policy | None = None) -> FormCatalog:
    """The council's forms (a PolicyFiles, or its folder) with the menus of the policy in force
    on a day (``policy``, or the one in the same files), read afresh (a test sees the files as
    they are now) but made once for the same content, day and policy (CATALOGUES)."""
    files = policy_files(source, ("forms",) if policy is not None else FORM_PARTS)
    key = (files.council_id, files.origin, files.content_hash(), on, date.today(), id(policy))
    found = CATALOGUES.get(key)
    if found is not None and found[1] is policy:
        return found[0]
    catalog = catalog_of(files, on, policy)
    CATALOGUES.put(key, (catalog, policy))  # the policy kept beside it, so its id names no other meanwhile
    return catalog


def _known_names(policy: Policy) -> dict[str, set]:
    """What tests may name: everything any version of the policy has (a test may be of an old one)."""
    known: dict[str, set] = {key: set() for key in ("triggers", "recommendations", "roles", "deadlines", "duties",
                                                    "actions", "interventions")}
    for version in policy.versions:
        vocabulary = version.vocabulary
        known["triggers"] |= {trigger.id for trigger in version.triggers}
        known["recommendations"] |= set(vocabulary.recommendations)
        known["roles"] |= set(vocabulary.roles) | set(vocabulary.parties) | set(vocabulary.role_groups)
        known["deadlines"] |= {deadline.id for deadline in version.deadlines}
        known["duties"] |= {duty.id for duty in version.duties}
        known["actions"] |= set(vocabulary.actions)
        known["interventions"] |= {intervention.id for intervention in version.interventions}
    return known


def run_test(policy: Policy, node: LMap, files: PolicyFiles | None = None) -> TestResult:
    """Run one test of a file read by read_test_file: what `hearth policy test` and the pytest
    items (conftest.py) both call. ``files``: the council's files its forms are in (default:
    the folder the policy was loaded from)."""
    result = TestResult(str(node["name"]), node.loc)
    misnamed = check_test_names(policy, [node], files)
    if misnamed:
        result.failures.extend(str(problem) for problem in misnamed)
        return result
    try:
        on = parse_date(node["on"])
        if "case" in node:
            result.version = policy.version_on(on)
    except (ValueError, NoPolicyInForce) as exc:
        result.failures.append(f"{node.value_loc('on')}: {exc}")
        return result
    try:
        if "form" in node:
            _run_form_test(policy, node, on, result, files)
            return result
        case = parse_case_data(node["case"], result.version.vocabulary, str(node.loc.file))
        result.answer = evaluate(result.version, case, on, trace=result.trace)
    except SourceError as exc:  # the case, the forms, or a move past the last date Hearth counts to
        result.failures.extend(str(p) for p in exc.problems)
        return result
    check_expectations(node["expect"], result.answer, result.failures, result.version.vocabulary.role_groups)
    return result


def _run_form_test(policy: Policy, node: LMap, on: date, result: TestResult, files: PolicyFiles | None) -> None:
    """The answers checked as the JSON API checks them on that day; SourceError when the forms
    have mistakes."""
    try:
        result.form = form_catalog(_forms_source(policy, files), on, policy).get(str(node["form"]))
    except UnknownForm as exc:
        result.failures.append(f"{node.value_loc('form')}: {exc}")
        return
    _, result.form_errors = validate_json(result.form, node["answers"], today=on)
    expect, errors = node["expect"], result.form_errors
    if "valid" in expect and expect["valid"] != (not errors):
        got = f"the messages {errors}" if errors else "no messages"
        result.failures.append(f"{_line(expect, 'valid')}: valid: expected {expect['valid']!r}, got {got}")
    for path, message in (expect.get("errors") or {}).items():
        if errors.get(str(path)) != message:
            result.failures.append(f"{_line(expect, 'errors')}: errors.{path}: expected {message!r}, "
                                   f"got {errors.get(str(path))!r}")


def _line(node: LMap, key: str) -> str:
    return f"line {node.value_loc(key).line}"


def check_expectations(expect: LMap, answer: dict, failures: list, role_groups: dict | None = None) -> None:
    """Compare what a test expects with the answer; add a readable line per difference.
    ``role_groups`` lets a test write a one-of set with a group's name for its members."""
    def differ(key: str, want: Any, got: Any) -> None:
        failures.append(f"{_line(expect, key)}: {key}: expected {want!r}, got {got!r}")

    if "policy_version" in expect and answer["policy"]["version"] != str(expect["policy_version"]):
        differ("policy_version", str(expect["policy_version"]), answer["policy"]["version"])
    if "triggers" in expect:
        want = sorted(expect["triggers"] or [])
        got = sorted(t["rule"] for t in answer["triggers"])
        if want != got:
            differ("triggers", want, got)
    if "recommendation" in expect:
        want = expect["recommendation"]
        want = None if want in (None, "none") else want
        if want != answer["recommendation"]:
            differ("recommendation", want, answer["recommendation"])
    if "chair" in expect and list(expect["chair"] or []) != answer["chair"]["options"]:
        differ("chair", list(expect["chair"] or []), answer["chair"]["options"])
    if "invitees" in expect:
        for part in ("required", "consider"):
            want = list((expect["invitees"] or {}).get(part) or [])
            missing = [r for r in want if r not in answer["invitees"][part]]
            if missing:
                failures.append(f"{_line(expect, 'invitees')}: invitees {part}: expected to include {missing}, "
                                f"got {answer['invitees'][part]}")
        for part in ONE_OF_PARTS:
            got = [set(entry["roles"]) for entry in answer["invitees"].get(part, [])]
            for roles in (expect["invitees"] or {}).get(part) or []:
                wanted = {member for role in roles for member in (role_groups or {}).get(role, (role,))}
                if wanted not in got:
                    failures.append(f"{_line(expect, 'invitees')}: invitees {part}: expected one of "
                                    f"{sorted(wanted)}, got {[sorted(roles) for roles in got]}")
        invited = answer["invitees"]["required"] + answer["invitees"]["consider"]
        unwanted = [r for r in (expect["invitees"] or {}).get("not") or [] if r in invited]
        if unwanted:
            failures.append(f"{_line(expect, 'invitees')}: invitees: {unwanted} should not be invited")
    for section in ("deadlines", "duties"):
        if section in expect:
            _check_obligations(expect, section, answer[section], failures)
    if "gates" in expect:
        got = {g["action"]: g["status"] for g in answer["gates"]}
        for action, status in (expect["gates"] or {}).items():
            status = None if status == "absent" else status
            if got.get(action) != status:
                failures.append(f"{_line(expect, 'gates')}: gate for {action}: expected {status!r}, "
                                f"got {got.get(action)!r}")
    if "interventions" in expect:
        ids = [i["id"] for i in answer["interventions"]]
        spec = expect["interventions"] or {}
        for i in spec.get("includes") or []:
            if i not in ids:
                failures.append(f"{_line(expect, 'interventions')}: interventions: expected {i!r} on the menu, got {ids}")
        for i in spec.get("excludes") or []:
            if i in ids:
                failures.append(f"{_line(expect, 'interventions')}: interventions: {i!r} should not be on the menu yet")


_SINGULAR = {"deadlines": "deadline", "duties": "duty"}


def _check_obligations(expect: LMap, section: str, got: list, failures: list) -> None:
    for oid, want in (expect[section] or {}).items():
        instances = [d for d in got if d["id"] == oid]
        where = f"{_line(expect, section)}: {_SINGULAR[section]} {oid}"
        if want == "absent":
            if instances:
                failures.append(f"{where}: expected none, got {[(d['due'], d['status']) for d in instances]}")
            continue
        wants = list(want) if isinstance(want, list) else [want]
        if isinstance(want, list) and len(instances) != len(wants):
            failures.append(f"{where}: expected {len(wants)} instances, got {len(instances)}")
            continue
        if not instances:
            failures.append(f"{where}: expected one, got none")
            continue
        targets = instances if isinstance(want, list) else [instances[-1]]
        for w, d in zip(wants, targets):
            for key, value in (w or {}).items():
                value = value.isoformat() if isinstance(value, date) else str(value) if key == "due" else value
                if d.get(key) != value:
                    failures.append(f"{where}: {key}: expected {value!r}, got {d.get(key)!r} ({d['basis']})")
