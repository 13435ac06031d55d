"""The case page says "one of these roles" in plain words where the policy asks for one of several."""
from __future__ import annotations

from bs4 import BeautifulSoup

from hearth.web import db
from hearth.web.views import workflow as workflow_views

from live_support import COUNCIL, add_case, live_policies, world  # noqa: F401 (fixtures)
from web_support import login

ANSWER = {
    "as_of": "2025-06-01", "policy": {"version": "2025-01", "effective_from": "2025-01-01"},
    "triggers": [], "recommendation": None, "deadlines": [], "gates": [], "duties": [], "interventions": [],
    "chair": {"options": ["iro"], "groups": {}, "because": "always", "source": None},
    "invitees": {
        "required": ["childs_social_worker"], "consider": [],
        "required_one_of": [{"roles": ["fostering_team_manager", "kinship_team_manager", "iro"],
                             "groups": [], "source": "x"}],
        "consider_one_of": [],
        "because": [{"required": ["childs_social_worker"], "consider": [],
                     "required_one_of": [["fostering_team_manager", "kinship_team_manager", "iro"]],
                     "consider_one_of": [], "when": "always", "source": "x"}]},
}


def render(app, answer) -> BeautifulSoup:
    with app.test_request_context("/"):
        html = app.jinja_env.get_template("case_evaluation.html").render(answer=answer, policy=None)
    return BeautifulSoup(html, "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_one_of_several_roles_is_said_in_plain_words(app):
    soup = render(app, ANSWER)
    must = words(soup.find(id="invitees"))
    assert ("Must be invited Childs social worker; one of Fostering team manager, Kinship team manager or Iro"
            in must.replace("'", "")), must
    assert "Must invite one of Fostering team manager, Kinship team manager or Iro" in words(soup.find("table"))


def test_only_one_of_is_not_no_one(app):
    answer = {**ANSWER, "invitees": {**ANSWER["invitees"], "required": [], "because": []}}
    must = words(render(app, answer).find(id="invitees"))
    assert "No one" not in must.split("Consider")[0] and "one of Fostering team manager" in must, must


def test_the_case_page_shows_the_placement_in_force_and_the_earlier_ones(app, world):
    with app.app_context():
        s = db.session()
        case = add_case(s, COUNCIL, "N-MOVED", "ifa_foster", "2025-06-01", None, [
            ("placement_ended", "2025-12-01", {"ending": "unplanned"}),
            ("placement_moved", "2025-12-01", {"placement_type": "la_childrens_home", "emergency": True})])
        s.commit()
        case_id = case.id
    client = app.test_client()
    assert login(client, world.emails["manager"]).status_code == 302
    page = BeautifulSoup(client.get(f"/cases/{case_id}").get_data(as_text=True), "html.parser")
    summary = words(page.find("dl"))
    assert "Placement Council children's home (an emergency placement)" in summary, summary
    assert "Placement started 1 December 2025" in summary
    assert ("Earlier placements Independent fostering agency (IFA) foster carers from 1 June 2025 to "
            "1 December 2025 (ended without a plan)") in summary
    # the move in the case's events names the placement type by its label
    assert "Placement type: Council children's home" in words(page), words(page)
    # the dashboard lists the case under the placement in force, not the one it was opened with
    dashboard = BeautifulSoup(client.get("/", query_string={"worker": "all"}).get_data(as_text=True), "html.parser")
    row = next(tr for tr in dashboard.find("table", id="cases").find_all("tr") if "N-MOVED" in words(tr))
    assert "Council children's home" in words(row) and "agency" not in words(row), words(row)


def test_arranging_a_meeting_says_which_one_of_several_roles_to_invite(app, demo, login_as, monkeypatch):
    """A form that starts from the policy's invitees says "one of A, B or C" where the policy
    asks for one of several roles (they cannot be ticked for the worker: any one will do)."""
    real = workflow_views.evaluate_case

    def with_one_of(case):
        evaluation = real(case)
        evaluation.answer["invitees"]["required_one_of"] = [
            {"roles": ["fostering_team_manager", "kinship_team_manager"], "groups": [], "source": "x"}]
        return evaluation
    monkeypatch.setattr(workflow_views, "evaluate_case", with_one_of)
    case = next(c for c in demo.cases["swindon"] if c.placement_type == "ifa_foster")
    client = login_as("worker@swindon.demo")
    page = BeautifulSoup(client.get(f"/cases/{case.id}/forms/schedule_meeting").get_data(as_text=True), "html.parser")
    inset = words(page.select_one("#prefilled"))
    assert ("It also asks that one of Fostering team manager or assistant manager or Kinship care team manager or "
            "assistant manager be invited") in inset, inset
