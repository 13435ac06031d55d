"""A council's own settings for people and records, read from council.yaml: how its staff
sign in (two-factor, single sign-on), how long its children's records are kept, and whether a
record that differs from its policy is asked why or refused.

They live in council.yaml, beside the council's name and colour, because they are the
council's to set and a new council is a new folder: no Python changes for either. They are
checked like everything else in a policy folder (located mistakes with "did you mean").
Secrets never go in a policy file (policy officers read every file in the browser): single
sign-on names the *environment variable* holding its client secret, which council IT sets.

    sign_in:
      two_factor: [admin, policy_officer]   # roles that must add a second factor to a password
      single_sign_on:
        issuer: https://login.microsoftonline.com/<tenant id>/v2.0
        client_id: 6731de76-14a6-49ae-97bc-6eba6914391e
        client_secret_from: HEARTH_SSO_NORTHSHIRE_SECRET
        roles_claim: groups                  # the ID token's claim that lists the user's groups
        roles:                               # a claim value -> the Hearth role it gives
          0b4f6f39-...: worker
          9d1c2a77-...: manager
    records:
      keep_until_age: 75                     # looked-after children's records: to the 75th birthday
      source: "Case records of looked after children are kept until their 75th birthday."
    form_order: [stability_concern, meeting_decision, schedule_meeting, meeting_record]  # as staff meet them
    notify:
      templates:                             # the council's own GOV.UK Notify templates, by kind
        reminder_due: 8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e6f
        reminder_overdue: 8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e70
      remind_within_working_days: 2          # "coming due": due within this many working days
    entry_checks: {chair: refuse, invitees: ask, claims: refuse}   # hearth.engine.entry_checks

Without ``sign_in`` a council signs in with passwords, two-factor required for admins and
policy officers; without ``records`` records are kept to the child's 75th birthday; without
``notify`` its emails use the service's templates and reminders start 2 working days ahead;
without ``form_order`` its forms are listed by title; without ``entry_checks`` (or for a kind it
does not name) a record that differs from the policy is saved once the person says why (ask).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hearth.rules.source import LList, LMap, Problems, suggest

from .entry_checks import REFUSABLE
from .vocabulary import shared_vocabulary

# The web app's roles, as the shared vocabulary names them (engine/vocabulary.yaml app_roles;
# a test keeps the web's Role enum the same). The engine reads them here only to check
# council.yaml: it never decides who may do what.
APP_ROLES = tuple(shared_vocabulary().app_roles)
DEFAULT_TWO_FACTOR_ROLES = ("admin", "policy_officer")
DEFAULT_KEEP_UNTIL_AGE = 75
SIGN_IN_KEYS = ("two_factor", "single_sign_on")
SINGLE_SIGN_ON_KEYS = ("issuer", "client_id", "client_secret_from", "roles_claim", "roles", "scopes", "label")
RECORDS_KEYS = ("keep_until_age", "source")
NOTIFY_KEYS = ("templates", "remind_within_working_days")
# The kinds of email a council may send from its own Notify templates: those about its cases.
# (The web app's Notify module holds the service's defaults for every kind.)
COUNCIL_TEMPLATE_KINDS = ("reminder_due", "reminder_overdue")
DEFAULT_REMIND_WITHIN = 2
# What happens to a record an entry check finds (hearth.engine.entry_checks): the person making it
# says why and it is saved (ask), or it is not saved (refuse). The kinds: REFUSABLE's names.
ENTRY_CHECK_MODES = ("ask", "refuse")
ENTRY_CHECK_KINDS = tuple(REFUSABLE)
MAX_REMIND_WITHIN = 20
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
_FORM_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CLAIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$")
MAX_ROLE_VALUES = 200
MAX_TEXT = 500


@dataclass(frozen=True)
class SingleSignOn:
    """An OpenID Connect provider the council's staff sign in with."""
    issuer: str
    client_id: str
    client_secret_from: str           # the environment variable holding the client secret
    roles_claim: str = "groups"
    roles: tuple[tuple[str, str], ...] = ()   # (claim value, Hearth role), in the file's order
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    label: str = "your council account"   # "Sign in with <label>"

    def role_for(self, claim_values) -> str | None:
        """The Hearth role the claim's values give: the first of the file's order that matches
        (so list the stronger roles first), or None when none does (the user may not sign in)."""
        if isinstance(claim_values, str):
            claim_values = [claim_values]
        held = {str(value) for value in claim_values or () if isinstance(value, (str, int))}
        for value, role in self.roles:
            if value in held:
                return role
        return None


@dataclass(frozen=True)
class SignIn:
    two_factor: tuple[str, ...] = DEFAULT_TWO_FACTOR_ROLES
    single_sign_on: SingleSignOn | None = None


@dataclass(frozen=True)
class Records:
    keep_until_age: int = DEFAULT_KEEP_UNTIL_AGE
    source: str = ""


@dataclass(frozen=True)
class NotifySettings:
    """The council's own GOV.UK Notify templates (a kind of email -> template id), and how many
    working days ahead a deadline or duty counts as coming due for its reminders."""
    templates: tuple[tuple[str, str], ...] = ()
    remind_within_working_days: int = DEFAULT_REMIND_WITHIN

    def template(self, kind: str) -> str | None:
        """The council's template for a kind of email, or None to use the service's."""
        return dict(self.templates).get(kind)


@dataclass(frozen=True)
class FormOrder:
    """`form_order:` the council's forms in the order its process meets them, first to last,
    as staff see them listed; forms not named follow, by title. Each id's place in council.yaml
    is kept so a name that is not a form is located (hearth.engine.linting)."""
    ids: tuple[str, ...] = ()
    locs: tuple = field(default=(), compare=False, repr=False)   # where each is written: not what it says

    def key(self, form_id: str, title: str) -> tuple:
        """Sort key: named forms in their order, then the rest by title."""
        return (self.ids.index(form_id), "") if form_id in self.ids else (len(self.ids), title.lower())


@dataclass(frozen=True)
class EntryCheckSettings:
    """`entry_checks:` for each kind of entry check (chair, invitees, claims), whether a record it
    finds is asked why (ask, every kind not named) or refused (refuse)."""
    modes: tuple[tuple[str, str], ...] = ()   # (kind, mode) as council.yaml names them

    def mode(self, kind: str) -> str:
        return dict(self.modes).get(kind, "ask")

    @property
    def refused(self) -> tuple[str, ...]:
        """The kinds the council refuses (check_entry's `refuse`)."""
        return tuple(kind for kind in ENTRY_CHECK_KINDS if self.mode(kind) == "refuse")


@dataclass(frozen=True)
class CouncilSettings:
    sign_in: SignIn = field(default_factory=SignIn)
    records: Records = field(default_factory=Records)
    notify: NotifySettings = field(default_factory=NotifySettings)
    form_order: FormOrder = field(default_factory=FormOrder)
    entry_checks: EntryCheckSettings = field(default_factory=EntryCheckSettings)


def read_settings(doc: LMap, problems: Problems) -> CouncilSettings:
    """council.yaml's ``sign_in``, ``records``, ``notify``, ``form_order`` and ``entry_checks``,
    checked; mistakes go into ``problems``."""
    return CouncilSettings(_sign_in(doc.get("sign_in"), doc.value_loc("sign_in"), problems),
                           _records(doc.get("records"), doc.value_loc("records"), problems),
                           _notify(doc.get("notify"), doc.value_loc("notify"), problems),
                           _form_order(doc.get("form_order"), doc.value_loc("form_order"), problems),
                           _entry_checks(doc.get("entry_checks"), doc.value_loc("entry_checks"), problems))


def _entry_checks(value, loc, problems: Problems) -> EntryCheckSettings:
    """ask or refuse for each kind named; a confirmation is a manager's, so it is never named."""
    if value is None:
        return EntryCheckSettings()
    example = "entry_checks: {chair: refuse, invitees: ask, claims: refuse}"
    if not isinstance(value, LMap):
        problems.add(loc, f"'entry_checks' says, for each kind of check, ask or refuse, for example {example}.",
                     "entry_checks")
        return EntryCheckSettings()
    modes = []
    for kind, mode in value.items():
        if kind == "confirmations":
            problems.add(value.key_loc(kind), "An exception a manager must confirm is neither asked nor refused: "
                                              "it waits for the manager. Name only "
                                              f"{', '.join(ENTRY_CHECK_KINDS)}.", "entry_checks")
        elif kind not in ENTRY_CHECK_KINDS:
            problems.add(value.key_loc(kind), f"'{kind}' is not a kind of entry check."
                                              f"{suggest(str(kind), ENTRY_CHECK_KINDS)} "
                                              f"Kinds: {', '.join(ENTRY_CHECK_KINDS)}.", "entry_checks")
        elif mode not in ENTRY_CHECK_MODES:
            problems.add(value.value_loc(kind), f"'{mode}' is not what to do with a record the {kind} check finds."
                                                f"{suggest(str(mode), ENTRY_CHECK_MODES)} Write ask (saved once the "
                                                "person says why) or refuse (not saved).", f"entry_checks.{kind}")
        else:
            modes.append((str(kind), mode))
    return EntryCheckSettings(tuple(modes))


def _form_order(value, loc, problems: Problems) -> FormOrder:
    """The ids' shape and repeats here; whether each is one of the council's forms is the linter's
    to say (the forms are read apart from council.yaml, so a form's mistake never stops the policy)."""
    if value is None:
        return FormOrder()
    if not isinstance(value, LList) or not value:
        problems.add(loc, "'form_order' lists the council's forms first to last, for example "
                          "form_order: [stability_concern, meeting_decision, schedule_meeting].", "form_order")
        return FormOrder()
    ids, locs = [], []
    for index, form_id in enumerate(value):
        if not isinstance(form_id, str) or not _FORM_ID.match(form_id):
            problems.add(value.item_loc(index), f"'{form_id}' is not a form's name: a form is named by its file, "
                                                "without .yaml, for example schedule_meeting.", "form_order")
        elif form_id in ids:
            problems.add(value.item_loc(index), f"'{form_id}' is listed twice.", "form_order")
        else:
            ids.append(form_id)
            locs.append(value.item_loc(index))
    return FormOrder(tuple(ids), tuple(locs))


def _roles_list(value, loc, problems: Problems, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.add(loc, f"'{where}' is a list of roles, for example {where}: [admin, policy_officer].", where)
        return DEFAULT_TWO_FACTOR_ROLES
    roles = []
    for index, role in enumerate(value):
        item_loc = value.item_loc(index) if isinstance(value, LList) else loc
        if role not in APP_ROLES:
            problems.add(item_loc, f"'{role}' is not a Hearth role.{suggest(str(role), APP_ROLES)} "
                                   f"Roles: {', '.join(APP_ROLES)}.", where)
        elif role not in roles:
            roles.append(role)
    return tuple(roles)


def _text(mapping: LMap, key: str, problems: Problems, where: str, example: str, required: bool = True) -> str:
    value = mapping.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        problems.add(mapping.value_loc(key), f"'{key}' is text of up to {MAX_TEXT} characters, for example "
                                             f"{key}: {example}.", f"{where}.{key}")
        return ""
    return value.strip()


def _sign_in(value, loc, problems: Problems) -> SignIn:
    if value is None:
        return SignIn()
    if not isinstance(value, LMap):
        problems.add(loc, "'sign_in' is a mapping, for example sign_in: {two_factor: [admin, policy_officer]}.",
                     "sign_in")
        return SignIn()
    problems.check_keys(value, SIGN_IN_KEYS, "'sign_in'")
    two_factor = DEFAULT_TWO_FACTOR_ROLES
    if "two_factor" in value:
        two_factor = _roles_list(value["two_factor"], value.value_loc("two_factor"), problems, "sign_in.two_factor")
    sso = value.get("single_sign_on")
    return SignIn(two_factor, None if sso is None else _single_sign_on(sso, value.value_loc("single_sign_on"),
                                                                      problems))


def _single_sign_on(value, loc, problems: Problems) -> SingleSignOn | None:
    where = "sign_in.single_sign_on"
    if not isinstance(value, LMap):
        problems.add(loc, "'single_sign_on' is a mapping with issuer, client_id, client_secret_from and roles.",
                     where)
        return None
    problems.check_keys(value, SINGLE_SIGN_ON_KEYS, "'single_sign_on'",
                        required=["issuer", "client_id", "client_secret_from", "roles"])
    issuer = _text(value, "issuer", problems, where, "https://login.microsoftonline.com/<tenant id>/v2.0")
    if issuer and not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        problems.add(value.value_loc("issuer"), "'issuer' is the provider's https address (its "
                                                "/.well-known/openid-configuration is read from there).",
                     f"{where}.issuer")
    client_id = _text(value, "client_id", problems, where, "6731de76-14a6-49ae-97bc-6eba6914391e")
    secret_from = _text(value, "client_secret_from", problems, where, "HEARTH_SSO_SECRET")
    if secret_from and not _ENV_NAME.match(secret_from):
        problems.add(value.value_loc("client_secret_from"),
                     "'client_secret_from' names an environment variable in capitals, for example "
                     "HEARTH_SSO_SECRET (never the secret itself: every policy officer can read this file).",
                     f"{where}.client_secret_from")
    claim = _text(value, "roles_claim", problems, where, "groups", required=False) or "groups"
    if not _CLAIM.match(claim):
        problems.add(value.value_loc("roles_claim"), "'roles_claim' is the name of a claim, for example groups.",
                     f"{where}.roles_claim")
    label = _text(value, "label", problems, where, "Northshire Microsoft account", required=False)
    roles = []
    mapping = value.get("roles")
    if not isinstance(mapping, LMap) or not mapping or len(mapping) > MAX_ROLE_VALUES:
        if "roles" in value:
            problems.add(value.value_loc("roles"), f"'roles' maps each value of the claim to a Hearth role (1 to "
                                                   f"{MAX_ROLE_VALUES}), for example roles: {{hearth-workers: worker}}.",
                         f"{where}.roles")
    else:
        for claim_value, role in mapping.items():
            if role not in APP_ROLES:
                problems.add(mapping.value_loc(claim_value),
                             f"'{role}' is not a Hearth role.{suggest(str(role), APP_ROLES)} "
                             f"Roles: {', '.join(APP_ROLES)}.", f"{where}.roles")
            else:
                roles.append((str(claim_value), role))
    scopes = ("openid", "email", "profile")
    if "scopes" in value:
        listed = value["scopes"]
        if not isinstance(listed, list) or not all(isinstance(s, str) and _CLAIM.match(s) for s in listed) \
                or "openid" not in listed:
            problems.add(value.value_loc("scopes"), "'scopes' is a list of scope names including openid, for "
                                                    "example scopes: [openid, email, profile].", f"{where}.scopes")
        else:
            scopes = tuple(listed)
    return SingleSignOn(issuer, client_id, secret_from, claim, tuple(roles), scopes,
                        label or SingleSignOn.label)


def _records(value, loc, problems: Problems) -> Records:
    if value is None:
        return Records()
    if not isinstance(value, LMap):
        problems.add(loc, "'records' is a mapping, for example records: {keep_until_age: 75}.", "records")
        return Records()
    problems.check_keys(value, RECORDS_KEYS, "'records'")
    age = value.get("keep_until_age", DEFAULT_KEEP_UNTIL_AGE)
    if isinstance(age, bool) or not isinstance(age, int) or not 18 <= age <= 150:
        problems.add(value.value_loc("keep_until_age"), "'keep_until_age' is the child's age, in whole years from "
                                                        "18 to 150, until which records are kept, for example "
                                                        "keep_until_age: 75.", "records.keep_until_age")
        age = DEFAULT_KEEP_UNTIL_AGE
    source = _text(value, "source", problems, "records", "\"Records are kept until the 75th birthday.\"",
                   required=False)
    return Records(age, source)


def _notify(value, loc, problems: Problems) -> NotifySettings:
    if value is None:
        return NotifySettings()
    if not isinstance(value, LMap):
        problems.add(loc, "'notify' is a mapping, for example notify: {templates: {reminder_due: <template id>}}.",
                     "notify")
        return NotifySettings()
    problems.check_keys(value, NOTIFY_KEYS, "'notify'")
    templates = []
    listed = value.get("templates")
    if listed is not None and not isinstance(listed, LMap):
        problems.add(value.value_loc("templates"), "'templates' maps a kind of email to its GOV.UK Notify template "
                                                   "id, for example templates: {reminder_due: <template id>}.",
                     "notify.templates")
    elif listed is not None:
        for kind, template in listed.items():
            if kind not in COUNCIL_TEMPLATE_KINDS:
                problems.add(listed.key_loc(kind),
                             f"'{kind}' is not a kind of email a council sets.{suggest(str(kind), COUNCIL_TEMPLATE_KINDS)} "
                             f"Kinds: {', '.join(COUNCIL_TEMPLATE_KINDS)}.", "notify.templates")
            elif not isinstance(template, str) or not _UUID.match(template):
                problems.add(listed.value_loc(kind), f"'{kind}' is a GOV.UK Notify template id, as Notify shows it: "
                                                     f"8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e6f.", f"notify.templates.{kind}")
            else:
                templates.append((str(kind), template.lower()))
    within = value.get("remind_within_working_days", DEFAULT_REMIND_WITHIN)
    if isinstance(within, bool) or not isinstance(within, int) or not 0 <= within <= MAX_REMIND_WITHIN:
        problems.add(value.value_loc("remind_within_working_days"),
                     f"'remind_within_working_days' is a whole number of working days from 0 to {MAX_REMIND_WITHIN}: "
                     f"how far ahead a deadline or duty counts as coming due, for example "
                     f"remind_within_working_days: 2.", "notify.remind_within_working_days")
        within = DEFAULT_REMIND_WITHIN
    return NotifySettings(tuple(templates), within)
