"""A council's form in words: what it records, each question (what kind of answer, whether it
must be answered, when it is asked, its limits) and each check across questions, every one with
the source sentence it quotes. The form's own entries for the policy pages' "why am I asked
this?" and for a change in words; the rules' are hearth.engine.policy_words'.
"""
from __future__ import annotations

from hearth.forms import FormDefinition

from .policy_model import PolicyVersion
from .policy_words import Entry, Speaker, either, sentence, when_words

FORMS_SECTION = "forms"   # the entries of a form: apart from SECTIONS, as forms are versioned apart
_KINDS = {"text": "A short text", "long_text": "A longer text", "number": "A number", "money": "An amount of money",
          "date": "A date", "yes_no": "Yes or no", "radios": "One of", "select": "One of", "checkboxes": "Any of",
          "roles": "Any of", "group": "Answered once for each, as many times as needed"}


def form_entries(definition: FormDefinition, version: PolicyVersion) -> tuple:
    """A form in words: ``form:<id>`` (what it records), then each question
    (``question:<form>.<id>``, a group's own as ``question:<form>.<group>.<id>``) and each
    cross-question check (``check:<form>:<index>``), each with its source sentence."""
    fields = [(question, prefix) for top in definition.all_fields()
              for question, prefix in ((top, ""), *((child, f"{top.id}.") for child in top.fields))]
    speaker = Speaker(version, {f"{prefix}{f.id}": f.label for f, prefix in fields},
                      {f"{prefix}{f.id}": {o.value: o.label for o in f.options} for f, prefix in fields if f.options})
    records = definition.describe()["events"]
    said = [f"Version {definition.version}"] + ([f"Records {speaker.events(records)}"] if records else [])
    out = [Entry(f"form:{definition.id}", FORMS_SECTION, definition.title, tuple(sentence(s) for s in said),
                 definition.source)]
    out += [_question(speaker, definition, f, prefix) for f, prefix in fields]
    for index, check in enumerate(definition.checks):
        when = when_words(speaker, check.when) if check.when is not None else None
        rule = speaker.condition(check.then)
        out.append(Entry(f"check:{definition.id}:{index}", FORMS_SECTION, check.message,
                         (sentence(f"When {when}, {rule}" if when else rule),
                          sentence(f"Otherwise: {check.message}")), check.source))
    return tuple(out)


def _question(speaker: Speaker, definition: FormDefinition, question, prefix: str) -> Entry:
    said = [_KINDS[question.kind]]
    if question.options and question.kind != "yes_no":
        said[0] += ": " + either([o.label for o in question.options])
    if question.required is True:
        said.append("Must be answered")
    elif question.required is False:
        said.append("May be left blank")
    else:
        said.append(f"Must be answered when {speaker.condition(question.required)}")
    if question.show_when is not None:
        said.append(f"Asked only when {speaker.condition(question.show_when)}")
    limits = [f"at least {_number(question.min)}" if question.min is not None else "",
              f"at most {_number(question.max)}" if question.max is not None else "",
              "a whole number" if question.whole else "",
              f"up to {question.max_length} characters" if question.max_length else "",
              "not after the day it is recorded" if question.not_future else "",
              "not before the day it is recorded" if question.not_past else ""]
    if any(limits):
        said.append("Answered " + ", ".join(limit for limit in limits if limit))
    return Entry(f"question:{definition.id}.{prefix}{question.id}", FORMS_SECTION, question.label,
                 tuple(sentence(s) for s in said), question.source)


def _number(value) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:,}"
