"""The forms of the people pages (hearth.web.views.people): inviting someone, and changing
their role and team. Choices are filled per request from the council's own teams, so a team
of another council can never be chosen, whatever is posted."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from . import db
from .models import Role, Team
from .validators import PlainText

# The roles a council's admin may give, as the pages name them. An admin given here is that
# council's admin; the service-wide admin is made only on the server (hearth user create).
ROLE_LABELS = {
    Role.WORKER.value: "Social worker",
    Role.MANAGER.value: "Manager",
    Role.POLICY_OFFICER.value: "Policy officer",
    Role.ADMIN.value: "Council administrator",
}
ROLE_HINTS = {
    Role.WORKER.value: "Works with children's cases",
    Role.MANAGER.value: "Sees the council's cases, manages a team and transfers cases",
    Role.POLICY_OFFICER.value: "Changes and publishes the council's policy",
    Role.ADMIN.value: "Runs the council's people, teams and API tokens",
}
NO_TEAM = ""
# Something@something.something, with no spaces: enough to catch a slip; the invitation
# email is what proves the address.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def team_choices(council_id: str) -> list[tuple[str, str]]:
    """The council's teams to choose from, with no team first."""
    teams = db.session().scalars(select(Team).where(Team.council_id == council_id).order_by(Team.name))
    return [(NO_TEAM, "No team")] + [(str(team.id), team.name) for team in teams]


def chosen_id(value: str | None) -> int | None:
    """A select's chosen row id (a team, a manager), or None for its empty choice. The select
    has already checked the value is one of its choices."""
    return int(value) if value else None


class RoleAndTeam:
    """Fill the role and team choices for the council the page acts on."""

    def fill(self, council_id: str) -> None:
        self.role.choices = [(value, label) for value, label in ROLE_LABELS.items()]
        self.team.choices = team_choices(council_id)


class InviteForm(RoleAndTeam, FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired("Enter their full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer"), PlainText()])
    email = EmailField("Email address", widget=GovTextInput(),
                       description="Their work email address: the invitation goes there",
                       validators=[InputRequired("Enter their email address"),
                                   Length(max=254, message="Email address must be 254 characters or fewer"),
                                   PlainText()])
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired("Select their role")])
    team = SelectField("Team", widget=GovSelect(), default=NO_TEAM)
    submit = SubmitField("Send the invitation", widget=GovSubmitInput())

    def validate_email(self, field):
        if field.data and not EMAIL_SHAPE.match(field.data.strip()):
            raise ValidationError("Enter an email address in the correct format, like name@example.gov.uk")


class ChangeForm(RoleAndTeam, FlaskForm):
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired("Select their role")])
    team = SelectField("Team", widget=GovSelect())
    submit = SubmitField("Save changes", widget=GovSubmitInput())
