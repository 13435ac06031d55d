"""The council's policy pages (hearth.web.views.policy_pages): read by the council's workers,
managers and policy officers; each rule in words (hearth.engine.policy_words) beside its source
sentence, linked to the document page; every form previewed as workers see it on a case; another
council's policy a 404, audited; every page viewed audited; what the files say escaped.
Every council of the session is read (tests/councils.py); nothing here names a council."""
from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api, form_words, policy_words
from hearth.engine.forms_catalog import load_forms
from hearth.web import db, form_tokens
from hearth.web.models import AuditEntry

from councils import generic_councils
from web_support import Demo, login

ROLES = ["worker", "manager", "policy_officer"]


def signed_in(app, role: str, council: str | None):
    client = app.test_client()
    assert login(client, Demo.email(role, council)).status_code == 302
    return client


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def quoted(source: str) -> str:
    """A source sentence as a page quotes it: its emphasis marks (**) left out."""
    return " ".join(source.replace("*", "").split())


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def in_force(council: str):
    return api.get_policy(council).version_on(date.today())


def entries_of(council: str, version=None) -> tuple:
    return policy_words.entries(version or in_force(council))


# Each council's pages are read once, on SQLite (what is checked is the councils): the database
# fixture (tests/web/conftest.py) given only its SQLite value, so no test is generated for
# PostgreSQL to be skipped.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


# ----------------------------------------------------------------------------- who reads
@pytest.mark.parametrize("role", ROLES)
def test_the_councils_staff_read_its_policy(app, demo, role):
    client = signed_in(app, role, demo.home)
    page = soup_of(client.get(f"/councils/{demo.home}/policy"))
    version = in_force(demo.home)
    summary = words(page.find(id="version-shown"))
    assert version.title in summary and version.version in summary
    links = [a["href"] for a in page.select("#sections a")]
    assert links == [f"/councils/{demo.home}/policy/{section}" for section, _ in policy_words.SECTIONS]
    for href in links:
        assert client.get(href).status_code == 200, href


def test_a_policy_officer_lands_on_a_link_to_the_policy_not_a_placeholder(app, demo):
    page = signed_in(app, "policy_officer", demo.home).get("/").get_data(as_text=True)
    assert "will appear here" not in page
    assert f'href="/councils/{demo.home}/policy"' in page


def test_admins_and_strangers_are_not_shown_it(app, demo):
    assert signed_in(app, "admin", None).get(f"/councils/{demo.home}/policy").status_code == 403
    anonymous = app.test_client().get(f"/councils/{demo.home}/policy/triggers")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# ----------------------------------------------------------------------------- scoping and audit
def test_another_councils_policy_is_a_404_and_audited(app, demo):
    client = signed_in(app, "policy_officer", demo.home)
    version = in_force(demo.other).version
    form_id = sorted(load_forms(demo.other).forms)
    paths = [f"/councils/{demo.other}/policy", f"/councils/{demo.other}/policy/triggers",
             f"/councils/{demo.other}/policy/versions/{version}", f"/councils/{demo.other}/policy/versions/{version}/gates"]
    paths += [f"/councils/{demo.other}/policy/forms/{form_id[0]}"] if form_id else []
    for path in paths:
        assert client.get(path).status_code == 404, path
    with app.app_context():
        refused = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert [(e.object_type, e.object_id, e.detail["reason"]) for e in refused] == \
        [("council_policy", demo.other, "another_council")] * len(paths)


def test_what_is_not_there_is_a_404(app, demo):
    client = signed_in(app, "worker", demo.home)
    for path in ("/councils/no-such-council/policy", f"/councils/{demo.home}/policy/no-such-section",
                 f"/councils/{demo.home}/policy/versions/1999-01", f"/councils/{demo.home}/policy/versions/1999-01/triggers",
                 f"/councils/{demo.home}/policy/forms/no-such-form"):
        assert client.get(path).status_code == 404, path


def test_every_page_viewed_is_audited(app, demo):
    client = signed_in(app, "manager", demo.home)
    version = in_force(demo.home)
    assert client.get(f"/councils/{demo.home}/policy").status_code == 200
    assert client.get(f"/councils/{demo.home}/policy/versions/{version.version}/deadlines").status_code == 200
    with app.app_context():
        viewed = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "council_policy")
                                      .order_by(AuditEntry.id)).all()
    assert [(e.action, e.object_id, e.council_id, e.detail, e.policy_version) for e in viewed] == [
        ("viewed", demo.home, demo.home, {"page": "index", "version": version.version}, version.version),
        ("viewed", demo.home, demo.home, {"page": "deadlines", "version": version.version}, version.version)]


# ----------------------------------------------------------------------------- every council
@sqlite_only
@pytest.mark.parametrize("council", generic_councils())
def test_every_rule_of_every_council_is_shown_beside_its_source(app, demo, council):
    client = signed_in(app, "worker", council)
    document = api.get_council(council).document
    for section, _ in policy_words.SECTIONS:
        page = soup_of(client.get(f"/councils/{council}/policy/{section}"))
        for entry in policy_words.section_entries(in_force(council), section):
            block = page.find(id=entry.key.replace(":", "-"))
            assert block is not None, entry.key
            text = words(block)
            assert words(BeautifulSoup(entry.title, "html.parser")) in text
            assert all(" ".join(sentence.split()) in text for sentence in entry.sentences), entry.key
            assert quoted(entry.source) in text, entry.key
            if document:   # the document, opened at the sentence quoted
                assert block.find("a", href=re.compile(rf"^/councils/{council}/document\?quote=")), entry.key


@sqlite_only
@pytest.mark.parametrize("council", generic_councils())
def test_chair_and_invitees_by_placement_type(app, demo, council):
    client = signed_in(app, "worker", council)
    version = in_force(council)
    table = soup_of(client.get(f"/councils/{council}/policy/chair")).find(id="by-placement")
    rows = table.select("tbody tr")
    assert [words(row.th) for row in rows] == list(version.vocabulary.placement_types.values())
    for row, expected in zip(rows, policy_words.placement_rows(version, "chair")):
        assert [a["href"] for a in row.select("td a")] == [f"#{cell.key.replace(':', '-')}" for cell in expected.cells]
    invitees = soup_of(client.get(f"/councils/{council}/policy/invitees")).find(id="by-placement")
    assert [words(h) for h in invitees.find_all("h3")] == list(version.vocabulary.placement_types.values())
    for listed, expected in zip(invitees.select("dl"), policy_words.placement_rows(version, "invitees")):
        must, consider = (words(dd) for dd in listed.select("dd"))
        for text, part in ((must, "required"), (consider, "consider")):
            assert all(label in text for label in expected.always(part)), (expected.label, part, text)
            assert all(f"{cell.when[:-1]}: {', '.join(cell.required if part == 'required' else cell.consider)}" in text
                       for cell in expected.sometimes if getattr(cell, part)), (expected.label, part, text)
        if not expected.always("required"):
            assert must.startswith("No one")


@sqlite_only
@pytest.mark.parametrize("council", generic_councils())
def test_every_version_is_listed_and_can_be_read(app, demo, council):
    client = signed_in(app, "policy_officer", council)
    policy = api.get_policy(council)
    listed = words(soup_of(client.get(f"/councils/{council}/policy")).find(id="versions"))
    for version in policy.versions:
        assert version.version in listed and version.title in listed
        page = soup_of(client.get(f"/councils/{council}/policy/versions/{version.version}"))
        assert version.title in words(page.find(id="version-shown"))
        links = [a["href"] for a in page.select("#sections a")]
        assert links[0] == f"/councils/{council}/policy/versions/{version.version}/{policy_words.SECTIONS[0][0]}"
        triggers = soup_of(client.get(links[0]))
        assert all(triggers.find(id=f"trigger-{t.id}") for t in version.triggers)
    assert "In force today" in listed


# ----------------------------------------------------------------------------- forms
def _form_fields(html: str, form_id: str) -> list:
    form = BeautifulSoup(html, "html.parser").find("form", attrs={"data-form": form_id})
    # Not the per-request tokens: the CSRF token, and the one-time token a case's form carries (a preview saves nothing).
    return [(tag.name, tag.get("name"), tag.get("type"), tag.get("value")) for tag in form.find_all(["input", "select", "textarea"])
            if tag.get("name") not in ("csrf_token", form_tokens.FIELD)]


def test_each_form_is_previewed_exactly_as_workers_see_it_on_a_case(app, demo):
    client = signed_in(app, "worker", demo.home)
    case = demo.cases[demo.home][0]
    forms = soup_of(client.get(f"/councils/{demo.home}/policy")).select("#forms a")
    assert forms
    for link in forms:
        form_id = link["href"].rsplit("/", 1)[1]
        preview = client.get(link["href"]).get_data(as_text=True)
        on_case = client.get(f"/cases/{case.id}/forms/{form_id}").get_data(as_text=True)
        assert _form_fields(preview, form_id) == _form_fields(on_case, form_id)
        form = BeautifulSoup(preview, "html.parser").find("form", attrs={"data-form": form_id})
        assert form["method"] == "get" and not form.select(".govuk-button-group")
        assert not [b for b in form.find_all("button") if b.get("name") != "hearth-row"]  # nothing submits it
        assert 'href="/councils/%s/policy/forms/%s#why"' % (demo.home, form_id) in on_case


def test_add_another_works_in_a_preview_without_javascript(app, demo):
    client = signed_in(app, "worker", demo.home)
    for link in soup_of(client.get(f"/councils/{demo.home}/policy")).select("#forms a"):
        page = soup_of(client.get(link["href"]))
        add = page.find("button", attrs={"name": "hearth-row", "value": re.compile("^add:")})
        if add is None:
            continue
        group = add["value"].split(":")[1]
        before = len(page.find_all("button", attrs={"value": re.compile(f"^remove:{group}:")}))
        again = soup_of(client.get(link["href"], query_string={"hearth-row": add["value"]}))
        assert len(again.find_all("button", attrs={"value": re.compile(f"^remove:{group}:")})) > before
        return
    pytest.skip("the council's forms have no questions asked again and again")


def test_the_case_page_links_to_the_version_it_was_checked_against(app, demo):
    client = signed_in(app, "worker", demo.home)
    case = demo.cases[demo.home][0]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/councils/{demo.home}/policy/versions/{in_force(demo.home).version}"' in page


# ----------------------------------------------------------------------------- escaping
def test_what_the_files_say_is_escaped(app, demo, tmp_path, monkeypatch):
    copy = tmp_path / "policies"
    shutil.copytree(api.policies_root(), copy)
    version = in_force(demo.home)
    path = copy / demo.home / "versions" / f"{version.version}.yaml"
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^title: .*$", text, re.M), "the version file has a title line"
    path.write_text(re.sub(r"^title: .*$", 'title: "A <script>alert(1)</script> & <b>title</b>"', text, count=1,
                           flags=re.M), encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICIES", str(copy))
    monkeypatch.setitem(app.config, "HEARTH_POLICY_LIBRARY", "folders")  # the files as an officer's laptop reads them
    client = signed_in(app, "policy_officer", demo.home)
    for path in (f"/councils/{demo.home}/policy", f"/councils/{demo.home}/policy/triggers"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "<b>title</b>" not in html
        assert "A &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;title&lt;/b&gt;" in html


def test_a_preview_says_why_each_question_is_asked(app, demo):
    client = signed_in(app, "worker", demo.home)
    version = in_force(demo.home)
    for form in load_forms(demo.home).forms.values():
        page = soup_of(client.get(f"/councils/{demo.home}/policy/forms/{form.id}"))
        for entry in form_words.form_entries(form, version)[1:]:
            block = page.find(id=entry.key.replace(":", "-").replace(".", "-"))
            assert block is not None, entry.key
            text = words(block)
            assert all(" ".join(s.split()) in text for s in entry.sentences), entry.key
            if entry.source:
                assert quoted(entry.source) in text
                assert block.find("a", href=re.compile(rf"^/councils/{demo.home}/document\?quote="))


@sqlite_only
@pytest.mark.parametrize("council", generic_councils())
def test_a_version_not_in_force_says_so(app, demo, council):
    client = signed_in(app, "worker", council)
    today = in_force(council)
    for version in api.get_policy(council).versions:
        page = soup_of(client.get(f"/councils/{council}/policy/versions/{version.version}"))
        note = page.find(id="not-in-force")
        assert (note is None) == (version.version == today.version), version.version
        if note is not None:
            assert note.find("a", href=f"/councils/{council}/policy")


def test_the_deadlines_page_says_how_working_days_are_counted(app, demo):
    client = signed_in(app, "worker", demo.home)
    for section in ("deadlines", "duties", "gates", "triggers"):
        note = soup_of(client.get(f"/councils/{demo.home}/policy/{section}")).find(id="working-days")
        if section == "triggers":
            assert note is None
        else:
            assert words(note) == " ".join(policy_words.calendar_words(in_force(demo.home)))
