"""The policy officer's workspace: a council's draft policy, changed, tried, tested, compared
and published in the browser (issue 10's "life of a policy change").

Each module is one stage and one blueprint, all under ``/councils/<council>/workspace``:
hearth.web.views.workspace.drafts (the draft's files and the YAML editor),
hearth.web.views.workspace.trying (what-if, policy tests, the change in words) and
hearth.web.views.workspace.releasing (impact, publication requests, approval, roll back),
hearth.web.views.workspace.editing with edit_rules, edit_tables, edit_forms and edit_tests (changes made
without YAML, issue 11).
hearth.web.views.workspace.access holds what they share: who may enter, and the stages.
"""
from __future__ import annotations

from . import drafts, edit_forms, edit_rules, edit_tables, edit_tests, editing, releasing, trying
from .access import stages

__all__ = ["BLUEPRINTS", "stages"]

BLUEPRINTS = (drafts.bp, editing.bp, edit_rules.bp, edit_tables.bp, edit_forms.bp, edit_tests.bp, trying.bp, releasing.bp)
