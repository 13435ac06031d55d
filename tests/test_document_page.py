"""A council's procedure document lives in its folder (policies/<id>/document/<file>, the
file council.yaml's `document:` names): loading a council checks it is there, with a located
mistake and "did you mean" when it is not; and every `source` of every council's policy
(each version) and forms quotes the copy in its folder word for word. The page that shows
it is tested in tests/web/test_web_document_page.py."""
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.documents import read_document
from hearth.engine.forms_catalog import load_forms
from hearth.engine.policy import load_council
from hearth.rules.source import SourceError

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
COUNCILS = [folder.name for folder in sorted(POLICIES.iterdir()) if (folder / "council.yaml").is_file()]
SECTIONS = ("triggers", "recommendation", "chair", "invitees", "deadlines", "duties", "gates", "interventions")


def _normal(text):
    """As a reader compares: spacing, curly apostrophes, Markdown's bold stars and case set aside."""
    return re.sub(r"\s+", " ", text.replace("*", "").replace("’", "'")).strip().lower()


@pytest.mark.parametrize("council", COUNCILS)
def test_every_source_quotes_the_document_in_the_councils_folder(council):
    found = api.get_council(council, POLICIES)
    document = read_document(POLICIES / council, found)
    assert document is not None, f"{council}: council.yaml names no document"
    text = _normal(document.text)
    sources = [(f"{version.version} {section}", item.source) for version in api.get_policy(council, POLICIES).versions
               for section in SECTIONS for item in getattr(version, section)]
    for form in load_forms(council, date.today(), POLICIES).forms.values():
        sources += [(f"form {form.id}", form.source)]
        sources += [(f"form {form.id}.{question.id}", question.source)
                    for field in form.all_fields() for question in [field, *field.fields]]
    assert len(sources) > 10
    wrong = [f"{where}: {source}" for where, source in sources if source and
             _normal(source).rstrip(".;:,") not in text]
    assert not wrong, wrong


@pytest.fixture
def swindon(tmp_path):
    shutil.copytree(POLICIES / "swindon", tmp_path / "swindon")
    return tmp_path / "swindon"


def test_a_missing_document_is_a_located_mistake_with_a_suggestion(swindon):
    council = swindon / "council.yaml"
    council.write_text(council.read_text().replace("document: swindon-stability-meetings-2025.txt",
                                                   "document: swindon-stability-meeting-2025.txt"))
    with pytest.raises(SourceError) as refused:
        load_council(swindon)
    said = str(refused.value)
    line = next(number for number, text in enumerate(council.read_text().splitlines(), start=1)
                if text.startswith("document:"))
    assert f"{council}:{line}:11 (document): There is no document/swindon-stability-meeting-2025.txt" in said
    assert "Did you mean 'swindon-stability-meetings-2025.txt'?" in said


def test_the_document_must_be_in_its_folder(swindon):
    (swindon / "document" / "swindon-stability-meetings-2025.txt").unlink()
    with pytest.raises(SourceError, match="There is no document/swindon-stability-meetings-2025.txt"):
        load_council(swindon)
    council = swindon / "council.yaml"
    council.write_text(council.read_text().replace("document: swindon-stability-meetings-2025.txt",
                                                   "document: ../../README.md"))
    with pytest.raises(SourceError, match="without a folder"):
        load_council(swindon)


def test_a_council_may_name_no_document(swindon):
    council = swindon / "council.yaml"
    council.write_text(council.read_text().replace("document: swindon-stability-meetings-2025.txt\n", ""))
    loaded = load_council(swindon)
    assert loaded.document == "" and read_document(swindon, loaded) is None


def test_a_document_that_is_not_text_is_refused_when_read(swindon):
    (swindon / "document" / "swindon-stability-meetings-2025.txt").write_bytes(b"Stability \xff meetings")
    with pytest.raises(SourceError, match="not UTF-8 text"):
        read_document(swindon, load_council(swindon))
