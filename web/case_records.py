"""What the case page reads of a case's records, read once for the page.

The case page's parts (the next steps, the facts recorded, the warnings banner, the
"Record" panel) each need the case's submissions and its council's forms. Asked each on its
own they read the submissions five times and the forms twice per page; the view reads them
once here (one query, every status) and hands the same lists to every part.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from hearth.engine.forms_catalog import FormCatalog, UnknownForm

from . import workflow as wf
from .models import Case, Submission


@dataclass(frozen=True)
class CaseRecords:
    """A case's submissions, the latest changed first (as hearth.web.workflow.submissions
    orders them), and its council's forms today."""
    submissions: tuple[Submission, ...]
    catalog: FormCatalog
    forms: tuple[dict, ...]       # catalog.describe(): what the page offers to start

    @classmethod
    def load(cls, case: Case) -> CaseRecords:
        try:
            catalog = wf.catalog(case.council_id)
            forms = tuple(catalog.describe())
        except Exception:  # noqa: BLE001 - a broken form file must not take the case page down
            current_app.logger.exception("The forms of council %r cannot be listed", case.council_id)
            catalog, forms = FormCatalog(case.council_id), ()
        return cls(tuple(wf.submissions(case)), catalog, forms)

    def with_status(self, status: str) -> list[Submission]:
        return [sub for sub in self.submissions if sub.status == status]

    @property
    def drafts(self) -> list[Submission]:
        return self.with_status("draft")

    @property
    def records(self) -> list[Submission]:
        """Everything but drafts: submitted, corrected and withdrawn records."""
        return [sub for sub in self.submissions if sub.status != "draft"]

    def definition(self, form_id: str, version: str | None = None):
        """The form a record was made with (a kept version for an old one), or None."""
        try:
            return self.catalog.get(form_id, version)
        except UnknownForm:
            return None
