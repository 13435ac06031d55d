"""Every kind of question drawn with GOV.UK Frontend markup, checked on the HTML itself."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.csrf.session import SessionCSRF

from hearth.forms import ROW_BUTTON, build_form_class, formdata_for, render_answers, render_form, render_page

from forms_support import GOOD, TODAY, every_kind, post, soup


@pytest.fixture(scope="module")
def defn():
    return every_kind()


def blank(defn):
    return soup(render_form(build_form_class(defn)(today=TODAY)))


def test_text_has_label_hint_and_input(defn):
    page = blank(defn)
    label = page.find("label", attrs={"for": "title_text"})
    assert label and "govuk-label" in label["class"] and label.get_text(strip=True) == "Short title"
    hint = page.find(id="title_text-hint")
    assert hint and "govuk-hint" in hint["class"] and hint.get_text(strip=True) == "A few words."
    box = page.find("input", id="title_text")
    assert box["name"] == "title_text" and box["type"] == "text" and "govuk-input" in box["class"]
    assert "title_text-hint" in box["aria-describedby"]


def test_date_is_three_boxes_in_a_fieldset_with_a_legend(defn):
    page = blank(defn)
    group = page.find(id="meeting_date").find_parent("fieldset")
    assert group["role"] == "group"
    assert group.find("legend").get_text(strip=True) == "Date of the meeting"
    boxes = [i["name"] for i in group.find_all("input")]
    assert boxes == ["meeting_date-day", "meeting_date-month", "meeting_date-year"]
    assert [i["id"] for i in group.find_all("input")] == boxes
    assert all(i["inputmode"] == "numeric" for i in group.find_all("input"))
    assert [l.get_text(strip=True) for l in group.find_all("label")] == ["Day", "Month", "Year"]
    assert "For example" in group.find(class_="govuk-hint").get_text()


def test_radios_checkboxes_and_select(defn):
    page = blank(defn)
    radios = page.find_all("input", attrs={"name": "placement", "type": "radio"})
    assert [r["value"] for r in radios] == ["in_house_foster", "ifa_foster", "other"]
    assert radios[0]["id"] == "placement"  # the error summary links to the first
    legend = radios[0].find_parent("fieldset").find("legend")
    assert legend.get_text(strip=True) == "Where does the child live?"
    boxes = page.find_all("input", attrs={"name": "attended", "type": "checkbox"})
    assert "iro" in [b["value"] for b in boxes] and boxes[0]["id"] == "attended"
    assert boxes[0].find_parent(class_="govuk-checkboxes")["data-module"] == "govuk-checkboxes"
    select = page.find("select", id="chair")
    assert "govuk-select" in select["class"] and page.find("label", attrs={"for": "chair"})
    assert select.find("option")["value"] == ""  # nothing chosen until the worker chooses


def test_yes_no_and_money_and_number(defn):
    page = blank(defn)
    yes, no = page.find_all("input", attrs={"name": "child_attended"})
    assert (yes["value"], no["value"]) == ("yes", "no")
    assert page.find("label", attrs={"for": yes["id"]}).get_text(strip=True) == "Yes"
    money = page.find("input", id="cost")
    assert money["inputmode"] == "decimal"
    assert money.find_parent(class_="govuk-input__wrapper").find(class_="govuk-input__prefix").get_text(strip=True) == "£"
    assert page.find("input", id="count")["inputmode"] == "numeric"


def test_reveals_are_in_the_page_without_javascript(defn):
    page = blank(defn)
    no = page.find("input", attrs={"name": "child_attended", "value": "no"})
    block = page.find(id=no["data-aria-controls"])
    assert "govuk-radios__conditional" in block["class"]
    assert block.find("textarea", id="views_how")  # drawn inside the 'No' answer, not elsewhere
    assert len(page.find_all(id="views_how")) == 1
    mediation = page.find("input", attrs={"name": "help", "value": "mediation"})
    assert page.find(id=mediation["data-aria-controls"]).find("input", id="help_notes")
    other = page.find("input", attrs={"name": "placement", "value": "other"})
    assert page.find(id=other["data-aria-controls"]).find("input", id="placement_other")


def test_character_count_for_long_text_with_a_limit(defn):
    page = blank(defn)
    area = page.find("textarea", id="views_how")
    assert area.find_parent(class_="govuk-character-count")["data-maxlength"] == "200"


def test_sections_and_guidance(defn):
    page = blank(defn)
    assert page.find("h2", class_="govuk-heading-m").get_text(strip=True) == "The meeting"
    assert "Who came and what happened." in page.get_text()
    form = page.find("form")
    assert form["method"] == "post" and form.has_attr("novalidate") and form["data-form-version"] == "3"


def test_error_summary_links_to_each_question_and_dates_to_the_day_box(defn):
    form = post(defn, {"meeting_date-day": "", "meeting_date-month": "", "meeting_date-year": ""})
    assert not form.validate()
    page = soup(render_form(form))
    summary = page.find(class_="govuk-error-summary")
    assert summary is page.find("div")  # at the top
    links = {a["href"]: a.get_text(strip=True) for a in summary.find_all("a")}
    assert links["#meeting_date-day"] == "Enter the date of the meeting"
    assert links["#chair"] == "Select who chaired the meeting"
    assert links["#attended"] == "Select who attended"
    assert links["#child_attended"] == "Select yes if the child attended"
    assert links["#actions-0-action"] == "Action 1: Enter what will be done"
    for href in links:  # every link lands on something in the page
        assert page.find(id=href[1:]), href
    # each message also by its question, tied to it for screen readers
    msg = page.find(id="chair-error")
    assert "govuk-error-message" in msg["class"] and "Select who chaired the meeting" in msg.get_text()
    assert "chair-error" in page.find("select", id="chair")["aria-describedby"]
    assert "govuk-form-group--error" in page.find("select", id="chair").find_parent(class_="govuk-form-group")["class"]


def test_a_date_missing_a_part_links_to_that_box_and_marks_it(defn):
    form = post(defn, {"meeting_date-day": "9", "meeting_date-month": "", "meeting_date-year": "2026"})
    form.validate()
    page = soup(render_form(form))
    link = page.find(class_="govuk-error-summary").find("a", href="#meeting_date-month")
    assert link.get_text(strip=True) == "The date of the meeting must include a month"
    assert "govuk-input--error" in page.find(id="meeting_date-month")["class"]
    assert "govuk-input--error" not in page.find(id="meeting_date-day")["class"]
    assert page.find(id="meeting_date-day")["value"] == "9"  # what was typed is kept


def test_govuk_style_messages_not_wtforms_defaults(defn):
    form = post(defn, {"meeting_date-day": "31", "meeting_date-month": "2", "meeting_date-year": "2026",
                       "count": "2.5", "title_text": "far too long a title", "cost": "lots"})
    form.validate()
    text = soup(render_form(form)).get_text()
    assert "The date of the meeting must be a real date" in text
    assert "The number of visits must be a whole number" in text
    assert "The short title must be 10 characters or less" in text
    assert "The cost must be an amount in pounds" in text
    assert "This field is required" not in text and "Not a valid" not in text


def test_csrf_error_is_kept_out_of_the_summary(defn):
    class WithCSRF(Form):
        class Meta:
            csrf = True
            csrf_class = SessionCSRF
            csrf_secret = b"test secret"

            @property
            def csrf_context(self):
                return {}

    form = post(defn, formdata_for(defn, GOOD), base=WithCSRF)
    assert not form.validate()
    assert form.csrf_token.errors  # the token is wrong ...
    page = soup(render_form(form))
    assert page.find(class_="govuk-error-summary") is None  # ... but that is not the worker's to fix here
    assert page.find("input", attrs={"name": "csrf_token", "type": "hidden"})


def test_add_another_and_remove_rows_without_javascript(defn):
    data = formdata_for(defn, GOOD)
    data.add(ROW_BUTTON, "add:actions")
    form = post(defn, data)
    assert form.row_action()
    page = soup(render_form(form))
    assert page.find(id="actions-1-action")  # one more row
    assert page.find(id="actions-0-action")["value"] == "Call"  # the first row kept
    buttons = page.find_all("button", attrs={"name": ROW_BUTTON})
    assert {b["value"] for b in buttons} == {"add:actions", "remove:actions:0", "remove:actions:1"}
    assert all(b["type"] == "submit" for b in buttons)
    remove = page.find("button", attrs={"value": "remove:actions:0"})
    assert "Remove" in remove.get_text() and "action 1" in remove.find(class_="govuk-visually-hidden").get_text()
    # remove the first: the second becomes the first
    data = MultiDict([(k, v) for k, v in data.items(multi=True) if k != ROW_BUTTON])
    data.add("actions-1-action", "Visit")
    data.add(ROW_BUTTON, "remove:actions:0")
    form = post(defn, data)
    assert form.row_action()
    page = soup(render_form(form))
    assert page.find(id="actions-0-action")["value"] == "Visit" and not page.find(id="actions-1-action")


def test_no_add_button_at_the_most_rows(defn):
    rows = [{"action": f"a{i}", "who": "iro", "by_when": "2026-01-12"} for i in range(3)]
    form = post(defn, formdata_for(defn, {**GOOD, "actions": rows}))
    page = soup(render_form(form))
    assert not page.find("button", attrs={"value": "add:actions"})


def test_a_group_is_a_fieldset_of_rows_each_with_a_legend(defn):
    page = blank(defn)
    row = page.find(id="actions-0")
    assert row.name == "fieldset" and row.find("legend").get_text(strip=True) == "Action 1"
    assert row.find_parent("fieldset").find("legend").get_text(strip=True) == "Actions"


def test_enter_key_saves_rather_than_adding_a_row(defn):
    form = soup(blank(defn)).find("form")
    first = form.find("button")
    assert first.get("name") is None and first["type"] == "submit"


def test_page_title_says_error_when_there_are_errors(defn):
    form = post(defn, {})
    form.validate()
    page = soup(render_page(form))
    assert page.find("title").get_text().startswith("Error: ")
    assert page.find("html")["lang"] == "en"


def test_summary_of_saved_answers(defn):
    html = soup(render_answers(defn, {**GOOD, "meeting_date": "2026-01-09"}))
    rows = {r.find("dt").get_text(strip=True): r.find("dd").get_text(" ", strip=True)
            for r in html.find_all(class_="govuk-summary-list__row") if r.find("dt")}
    assert rows["Date of the meeting"] == "9 January 2026"
    assert rows["Who attended?"] == "Independent Reviewing Officer (IRO), Child or young person"
    assert rows["Did the child attend?"] == "Yes"
    assert rows["Cost"] == "£250.50"
