"""Who is asking: the logged-in user and their memberships, and the pure rules on them.

Later domains ask these questions ("may this user act for region X in network Y?") instead of
looking at memberships themselves, so the scope rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.accounts.panel import DEFAULT_PANEL, kind_names
from portal.accounts.tables import Role

ROLE_LABELS: dict[Role, str] = {
    Role.applicant: "Aanvrager",
    Role.region_officer: "Regio-indiener",
    Role.reviewer: "Beoordelaar",
    Role.coordinator: "Coördinator",
    Role.admin: "Beheerder",
    Role.auditor: "Accountant",
}

# Zuid-West's kinds; a network's own come from its panel (`reviewer_kind_name`).
REVIEWER_KIND_LABELS: dict[str, str] = kind_names(DEFAULT_PANEL)


@dataclass(frozen=True)
class MembershipInfo:
    id: int
    network_id: int | None
    network_slug: str | None
    network_name: str | None
    role: Role
    reviewer_kind: str = ""
    # How the network's panel names the kind ("Lid projectgroep"); loaded with the membership.
    reviewer_kind_name: str = ""
    region_id: int | None = None
    region_name: str | None = None
    organisation_id: int | None = None
    organisation_name: str | None = None
    # Loaded with the membership so that the network guard and the layout need no query of
    # their own for the network of the path.
    network_municipality: str = ""

    @property
    def label(self) -> str:
        label = ROLE_LABELS[self.role]
        if self.role is Role.reviewer and self.reviewer_kind:
            kind = self.reviewer_kind_name or self.reviewer_kind
            label = f"{label} ({kind[:1].lower() + kind[1:]})"
        scope = self.region_name or self.organisation_name
        if scope:
            label = f"{label}, {scope}"
        if self.role is Role.admin and self.network_id is None:
            label = "Beheerder (alle netwerken)"
        return label


@dataclass(frozen=True)
class NetworkRef:
    id: int
    slug: str
    name: str
    coordinating_municipality: str = ""


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    name: str
    memberships: tuple[MembershipInfo, ...] = field(default_factory=tuple)
    session_id: int | None = None

    @property
    def is_superadmin(self) -> bool:
        return any(m.role is Role.admin and m.network_id is None for m in self.memberships)

    def networks(self) -> list[NetworkRef]:
        seen: dict[int, NetworkRef] = {}
        for m in self.memberships:
            if m.network_id is not None and m.network_id not in seen:
                seen[m.network_id] = NetworkRef(
                    m.network_id,
                    m.network_slug or "",
                    m.network_name or "",
                    m.network_municipality,
                )
        return sorted(seen.values(), key=lambda n: n.name)

    def roles_in(self, network_id: int) -> set[Role]:
        roles = {m.role for m in self.memberships if m.network_id == network_id}
        if self.is_superadmin:
            roles.add(Role.admin)
        return roles

    def has_role(self, network_id: int, *roles: Role) -> bool:
        return bool(self.roles_in(network_id) & set(roles))

    def has_role_anywhere(self, *roles: Role) -> bool:
        return (self.is_superadmin and Role.admin in roles) or any(
            m.role in roles for m in self.memberships
        )

    def region_ids(self, network_id: int, role: Role) -> set[int]:
        """Regions this user acts for in a network under a role (e.g. a region officer's)."""
        return {
            m.region_id
            for m in self.memberships
            if m.network_id == network_id and m.role is role and m.region_id is not None
        }

    def organisation_ids(self, network_id: int, role: Role | None = None) -> set[int]:
        return {
            m.organisation_id
            for m in self.memberships
            if m.network_id == network_id
            and (role is None or m.role is role)
            and m.organisation_id is not None
        }

    def administers(self, network_id: int) -> bool:
        return self.has_role(network_id, Role.admin)
