"""API tokens in the browser: anyone signed in makes tokens for their own use (shown once,
only a hash kept), sees theirs and revokes one; a council's admin sees every token of the
council's staff and revokes any. A revoked token is refused at its next call
(hearth.web.tokens.user_for_token reads the row on every call)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import db, tokens
from ..admin_scope import chosen_council, council_args, known_councils, token_or_404
from ..audit import audit, refused
from ..auth import current_user, login_required, role_required, token_hash
from ..models import ApiToken, AuditAction, Role, User
from ..routing import MAX_ID
from ..validators import PlainText

bp = Blueprint("api_tokens", __name__)
MAX_ID_DIGITS = len(str(MAX_ID))


class TokenForm(FlaskForm):
    name = StringField("What is the token for?", widget=GovTextInput(),
                       description="For example, Mosaic nightly sync. It helps you recognise the token later.",
                       validators=[InputRequired("Enter what the token is for"),
                                   Length(max=tokens.NAME_LENGTH,
                                          message=f"The name must be {tokens.NAME_LENGTH} characters or fewer"),
                                   PlainText()])
    submit = SubmitField("Create a token", widget=GovSubmitInput())


def _no_store(response):
    """A page showing a token is never kept by the browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def mine():
    user, s = current_user(), db.session()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = tokens.create_token(s, user, form.name.data.strip())
        s.flush()
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(new_token)))
        audit(AuditAction.CREATED, "api_token", row.id, {"prefix": row.prefix, "via": "web"})
        form = TokenForm(formdata=None)
    rows = s.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                     .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    response = make_response(render_template("tokens/mine.html", form=form, rows=rows, new_token=new_token))
    return _no_store(response) if new_token else response


def _revoke(row: ApiToken) -> None:
    if tokens.revoke(row, current_user()):
        audit(AuditAction.REVOKED, "api_token", row.id, {"prefix": row.prefix}, council_id=row.user.council_id)
        flash(f"The token {row.prefix}… is revoked: it no longer works", "success")
    else:
        flash(f"The token {row.prefix}… was already revoked", "success")


@bp.post("/account/tokens/revoke")
@login_required
def revoke_mine():
    """The token is named in the form (``token_id``), not the URL: it is the signed-in
    person's own or nobody's."""
    chosen = request.form.get("token_id", "")
    if not (chosen.isascii() and chosen.isdigit() and len(chosen) <= MAX_ID_DIGITS):
        flash("Choose a token to revoke")
        return redirect(url_for("api_tokens.mine"))
    token_id = int(chosen)
    row = db.session().get(ApiToken, token_id) if token_id <= MAX_ID else None
    if row is None:
        abort(404)
    if row.user_id != current_user().id:  # another person's token, perhaps another council's
        refused("another_user", 404, "api_token", token_id)
        abort(404)
    _revoke(row)
    return redirect(url_for("api_tokens.mine"))


@bp.get("/admin/tokens")
@role_required(Role.ADMIN)
def council():
    shown = chosen_council()
    if shown is None:
        return render_template("admin/choose_council.html", councils=known_councils(), area="API tokens",
                               endpoint="api_tokens.council")
    rows = db.session().scalars(select(ApiToken).join(User, ApiToken.user_id == User.id)
                                .where(User.council_id == shown.id).options(selectinload(ApiToken.user))
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    audit(AuditAction.VIEWED, "api_token_list", None, {"count": len(rows)}, council_id=shown.id)
    return render_template("tokens/council.html", rows=rows, shown=shown, args=council_args(shown.id))


@bp.post("/admin/tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke(token_id: int):
    row = token_or_404(token_id)
    _revoke(row)
    return redirect(url_for("api_tokens.council", **council_args(row.user.council_id)))
