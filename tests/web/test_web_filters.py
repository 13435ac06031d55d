"""The Jinja filters that put the engine's values into words."""
from __future__ import annotations

from datetime import date

import inspect

from hearth.web import filters
from hearth.web.filters import basis_words, condition_in_words, day_date, gate_words, long_date, moment, sentence, source_parts, trigger_words


def test_due_dates_are_written_out():
    assert day_date("2026-12-29") == "Tuesday 29 December 2026"
    assert day_date(date(2026, 1, 2)) == "Friday 2 January 2026"
    assert day_date("2026-12-29T15:30") == "Tuesday 29 December 2026 at 3:30pm"
    assert day_date("2026-12-29T09:00") == "Tuesday 29 December 2026 at 9am"
    assert day_date(None) == long_date(None) == "–"


def test_explanations_are_worded_from_their_facts_without_a_council():
    """No vocabulary: ids are made readable; dates are written out; the sentence is not read."""
    trigger = {"because": "not read", "facts": [
        {"events": ["missing_episode", "absence"], "count": 3, "dates": ["2025-12-20", "2026-01-02", "2026-01-10"],
         "on": "2026-01-10", "counted": True, "from": "2025-12-13", "to": "2026-01-10"}]}
    assert trigger_words(trigger) == ("missing episode or absence 3 times between 13 December 2025 and "
                                      "10 January 2026 (on 20 December 2025, 2 January 2026 and 10 January 2026)")
    deadline = {"basis": "not read", "basis_facts": [
        {"agreed_at": "stability_meeting_held", "on": "2026-03-18", "date": "2026-04-08"},
        {"moved_by": "review_extended", "on": "2026-03-26", "by": {"amount": 3, "unit": "working_days"},
         "to": "2026-04-13"},
        {"moved_by": "review_brought_forward", "on": "2026-03-31", "to": "2026-04-07"}]}
    assert basis_words(deadline) == (
        "8 April 2026, the date agreed at the stability meeting held on 18 March 2026; then review extended by "
        "3 working days on 26 March 2026, to 13 April 2026; then review brought forward on 31 March 2026, "
        "to 7 April 2026")
    hours = {"basis_facts": [{"after": "missing_episode", "on": "2026-01-10T21:30",
                              "duration": {"amount": 72, "unit": "hours"}, "rolled": "next_working_day"}]}
    assert basis_words(hours) == "72 hours after the missing episode on 10 January 2026 at 9:30pm, moved to the " \
        "next working day"
    approval = {"status": "needs_approval", "because": "not read", "facts": {"needs": {
        "events": ["panel_approved"], "where": [{"field": "role", "op": "is", "value": "head_of_service"}]}}}
    assert gate_words(approval) == "needs: panel approved (role is Head of service)"


def test_a_rows_condition_is_worded_from_its_structure():
    placements = {"fields": [{"field": "placement.type", "op": "not_one_of", "value": ["ifa_foster", "private_home"]}]}
    assert condition_in_words(placements, "not read") == "the placement is neither Ifa foster nor Private home"
    either = {"all": [{"any": [{"events": ["allegation"]}, {"events": ["complaint"]}]},
                      {"events": ["missing_episode"], "at_least": 2, "within": {"amount": 1, "unit": "weeks"}}]}
    assert condition_in_words(either) == "(allegation or complaint) and at least 2 of missing episode within 1 week"
    assert condition_in_words({"not": {"events": ["allegation"]}}, "as the engine says") == "as the engine says"


def test_facts_of_a_kind_not_worded_give_the_engines_sentence_unchanged():
    assert trigger_words({"because": "as the engine says 2026-01-10", "facts": []}) == "as the engine says 2026-01-10"
    assert basis_words({"basis": "as the engine says", "basis_facts": [{"new_kind": 1}]}) == "as the engine says"
    assert gate_words({"because": "needs: x", "facts": {"needs": {"deadline": "d", "statuses": ["met"]}}}) == \
        "needs: x"
    assert gate_words({"because": "a stored answer", "status": "blocked"}) == "a stored answer"


def test_nothing_reads_the_engines_sentences():
    assert not hasattr(filters, "in_words")
    assert "ISO_DATE" not in inspect.getsource(filters) and "VOCAB_ID" not in inspect.getsource(filters)
    assert moment("2026-12-18T15:00") == "18 December 2026 at 3pm" and moment("2026-12-18") == "18 December 2026"


def test_sources_split_into_document_and_quote():
    assert source_parts("doc.txt: 'it's the rule'") == {"document": "doc.txt", "quote": "it's the rule"}
    assert source_parts("just a sentence") == {"document": None, "quote": "just a sentence"}


def test_sentence_keeps_the_rest_of_a_label():
    assert sentence("waiting for: Independent Reviewing Officer (IRO)") == \
        "Waiting for: Independent Reviewing Officer (IRO)"


def test_saved_times_are_shown_in_uk_time():
    from datetime import UTC, datetime

    from hearth.web.filters import recorded, recorded_exactly
    # British Summer Time: 09:30 UTC is 10:30 on the wall; SQLite returns the instant without its zone
    assert recorded(datetime(2026, 7, 1, 9, 30, tzinfo=UTC)) == "Wednesday 1 July 2026 at 10:30am"
    assert recorded(datetime(2026, 7, 1, 9, 30)) == "Wednesday 1 July 2026 at 10:30am"
    # Greenwich Mean Time in winter, and a UTC evening that is already the next day in summer
    assert recorded(datetime(2026, 1, 14, 15, 0, tzinfo=UTC)) == "Wednesday 14 January 2026 at 3pm"
    assert recorded(datetime(2026, 6, 30, 23, 15, tzinfo=UTC)) == "Wednesday 1 July 2026 at 12:15am"
    assert recorded("2026-07-01T09:30:00+00:00") == "Wednesday 1 July 2026 at 10:30am"  # a policy state's since
    assert recorded_exactly(datetime(2026, 7, 1, 9, 30, 5)) == "2026-07-01 10:30:05 BST"
    assert recorded(None) == "–"
