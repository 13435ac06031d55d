"""The case page says "one of these roles" in plain words where the policy asks for one of several."""
from __future__ import annotations

from bs4 import BeautifulSoup

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
