"""Fixtures the workspace's tests share (test_workspace_drafts and the editors'
test_workspace_edit_rules, test_workspace_edit_tables): the home council's folder published so
the workspace has a policy to start from, and its policy officer signed in."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.engine.api import policies_root
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store

from web_support import Demo, login


@pytest.fixture
def published(app, demo) -> str:
    """The home council's folder published (as `hearth policy import` would, its checks proven
    elsewhere), so the workspace has a policy to start from. Returns the council."""
    with app.app_context():
        policy_store.publish(db.session(), PolicyFiles.from_folder(policies_root() / demo.home),
                             published_by=policy_store.IMPORT_MARKER, approved_by=policy_store.IMPORT_MARKER,
                             effective_from=date(2025, 1, 1))
        db.session().commit()
    return demo.home


@pytest.fixture
def officer(client, published):
    """The home council's policy officer, signed in."""
    assert login(client, Demo.email("policy_officer", published)).status_code == 302
    return client
