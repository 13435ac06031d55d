"""The change between two versions of a council's policy, in words, rule by rule.

Both versions are read as hearth.engine.policy_words says them, and their entries compared
by key (``deadline:minutes_circulated``): a rule added, a rule removed, or a rule whose words
changed, each change shown as the phrase that differs with a few words around it ("within
5 working days → within 3 working days"). Rows known only by their place (chair, invitees,
recommendation rows) are matched by what they say first, so a row inserted above others is
one row added, not every row below it changed. What `hearth policy diff` prints and what a
draft's "change in words" page shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from .form_words import FORMS_SECTION, form_entries
from .policy_model import PolicyVersion
from .policy_words import SECTIONS, SECTION_TITLES, Entry, date_words, entries

ARROW = "→"
CONTEXT_WORDS = 2   # words kept either side of what changed in a sentence
VERSION_SECTION = "version"


@dataclass(frozen=True)
class RuleChange:
    """One rule added, removed or changed, in words."""

    key: str          # the rule's key (the changed version's, when both have it)
    section: str      # one of policy_words.SECTIONS' ids, "version" (its own title and date) or "forms"
    title: str
    change: str       # added, removed or changed
    lines: tuple      # what changed, in words
    source: str       # the council's sentence for the rule (the changed version's, if it has it)

    def as_dict(self) -> dict:
        return {"key": self.key, "section": self.section, "title": self.title, "change": self.change,
                "lines": list(self.lines), "source": self.source}


def diff(old: PolicyVersion, new: PolicyVersion) -> tuple[RuleChange, ...]:
    """Every rule that differs between two versions, in the order the policy pages read."""
    changes = list(_version_changes(old, new))
    old_entries, new_entries = entries(old), entries(new)
    for section, _title in SECTIONS:
        before = [e for e in old_entries if e.section == section]
        after = [e for e in new_entries if e.section == section]
        for was, now in _pairs(before, after):
            change = _compare(was, now)
            if change is not None:
                changes.append(change)
    return tuple(changes)


def _version_changes(old: PolicyVersion, new: PolicyVersion) -> list[RuleChange]:
    said = []
    if old.title != new.title:
        said.append(f"Title: {old.title} {ARROW} {new.title}")
    if old.effective_from != new.effective_from:
        said.append(f"In force from: {date_words(old.effective_from)} {ARROW} {date_words(new.effective_from)}")
    return [RuleChange(VERSION_SECTION, VERSION_SECTION, "The version", "changed", tuple(said), "")] if said else []


def _pairs(before: list[Entry], after: list[Entry]) -> list[tuple]:
    """(old, new) entries of one section: by key where the key names the rule; rows known only
    by their place matched first where they say the same, then in order. None: not there."""
    by_key = {e.key: e for e in after if not _positional(e)}
    pairs = [(e, by_key.pop(e.key, None)) for e in before if not _positional(e)]
    pairs += [(None, e) for e in after if not _positional(e) and e.key in by_key]
    old_rows = [e for e in before if _positional(e)]
    new_rows = [e for e in after if _positional(e)]
    for row in list(old_rows):
        same = next((e for e in new_rows if _said(e) == _said(row)), None)
        if same is not None:
            old_rows.remove(row)
            new_rows.remove(same)
    pairs += list(zip(old_rows, new_rows))
    pairs += [(e, None) for e in old_rows[len(new_rows):]] + [(None, e) for e in new_rows[len(old_rows):]]
    return pairs


def _positional(entry: Entry) -> bool:
    return entry.key.rpartition(":")[2].isdigit()


def _said(entry: Entry) -> tuple:
    return entry.title, entry.sentences, entry.source


def _compare(was: Entry | None, now: Entry | None) -> RuleChange | None:
    if was is None:
        return RuleChange(now.key, now.section, now.title, "added", tuple(s.rstrip(".") for s in now.sentences),
                          now.source)
    if now is None:
        return RuleChange(was.key, was.section, was.title, "removed", (), was.source)
    lines = []
    if was.title != now.title:
        lines.append(f"Title: {phrase_change(was.title, now.title)}")
    lines += sentence_changes(was.sentences, now.sentences)
    if was.source != now.source:
        lines.append(f"Source sentence: '{was.source}' {ARROW} '{now.source}'")
    return RuleChange(now.key, now.section, now.title, "changed", tuple(lines), now.source) if lines else None


def sentence_changes(old: tuple, new: tuple) -> list[str]:
    """What differs between two lists of sentences: each changed sentence as the phrase that
    changed, each sentence added or removed whole."""
    lines = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        lines += [phrase_change(old[i1 + k], new[j1 + k]) for k in range(paired)]
        lines += [f"No longer: {sentence.rstrip('.')}" for sentence in old[i1 + paired:i2]]
        lines += [f"Now also: {sentence.rstrip('.')}" for sentence in new[j1 + paired:j2]]
    return lines


def phrase_change(old: str, new: str) -> str:
    """'Within 5 working days after X.' and 'Within 3 working days after X.' as
    'Within 5 working days → Within 3 working days': the words that differ, with up to
    CONTEXT_WORDS either side, not reaching past a comma."""
    before, after = old.rstrip(".").split(), new.rstrip(".").split()
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    if start == 0 and end == 0:
        return f"{old.rstrip('.')} {ARROW} {new.rstrip('.')}"
    left = start
    while left > 0 and start - left < CONTEXT_WORDS and not before[left - 1].endswith(","):
        left -= 1
    right = 0   # words of the common ending kept, up to and including one that ends a clause
    while right < min(end, CONTEXT_WORDS):
        right += 1
        if before[len(before) - end + right - 1].endswith(","):
            break
    was = " ".join(before[left:len(before) - end + right]).rstrip(",")
    now = " ".join(after[left:len(after) - end + right]).rstrip(",")
    return f"{was or '(nothing)'} {ARROW} {now or '(nothing)'}"


# --- forms
_FORM_PARTS = {"question": "Question", "check": "Check"}


def form_changes(old_forms: dict, new_forms: dict, old: PolicyVersion, new: PolicyVersion) -> tuple[RuleChange, ...]:
    """Forms added or removed, and each form's questions and checks added, removed or changed,
    between two sets of a council's current forms (form id -> hearth.forms FormDefinition), read
    as hearth.engine.form_words says them (with each version's menus): one change a form."""
    changes = []
    for form_id in [*old_forms, *(f for f in new_forms if f not in old_forms)]:
        was, now = old_forms.get(form_id), new_forms.get(form_id)
        key = f"form:{form_id}"
        if was is None:
            changes.append(RuleChange(key, FORMS_SECTION, now.title, "added", tuple(
                f"Question: {e.title}" for e in form_entries(now, new) if e.key.startswith("question:")), now.source))
        elif now is None:
            changes.append(RuleChange(key, FORMS_SECTION, was.title, "removed", (), was.source))
        else:
            lines = [line for pair in _pairs(list(form_entries(was, old)), list(form_entries(now, new)))
                     for line in _form_lines(*pair)]
            if lines:
                changes.append(RuleChange(key, FORMS_SECTION, now.title, "changed", tuple(lines), now.source))
    return tuple(changes)


def _form_lines(was: Entry | None, now: Entry | None) -> list[str]:
    """A form's entry (the form itself, a question, a check) added, removed or changed, in words."""
    entry = now or was
    part = _FORM_PARTS.get(entry.key.partition(":")[0], "")
    if was is None:
        return [f"{part} added: {now.title}"]
    if now is None:
        return [f"{part} removed: {was.title}"]
    change = _compare(was, now)
    if change is None:
        return []
    named = f"{part} '{now.title}'" if part else "The form"
    return [f"{named}: {line}" for line in change.lines]


# --- for a terminal
def diff_lines(old: PolicyVersion, new: PolicyVersion, changes: tuple[RuleChange, ...], to_label: str = "") -> list[str]:
    """The change in words, for a terminal: a heading per section, a line or more per rule.
    ``to_label`` says where the changed version comes from, when not the council's own folder."""
    where = f" in {to_label}" if to_label else ""
    lines = [f"{old.council.name}: version {old.version} (from {date_words(old.effective_from)}) {ARROW} "
             f"version {new.version}{where} (from {date_words(new.effective_from)})"]
    if not changes:
        return lines + ["No rule changes."]
    titles = {VERSION_SECTION: "The version", **SECTION_TITLES, FORMS_SECTION: "Forms"}
    for section in titles:
        found = [c for c in changes if c.section == section]
        if not found:
            continue
        lines += ["", titles[section]]
        for change in found:
            if change.change == "added":
                lines.append(f"  Added: {change.title}: " + "; ".join(change.lines))
            elif change.change == "removed":
                lines.append(f"  Removed: {change.title}")
            elif section == VERSION_SECTION:
                lines += [f"  {line}" for line in change.lines]
            else:
                lines += [f"  {change.title}: {line}" for line in change.lines]
    return lines
