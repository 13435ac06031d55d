"""One bad policy file never takes a council offline: the last good version stays in force,
/status tells monitoring (200, per council), admins and the council's policy officers see a
banner and the located mistakes, and a council whose files never loaded still draws its pages.

Files change under a running app only when it reads folders (HEARTH_POLICY_LIBRARY=folders, a
policy officer's laptop): a published set in the database never changes. These tests run the
app so."""
from __future__ import annotations

import logging
import os

import pytest
from bs4 import BeautifulSoup

from live_support import COUNCIL, PASSWORD, broken, live_policies, world  # noqa: F401  (fixtures)
from web_support import login

# What is tested is not the database: on SQLite only (tests/web/conftest.py; the database's own
# behaviour is tested on both in test_web_database, test_policy_store, test_hardening_*, ...).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

BANNER = "hearth-policy-trouble"


@pytest.fixture(autouse=True)
def _folders(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_POLICY_LIBRARY", "folders")


def save(path, data: bytes) -> None:
    """Write a file as an editor would, with a modification time later than the one read."""
    before = path.stat().st_mtime_ns
    path.write_bytes(data)
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


def signed_in(app, email, password=None):
    client = app.test_client()
    assert login(client, email, **({"password": password} if password else {})).status_code == 302
    return client


def banners(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(b.get_text(" ", strip=True).split()) for b in soup.select(f".{BANNER}")]


def break_version(live_policies, data: bytes = b"effective_from: {a: mapping}\ntriggers: [1, [2]]\n"):
    save(live_policies / COUNCIL / "versions" / "2025-04.yaml", data)


def test_status_lists_each_council_without_a_session_or_any_problem_text(app, world):
    r = app.test_client().get("/status")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["councils"][COUNCIL] == {**body["councils"][COUNCIL], "state": "ok", "version": "2025-04",
                                         "problems": 0}
    assert "message" not in r.get_data(as_text=True) and "yaml" not in r.get_data(as_text=True)


def test_a_bad_save_keeps_the_last_good_policy_and_tells_only_those_who_can_fix_it(app, world, live_policies,
                                                                                 caplog):
    officer = signed_in(app, f"policy@{COUNCIL}.demo")
    assert banners(officer.get("/").get_data(as_text=True)) == []  # loaded while good
    good = (live_policies / COUNCIL / "versions" / "2025-04.yaml").read_bytes()
    with caplog.at_level(logging.WARNING, logger="hearth.engine.policy"):
        break_version(live_policies)

        status = app.test_client().get("/status")
        assert status.status_code == 200  # one council's files never take the service out of the balancer
        councils = status.get_json()["councils"]
        assert councils[COUNCIL]["state"] == "stale" and councils[COUNCIL]["version"] == "2025-04"
        assert councils[COUNCIL]["problems"] >= 2 and councils[COUNCIL]["since"]
        assert all(c["state"] == "ok" for name, c in councils.items() if name != COUNCIL)

        # the case page keeps its policy check: the child's deadlines do not vanish
        worker = signed_in(app, world.emails["worker"])
        page = worker.get(f"/cases/{world.ids['N-0002']}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "policy could not be loaded" not in html
        assert "version 2025-04" in html
        assert banners(html) == []  # a worker keeps working, untroubled

        [banner] = banners(officer.get("/").get_data(as_text=True))
        assert "The policy files changed but have mistakes: version 2025-04 stays in force until they are fixed" \
            in banner
        admin = signed_in(app, "admin@hearth.demo")
        assert any("Northshire" in b for b in banners(admin.get("/").get_data(as_text=True)))
    assert len([r for r in caplog.records if r.name == "hearth.engine.policy"]) == 1  # once per change

    page = officer.get("/policy-status")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    cells = [" ".join(td.get_text(" ", strip=True).split()) for td in soup.select("td")]
    assert f"{COUNCIL}/versions/2025-04.yaml, line 1, column 17 (effective_from)" in cells
    assert worker.get("/policy-status").status_code == 403

    save(live_policies / COUNCIL / "versions" / "2025-04.yaml", good)  # fixed: no restart needed
    assert app.test_client().get("/status").get_json()["councils"][COUNCIL]["state"] == "ok"
    assert banners(officer.get("/").get_data(as_text=True)) == []


def test_a_council_yaml_saved_badly_keeps_the_council_on_every_page(app, world, live_policies):
    worker = signed_in(app, world.emails["worker"])
    assert "Northshire County Council" in worker.get("/").get_data(as_text=True)
    save(live_policies / COUNCIL / "council.yaml", b"name: {not: text}\nnation: [england]\nbrand: [1]\n")
    for path in ("/", f"/cases/{world.ids['N-0002']}"):
        r = worker.get(path)
        assert r.status_code == 200 and "Northshire County Council" in r.get_data(as_text=True)
    save(live_policies / COUNCIL / "council.yaml", b"name: Northshire\xff\n")
    assert worker.get("/").status_code == 200


def test_a_council_whose_files_never_loaded_still_draws_its_pages(app, broken, live_policies):
    save(live_policies / "brokenshire" / "council.yaml", b"\xfe\xffname: Brokenshire\n")
    worker = signed_in(app, "worker@brokenshire.test", PASSWORD)
    assert worker.get("/").status_code == 200
    page = worker.get(f"/cases/{broken}")
    assert page.status_code == 200 and "policy could not be loaded" in page.get_data(as_text=True)
    status = app.test_client().get("/status")
    assert status.status_code == 200
    assert status.get_json()["councils"]["brokenshire"] == {**status.get_json()["councils"]["brokenshire"],
                                                            "state": "broken", "version": None}
    admin = signed_in(app, "admin@hearth.demo")
    assert any("no version of the policy could be loaded" in b for b in banners(admin.get("/").get_data(as_text=True)))
    soup = BeautifulSoup(admin.get("/policy-status").get_data(as_text=True), "html.parser")
    assert any("not UTF-8" in td.get_text() for td in soup.select("td"))


def test_status_is_503_only_when_the_database_cannot_be_reached(app, world, monkeypatch):
    from hearth.web.views import health

    monkeypatch.setattr(health, "_database_answers", lambda: False)
    r = app.test_client().get("/status")
    assert r.status_code == 503 and r.get_json()["database"] == "unavailable"
    assert COUNCIL in r.get_json()["councils"]


def test_a_council_whose_forms_never_loaded_says_so_on_its_forms_page(app, broken, live_policies):
    forms = live_policies / "brokenshire" / "forms"
    forms.mkdir(exist_ok=True)
    (forms / "record_event.yaml").write_bytes(b"title: [a list where the title goes\n")
    worker = signed_in(app, "worker@brokenshire.test", PASSWORD)
    page = worker.get(f"/cases/{broken}/forms")
    assert page.status_code == 200 and "forms could not be loaded" in page.get_data(as_text=True)
    assert worker.get(f"/cases/{broken}/forms/record_event").status_code == 404
    assert worker.get(f"/cases/{broken}").status_code == 200
