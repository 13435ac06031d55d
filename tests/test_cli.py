"""`hearth` as other systems and policy officers call it: JSON out, exit 2 and a located
message for bad input, never a traceback."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import cli_support
from conftest import FIXTURES

HEARTH = [sys.executable, "-c", "from hearth.web.cli import main; main()"]


def hearth(*args, policies=FIXTURES, cwd=None):
    """The CLI's main, in this process (tests/cli_support.py); test_the_console_script_* run it as a process."""
    return cli_support.hearth(*args, policies=policies, cwd=cwd)


def hearth_process(*args, policies=FIXTURES):
    env = dict(os.environ, HEARTH_POLICIES=str(policies))
    return subprocess.run(HEARTH + list(args), capture_output=True, text=True, env=env, timeout=120)


def test_the_console_script_runs_in_its_own_process(case_file):
    """What the in-process calls cannot show: a new process, its exit code and streams."""
    result = hearth_process("evaluate", "--council", "northshire", "--case", str(case_file), "--on", "2025-06-03")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2025-06-03"
    refused = hearth_process("evaluate", "--council", "nowhere", "--case", str(case_file))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr and "nowhere" in refused.stderr



WEB_LIBRARIES = ("flask", "sqlalchemy", "alembic", "rq", "redis")
LOADED = ("import sys\nfrom hearth.web.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
          f"print(sorted(name for name in {WEB_LIBRARIES!r} if name in sys.modules), file=sys.stderr)")


def test_the_engines_commands_start_without_the_webs_libraries(case_file):
    """hearth.web.cli loads a web command only when it is run, so an engine command (`hearth
    evaluate`, `hearth policy test`) starts without Flask, SQLAlchemy, Alembic, RQ or Redis
    (0.6 s of imports); a web command loads them."""
    env = dict(os.environ, HEARTH_POLICIES=str(FIXTURES))

    def loaded(*args):
        result = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True, text=True, env=env,
                                timeout=120)
        return result.stderr.strip().splitlines()[-1]

    assert loaded("evaluate", "--council", "northshire", "--case", str(case_file), "--on", "2025-06-03") == "[]"
    assert loaded("policy", "test", "northshire") == "[]"
    assert loaded("evaluate", "--council", "northshire", "--case", str(case_file), "--queue") == "[]"  # refused first
    assert "flask" in loaded("db", "--help") and "sqlalchemy" in loaded("policy", "export", "--help")


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("child: {ref: N-7}\n"
                    "placement: {type: ifa_foster, started: 2025-01-01}\n"
                    "events:\n"
                    "  - {type: missing_episode, on: 2025-06-02}\n")
    return path


def test_evaluate_prints_the_contract_answer(case_file):
    result = hearth("evaluate", "--council", "northshire", "--case", str(case_file), "--on", "2025-06-03")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["as_of"] == "2025-06-03"
    assert set(answer) >= {"council", "policy", "as_of", "triggers", "recommendation", "chair", "invitees",
                           "deadlines", "gates", "duties", "interventions"}
    assert answer["recommendation"] == "hold_stability_meeting"


def test_json_case_files_work_too(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"placement": {"type": "ifa_foster"},
                                "events": [{"type": "missing_episode", "on": "2025-06-02"}]}))
    result = hearth("evaluate", "--council", "northshire", "--case", str(path), "--on", "2025-06-03")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["triggers"][0]["rule"] == "missing"


@pytest.mark.parametrize("args,needle", [
    (["--council", "nowhere"], "There is no council 'nowhere'. Councils: northshire."),
    (["--on", "2025-02-30"], "--on: '2025-02-30' is not a real date"),
    (["--on", "yesterday"], "--on: 'yesterday' is not a date"),
    (["--on", "2020-01-01"], "No version of Northshire County Council's policy was in force on 2020-01-01"),
])
def test_bad_arguments_exit_2_with_a_message(case_file, args, needle):
    base = {"--council": "northshire", "--case": str(case_file), "--on": "2025-06-03"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = hearth("evaluate", *[x for kv in base.items() for x in kv])
    assert result.returncode == 2
    assert result.stdout == ""
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text,line,field,needle", [
    ("placement: {type: ifa_foster}\nevents:\n  - {type: missing_episode, on: 2026-02-31}\n", 3, "events[0].on",
     "not a real date"),
    ("placement: {type: ifa_fostr}\n", 1, "placement.type", "Did you mean 'ifa_foster'?"),
    ("placement: {type: ifa_foster}\nevents:\n  - {type: allegaton, on: 2026-01-02}\n", 3, "events[0].type",
     "Did you mean 'allegation'?"),
    ("placement: {type: ifa_foster}\nevents: [\n", 3, "", "not valid YAML"),
    ("placement: {type: ifa_foster}\nevents:\n  - {type: missing_episode, on: 2026-01-02, on: 2026-01-03}\n", 3, "",
     "written twice"),
])
def test_a_bad_case_file_names_file_line_and_field(tmp_path, text, line, field, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = hearth("evaluate", "--council", "northshire", "--case", str(path), "--on", "2026-01-05")
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(f"{path}:{line}:"), first
    assert needle in first and (not field or f"({field})" in first)
    assert "Traceback" not in result.stderr


def test_an_unreadable_case_file(tmp_path):
    result = hearth("evaluate", "--council", "northshire", "--case", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2 and "cannot be read" in result.stderr and "Traceback" not in result.stderr


def test_councils_lists_versions():
    result = hearth("councils")
    assert result.returncode == 0, result.stderr
    [council] = json.loads(result.stdout)
    assert council["id"] == "northshire"
    assert [v["version"] for v in council["versions"]] == ["2025-04", "2026-01"]


def test_lint_passes_a_good_policy_and_locates_a_mistake(tmp_path):
    assert hearth("policy", "lint").returncode == 0
    broken = tmp_path / "policies"
    shutil.copytree(FIXTURES, broken)
    version = broken / "northshire" / "versions" / "2025-04.yaml"
    version.write_text(version.read_text().replace("met_by: return_interview_held", "met_by: return_interview"))
    result = hearth("policy", "lint", policies=broken)
    assert result.returncode == 1
    assert f"{version}:" in result.stderr and "Did you mean 'return_interview_held'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_test_reports_pass_and_fail(tmp_path):
    broken = tmp_path / "policies"
    shutil.copytree(FIXTURES, broken)
    tests = broken / "northshire" / "tests" / "t.yaml"
    tests.parent.mkdir(exist_ok=True)
    tests.write_text("tests:\n"
                     "  - name: one missing episode calls a meeting\n"
                     "    on: 2025-06-03\n"
                     "    case: {placement: {type: ifa_foster}, events: [{type: missing_episode, on: 2025-06-02}]}\n"
                     "    expect: {triggers: [missing], recommendation: hold_stability_meeting}\n"
                     "  - name: a wrong expectation is reported\n"
                     "    on: 2025-06-03\n"
                     "    case: {placement: {type: ifa_foster}, events: []}\n"
                     "    expect: {recommendation: hold_stability_meeting}\n")
    result = hearth("policy", "test", "northshire", policies=broken)
    assert result.returncode == 1
    assert "FAIL northshire: a wrong expectation is reported" in result.stdout
    assert "recommendation: expected 'hold_stability_meeting', got None" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_schema_is_json():
    result = hearth("policy", "schema", "--kind", "version")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "Hearth policy version"


# --- issue 8: malformed policy files are located lint errors, never a traceback ---------------
@pytest.fixture
def broken_root(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(FIXTURES, root)
    return root


@pytest.mark.parametrize("data,line,column,needle", [
    (b"name: Northshire \xe9\nnation: england\n", 1, 18, "not UTF-8 text here (byte 0xe9)"),
    (b"name: {a: mapping}\nnation: england\n", 1, 7, "'name' must be text"),
    (b"name: Northshire\nnation: [england]\n", 2, 9, "is not a nation I know"),
    (b"name: Northshire\nnation: england\nbrand: [1, 2]\n", 3, 8, "'brand' must be a mapping"),
    (b"name: Northshire\nnation: england\nbrand: {colour: {x: 1}}\n", 3, 17, "#rrggbb"),
    (b"- just\n- a list\n", 1, 1, "council.yaml must be a mapping"),
    (b"name: North\x00shire\nnation: england\n", 1, 12, "control character"),
])
def test_lint_locates_a_malformed_council_yaml(broken_root, data, line, column, needle):
    council = broken_root / "northshire" / "council.yaml"
    council.write_bytes(data)
    for args in (("policy", "lint"), ("policy", "test", "northshire")):
        result = hearth(*args, policies=broken_root)
        assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
        assert f"{council}:{line}:{column}" in result.stderr and needle in result.stderr, result.stderr
    result = hearth("councils", policies=broken_root)
    assert result.returncode == 0, result.stderr
    [listed] = json.loads(result.stdout)
    assert any(needle in error for error in listed["errors"])


@pytest.mark.parametrize("old,new,needle", [
    ("met_by: return_interview_held", "met_by: {event: [a, {b: c}]}", "is not an event type this policy knows"),
    ("met_by: return_interview_held", "met_by: return_interview_held\n    agreed_date: {a: b}",
     "'agreed_date' must name a date field"),
    ("effective_from: 2025-04-01", "effective_from: {a: 1}", "is not a date"),
    ("\ncalendars:", "\ncalendars: [scotland]\nx_calendars:", "'calendars' must be a mapping"),
])
def test_lint_and_evaluate_locate_a_list_or_mapping_where_a_name_goes(broken_root, case_file, old, new, needle):
    version = broken_root / "northshire" / "versions" / "2025-04.yaml"
    text = version.read_text()
    if old not in text:
        pytest.skip(f"the fixture no longer has {old!r}")
    version.write_text(text.replace(old, new, 1))
    lint = hearth("policy", "lint", policies=broken_root)
    assert lint.returncode == 1 and needle in lint.stderr and f"{version}:" in lint.stderr, lint.stderr
    evaluate = hearth("evaluate", "--council", "northshire", "--case", str(case_file), "--on", "2025-06-03",
                      policies=broken_root)
    assert evaluate.returncode == 2 and needle in evaluate.stderr and "Traceback" not in evaluate.stderr


def test_a_test_file_with_the_wrong_shapes_is_located(broken_root):
    tests = broken_root / "northshire" / "tests" / "t.yaml"
    tests.parent.mkdir()
    tests.write_bytes(b"tests:\n"
                      b"  - name: wrong shapes\n"
                      b"    on: 2025-06-03\n"
                      b"    case: [not, a, case]\n"
                      b"    expect: {triggers: 1.5, gates: [a], invitees: {required: {a: b}}, deadlines: {x: here}}\n")
    for args in (("policy", "lint"), ("policy", "test", "northshire")):
        result = hearth(*args, policies=broken_root)
        assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
        for field in ("case", "triggers", "gates", "invitees", "deadlines"):
            assert f"({field}):" in result.stderr, (field, result.stderr)


@pytest.mark.parametrize("args", [
    ("evaluate", "--council", "x" * 5000, "--case", "CASE"),
    ("policy", "test", "x" * 5000),
    ("policy", "lint", "x" * 5000),
])
def test_a_council_name_that_cannot_be_a_council_exits_2(case_file, args):
    result = hearth(*[str(case_file) if a == "CASE" else a for a in args])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "There is no council" in result.stderr or "cannot be read" in result.stderr
    assert len(result.stderr) < 400


def test_an_empty_expectation_is_compared_not_a_crash(broken_root):
    """`chair: null` in a test's expect (found by the policy-file fuzz) was a TypeError."""
    tests = broken_root / "northshire" / "tests" / "t.yaml"
    tests.parent.mkdir()
    tests.write_text("tests:\n"
                     "  - name: no chair expected\n"
                     "    on: 2025-06-03\n"
                     "    case: {placement: {type: ifa_foster}, events: [{type: missing_episode, on: 2025-06-02}]}\n"
                     "    expect: {chair: null, triggers: null, invitees: null, gates: null, deadlines: null}\n")
    result = hearth("policy", "test", "northshire", policies=broken_root)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.strip().splitlines()[-1] in ("1 passed, 0 failed", "0 passed, 1 failed"), result.stdout


def test_a_test_naming_what_the_policy_does_not_have_is_located_with_a_fix(broken_root):
    """A misspelt id or status passed lint and failed as "expected 'open', got None"."""
    tests = broken_root / "northshire" / "tests" / "names.yaml"
    tests.parent.mkdir()
    tests.write_text("tests:\n"
                     "  - name: misspelt names\n"
                     "    on: 2025-06-03\n"
                     "    case: {placement: {type: in_house_foster}}\n"
                     "    expect:\n"
                     "      triggers: [missin]\n"
                     "      deadlines: {initial_meting: absent, return_interview: {status: pendng}}\n"
                     "      interventions: {includes: [mentorin]}\n")
    for args in (("policy", "lint"), ("policy", "test", "northshire")):
        result = hearth(*args, policies=broken_root)
        assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
        said = result.stderr + result.stdout
        for line, found in ((6, "'missin' is not a trigger this council's policy has. Did you mean 'missing'?"),
                            (7, "'initial_meting' is not a deadline this council's policy has. "
                                "Did you mean 'initial_meeting'?"),
                            (7, "'pendng' is not a status (statuses: pending, overdue, met, late, waived). "
                                "Did you mean 'pending'?"),
                            (8, "'mentorin' is not an intervention this council's policy has. Did you mean 'mentoring'?")):
            assert f"names.yaml:{line}:" in said and found in said, (found, said)
