"""Read-only queries of the portal domain that pages share."""

from __future__ import annotations

from collections import defaultdict

from piccolo.query import Select

from portal.accounts.panel import Panel, panel_from_json
from portal.accounts.sessions import memberships_of
from portal.accounts.tables import AuditEvent, Membership, Network, Organisation, Region, Role, User
from portal.lib.compiled import compiled


async def regions_of(network_id: int) -> list[dict]:
    return await Region.select().where(Region.network == network_id).order_by(Region.name)


async def organisations_of(network_id: int) -> list[dict]:
    return (
        await Organisation.select(
            *Organisation.all_columns(), Organisation.region.name.as_alias("region_name")
        )
        .where(Organisation.network == network_id)
        .order_by(Organisation.name)
    )


async def network_row(network_id: int) -> dict | None:
    return await Network.select().where(Network.id == network_id).output(load_json=True).first()


async def network_panel(network_id: int) -> Panel:
    """The kinds of reviewer the network has and how many of each a proposal needs."""
    row = await Network.select(Network.panel).where(Network.id == network_id).first()
    return panel_from_json(row["panel"] if row else None)


# What an admin sees of an account: never the hash, only whether a password was ever chosen.
_ADMIN_USER_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.active,
    User.last_login_at,
    User.password_hash,
    User.totp_enabled_at,
)


def _admin_view(user: dict) -> dict:
    shown = {k: v for k, v in user.items() if k not in ("password_hash", "totp_enabled_at")}
    return {
        **shown,
        "invited": not user["password_hash"],
        "two_factor": user["totp_enabled_at"] is not None,
    }


async def users_of(network_id: int) -> list[dict]:
    """Every user with a role in the network, with their roles there (two queries in all)."""
    memberships = await Membership.select(
        Membership.id,
        Membership.user,
        Membership.role,
        Membership.reviewer_kind,
        Membership.region.name.as_alias("region_name"),
        Membership.organisation.name.as_alias("organisation_name"),
    ).where(Membership.network == network_id)
    by_user: dict[int, list[dict]] = defaultdict(list)
    for m in memberships:
        by_user[m["user"]].append(m)
    if not by_user:
        return []
    users = (
        await User.select(*_ADMIN_USER_COLUMNS)
        .where(User.id.is_in(list(by_user)))
        .order_by(User.name)
    )
    return [{**_admin_view(u), "memberships": by_user[u["id"]]} for u in users]


async def user_in_network(network_id: int, user_id: int) -> dict | None:
    if not await Membership.exists().where(
        (Membership.network == network_id) & (Membership.user == user_id)
    ):
        return None
    user = await User.select(*_ADMIN_USER_COLUMNS).where(User.id == user_id).first()
    if user is None:
        return None
    memberships = [m for m in await memberships_of(user_id) if m.network_id == network_id]
    return {**_admin_view(user), "memberships": memberships}


async def audit_page(network_id: int, page: int, per_page: int = 50) -> tuple[list[dict], int]:
    query = AuditEvent.select(
        AuditEvent.at,
        AuditEvent.action,
        AuditEvent.summary,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.actor.name.as_alias("actor_name"),
    ).where(AuditEvent.network == network_id)
    rows = (
        await query.order_by(AuditEvent.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    total = await AuditEvent.count().where(AuditEvent.network == network_id)
    return rows, total


async def is_superadmin(user_id: int) -> bool:
    return await Membership.exists().where(
        (Membership.user == user_id)
        & (Membership.role == Role.admin.value)
        & (Membership.network.is_null())
    )


async def coordinators_of(network_id: int) -> list[dict]:
    """The network's coordinators with active accounts, name and e-mail, for its contact line."""
    return await coordinators_query(network_id)


@compiled()
def coordinators_query(network_id: int) -> Select:
    return (
        Membership.select(
            Membership.user.name.as_alias("name"), Membership.user.email.as_alias("email")
        )
        .where(
            (Membership.network == network_id)
            & (Membership.role == Role.coordinator.value)
            & (Membership.user.active == True)  # noqa: E712
        )
        .order_by(Membership.user.name)
    )


async def coordinator_emails(network_id: int) -> list[str]:
    """Where a network's coordinators get their e-mail (active accounts only)."""
    rows = await Membership.select(Membership.user.email.as_alias("email")).where(
        (Membership.network == network_id)
        & (Membership.role == Role.coordinator.value)
        & (Membership.user.active == True)  # noqa: E712
    )
    return sorted({r["email"] for r in rows})
