"""Roles as a policy writes them: role ids, role group names, and "one of these roles".

A list of roles (a chair's options, the roles an invitees row requires or suggests) may hold

    childs_social_worker                       a role
    team_managers                              a role group: every one of its members
    {one_of: [team_managers, practice_manager]}  any one of these will do

A group's name stands for its members wherever a list of roles is expected; inside
``one_of`` the members are alternatives. See "Chair and invitees" in docs/policy-language.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hearth.rules.source import LList, LMap, Loc, Problems, suggest

from .policy_model import OneOf
from .vocabulary import Vocabulary

ONE_OF = "one_of"
_EXAMPLE = "{one_of: [fostering_team_manager, practice_manager]}"


@dataclass(frozen=True)
class RoleList:
    roles: tuple = ()    # roles each wanted on their own (a group named alone: all its members)
    one_of: tuple = ()   # of OneOf: one role of each
    groups: tuple = ()   # the role groups named anywhere in the list, as written
    every: tuple = ()    # every role named, in the order written (a chair's options: any one of them)


def read_roles(value: Any, loc: Loc, vocab: Vocabulary, problems: Problems, key: str) -> RoleList:
    """A list of roles, groups and {one_of: [...]}; each mistake located with 'did you mean'."""
    if value is None:
        return RoleList()
    items = list(value) if isinstance(value, LList) else [value]
    roles: list = []
    one_ofs: list = []
    groups: list = []
    every: list = []
    for index, item in enumerate(items):
        where = value.item_loc(index) if isinstance(value, LList) else loc
        if isinstance(item, LMap):
            one_of = _one_of(item, vocab, problems, key, groups)
            if one_of is not None and one_of not in one_ofs:
                one_ofs.append(one_of)
            every.extend(r for r in (one_of.roles if one_of else ()) if r not in every)
            continue
        for role in _expand(item, where, vocab, problems, key, groups):
            if role not in roles:
                roles.append(role)
            if role not in every:
                every.append(role)
    return RoleList(tuple(roles), tuple(one_ofs), tuple(groups), tuple(every))


def _expand(item: Any, loc: Loc, vocab: Vocabulary, problems: Problems, key: str, groups: list) -> tuple:
    """A role, or a group's members; a located problem for anything else."""
    if isinstance(item, str) and item in vocab.role_groups:
        if item not in groups:
            groups.append(item)
        return tuple(vocab.role_groups[item])
    if isinstance(item, str) and item in vocab.roles:
        return (item,)
    known = list(vocab.roles) + list(vocab.role_groups)
    problems.add(loc, f"'{item}' is not a role.{suggest(str(item), known)} Declare the council's own roles under "
                      "vocabulary: roles, and groups of them under vocabulary: role_groups.", key)
    return ()


def _one_of(node: LMap, vocab: Vocabulary, problems: Problems, key: str, groups: list) -> OneOf | None:
    if not problems.check_keys(node, [ONE_OF], "an entry of a list of roles", required=[ONE_OF]):
        return None
    value = node[ONE_OF]
    if not isinstance(value, LList):
        problems.add(node.value_loc(ONE_OF), f"'one_of' is a list of roles or role groups, for example {_EXAMPLE}.",
                     key)
        return None
    roles: list = []
    named: list = []
    before = len(problems.items)
    for index, item in enumerate(value):
        for role in _expand(item, value.item_loc(index), vocab, problems, key, named):
            if role not in roles:
                roles.append(role)
    if len(problems.items) > before:
        return None
    if len(roles) < 2:
        problems.add(node.value_loc(ONE_OF), "'one_of' needs two or more roles (a role group counts as its "
                                             "members); write a single role on its own.", key)
        return None
    groups.extend(g for g in named if g not in groups)
    return OneOf(tuple(roles), tuple(named))
