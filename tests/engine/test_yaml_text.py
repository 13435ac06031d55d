"""hearth.engine.editing.yaml_text: edits change only the lines they concern.

Each test edits a small text written in the house style (comments above items, blank lines
between them, flow mappings on one line) and compares the whole result, so a reflowed line, a
lost comment or a moved blank line fails."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.engine.editing.yaml_text import EditError, YamlText

TEXT = """\
# The council's triggers.
triggers:
  # first: a comment of the first item
  - id: one
    when: {event: a}
    source: "One sentence;"

  - id: two
    when: {count: [b, c], at_least: 3, within: 28 days}   # tune me
    source: 'Two'

  # third's own comment
  - id: three
    when:
      any:
        - {event: d}
    source: Three
chair:
  - options: [x]
    source: "Chair."
"""


def edited(*edits) -> str:
    document = YamlText(TEXT)
    for operation, *arguments in edits:
        getattr(document, operation)(*arguments)
    return document.text


def test_setting_every_value_to_what_it_is_leaves_the_text_byte_identical():
    document = YamlText(TEXT)
    for index, trigger in enumerate(document.data["triggers"]):
        for key, value in trigger.items():
            document.set(("triggers", index, key), value)
    document.set(("chair", 0, "options"), ["x"])
    assert document.text == TEXT


def test_a_scalar_in_a_flow_mapping_changes_in_place_and_keeps_the_trailing_comment():
    assert edited(("set", ("triggers", 1, "when", "at_least"), 2)) == TEXT.replace("at_least: 3", "at_least: 2")


def test_a_changed_string_keeps_its_quote_style():
    result = edited(("set", ("triggers", 0, "source"), 'Now "quoted"'), ("set", ("triggers", 1, "source"), "It's"))
    assert 'source: "Now \\"quoted\\""' in result and "source: 'It''s'" in result
    assert YamlText(result).value(("triggers", 1, "source")) == "It's"


def test_a_key_is_added_to_a_flow_mapping_and_to_a_block_mapping():
    result = edited(("set", ("triggers", 0, "when", "where"), {"funding": True}),
                    ("set", ("triggers", 0, "available_from"), date(2026, 1, 5)))
    assert "    when: {event: a, where: {funding: true}}\n" in result
    assert '    source: "One sentence;"\n    available_from: 2026-01-05\n\n  - id: two' in result


def test_a_removed_item_takes_its_comment_and_its_blank_line_and_nothing_else():
    result = edited(("delete", ("triggers", 0)))
    assert result == TEXT.replace('  # first: a comment of the first item\n  - id: one\n    when: {event: a}\n'
                                  '    source: "One sentence;"\n\n', "")


def test_the_last_item_removed_takes_the_blank_line_before_it():
    result = edited(("delete", ("triggers", 2)))
    assert result.endswith("    source: 'Two'\nchair:\n  - options: [x]\n    source: \"Chair.\"\n")


def test_moved_items_carry_their_comments_and_the_blank_lines_stay_between():
    result = edited(("move", ("triggers",), 2, 0))
    document = YamlText(result)
    assert [trigger["id"] for trigger in document.data["triggers"]] == ["three", "one", "two"]
    assert "  # third's own comment\n  - id: three\n" in result
    assert "    source: Three\n\n  # first: a comment" in result
    assert sorted(result.splitlines()) == sorted(TEXT.splitlines())


def test_an_inserted_item_is_written_in_house_style_with_the_lists_spacing():
    result = edited(("insert", ("triggers",), 1, {"id": "new", "when": {"event": "e"}, "source": "A: new one"}))
    assert '    source: "One sentence;"\n\n  - id: new\n    when: {event: e}\n    source: "A: new one"\n\n  - id: two' in result
    assert YamlText(result).value(("triggers", 1, "source")) == "A: new one"


def test_a_flow_list_item_removed_and_added():
    result = edited(("set", ("chair", 0, "options"), ["x", "y"]))
    assert "  - options: [x, y]\n" in result
    assert "  - options: []\n" in edited(("delete", ("chair", 0, "options", 0)))


def test_an_impossible_edit_is_a_clear_error():
    with pytest.raises(EditError, match="no list"):
        YamlText(TEXT).insert(("chair", 0, "source"), 0, "x")
    with pytest.raises(EditError, match="not YAML"):
        YamlText("a: [unclosed")


def test_a_key_added_goes_where_the_house_order_puts_it():
    first = edited(("set", ("chair", 0, "when"), {"placement.type": "x"}, ()))
    assert "chair:\n  - when: {placement.type: x}\n    options: [x]\n    source: \"Chair.\"\n" in first
    after = edited(("set", ("triggers", 0, "title"), "One", ("id",)))
    assert "  - id: one\n    title: One\n    when: {event: a}\n" in after
    nested = edited(("set", ("triggers", 2, "title"), "Three", ("id",)))
    assert "  # third's own comment\n  - id: three\n    title: Three\n    when:\n" in nested
    assert YamlText(first).value(("chair", 0, "options")) == ["x"]
