"""The Jinja filters that put the engine's values into words."""
from __future__ import annotations

from datetime import date

from hearth.web.filters import day_date, in_words, long_date, sentence, source_parts


def test_due_dates_are_written_out():
    assert day_date("2026-12-29") == "Tuesday 29 December 2026"
    assert day_date(date(2026, 1, 2)) == "Friday 2 January 2026"
    assert day_date("2026-12-29T15:30") == "Tuesday 29 December 2026 at 3:30pm"
    assert day_date("2026-12-29T09:00") == "Tuesday 29 December 2026 at 9am"
    assert day_date(None) == long_date(None) == "–"


def test_explanations_have_dates_in_words_without_a_council():
    assert in_words("missing episode on 2026-01-10; 3 between 2025-12-20 and 2026-01-10") == \
        "missing episode on 10 January 2026; 3 between 20 December 2025 and 10 January 2026"
    assert in_words("role is head_of_service") == "role is head_of_service"  # no vocabulary: left alone


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
