"""axe-core on every page each role can reach: sign in as each role of each council (and
the administrator), follow every link and GET form the pages offer (same site, not the
JSON API or static files), and check each page, plus the error pages they can meet. The
kinds of page another test checks for every council are left to it (SKIP says which)."""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import ROLES, email, sign_in

MAX_PAGES = 40
# A GET form (the dashboard's filters) submitted as it stands leads to a page too.
GET_FORMS = """() => [...document.querySelectorAll('form')]
  .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'get')
  .map(f => { const u = new URL(f.action || location.href);
              u.search = new URLSearchParams(new FormData(f)).toString(); return u.href; })"""
# The editors' own pages (beyond their index) are axe-checked page kind by page kind by
# test_workspace_edit_*.py and the editors' journey; crawled, they filled the officer's
# 40 pages with one rule's editor after another at a second each.
# The footer's public pages (accessibility statement, privacy, cookies) are checked by
# test_reflow.py and test_service_pages.py: crawled, they took three of every person's 40.
# A council's policy and document pages (/councils/<id>/policy/...) and each of its forms on a
# case (/cases/N/forms/<form>, empty and sent empty) are checked for every council by
# test_council_pages.py: crawled, they took half of every person's 40 again.
SKIP = re.compile(r"^/(static|api)/|^/logout$|\.(json|csv|pdf|png|svg)$|^/councils/[^/]+/workspace/change/."
                  r"|^/(accessibility|privacy|cookies)$|^/councils/[^/]+/(policy|document)(/|$)"
                  r"|^/cases/\d+/forms/[^/]+$")

# Every council of the policies folder under test (the extra councils the session adds get
# test_council_pages.py's pages instead: the crawl is the suite's slowest test).
PEOPLE = [(c, r) for c in shipped_councils() for r in ROLES] + [(None, "admin")]


def shape(path: str) -> str:
    """The crawl takes one page of each shape (/cases/N, /admin/users/N), so its MAX_PAGES reach
    more kinds of page rather than more of the same kind: every demo case's page, each showing
    its own evaluation, is checked by test_council_pages.py. Numbers stand for any number; a policy file's page stands for every file of its folder
    (/councils/c/workspace/files/forms/* is one editor, whichever form), and the question
    before removing a file for every file."""
    path = re.sub(r"(/workspace/files/[^/]+)/.+$", r"\1/*", re.sub(r"\d+", "N", path))
    return re.sub(r"/workspace/remove/.+$", "/workspace/remove/*", path)


def crawl(page, start: str, name: str) -> tuple[list[str], list[str]]:
    """Visit every page reachable by links from `start`; axe each. Returns (visited, failures)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url or start))
    queue, seen, shapes, visited, failures = [start], {start}, set(), [], []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(path)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(f"{response.status} {path}")
        try:
            check_accessibility(page, f"{name} {path}")
        except AssertionError as e:
            failures.append(str(e))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)") + page.evaluate(GET_FORMS):
            url = urldefrag(href)[0]
            if not url.startswith(origin):
                continue
            target = url[len(origin):] or "/"
            bare = urlsplit(target).path
            if target in seen or SKIP.search(bare) or bare == "/login":
                continue
            seen.add(target)
            kind = shape(bare)
            if kind not in shapes:
                shapes.add(kind)
                queue.append(target)
    return visited, failures


def test_sign_in_page(page):
    page.goto("/login")
    check_accessibility(page, "sign-in")
    page.fill("#email", "nobody@example.org")
    page.click("button:has-text('Sign in')")  # no password: the error summary and messages
    page.wait_for_selector(".govuk-error-summary")
    check_accessibility(page, "sign-in with errors")


@pytest.mark.parametrize("council,role", PEOPLE, ids=[f"{c or 'hearth'}-{r}" for c, r in PEOPLE])
def test_every_page_a_role_reaches(page, council, role):
    sign_in(page, email(role, council))
    name = f"{role}@{council or 'hearth'}"
    visited, failures = crawl(page, "/", name)
    # Pages no link leads to but anyone can meet: not found, and (for all but the
    # administrator) the audit trail they may not read.
    # The policy status page is linked only from the banner a broken policy raises.
    extra = ["/no-such-page", "/cases/999999", "/policy-status"] + ([] if role == "admin" else ["/admin/audit"])
    for path in extra:
        response = page.goto(path)
        reaches = path == "/policy-status" and role in ("admin", "policy_officer")
        assert response.status in ((200,) if reaches else (403, 404)), f"{name} {path}: {response.status}"
        expected = f"Failed to load resource: the server responded with a status of {response.status}"
        page.problems[:] = [p for p in page.problems if expected not in p]
        visited.append(f"{response.status} {path}")
        try:
            check_accessibility(page, f"{name} {path}")
        except AssertionError as e:
            failures.append(str(e))
    print(f"{name}: {len(visited)} pages: {', '.join(visited)}")
    assert len(visited) >= 3
    assert not failures, "\n\n".join(failures)
    assert not page.problems, page.problems
