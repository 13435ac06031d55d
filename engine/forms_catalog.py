"""A council's forms: policies/<council>/forms/*.yaml, and the versions kept of them.

The form language (hearth.forms) knows nothing of councils or files; this module
reads the files and hands it the council's option lists (roles, placement types,
event types, actions, interventions, triggers) and event types' fields, so one
change to a menu in the policy changes every form that uses it.

Versions: a form says ``version:``. Before changing a form, copy it to
``forms/_versions/<form id>/<version>.yaml`` and raise the version in the form;
a saved record keeps the version it was filled against and is shown with it.

The files are the council's hearth.engine.policy_files.PolicyFiles (a folder is read into
one), so a form's mistake is located at ``<origin>/forms/<form>.yaml:line:col`` wherever the
policy is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from hearth.forms import FormDefinition, load_form
from hearth.rules.source import Loc, Problem, SourceError, suggest

from . import api, sources
from .council_settings import FormOrder
from .policy import load_council, load_policy
from .library import Library
from .policy_files import COUNCIL_FILE, DOCUMENT_DIR, FORM_VERSIONS_DIR, PolicyFiles, PolicySource, policy_files
from .policy_model import NoPolicyInForce, Policy, PolicyVersion
from .vocabulary import shared_vocabulary

VERSIONS_DIR = FORM_VERSIONS_DIR


class UnknownForm(LookupError):
    """The council has no form (or no version of it) by that name."""


def _policy_vocabulary(council_id: str, on: date, root: Path | Library | None):
    """The policy version in force (or the first, for a date before it); None while a council has none."""
    if not api.entry_on(council_id, on, root).has_versions():
        return None
    return version_for_forms(api.get_policy(council_id, root, on), on)


def version_for_forms(policy: Policy | None, on: date) -> PolicyVersion | None:
    """The version whose menus a council's forms use on a date: the one in force, or the first
    for a date before it; None for a council without a policy yet."""
    if policy is None:
        return None
    try:
        return policy.version_on(on)
    except NoPolicyInForce:
        return policy.versions[0]


def menus(version: PolicyVersion | None) -> tuple[dict, dict]:
    """(named option lists, event specs) of a policy version, or of the shared vocabulary without one."""
    if version is None:
        vocab = shared_vocabulary()
        options = {**vocab.options(), "interventions": [], "triggers": []}
    else:
        vocab = version.vocabulary
        options = version.options()
    return options, vocab.event_fields_scope()


def groups_of(version: PolicyVersion | None) -> dict:
    return dict((version.vocabulary if version is not None else shared_vocabulary()).role_groups)


def option_lists(council_id: str, on: date | None = None, root: Path | Library | None = None) -> tuple[dict, dict]:
    """(named option lists, event specs) for a council's forms on a date.

    The one place that decides where forms' menus come from: the council's policy
    version in force (its vocabulary, interventions and triggers), or the shared
    vocabulary while the council has no policy version yet.
    """
    return menus(_policy_vocabulary(council_id, on or date.today(), root))


def role_groups(council_id: str, on: date | None = None, root: Path | Library | None = None) -> dict:
    """The role groups a council's forms may name on a date (a name stands for its members)."""
    return groups_of(_policy_vocabulary(council_id, on or date.today(), root))


def catalog_of(files: PolicyFiles, on: date, policy: Policy | None = None) -> FormCatalog:
    """A council's forms read from its files, with the menus of its policy (``policy``, or the
    one in the same files) on ``on`` and the role groups of the version in force today, as the
    running service checks them; SourceError listing every problem."""
    policy = policy if policy is not None else _own_policy(files)
    options, specs = menus(version_for_forms(policy, on))
    return load_folder(files, options, specs, groups_of(version_for_forms(policy, date.today())))


@dataclass
class FormCatalog:
    council: str
    forms: dict = field(default_factory=dict)      # id -> current FormDefinition
    versions: dict = field(default_factory=dict)   # id -> {version: FormDefinition}, current included
    order: FormOrder = field(default_factory=FormOrder)  # council.yaml's form_order

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

    def in_order(self) -> list[str]:
        """The form ids as staff meet them in the process (council.yaml's form_order), then by title."""
        return sorted(self.forms, key=lambda form_id: self.order.key(form_id, self.forms[form_id].title))

    def describe(self) -> list[dict]:
        out = []
        for form_id in self.in_order():
            d = self.forms[form_id].describe()
            d["older_versions"] = sorted(v for v in self.versions.get(form_id, {}) if v != d["version"])
            out.append(d)
        return out


def _own_policy(files: PolicyFiles) -> Policy | None:
    """The policy in the same files (None while they have no version yet)."""
    return load_policy(files) if files.glob("versions/*.yaml") else None


def _read(files: PolicyFiles, relative: str, options: dict, specs: dict, default_id: str,
          groups: dict) -> FormDefinition:
    return load_form(files.text(relative), files.location(relative), options, specs, default_id=default_id,
                     groups=groups)


def load_folder(source: PolicySource, options: dict, specs: dict, groups: dict | None = None) -> FormCatalog:
    """Every form and kept version under ``forms/`` of the council's files (a PolicyFiles, or its
    folder); SourceError listing every problem. ``groups``: the role groups the forms may name
    (default: those of the policy in force today, as the service holds it)."""
    files = policy_files(source, ("forms", COUNCIL_FILE, DOCUMENT_DIR))
    if groups is None:
        groups = (groups_of(version_for_forms(_own_policy(files), date.today())) if isinstance(source, PolicyFiles)
                  else role_groups(files.council_id, date.today(), Path(source).parent))
    catalog = FormCatalog(files.council_id, order=_form_order(files))
    problems: list = []
    for relative in files.glob("forms/*.yaml"):
        try:
            defn = _read(files, relative, options, specs, PurePosixPath(relative).stem, groups)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        catalog.forms[defn.id] = defn
        catalog.versions.setdefault(defn.id, {})[defn.version] = defn
    for relative in files.glob(f"forms/{VERSIONS_DIR}/*/*.yaml"):
        path = PurePosixPath(relative)
        form_id, file = path.parent.name, files.location(relative)
        try:
            defn = _read(files, relative, options, specs, form_id, groups)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if defn.version != path.stem:
            problems.append(Problem(Loc(file), f"This file keeps version '{defn.version}' of the form; name it "
                                               f"{defn.version}.yaml so the version can be found."))
        elif form_id not in catalog.forms:
            problems.append(Problem(Loc(file), f"There is no form '{form_id}' for these old versions."
                                               f"{suggest(form_id, catalog.forms)}"))
        elif defn.version in catalog.versions[form_id]:
            problems.append(Problem(Loc(file), f"Version {defn.version} of '{form_id}' is both the current form "
                                               f"and a kept one: after changing forms/{form_id}.yaml, raise its "
                                               "'version'."))
        else:
            catalog.versions[form_id][defn.version] = defn
    if problems:
        raise SourceError(problems)
    return catalog


def _form_order(files: PolicyFiles) -> FormOrder:
    """council.yaml's form_order, or none while council.yaml has mistakes (the policy's loader says
    which); a form that is not there is the linter's to report (order_problems)."""
    try:
        return load_council(files).settings.form_order
    except SourceError:
        return FormOrder()


def order_problems(catalog: FormCatalog) -> list[Problem]:
    """form_order's names that are not forms of the council, located in council.yaml."""
    return [Problem(loc, f"'{form_id}' in form_order is not one of the council's forms."
                         f"{suggest(form_id, catalog.forms)} Forms: {', '.join(sorted(catalog.forms))}.", "form_order")
            for form_id, loc in zip(catalog.order.ids, catalog.order.locs) if form_id not in catalog.forms]


def load_forms(council_id: str, on: date | None = None, root: Path | Library | None = None) -> FormCatalog:
    """A council's forms (those of its set in force on ``on``, default today), checked against
    its policy on that date; read again when a file changes. After a change with mistakes, the
    last good forms stay in use and the council's policy state says why (hearth.engine.sources);
    SourceError only if there never were good ones."""
    on = on or date.today()
    entry = api.entry_on(council_id, on, root)  # UnknownCouncil, with the councils there are
    options, specs = option_lists(council_id, on, root)
    groups = role_groups(council_id, on, root)
    menus = repr((sorted((k, tuple(v)) for k, v in options.items()), sorted(groups.items())))
    return sources.kept(sources.FORMS, (entry.key, menus), entry.form_stamp(),
                        lambda: load_folder(entry.source(), options, specs, groups), "forms", entry)


def lint_forms(source: PolicySource) -> tuple[list, str]:
    """(problems, summary) for `hearth policy lint`: a folder's forms with the menus the service
    holds today; a PolicyFiles' forms with the menus of the policy in the same files."""
    try:
        if isinstance(source, PolicyFiles):
            catalog = catalog_of(source, date.today())
        else:
            folder = Path(source)
            options, specs = option_lists(folder.name, date.today(), folder.parent)
            catalog = load_folder(folder, options, specs)
    except SourceError as exc:
        return exc.problems, ""
    kept = sum(len(v) - 1 for v in catalog.versions.values())
    return order_problems(catalog), f"{len(catalog.forms)} forms" + (f" ({kept} older versions kept)" if kept else "")
