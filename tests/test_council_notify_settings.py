"""council.yaml's ``notify`` section (hearth.engine.council_settings): a council's own GOV.UK
Notify templates and how far ahead its reminders start; defaults when absent; mistakes located."""
from __future__ import annotations

import pytest

from hearth.engine.council_settings import DEFAULT_REMIND_WITHIN
from hearth.engine.policy import load_council
from hearth.rules.source import SourceError

from test_council_settings import with_settings

NOTIFY = """notify:
  templates:
    reminder_due: 8B1F0C3E-2F4A-4D8E-9C61-1A2B3C4D5E6F
    reminder_overdue: 8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e70
  remind_within_working_days: 3
"""


def test_a_council_names_its_templates_and_its_reminders_horizon(policy_copy):
    assert load_council(policy_copy).settings.notify.template("reminder_due") is None
    assert load_council(policy_copy).settings.notify.remind_within_working_days == DEFAULT_REMIND_WITHIN == 2
    with_settings(policy_copy, NOTIFY)
    notify = load_council(policy_copy).settings.notify
    assert notify.template("reminder_due") == "8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e6f"
    assert notify.template("reminder_overdue") == "8b1f0c3e-2f4a-4d8e-9c61-1a2b3c4d5e70"
    assert notify.remind_within_working_days == 3


@pytest.mark.parametrize("old, new, expected", [
    ("reminder_due: 8B1F", "reminder_du: 8B1F", "'reminder_du' is not a kind of email a council sets. "
                                                "Did you mean 'reminder_due'?"),
    ("reminder_overdue: 8b1f0c3e-", "reminder_overdue: notify-", "'reminder_overdue' is a GOV.UK Notify template id"),
    ("remind_within_working_days: 3", "remind_within_working_days: 99", "'remind_within_working_days' is a whole"),
])
def test_a_mistake_is_located_and_explained(policy_copy, old, new, expected):
    council = with_settings(policy_copy, NOTIFY.replace(old, new))
    with pytest.raises(SourceError) as refused:
        load_council(policy_copy)
    said = str(refused.value)
    assert expected in said
    line = next(number for number, text in enumerate(council.read_text().splitlines(), start=1)
                if new.strip().split(":")[0] in text)
    assert f"{council}:{line}:" in said
