"""The engine's commands: evaluate a case, list councils, lint/test/describe policies.

Bad input exits 2 with located messages on stderr and nothing on stdout;
no command ever prints a traceback for a user's mistake. `evaluate --cases` (many cases,
hearth.engine.bulk) is the exception that proves it: one bad case is a located error line
among the answers, and the exit code is 1.
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import click

from hearth.rules.source import SourceError, parse_date

from . import api, bulk, bulk_runners
from .coverage import council_coverage
from .linting import lint_council
from .policy_tests import run_council_tests
from .schema import schemas
from .vocabulary_docs import council_vocabulary_page, shared_vocabulary_page


def _fail(lines: list[str], code: int = 2) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def _problem_lines(exc: SourceError) -> list[str]:
    return [str(p) for p in exc.problems]


@click.group("hearth")
def cli() -> None:
    """Hearth: councils' stable-homes policies."""


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="hearth")


@cli.command("evaluate")
@click.option("--council", required=True, help="the council's id: its folder name under policies/")
@click.option("--case", "case_file", default=None, help="one case document (YAML or JSON): its answer as JSON")
@click.option("--cases", "cases_source", default=None,
              help="many cases: a JSON-lines file (a case document a line) or a folder of *.json/*.yaml case "
                   "files; one answer a line, in the cases' order")
@click.option("--on", "on_text", default=None, help="the 'as of' date, YYYY-MM-DD (default: today)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="with --cases: processes evaluating at once (default: one per core)")
@click.option("--output", default=None, help="with --cases: the file to write the answers to (default: stdout)")
@click.option("--progress/--no-progress", default=None,
              help="with --cases: a progress bar on stderr (default: when stderr is a terminal)")
def evaluate_cmd(council: str, case_file: str | None, cases_source: str | None, on_text: str | None,
                 workers: int | None, output: str | None, progress: bool | None,
                 runner_for: Callable[..., bulk.Runner] | None = None) -> None:
    """What the council's policy says about a child on a date (JSON), or about many (JSON lines:
    {"line" or "file", "answer" or "errors"}; exit 1 when some cases have errors).
    \f
    ``runner_for`` is how a command built on this one evaluates the chunks elsewhere (the web's --queue)."""
    if (case_file is None) == (cases_source is None):
        _fail(["Give --case FILE for one case or --cases FILE.jsonl|FOLDER for many (one of the two)."])
    if case_file is not None and (workers, output, progress) != (None, None, None):
        _fail(["--workers, --output and --progress go with --cases (many cases), not --case."])
    try:
        on = parse_date(on_text) if on_text else date.today()
    except ValueError as exc:
        _fail([f"--on: {exc}"])
    if cases_source is not None:
        _evaluate_many(council, cases_source, on, workers or bulk_runners.default_workers(), output, progress,
                       runner_for or bulk_runners.runner_for)
        return
    try:
        text = Path(case_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail([f"{case_file}: the case file cannot be read ({exc.__class__.__name__}: {getattr(exc, 'strerror', exc)})."])
    try:
        answer = api.evaluate(council, text, on, file=case_file)
    except api.UnknownCouncil as exc:
        _fail([f"--council: {exc}"])
    except api.NoPolicyInForce as exc:
        _fail([f"--on: {exc}"])
    except SourceError as exc:
        _fail(_problem_lines(exc))
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False))


def _evaluate_many(council: str, source: str, on: date, workers: int, output: str | None, progress: bool | None,
                   runner_for: Callable[..., bulk.Runner]) -> None:
    """hearth.engine.bulk's run, written as it comes (to a file only once complete)."""
    try:
        policy = api.policy_on(council, on)
    except api.UnknownCouncil as exc:
        _fail([f"--council: {exc}"])
    except api.NoPolicyInForce as exc:
        _fail([f"--on: {exc}"])
    except SourceError as exc:
        _fail(_problem_lines(exc))
    try:
        cases = bulk.read_cases(source)
    except bulk.BulkError as exc:
        _fail([f"--cases: {exc}"])
    bulk.keep_loaded([policy])
    failed = 0
    try:
        with _answers_file(output) as out, _progress(cases.total, progress) as bar:
            runner = runner_for(council, on, policy, workers)
            try:
                for result, units in bulk.run(bulk.chunked(cases.items, runner.chunk_cases), runner):
                    out.write(result["answers"])
                    failed += result["failed"]
                    bar.update(units)
            finally:
                runner.close()
    except bulk.BulkError as exc:
        _fail([str(exc)])
    except OSError as exc:
        _fail([f"{output or 'stdout'}: the answers cannot be written ({exc.strerror or exc})."])
    if failed:
        click.echo(f"{failed:,} case{'s' if failed != 1 else ''} could not be evaluated; "
                   f"{'their lines say' if failed != 1 else 'its line says'} why.", err=True)
        sys.exit(1)


def _progress(total: int, asked: bool | None):
    """click's progress bar on a terminal; asked for elsewhere (--progress into a log), a line
    at each tenth; neither when not asked for and stderr is no terminal."""
    terminal = sys.stderr.isatty()
    if terminal or not asked:
        return click.progressbar(length=max(total, 1), label="Evaluating", file=sys.stderr,
                                 hidden=not (terminal if asked is None else asked))
    return _ProgressLines(total)


class _ProgressLines:
    def __init__(self, total: int):
        self.total, self.done, self.said = max(total, 1), 0, 0

    def __enter__(self) -> "_ProgressLines":
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def update(self, units: int) -> None:
        self.done += units
        tenths = min(10, self.done * 10 // self.total)
        if tenths > self.said:
            self.said = tenths
            click.echo(f"Evaluating: {tenths * 10}%", err=True)


@contextmanager
def _answers_file(output: str | None) -> Iterator[BinaryIO]:
    """Standard output, or the file named, written under another name and put in place only
    when every answer is in it (an interrupted run leaves no half file under the name); for
    the answers' bytes (UTF-8 JSON lines) as the chunks bring them."""
    if output is None:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = Path(f"{output}.partial")
    try:
        with partial.open("wb") as out:
            yield out
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


@cli.command("councils")
def councils_cmd() -> None:
    """The councils under the policies root (JSON); a council whose files have mistakes is
    listed with them."""
    states = api.policy_states()
    out = []
    for c in api.list_councils():
        entry = {"id": c.id, "name": c.name, "nation": c.nation}
        try:
            policy = api.get_policy(c.id)
            entry["versions"] = [v.describe() | {"title": v.title} for v in policy.versions]
        except (api.UnknownCouncil, SourceError):
            entry["versions"] = []
        problems = states.get(c.id, {}).get("problems")
        if problems:
            entry["errors"] = [_say(problem) for problem in problems]
        out.append(entry)
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))


def _say(problem: dict) -> str:
    """A located problem (Problem.as_dict) as the one line the other commands print."""
    where = f"{problem['file']}:{problem['line']}:{problem['column']}" if problem["line"] else problem["file"]
    field = f" ({problem['field']})" if problem["field"] else ""
    return f"{where}{field}: {problem['message']}"


@cli.group("policy")
def policy_group() -> None:
    """Check, test and describe policy files."""


def _council_dirs(target: str | None) -> list[Path]:
    """The council folder named, or every council folder under a root (default: the policies root)."""
    root = Path(target).resolve() if target else api.policies_root()
    try:
        if (root / "council.yaml").is_file():
            return [root]
        if not root.is_dir():
            _fail([f"{_shown(str(root))}: there is no such folder."])
        return [p for p in sorted(root.iterdir()) if (p / "council.yaml").is_file()]
    except OSError as exc:
        _fail([f"{_shown(str(root))}: this folder cannot be read ({exc.strerror or exc})."])


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


@policy_group.command("lint")
@click.argument("directory", required=False)
def lint_cmd(directory: str | None) -> None:
    """Check every policy (and form, and test) file; list every mistake with file and line."""
    failures = 0
    for folder in _council_dirs(directory):
        problems, summary = lint_council(folder)
        if problems:
            failures += 1
            for p in problems:
                click.echo(str(p), err=True)
        else:
            click.echo(f"{folder.name}: ok ({summary})")
    if failures:
        sys.exit(1)


@policy_group.command("test")
@click.argument("council", required=False)
@click.option("-v", "--verbose", is_flag=True, help="list every test, not only failures")
@click.option("--coverage", is_flag=True, help="also list every rule, row, gate part and form check no test reaches")
def test_cmd(council: str | None, verbose: bool, coverage: bool) -> None:
    """Run policies/<council>/tests/*.yaml: a case, a date, the expected answer (or a form's
    answers and the messages they get)."""
    root = api.policies_root()
    if council:
        try:
            api.get_council(council)
        except api.UnknownCouncil as exc:
            _fail([f"{exc} (under {root})"])
    folders = [root / council] if council else _council_dirs(None)
    passed = failed = 0
    reports = []
    for folder in folders:
        try:
            if coverage:
                reports.append(council_coverage(folder))
                results = reports[-1].results
            else:
                results = run_council_tests(folder)
        except SourceError as exc:
            _fail(_problem_lines(exc), 1)
        for result in results:
            if result.ok:
                passed += 1
                if verbose:
                    click.echo(f"PASS {folder.name}: {result.name}")
            else:
                failed += 1
                click.echo(f"FAIL {folder.name}: {result.name} ({result.loc})")
                for line in result.failures:
                    click.echo(f"     {line}")
    click.echo(f"{passed} passed, {failed} failed")
    for report in reports:  # what no test reaches: reported, not a failure (a test asks for all of it)
        for target in report.missing:
            click.echo(str(target))
        click.echo(report.summary())
    if failed or not passed:
        sys.exit(1)


@policy_group.command("vocabulary")
@click.argument("council", required=False)
def vocabulary_cmd(council: str | None) -> None:
    """The vocabulary as Markdown: the shared one (docs/vocabulary.md is this), or a council's
    with its additions (as its latest policy version has them)."""
    if council is None:
        click.echo(shared_vocabulary_page(), nl=False)
        return
    try:
        version = api.get_policy(council).current
    except api.UnknownCouncil as exc:
        _fail([str(exc)])
    except SourceError as exc:
        _fail(_problem_lines(exc))
    click.echo(council_vocabulary_page(version), nl=False)


@policy_group.command("schema")
@click.option("--kind", type=click.Choice(["version", "council", "case", "tests", "form", "all"]), default="all",
              show_default=True)
def schema_cmd(kind: str) -> None:
    """JSON Schema of policy files, for editors' autocomplete and underlining."""
    all_schemas = schemas()
    click.echo(json.dumps(all_schemas if kind == "all" else all_schemas[kind], indent=2))


from .forms_cli import forms as _forms_group  # noqa: E402  (hearth forms list/render/events)
cli.add_command(_forms_group)
from .council_cli import council_group as _council_group  # noqa: E402  (hearth council new)
cli.add_command(_council_group)
from .upgrade_cli import upgrade_cmd as _upgrade_cmd  # noqa: E402  (hearth policy upgrade)
policy_group.add_command(_upgrade_cmd)
from .policy_diff_cli import diff_cmd as _diff_cmd  # noqa: E402  (hearth policy diff)
policy_group.add_command(_diff_cmd)
