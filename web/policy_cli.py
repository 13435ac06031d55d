"""The web's `hearth policy` commands, on the database: `import` and `export` move a council's
folder into and out of it, `publish` and `approve` put a set in force by two policy officers
(hearth.web.publishing), and `diff` reads the policy in force there (hearth.web.policy_diff_cli).
hearth.web.cli adds them to a copy of the engine's `hearth policy` group, whose own commands
(`lint`, `test`, `evaluate`, ...) keep working on folders."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from hearth.engine import api as engine_api
from hearth.engine.policy_files import PolicyFiles
from hearth.rules.source import SourceError, parse_date, suggest

from . import db as web_db
from . import policy_store, publishing
from .audit import audit
from .cli_support import cli_app, refuse
from .models import AuditAction, PolicySet, User


def _import_folders(council: str | None) -> list[Path]:
    root = engine_api.policies_root()
    if council is None:
        return [root / known.id for known in engine_api.list_councils()]
    try:
        return [root / engine_api.get_council(council).id]
    except engine_api.UnknownCouncil as exc:
        known = [known.id for known in engine_api.list_councils()]
        refuse([f"{exc}{suggest(council, known)} (under {root})"])


@click.command("import", help="Load council folders (all under HEARTH_POLICIES, or one) into the database as "
                              f"published sets, published and approved by '{policy_store.IMPORT_MARKER}'. "
                              "Lint must be clean and every policy test pass.")
@click.argument("council", required=False)
@click.option("--effective", "effective_text", default=None, help="the date the set takes effect, YYYY-MM-DD "
                                                                  "(default: today)")
@click.option("--note", default="", help="the change note (default: 'Imported from <council>/')")
def policy_import(council: str | None, effective_text: str | None, note: str):
    try:
        effective_from = parse_date(effective_text) if effective_text else date.today()
    except ValueError as exc:
        refuse([f"--effective: {exc}"])
    folders = _import_folders(council)
    if not folders:
        refuse([f"{engine_api.policies_root()}: there is no council folder here (each has a council.yaml)."])
    app = cli_app()
    refused = []
    with app.app_context():
        s = web_db.session()
        for folder in folders:
            try:
                done = policy_store.import_folder(s, folder, effective_from, note)
            except SourceError as exc:  # nothing of this council stored; the others go on
                s.rollback()
                refused.extend(str(problem) for problem in exc.problems)
                click.echo(f"{folder.name}: refused, not imported ({len(exc.problems)} problem(s) below).")
                continue
            if done.added:
                audit(AuditAction.PUBLISHED, "policy_set", done.content_hash,
                      {"via": "import", "by": policy_store.IMPORT_MARKER, "effective_from": effective_from.isoformat(),
                       "folder": folder.name}, council_id=done.council_id, policy={"content_hash": done.content_hash},
                      commit=False)
                click.echo(f"{done.council_id}: imported {done.content_hash[:12]}, in force from {effective_from}.")
            else:
                click.echo(f"{done.council_id}: already in the database ({done.content_hash[:12]}); nothing to do.")
            named = policy_store.name_records(s, done.council_id)
            s.commit()
            if named:
                click.echo(f"{done.council_id}: {named} earlier record(s) now name the policy set they were made under.")
    if refused:
        refuse(refused)


@click.command("export", help="Write a council's latest published set (or --hash's) from the database into DIR, "
                              "which must be empty or new.")
@click.argument("council")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--hash", "content_hash", default=None, help="a published set's content hash (its first 8 or more "
                                                           "characters will do)")
def policy_export(council: str, directory: Path, content_hash: str | None):
    try:
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            refuse([f"{directory}: not empty; export into a new or empty folder, so no old file is mixed in."])
    except OSError as exc:
        refuse([f"{directory}: this folder cannot be read ({exc.strerror or exc})."])
    app = cli_app()
    with app.app_context():
        s = web_db.session()
        try:
            stored = policy_store.published_set(s, council, content_hash)
            files = policy_store.set_files(stored)
            files.write_to(directory)
        except policy_store.UnknownPolicySet as exc:
            refuse([str(exc)])
        except OSError as exc:
            refuse([f"{directory}: cannot write here ({exc.strerror or exc})."])
        audit(AuditAction.EXPORTED, "policy_set", stored.content_hash, {"via": "cli", "files": len(files)},
              council_id=council)
    click.echo(f"{council}: {len(files)} files of {stored.content_hash[:12]} written to {directory}")


def __refuse_and_audit(council: str, step: str, reason: str, lines: list[str], user: User | None = None) -> None:
    """A publish or approve turned away: nothing of it kept, the refusal audited, the messages, exit 2."""
    web_db.session().rollback()
    audit(AuditAction.REFUSED, "publication_request", None, {"reason": reason, "step": step, "via": "cli"},
          user=user, council_id=council)
    refuse(lines)


def _officer(council: str, email: str, step: str) -> User:
    try:
        return publishing.officer(web_db.session(), council, email)
    except publishing.PublishRefused as exc:
        __refuse_and_audit(council, step, exc.reason, [str(exc)], exc.user)


def _files_to_publish(council: str, user: User, folder: Path | None, from_draft: bool, hash_prefix: str | None):
    """The files the officer asked to publish; refused (and audited) when they cannot be had."""
    def refuse(lines: list[str]) -> None:
        __refuse_and_audit(council, "publish", "source", lines, user)

    if sum((folder is not None, from_draft, hash_prefix is not None)) != 1:
        refuse(["Say what to publish with one of --from DIR (a council folder), --draft (the council's draft) "
                 "or --hash PREFIX (a set published before, to roll back to)."])
    s = web_db.session()
    if folder is not None:
        try:
            files = PolicyFiles.from_folder(folder)
        except SourceError as exc:
            refuse([str(problem) for problem in exc.problems])
        if files.council_id != council:
            # a folder is named as its owner likes (an export to /tmp/copy), but one
            # named for another council is that council's policy, published here by mistake
            others = set(engine_api.library(engine_api.policies_root()).council_ids()) | set(
                s.scalars(select(PolicySet.council_id).distinct()))
            if files.council_id in others:
                refuse([f"--from: {folder} holds {files.council_id}'s policy, not {council}'s."])
            files = PolicyFiles(council, files.origin, files.texts)
        return files
    if from_draft:
        draft = policy_store.draft_of(s, council)
        if draft is None:
            refuse([f"--draft: {council} has no draft in the database."])
        return policy_store.draft_files(draft)
    try:
        return publishing.earlier_files(s, council, hash_prefix)
    except publishing.PublishRefused as exc:
        refuse([str(exc)])


@click.command("publish", help="Ask for a council's policy set to be put in force from a date; a second policy "
                               "officer approves it (hearth policy approve). Lint must be clean and every policy "
                               "test pass.")
@click.argument("council")
@click.option("--from", "folder", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="a council folder to publish")
@click.option("--draft", "from_draft", is_flag=True, help="publish the council's draft from the database")
@click.option("--hash", "hash_prefix", default=None, help="roll back: a set published before (8 or more characters "
                                                          "of its content hash)")
@click.option("--effective", "effective_text", required=True, help="the date it takes effect, YYYY-MM-DD, today or "
                                                                   "later")
@click.option("--note", required=True, help="the change note: what changes and why")
@click.option("--by", "email", required=True, help="your email: an active policy officer of COUNCIL")
def policy_publish(council: str, folder: Path | None, from_draft: bool, hash_prefix: str | None,
                   effective_text: str, note: str, email: str):
    try:
        effective_from = parse_date(effective_text)
    except ValueError as exc:
        refuse([f"--effective: {exc}"])
    app = cli_app()
    with app.app_context():
        s = web_db.session()
        user = _officer(council, email, "publish")
        files = _files_to_publish(council, user, folder, from_draft, hash_prefix)
        try:
            request = publishing.request_publication(s, files, by=user, effective_from=effective_from,
                                                     change_note=note, today=date.today())
        except publishing.PublishRefused as exc:
            __refuse_and_audit(council, "publish", exc.reason, [str(exc)], user)
        except SourceError as exc:
            __refuse_and_audit(council, "publish", "not_publishable", [str(p) for p in exc.problems], user)
        audit(AuditAction.REQUESTED, "publication_request", request.id,
              {"via": "cli", "hash": request.content_hash, "effective_from": effective_from.isoformat(),
               "rollback": hash_prefix is not None}, user=user, council_id=council, commit=False)
        s.commit()
        told = publishing.tell_requested(s, request)
        click.echo(f"{council}: publication request {request.id} for {request.content_hash[:12]}, in force from "
                   f"{effective_from} once a second policy officer approves it:\n"
                   f"  hearth policy approve {council} --by EMAIL --request {request.id}\n"
                   f"Emailed: {', '.join(told) or 'nobody (no other active policy officer)'}.")


@click.command("approve", help="Approve a council's pending publication request as a second policy officer (not "
                               "the one who asked); it is published then, in force from its date or from today if "
                               "that has passed.")
@click.argument("council")
@click.option("--by", "email", required=True, help="your email: an active policy officer of COUNCIL")
@click.option("--request", "request_id", default=None, type=int, help="the request's number (needed when several "
                                                                      "are pending)")
def policy_approve(council: str, email: str, request_id: int | None):
    app = cli_app()
    with app.app_context():
        s = web_db.session()
        user = _officer(council, email, "approve")
        try:
            done = publishing.approve(s, council, by=user, request_id=request_id, today=date.today())
        except publishing.PublishRefused as exc:
            __refuse_and_audit(council, "approve", exc.reason, [str(exc)], user)
        except SourceError as exc:
            __refuse_and_audit(council, "approve", "not_publishable", [str(p) for p in exc.problems], user)
        request, publication = done.request, done.publication
        publishing.settle_draft(s, publication)
        audit(AuditAction.APPROVED, "publication_request", request.id,
              {"via": "cli", "hash": request.content_hash, "publication": publication.id,
               "told": [request.requested_by, request.approved_by]}, user=user, council_id=council, commit=False)
        audit(AuditAction.PUBLISHED, "policy_set", request.content_hash,
              {"via": "cli", "by": request.requested_by, "approved_by": request.approved_by,
               "effective_from": publication.effective_from.isoformat(), "request": request.id},
              user=user, council_id=council, commit=False)
        s.commit()
        told = publishing.tell_approved(done)
        late = f" (asked for {request.effective_from}, which has passed)" if done.late else ""
        click.echo(f"{council}: request {request.id} approved; {request.content_hash[:12]} is in force from "
                   f"{publication.effective_from}{late}.\nEmailed: {', '.join(told) or 'nobody'}.")
