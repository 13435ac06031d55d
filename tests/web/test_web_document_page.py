"""The council's procedure document page: shown to the council's own workers, managers,
policy officers and admins (escaped, paragraphs and lists kept), a 404 for another
council's (audited), and linked from every "From <document>" a case page shows."""
from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api
from hearth.web import db
from hearth.web.models import AuditEntry

from web_support import login

# What is tested is not the database: on SQLite only (tests/web/conftest.py; the database's own
# behaviour is tested on both in test_web_database, test_policy_store, test_hardening_*, ...).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def page(client, council):
    return client.get(f"/councils/{council}/document")


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


@pytest.mark.parametrize("role", ["worker", "manager", "policy_officer"])
def test_the_councils_staff_read_its_document(app, demo, role):
    council = api.get_council(demo.home)
    r = page(signed_in(app, demo.email(role, demo.home)), demo.home)
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    heading = soup.h1.get_text(strip=True)
    text = " ".join(f"{heading} {soup.select_one('#document-text').get_text(' ', strip=True)}".split())
    written = (api.policies_root() / demo.home / "document" / council.document).read_text(encoding="utf-8")
    paragraphs = [" ".join(chunk.split()) for chunk in written.split("\n\n") if chunk.strip()]
    assert heading in (paragraphs[0], "Procedure document")       # the document's own title, when it has one
    for paragraph in paragraphs:
        assert " ".join(line.removeprefix("- ") for line in paragraph.split(" - ")) in text or \
            paragraph.removeprefix("- ") in text, paragraph
    assert soup.select("#document-text p.govuk-body") and council.document in r.get_data(as_text=True)


def test_every_view_is_audited(app, demo):
    client = signed_in(app, demo.email("worker", demo.home))
    assert page(client, demo.home).status_code == 200
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "council_document")).one()
    assert (entry.action, entry.object_id, entry.council_id) == ("viewed", demo.home, demo.home)


def test_another_councils_document_is_a_404_and_audited(app, demo):
    client = signed_in(app, demo.email("worker", demo.home))
    assert page(client, demo.other).status_code == 404
    assert page(client, "no-such-council").status_code == 404
    with app.app_context():
        refused = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert [(e.object_type, e.object_id, e.detail.get("reason")) for e in refused] == \
        [("council_document", demo.other, "another_council")]


def test_signing_in_comes_first(app, demo):
    r = app.test_client().get(f"/councils/{demo.home}/document")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_text_is_escaped_and_its_lists_kept(app, demo, tmp_path, monkeypatch):
    council = api.get_council(demo.home)
    root = api.policies_root()
    copy = tmp_path / "policies"
    shutil.copytree(root, copy)
    (copy / demo.home / "document" / council.document).write_text(
        "A <b>title</b> & more\n\nFirst line\nsecond line <script>alert(1)</script>\n\n- one\n- two <i>x</i>\n",
        encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICIES", str(copy))
    monkeypatch.setitem(app.config, "HEARTH_POLICY_LIBRARY", "folders")  # the file as an officer's laptop reads it
    html = page(signed_in(app, demo.email("manager", demo.home)), demo.home).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>title</b>" not in html and "A &lt;b&gt;title&lt;/b&gt; &amp; more" in html
    soup = BeautifulSoup(html, "html.parser")
    assert [li.get_text() for li in soup.select("#document-text ul li")] == ["one", "two <i>x</i>"]
    assert soup.select_one("#document-text p").find("br") is not None   # its line break kept


def test_the_case_page_links_from_document_to_the_page(app, demo):
    client = signed_in(app, demo.email("worker", demo.home))
    council = api.get_council(demo.home)
    html = client.get(f"/cases/{demo.cases[demo.home][0].id}").get_data(as_text=True)
    links = [a for a in BeautifulSoup(html, "html.parser").find_all("a") if a.contents and a.contents[0] == council.document]
    # each goes to the document with its sentence highlighted (tests/web/test_document_quote.py)
    assert links and all(a["href"].startswith(f"/councils/{demo.home}/document?quote=") for a in links)
