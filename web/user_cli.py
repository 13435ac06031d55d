"""`hearth user create`: the first admin of a council (or the service-wide admin), made on the
server by the council's IT, who then invites everyone else in the browser (hearth.web.views.people).

It prints a one-time invitation link rather than emailing it: the first admin may not have a
working email path yet, and whoever runs the command hands the link over. There is no request
to build the link from, so it uses HEARTH_BASE_URL, the address staff reach Hearth at.
"""
from __future__ import annotations

import click
from flask import url_for
from sqlalchemy import func, select

from hearth.engine import api
from hearth.rules.limits import text_problem

from . import db, links
from .audit import audit
from .cli_support import cli_app
from .links import LIFETIMES
from .models import AuditAction, LinkPurpose, Role, User
from .people_forms import EMAIL_SHAPE

# Where the development server listens (`hearth serve`), for a link made without HEARTH_BASE_URL
# outside production.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


@click.group("user", help="Staff accounts made on the server: a council's first admin.")
def user_group():
    pass


def _base_url(app) -> str:
    base = app.config["HEARTH_BASE_URL"]
    if base:
        return base
    if app.config["HEARTH_ENV"] == "production":
        raise click.ClickException("Set HEARTH_BASE_URL to the address staff reach Hearth at, like "
                                   "https://hearth.example.gov.uk: the invitation link is built from it "
                                   "(docs/deploy.md).")
    return DEVELOPMENT_BASE_URL


def _checked(email: str, role: str, council: str | None, name: str) -> str:
    """The email, lower-cased, once everything given makes sense; a plain message otherwise."""
    email = email.strip().lower()
    problem = text_problem(email, 254) or text_problem(name, 200)
    if problem:
        raise click.ClickException(problem)
    if not EMAIL_SHAPE.match(email):
        raise click.ClickException(f"{email!r} is not an email address")
    if council is None and role != Role.ADMIN:
        raise click.ClickException("A social worker, manager or policy officer belongs to a council: "
                                   "give --council (or --role admin alone for the service-wide admin)")
    if council is not None and council not in api.library().council_ids():
        known = ", ".join(sorted(api.library().council_ids())) or "none yet"
        raise click.ClickException(f"No council {council!r} (the councils: {known})")
    return email


@user_group.command("create", help="Create a user and print a one-time link to set their password.")
@click.option("--email", required=True, help="their work email address")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]),
              help="admin with --council is that council's admin; admin without it, the service-wide admin")
@click.option("--council", default=None, help="the council's id (its folder's name)")
@click.option("--name", default="", help="their full name")
def user_create(email: str, role: str, council: str | None, name: str):
    app = cli_app()
    base = _base_url(app)
    with app.app_context():
        email = _checked(email, role, council, name)
        s = db.session()
        if s.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
            raise click.ClickException(f"There is already an account for {email}: its council's admin can send "
                                       "its invitation again from the people pages")
        user = User(email=email, name=name.strip(), password_hash="", role=role, council_id=council)
        s.add(user)
        s.flush()
        token = links.issue(s, user, LinkPurpose.INVITE)
        audit(AuditAction.CREATED, "user", user.id, {"role": role, "via": "cli"}, council_id=council, commit=False)
        s.commit()
        with app.test_request_context(base_url=base):
            link = url_for("account.accept_invitation", token=token, _external=True)
    days = LIFETIMES[LinkPurpose.INVITE].days
    click.echo(f"Created {email} ({role}{', ' + council if council else ', every council'}).")
    click.echo(f"Give them this link to set their password. It works once, for {days} days:")
    click.echo(link)
