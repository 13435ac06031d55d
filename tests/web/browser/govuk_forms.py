"""Filling the app's GOV.UK forms in the browser from a dict of answers, the way a worker
would: `fill_form(page, {"meeting_date": "2026-04-02", "chair": "fostering_team_manager",
"child_attended": False, "actions": [{...}, {...}]})`, then `submit(page)`.

What each answer drives is read from the page itself (hearth.forms' markup, and the new
case page's): a date is the three GOV.UK boxes `#<id>-day`, `-month`, `-year`; radios and
yes/no are `input[name=<id>]` (yes/no as the values "yes" and "no"); checkboxes and roles
are ticked to exactly the list given; a select picks its option; anything else is typed.
A list of dicts is a repeating group: row i is `#<id>-<i>` with questions `<id>-<i>-<q>`,
and a missing row is added with the group's "Add another" button (which posts the form
and draws it again with one more row, so it works without JavaScript).

`assert_kept(page, answers)` reads the same answers back, e.g. after an error."""
from __future__ import annotations

from datetime import date

ROW_BUTTON = "hearth-row"   # hearth.forms' add/remove row buttons: name=hearth-row value=add:<group>
# A question's kind and what it shows now, in one trip to the page: a date's three boxes,
# the ticked values of radios or checkboxes, or the value of a select, input or textarea.
STATE = """name => {
  if (document.getElementById(name + '-day'))
    return ['date', ['day', 'month', 'year'].map(p => document.getElementById(name + '-' + p).value)];
  const all = [...document.getElementsByName(name)];
  if (!all.length) return [null, null];
  const kind = all[0].tagName === 'INPUT' ? all[0].type : all[0].tagName.toLowerCase();
  if (kind === 'radio' || kind === 'checkbox') return [kind, all.filter(e => e.checked).map(e => e.value)];
  return [kind, all[0].value];
}"""


def fill_form(page, answers: dict, prefix: str = "") -> None:
    """Answer each question of the form on `page`, in order (so a radio comes before the
    question it reveals). None leaves a question as it is."""
    for key, value in answers.items():
        name = prefix + key
        if value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, row in enumerate(value):
                if not page.locator(f"#{name}-{i}").count():
                    with page.expect_navigation():
                        page.click(f"button[name='{ROW_BUTTON}'][value='add:{name}']")
                    assert page.locator(f"#{name}-{i}").count(), f"'Add another' drew no row {i} of {name}"
                fill_form(page, row, prefix=f"{name}-{i}-")
        else:
            _answer(page, name, value)


def submit(page, button: str = "Submit") -> None:
    """Press the form's visible button (the hidden first one only serves the Enter key)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def assert_kept(page, answers: dict, prefix: str = "") -> None:
    """Every answer in `answers` is still on the page as it was given."""
    for key, value in answers.items():
        name = prefix + key
        if value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, row in enumerate(value):
                assert_kept(page, row, prefix=f"{name}-{i}-")
            continue
        shown = _shown(page, name)
        expected = sorted(value) if isinstance(value, list) else _text(value)
        assert shown == expected, f"{name}: the page shows {shown!r}, but {expected!r} was given"


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def _state(page, name: str) -> tuple[str, object]:
    kind, shown = page.evaluate(STATE, name)
    assert kind, f"there is no question {name!r} on {page.url}"
    return kind, shown


def _answer(page, name: str, value) -> None:
    kind, shown = _state(page, name)
    if kind == "date":
        day = value if isinstance(value, date) else date.fromisoformat(value)
        for part, number in (("day", day.day), ("month", day.month), ("year", day.year)):
            page.fill(f"#{name}-{part}", str(number))
    elif kind == "radio":
        page.check(f"input[name='{name}'][value='{_text(value)}']")
    elif kind == "checkbox":
        wanted, offered = set(value), page.locator(f"input[name='{name}']")
        values = offered.evaluate_all("all => all.map(e => e.value)")
        assert wanted <= set(values), f"{name} has no boxes for {sorted(wanted - set(values))}"
        for box in sorted(wanted.symmetric_difference(shown)):  # only the boxes to change
            offered.nth(values.index(box)).set_checked(box in wanted)
    elif kind == "select":
        page.select_option(f"[name='{name}']", _text(value))
    else:
        page.fill(f"[name='{name}']", _text(value))


def _shown(page, name: str):
    kind, shown = _state(page, name)
    if kind == "date":
        day, month, year = shown
        return date(int(year), int(month), int(day)).isoformat() if all(shown) else "-".join(shown)
    if kind == "checkbox":
        return sorted(shown)
    if kind == "radio":
        return shown[0] if shown else None
    return shown


def ticked(page, name: str) -> list[str]:
    """The values of a checkbox question's ticked boxes, in page order."""
    kind, shown = _state(page, name)
    assert kind == "checkbox", f"{name} is not a checkbox question but {kind}"
    return shown
