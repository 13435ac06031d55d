"""axe-core on the pages that matter, for every council of the session (tests/councils.py):
the shipped councils, the every-construct fixture council and a freshly scaffolded one.
Each council is taken as it declares itself -- its demo cases, its forms, its policy --
so a council dropped into policies/ is checked with no Python written for it.

For each council: the manager's dashboard, every demo case's page, each of the council's
forms on its first case (empty, then sent empty to meet the error summary), the list of
forms, the council's own pages they link to (/councils/<id>/...: its document, its policy
in words; two of each kind), and the policy status page as its policy officer sees it.
(test_pages.py crawls every other link for the councils of the policies folder, and leaves
the forms on a case and the council's own pages to this file, which checks them for every
council.)"""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urldefrag

import pytest
from sqlalchemy import select

from hearth.engine.forms_catalog import load_forms
from hearth.web import db
from hearth.web.models import Case

from .accessibility import check_accessibility
from .conftest import TODAY, councils, email, sign_in
from .govuk_forms import submit


MAX_COUNCIL_PAGES = 25
PER_KIND = 2


def kind(path: str) -> str:
    """A council page's kind: a form's page in words, or any page of an earlier version, stands
    for the others of its template (/councils/c/policy/forms/*, /councils/c/policy/versions/*/...)."""
    path = re.sub(r"/policy/versions/[^/]+", "/policy/versions/*", path)
    return re.sub(r"/policy/forms/[^/]+$", "/policy/forms/*", path)


def links(page) -> list[str]:
    """The same-site paths the page links to, without fragments or queries."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return sorted({urldefrag(h)[0].split("?")[0] for h in hrefs if h.startswith("/")})


def demo_cases(live, council: str) -> list[tuple[int, str]]:
    with live.app.app_context():
        cases = db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id))
        return [(case.id, case.child_ref) for case in cases]


@pytest.mark.parametrize("council", councils())
def test_the_councils_pages_pass_axe(page, live, council):
    live.reseed()
    cases = demo_cases(live, council)
    failures = []

    def check(name: str) -> None:
        try:
            check_accessibility(page, f"{council} {name}")
        except AssertionError as e:
            failures.append(str(e))

    sign_in(page, email("manager", council))
    check("manager's dashboard")
    for _, ref in cases:
        assert page.locator(f"main a:text-is('{ref}')").count() == 1, f"{ref} is on the manager's dashboard"

    sign_in(page, email("worker", council))
    check("worker's dashboard")
    for case_id, ref in cases:
        response = page.goto(f"/cases/{case_id}")
        assert response.status == 200, f"{ref}: {response.status}"
        assert ref in page.inner_text("h1")
        check(f"case {ref}")

    if cases:
        case_id, ref = cases[0]
        page.goto(f"/cases/{case_id}/forms")
        check(f"forms for {ref}")
        for form_id, defn in sorted(load_forms(council, TODAY).forms.items()):
            response = page.goto(f"/cases/{case_id}/forms/{form_id}")
            assert response.status == 200, f"{form_id}: {response.status}"
            assert defn.title in page.inner_text("main")
            check(f"{form_id} form")
            submit(page)
            if page.locator(".govuk-error-summary").count():  # a form whose every question is optional saves
                assert page.title().startswith("Error: "), f"{form_id} sent empty: the title says so"
                check(f"{form_id} form sent empty")

    # The council's own pages the worker's pages link to (its document, its policy read in
    # words, ...): every kind under /councils/<id>/, up to a few dozen pages, and at most
    # PER_KIND of a kind (a form's page in words, an earlier version's section: one template).
    sign_in(page, email("worker", council))
    council_pages = f"/councils/{council}/"
    queue = [path for path in links(page) if path.startswith(council_pages)]
    seen, kinds = set(queue), Counter(kind(path) for path in queue)
    visited = 0
    while queue and visited < MAX_COUNCIL_PAGES:
        path = queue.pop(0)
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        visited += 1
        check(path)
        for found in links(page):
            if found.startswith(council_pages) and found not in seen and kinds[kind(found)] < PER_KIND:
                seen.add(found)
                kinds[kind(found)] += 1
                queue.append(found)

    print(f"{council}: {visited} of its own pages: {sorted(seen)}")
    sign_in(page, email("policy_officer", council))
    response = page.goto("/policy-status")
    assert response.status == 200
    check("policy status")
    assert not failures, "\n\n".join(failures)
    assert not page.problems, page.problems
