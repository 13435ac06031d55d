"""One-time form tokens: a form that records something on a case carries a random token in a
hidden field, and posting it uses the token up in the same transaction as the save. Pressing
Back and submitting again, or a double click, then finds the token used and is refused, naming
what the first post saved, instead of saving the same events twice.

Only the token's SHA-256 is stored (hearth.web.record_models.FormToken), tied to the user, the
case and the form it was served for. A form shown again with errors keeps its token unused:
the refusal rolls back with the save. Unused tokens older than a day are removed when new ones
are issued. A post without the field, or with one that is not a token (a page cut short, one
drawn before tokens, a script), saves nothing either: `refuse_missing` audits it as refused
(400) and gives the words for the page, which is drawn again with what was typed and a fresh
token, so submitting it again saves once. (The JSON API has its Idempotency-Key instead.)

A step taken on a record, a case or an action from a page of its own (correcting or withdrawing
a record, reopening a case, a funding request's approval and decision pages, marking warnings
reviewed, marking an action done or changing it) is a `Step`: made first, it reads the page's
token before the view asks whether the step may still be taken, so a second post of the page is
answered by `already_saved_page` (409) rather than by "this step is not open now"; a post without
one is refused (`Step.refuse_tokenless`); the save runs with the token used up in one transaction
(`Step.save`). The view says only its form, its save, its messages and its pages.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import render_template, request
from markupsafe import Markup, escape
from sqlalchemy import delete, select, update

from . import db
from .audit import refused
from .auth import current_user
from .models import Case, utcnow
from .record_models import FormToken

FIELD = "hearth_form_token"
URL_ARG = "once"           # the same token in the page's address (static/js/form-once.mjs puts it there)
TOKEN_LENGTH = 43          # secrets.token_urlsafe(32)
KEEP_UNUSED = timedelta(days=1)
MISSING = "This page had expired or was not complete. Check your answers and submit again."
MISSING_REASON = "form_token_missing"   # the audit's reason for a post without a token
MISSING_STATUS = 400


class AlreadyUsed(Exception):
    """This page of the form was already posted; `token` is its row (submission_id, case_id)."""

    def __init__(self, token: FormToken | None):
        super().__init__("This form was already saved")
        self.token = token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user_id: int, case_id: int | None, form_id: str) -> str:
    """A new token for one page of a form (committed, so the page can be posted from another request)."""
    s = db.session()
    s.execute(delete(FormToken).where(FormToken.used_at.is_(None), FormToken.created_at < utcnow() - KEEP_UNUSED))
    token = secrets.token_urlsafe(32)
    s.add(FormToken(token_hash=_hash(token), user_id=user_id, case_id=case_id, form_id=form_id[:100]))
    s.commit()
    return token


def for_page(user_id: int, case_id: int | None, form_id: str, given: str | None) -> tuple[str | None, FormToken | None]:
    """A form page asked for with a token in its address (Back to a page already sent): (token,
    None) to draw it again with that token while unused; (None, row) when it was used, for the
    'already saved' page; (None, None) when there is none of this user's form (issue a new one)."""
    if not given or len(given) != TOKEN_LENGTH or not given.isascii():
        return None, None
    same = [FormToken.token_hash == _hash(given), FormToken.user_id == user_id, FormToken.form_id == form_id[:100]]
    if case_id is not None:
        same.append(FormToken.case_id == case_id)
    row = db.session().scalar(select(FormToken).where(*same))
    if row is None:
        return None, None
    return (given, None) if row.used_at is None else (None, row)


def posted(form) -> str | None:
    """The token a post carries, or None when it has none (or not one of ours)."""
    token = form.get(FIELD)
    return token if token and len(token) == TOKEN_LENGTH and token.isascii() else None


def on_page(user_id: int, case_id: int | None, form_id: str) -> tuple[str | None, FormToken | None]:
    """A form page's token for this request and, when the page was saved with it already, its
    used row (answer with `already_saved_page`). On a post, the posted token (None when it has
    none: `refuse_missing`); on a GET, the one in the page's address while it is unused (Back to
    a page not yet saved), else None (issue a new one)."""
    if request.method == "POST":
        token = posted(request.form)
        return token, for_page(user_id, case_id, form_id, token)[1]
    return for_page(user_id, case_id, form_id, request.args.get(URL_ARG))


def already_saved_page(case, heading: str, obj_type: str, obj_id, *, saved: int | None = None,
                       link: str | None = None):
    """A page of a step posted again after it was saved (409), or gone Back to (200): nothing is
    saved again; the page links to what was saved (`link`, else the record `saved`, else the
    case). Audited as refused, as every form's is."""
    refused("form_already_saved", 409, obj_type, obj_id)
    return render_template("workflow/already_saved.html", case=case, defn=None, heading=heading, saved=saved,
                           saved_link=link, again=False), 409 if request.method == "POST" else 200


def refuse_missing(obj_type: str, obj_id) -> str:
    """A post that carries no token (posted() found none): nothing may be saved. Audited as
    refused (MISSING_STATUS, which the page answers with); the message for its error summary."""
    refused(MISSING_REASON, MISSING_STATUS, obj_type, obj_id)
    return MISSING


def use(token: str, user_id: int, case_id: int | None, form_id: str) -> FormToken:
    """Use the posted token up, in the caller's transaction (commit it with the save, roll it back
    with a refusal). Raises AlreadyUsed when it was used (or is not this user's and form's); a post
    without one never gets here (refuse_missing)."""
    s = db.session()
    digest = _hash(token)
    same = [FormToken.token_hash == digest, FormToken.user_id == user_id, FormToken.form_id == form_id[:100]]
    if case_id is not None:  # a new case's form has none until the case is opened
        same.append(FormToken.case_id == case_id)
    # conditional: of two posts at once only one finds it unused (the other waits for its row, then finds none)
    claimed = s.execute(update(FormToken).where(*same, FormToken.used_at.is_(None))
                        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise AlreadyUsed(s.scalar(select(FormToken).where(*same)))
    return s.scalar(select(FormToken).where(FormToken.token_hash == digest))


def saved(row: FormToken | None, *, submission_id: int | None = None, case_id: int | None = None) -> None:
    """Name what the post saved on its token, for the 'already saved' message (caller commits)."""
    if row is None:
        return
    if submission_id is not None:
        row.submission_id = submission_id
    if case_id is not None:
        row.case_id = case_id


def with_token(html: Markup | str, token: str) -> Markup:
    """A rendered form with the token's hidden field added just inside its <form> tag."""
    text = str(html)
    head, sep, rest = text.partition("<form")
    if not sep:
        return Markup(text)
    tag_end = rest.index(">") + 1
    hidden = f'\n  <input type="hidden" name="{FIELD}" value="{escape(token)}">'
    return Markup(head + sep + rest[:tag_end] + hidden + rest[tag_end:])


class Step:
    """One page of a step taken on a case, a record or an action, with its one-time token: what
    each such view shares. Made at the start of the view, it reads the page's token first
    (`on_page`): when `used` is set, answer with `already_saved()` before anything else.
    `heading`, `obj_type` and `obj_id` name the step for the 'already saved' page and the audit;
    that page links to `link`, else the record `saved`, else the record the token names (a
    correction's), else the case."""

    def __init__(self, case: Case, form_id: str, heading: str, obj_type: str, obj_id, *,
                 saved: int | None = None, link: str | None = None):
        self.case, self.form_id, self.heading = case, form_id, heading
        self.obj_type, self.obj_id, self.saved, self.link = obj_type, obj_id, saved, link
        # token: posted, or in the page's address (None: a fresh one when drawn);
        # used: the token's row when the page was saved with it already
        self.token, self.used = on_page(current_user().id, case.id, form_id)

    @property
    def tokenless(self) -> bool:
        """A post without its token: nothing may be saved (`refuse_tokenless`)."""
        return request.method == "POST" and self.token is None

    def refuse_tokenless(self) -> tuple[list[dict], int]:
        """A post without its token, audited as refused: the page's error summary and its status
        (MISSING_STATUS); the page is drawn again as typed, with a fresh token."""
        return [{"text": refuse_missing(self.obj_type, self.obj_id)}], MISSING_STATUS

    def save(self, save: Callable[[FormToken], object]) -> bool:
        """Use the token up and run `save` (given the token's row) in one transaction, committed:
        True when saved; False when the token was used already (two posts at once: the other one
        saved), nothing saved: answer with `already_saved()`. When `save` raises (a refusal),
        everything is rolled back and the token stays unused for the corrected post."""
        session = db.session()
        try:
            row = use(self.token, current_user().id, self.case.id, self.form_id)
        except AlreadyUsed as again:
            session.rollback()
            self.used = again.token
            return False
        try:
            save(row)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return True

    def already_saved(self):
        """The 'already saved' page (409 to a post, 200 to Back), linking to what was saved."""
        saved = self.saved if self.saved is not None else (self.used.submission_id if self.used is not None else None)
        return already_saved_page(self.case, self.heading, self.obj_type, self.obj_id, saved=saved, link=self.link)

    def page_token(self) -> str:
        """The token to draw the page with: its own, or a fresh one (a GET, a post without one)."""
        if self.token is None:
            self.token = issue(current_user().id, self.case.id, self.form_id)
        return self.token
