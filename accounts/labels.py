"""How a user's roles read on their workbench.

A party secretary also represents the community's party branch, and a CPPCC member their
committee: those are the same person in the same office, so the organisation goes on the
role's line rather than on a second line calling them a 单位代表.
"""

from collections.abc import Iterable

from accounts.models import Organisation, Role

# The organisation kinds a role already speaks for.
SPEAKS_FOR: dict[str, set[str]] = {
    Role.Kind.SECRETARY: {Organisation.Kind.PARTY_BRANCH, Organisation.Kind.RESIDENTS_COMMITTEE},
    Role.Kind.COMMUNITY_STAFF: {Organisation.Kind.RESIDENTS_COMMITTEE},
    Role.Kind.CPPCC_MEMBER: {Organisation.Kind.CPPCC},
    Role.Kind.CPPCC_OFFICE: {Organisation.Kind.CPPCC},
    Role.Kind.STREET_OFFICER: {Organisation.Kind.STREET_OFFICE},
}


def role_lines(roles: Iterable[Role]) -> list[str]:
    """One line per office held: "社区党支部书记 · 金城蓝湾社区 · 金城蓝湾社区党支部"."""
    roles = list(roles)
    lines: list[list[str]] = []
    by_kind: dict[str, list[list[str]]] = {}
    for role in roles:
        if role.kind == Role.Kind.ORG_REPRESENTATIVE:
            continue
        line = [str(role.get_kind_display())]
        if role.area is not None:
            line.append(role.area.name)
        if role.organisation is not None:
            line.append(role.organisation.name)
        lines.append(line)
        by_kind.setdefault(role.kind, []).append(line)
    for role in roles:
        if role.kind != Role.Kind.ORG_REPRESENTATIVE or role.organisation is None:
            continue
        organisation = role.organisation
        host = next(
            (
                by_kind[kind][0]
                for kind, kinds in SPEAKS_FOR.items()
                if kind in by_kind and organisation.kind in kinds
            ),
            None,
        )
        if host is not None:
            if organisation.name not in host:
                host.append(organisation.name)
        else:
            lines.append([str(role.get_kind_display()), organisation.name])
    return [" · ".join(line) for line in lines]
