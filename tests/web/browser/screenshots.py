"""Full-page screenshots of the main pages for each council, for the README:
docs/screenshots/<council>-<page>.png at 1280×900, from the demo seed on the pinned day
(`conftest.TODAY`), so the pictures only change when the pages do.

Run by test_screenshots.py (`make screenshots` runs just that). A file is rewritten only
when its picture changed."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hearth.web import db
from hearth.web.models import Case

from .conftest import email, sign_in

OUT = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def save(page, name: str, out: Path = OUT) -> Path:
    """Screenshot the whole page into out/name.png unless the same picture is there."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    if not path.is_file() or path.read_bytes() != png:
        path.write_bytes(png)
    return path


def first_case(live, council: str) -> Case:
    """The seed's first case for the council: three missing episodes in a fortnight."""
    with live.app.app_context():
        return db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id)).first()


def sign_in_pages(page, out: Path = OUT) -> list[Path]:
    """The sign-in page is the same for every council (nobody is known yet): one picture."""
    page.goto("/login")
    page.wait_for_selector(".govuk-password-input__toggle:not([hidden])")
    shots = [save(page, "hearth-sign-in", out)]
    page.fill("#email", "worker@example.org")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(".govuk-error-summary")
    shots.append(save(page, "hearth-sign-in-error", out))
    return shots


def council_pages(page, live, council: str, out: Path = OUT) -> list[Path]:
    """The manager's dashboard and the worker's case page with its live evaluation."""
    shots = []
    sign_in(page, email("manager", council))
    shots.append(save(page, f"{council}-dashboard", out))
    page.context.clear_cookies()
    sign_in(page, email("worker", council))
    case = first_case(live, council)
    page.goto(f"/cases/{case.id}")
    shots.append(save(page, f"{council}-case", out))
    page.context.clear_cookies()
    return shots
