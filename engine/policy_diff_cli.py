"""`hearth policy diff`: the change between two versions of a council's policy, in words.

    hearth policy diff COUNCIL                       # the version in force today -> the latest
    hearth policy diff COUNCIL --from 2025-01 --to 2026-04
    hearth policy diff COUNCIL --to path/to/changed/council   # a changed copy of its folder

``--to FOLDER`` compares with the latest version of a council folder (a draft kept as files),
and its forms with the council's (questions added, removed or reworded).
Mistakes exit 2 with located messages, as every command does; a changed folder with mistakes
is reported as lint reports it.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from hearth.rules.source import SourceError, suggest

from . import api
from .policy import load_policy
from .forms_catalog import load_forms
from .policy_diff import diff, diff_lines, form_changes
from .policy_model import NoPolicyInForce, Policy, PolicyVersion


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


def _named(policy: Policy, name: str, option: str) -> PolicyVersion:
    names = [v.version for v in policy.versions]
    for version in policy.versions:
        if version.version == name:
            return version
    _fail([f"{option}: '{name}' is not a version of {policy.council.name}'s policy.{suggest(name, names)} "
           f"Versions: {', '.join(names)}."])


def _in_force(policy: Policy) -> PolicyVersion:
    try:
        return policy.version_on(date.today())
    except NoPolicyInForce:
        return policy.versions[0]


def _folder(target: str) -> Path | None:
    """--to as a council folder, or None when it names a version."""
    folder = Path(target)
    if (folder / "council.yaml").is_file():
        return folder.resolve()
    if "/" in target or folder.is_dir():
        _fail([f"--to: {target} is not a council folder (it has no council.yaml)."])
    return None


def _form_changes(council: str, folder: Path, old: PolicyVersion, new: PolicyVersion) -> tuple:
    """The forms of the council's folder against those of a changed copy of it."""
    try:
        return form_changes(load_forms(council).forms, load_forms(folder.name, root=folder.parent).forms, old, new)
    except SourceError as exc:
        _fail([str(problem) for problem in exc.problems])


@click.command("diff")
@click.argument("council")
@click.option("--from", "from_version", metavar="VERSION", help="default: the version in force today")
@click.option("--to", "to_target", metavar="VERSION|FOLDER",
              help="a version of the council's policy or a changed copy of its folder (default: the latest version)")
@click.option("--json", "as_json", is_flag=True, help="the changes as JSON, one object a rule")
def diff_cmd(council: str, from_version: str | None, to_target: str | None, as_json: bool) -> None:
    """The change between two versions of a council's policy, in words, rule by rule."""
    run_diff(council, from_version, to_target, as_json)


def run_diff(council: str, from_version: str | None, to_target: str | None, as_json: bool,
             to_label: str | None = None) -> None:
    """The command's work; ``to_label`` names a changed folder in the words (default: its path)."""
    try:
        policy = api.get_policy(council)
    except api.UnknownCouncil as exc:
        _fail([str(exc)])
    except SourceError as exc:
        _fail([str(problem) for problem in exc.problems])
    old = _named(policy, from_version, "--from") if from_version else _in_force(policy)
    folder = _folder(to_target) if to_target is not None else None
    if folder is not None:
        try:
            new = load_policy(folder).current
        except SourceError as exc:
            _fail([str(problem) for problem in exc.problems])
    elif to_target is not None:
        new = _named(policy, to_target, "--to")
    elif policy.current is not old:
        new = policy.current
    else:
        _fail([f"Nothing to compare: {policy.council.name}'s latest version is {old.version}, the one in force. "
               "Give --to VERSION, or --to FOLDER for a changed copy of the council's folder."])
    changes = diff(old, new) + (_form_changes(council, folder, old, new) if folder is not None else ())
    if as_json:
        click.echo(json.dumps({"from": old.describe(), "to": new.describe(), "changes": [c.as_dict() for c in changes]},
                              indent=2, ensure_ascii=False))
        return
    for line in diff_lines(old, new, changes, (to_label or str(folder)) if folder is not None else ""):
        click.echo(line)
