"""The engine's one public doorway: what the CLI, the web app and the API call.

Everything here answers from the policy files under the policies root
(``HEARTH_POLICIES`` or ``./policies``); nothing here touches a database.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML


class UnknownCouncil(LookupError):
    """No folder under the policies root has that council id."""


@dataclass(frozen=True)
class Council:
    id: str
    name: str
    short_name: str
    nation: str
    document: str
    brand: dict = field(default_factory=dict)


def policies_root() -> Path:
    return Path(os.environ.get("HEARTH_POLICIES", "policies")).resolve()


def _read_council(folder: Path) -> Council:
    data = YAML(typ="safe").load((folder / "council.yaml").read_text(encoding="utf-8"))
    return Council(
        id=folder.name,
        name=data["name"],
        short_name=data.get("short_name", data["name"]),
        nation=data.get("nation", "england"),
        document=data.get("document", ""),
        brand=dict(data.get("brand") or {}),
    )


def list_councils(root: Path | None = None) -> list[Council]:
    root = root or policies_root()
    return [_read_council(p) for p in sorted(root.iterdir()) if (p / "council.yaml").is_file()]


def get_council(council_id: str, root: Path | None = None) -> Council:
    root = root or policies_root()
    folder = root / council_id
    if not council_id.replace("-", "").replace("_", "").isalnum() or not (folder / "council.yaml").is_file():
        raise UnknownCouncil(council_id)
    return _read_council(folder)
