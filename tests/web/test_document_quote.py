"""Every source a case page quotes links to the council's procedure document with that
sentence highlighted (<mark id="quoted">), emphasis marks and spacing aside; another
council's document is a 404 whatever is asked of it; a sentence not in the document is
said to be missing, not marked somewhere else."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from hearth.web.quotes import find

from web_support import login

# What is tested is not the database: on SQLite only (tests/web/conftest.py).
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def words(text: str) -> str:
    return " ".join(text.replace("*", "").split())


def test_find_passes_over_emphasis_and_spacing():
    line = "The meeting should be held **within five working days** from  the decision."
    start, end = find(line, "held within five working days from the decision")
    assert line[start:end] == "held **within five working days** from  the decision"
    assert find(line, "within six working days") is None and find(line, "  ") is None


@sqlite_only
def test_each_source_on_a_case_page_opens_the_document_at_its_sentence(app, demo):
    for council in (demo.home, demo.other):
        client = app.test_client()
        assert login(client, demo.email("worker", council)).status_code == 302
        case = demo.cases[council][0]
        soup = BeautifulSoup(client.get(f"/cases/{case.id}").get_data(as_text=True), "html.parser")
        links = {a["href"] for a in soup.select("main a[href*='/document?quote=']")}
        assert links, f"{council}: the case page links no source to its document"
        for href in sorted(links):
            url = urlsplit(href)
            assert url.path == f"/councils/{council}/document" and url.fragment == "quoted"
            quote = parse_qs(url.query)["quote"][0]
            page = BeautifulSoup(client.get(href).get_data(as_text=True), "html.parser")
            marks = page.select("#document-text mark")
            assert len(marks) == 1 and marks[0]["id"] == "quoted", (council, quote)
            assert words(marks[0].get_text()) == words(quote)
        other = demo.other if council == demo.home else demo.home
        assert client.get(f"/councils/{other}/document?quote=the").status_code == 404


@sqlite_only
def test_a_sentence_not_in_the_document_is_said_to_be_missing(app, demo):
    client = app.test_client()
    assert login(client, demo.email("manager", demo.home)).status_code == 302
    page = BeautifulSoup(client.get(f"/councils/{demo.home}/document?quote=Nothing+like+this+is+written")
                         .get_data(as_text=True), "html.parser")
    assert not page.select("mark")
    assert "not in this version of the document" in page.select_one("main .govuk-inset-text").get_text()
