"""A council's forms: policies/<council>/forms/*.yaml, and the versions kept of them.

The form language (hearth.forms) knows nothing of councils or files; this module
reads the files and hands it the council's option lists (roles, placement types,
event types, actions, interventions, triggers) and event types' fields, so one
change to a menu in the policy changes every form that uses it.

Versions: a form says ``version:``. Before changing a form, copy it to
``forms/_versions/<form id>/<version>.yaml`` and raise the version in the form;
a saved record keeps the version it was filled against and is shown with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hearth.forms import FormDefinition, load_form
from hearth.rules.source import Loc, Problem, SourceError, suggest

from . import api, sources
from .policy import read_policy_file
from .vocabulary import shared_vocabulary

VERSIONS_DIR = "_versions"


class UnknownForm(LookupError):
    """The council has no form (or no version of it) by that name."""


def _policy_vocabulary(council_id: str, on: date, root: Path | None):
    """The policy version in force (or the first, for a date before it); None while a council has none."""
    folder = (root or api.policies_root()) / council_id
    if not list((folder / "versions").glob("*.yaml")):
        return None
    policy = api.get_policy(council_id, root)
    try:
        return policy.version_on(on)
    except api.NoPolicyInForce:
        return policy.versions[0]


def option_lists(council_id: str, on: date | None = None, root: Path | None = None) -> tuple[dict, dict]:
    """(named option lists, event specs) for a council's forms on a date.

    The one place that decides where forms' menus come from: the council's policy
    version in force (its vocabulary, interventions and triggers), or the shared
    vocabulary while the council has no policy version yet.
    """
    version = _policy_vocabulary(council_id, on or date.today(), root)
    if version is None:
        vocab = shared_vocabulary()
        options = {**vocab.options(), "interventions": [], "triggers": []}
    else:
        vocab = version.vocabulary
        options = version.options()
    return options, vocab.event_fields_scope()


def role_groups(council_id: str, on: date | None = None, root: Path | None = None) -> dict:
    """The role groups a council's forms may name on a date (a name stands for its members)."""
    version = _policy_vocabulary(council_id, on or date.today(), root)
    return dict((version.vocabulary if version is not None else shared_vocabulary()).role_groups)


@dataclass
class FormCatalog:
    council: str
    forms: dict = field(default_factory=dict)      # id -> current FormDefinition
    versions: dict = field(default_factory=dict)   # id -> {version: FormDefinition}, current included

    def get(self, form_id: str, version: str | None = None) -> FormDefinition:
        """A form, or the version a saved record was filled against."""
        if form_id not in self.forms:
            raise UnknownForm(f"There is no form '{form_id}' for {self.council}.{suggest(form_id, self.forms)} "
                              f"Forms: {', '.join(sorted(self.forms))}.")
        if version is None:
            return self.forms[form_id]
        kept = self.versions.get(form_id, {})
        if str(version) not in kept:
            raise UnknownForm(f"There is no version '{version}' of the form '{form_id}'. Versions kept: "
                              f"{', '.join(sorted(kept))}. Keep old versions in forms/{VERSIONS_DIR}/{form_id}/.")
        return kept[str(version)]

    def describe(self) -> list[dict]:
        out = []
        for form_id in sorted(self.forms):
            d = self.forms[form_id].describe()
            d["older_versions"] = sorted(v for v in self.versions.get(form_id, {}) if v != d["version"])
            out.append(d)
        return out


def _read(path: Path, options: dict, specs: dict, default_id: str, groups: dict) -> FormDefinition:
    return load_form(read_policy_file(path), str(path), options, specs, default_id=default_id, groups=groups)


def load_folder(folder: Path, options: dict, specs: dict, groups: dict | None = None) -> FormCatalog:
    """Every form and kept version under ``folder/forms``; SourceError listing every problem.
    ``groups``: the role groups the forms may name (default: those of the policy in force today)."""
    if groups is None:
        groups = role_groups(folder.name, date.today(), folder.parent)
    catalog = FormCatalog(folder.name)
    problems: list = []
    forms_dir = folder / "forms"
    for path in sorted(forms_dir.glob("*.yaml")):
        try:
            defn = _read(path, options, specs, path.stem, groups)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        catalog.forms[defn.id] = defn
        catalog.versions.setdefault(defn.id, {})[defn.version] = defn
    for path in sorted((forms_dir / VERSIONS_DIR).glob("*/*.yaml")):
        form_id = path.parent.name
        try:
            defn = _read(path, options, specs, form_id, groups)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if defn.version != path.stem:
            problems.append(Problem(Loc(str(path)), f"This file keeps version '{defn.version}' of the form; name it "
                                                    f"{defn.version}.yaml so the version can be found."))
        elif form_id not in catalog.forms:
            problems.append(Problem(Loc(str(path)), f"There is no form '{form_id}' for these old versions."
                                                    f"{suggest(form_id, catalog.forms)}"))
        elif defn.version in catalog.versions[form_id]:
            problems.append(Problem(Loc(str(path)), f"Version {defn.version} of '{form_id}' is both the current form "
                                                    f"and a kept one: after changing forms/{form_id}.yaml, raise its "
                                                    "'version'."))
        else:
            catalog.versions[form_id][defn.version] = defn
    if problems:
        raise SourceError(problems)
    return catalog


def _stamp(folder: Path) -> tuple:
    files = sorted((folder / "forms").rglob("*.yaml"))
    return tuple((str(path), stat.st_mtime_ns, stat.st_size) for path in files if (stat := _stat(path)) is not None)


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def load_forms(council_id: str, on: date | None = None, root: Path | None = None) -> FormCatalog:
    """A council's forms, checked against its policy on a date (default today); read again
    when a file changes. After a change with mistakes, the last good forms stay in use and the
    council's policy state says why (hearth.engine.sources); SourceError only if there never
    were good ones."""
    api.get_council(council_id, root)  # UnknownCouncil, with the councils there are
    folder = (root or api.policies_root()) / council_id
    options, specs = option_lists(council_id, on, root)
    groups = role_groups(council_id, on, root)
    menus = repr((sorted((k, tuple(v)) for k, v in options.items()), sorted(groups.items())))
    return sources.kept(sources.FORMS, (folder, menus), _stamp(folder),
                        lambda path: load_folder(path, options, specs, groups), "forms", folder=folder)


def lint_forms(folder: Path) -> tuple[list, str]:
    """(problems, summary) for `hearth policy lint`."""
    try:
        options, specs = option_lists(folder.name, date.today(), folder.parent)
        catalog = load_folder(folder, options, specs)
    except SourceError as exc:
        return exc.problems, ""
    kept = sum(len(v) - 1 for v in catalog.versions.values())
    return [], f"{len(catalog.forms)} forms" + (f" ({kept} older versions kept)" if kept else "")
