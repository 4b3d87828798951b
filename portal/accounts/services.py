"""Services of the beheerder: networks, regions, organisations, users, memberships, invitations.

Each function is one use case in one transaction that also writes the audit log. Problems are
returned per form field in Dutch, so that a controller can show the form again as typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from portal.accounts import events, sessions, two_factor
from portal.accounts.events import Mail
from portal.accounts.panel import kind_names
from portal.accounts.principal import ROLE_LABELS, Principal
from portal.accounts.queries import network_panel
from portal.accounts.rules import (
    ELSEWHERE,
    OUTSIDE_SCOPE,
    account_in_scope,
    email_problem,
    membership_problems,
    normalise_email,
    slug_problem,
    slugify,
)
from portal.accounts.tables import (
    AccountToken,
    GrantBooking,
    Membership,
    Network,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    TokenPurpose,
    User,
)
from portal.lib import clock
from portal.lib.db import lock_row, unique_violation, write_transaction
from portal.lib.settings import Settings
from portal.lib.tokens import new_token, token_hash

Problems = dict[str, str]


@dataclass(frozen=True)
class NetworkInput:
    name: str
    slug: str
    coordinating_municipality: str
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    grant_booking: GrantBooking = GrantBooking.per_year


async def save_network(
    actor: Principal, data: NetworkInput, network_id: int | None = None
) -> tuple[int | None, Problems]:
    problems: Problems = {}
    if not data.name.strip():
        problems["name"] = "Vul de naam van het netwerk in."
    slug = slugify(data.slug or data.name)
    if problem := slug_problem(slug):
        problems["slug"] = problem
    if not data.coordinating_municipality.strip():
        problems["coordinating_municipality"] = "Vul de coördinerende gemeente in."
    if problems:
        return None, problems
    taken = {"slug": f"Er is al een netwerk met het adres '{slug}'."}
    values = {
        Network.name: data.name.strip(),
        Network.slug: slug,
        Network.coordinating_municipality: data.coordinating_municipality.strip(),
        Network.unforeseen_reserve_bp: data.unforeseen_reserve_bp,
        Network.themes_reserve_bp: data.themes_reserve_bp,
        Network.grant_booking: data.grant_booking,
    }
    try:
        async with write_transaction():
            if await Network.exists().where(
                (Network.slug == slug) & (Network.id != (network_id or 0))
            ):
                return None, taken
            network_id = await _write_network(actor, data, slug, values, network_id)
    except Exception as error:
        # Two networks with one address posted at the same moment: the unique index decides.
        if unique_violation(error):
            return None, taken
        raise
    return network_id, {}


async def _write_network(
    actor: Principal, data: NetworkInput, slug: str, values: dict, network_id: int | None
) -> int:
    if network_id is None:
        row = await Network.insert(
            Network(**{c._meta.name: v for c, v in values.items()})
        ).returning(Network.id)
        network_id = row[0]["id"]
        action, summary = "network_created", f"Netwerk {data.name.strip()} aangemaakt"
    else:
        await Network.update(values).where(Network.id == network_id)
        action, summary = "network_updated", f"Netwerk {data.name.strip()} gewijzigd"
    await events.record(
        actor_id=actor.user_id,
        network_id=network_id,
        action=action,
        object_type="network",
        object_id=network_id,
        summary=summary,
        details={
            "slug": slug,
            "unforeseen_reserve_bp": data.unforeseen_reserve_bp,
            "themes_reserve_bp": data.themes_reserve_bp,
            "grant_booking": data.grant_booking,
        },
    )
    return network_id


async def save_region(
    actor: Principal, network_id: int, name: str, region_id: int | None = None
) -> tuple[int | None, Problems]:
    name = name.strip()
    if not name:
        return None, {"name": "Vul de naam van de jeugdhulpregio in."}
    try:
        async with write_transaction():
            # Asked inside the transaction with the network's row locked: two admins adding
            # "Rijnmond" at once make one region, the other is told it exists.
            await lock_row(Network, network_id)
            others = await Region.select(Region.id, Region.name).where(Region.network == network_id)
            if any(
                r["name"].casefold() == name.casefold() and r["id"] != region_id for r in others
            ):
                raise _Refused(f"Regio '{name}' bestaat al in dit netwerk.")
            if region_id is None:
                row = await Region.insert(Region(network=network_id, name=name)).returning(
                    Region.id
                )
                region_id = row[0]["id"]
                action, summary = "region_created", f"Regio {name} toegevoegd"
            else:
                updated = (
                    await Region.update({Region.name: name})
                    .where((Region.id == region_id) & (Region.network == network_id))
                    .returning(Region.id)
                )
                if not updated:
                    raise _Refused("Deze regio hoort niet bij dit netwerk.")
                action, summary = "region_updated", f"Regio hernoemd tot {name}"
            await events.record(
                actor_id=actor.user_id,
                network_id=network_id,
                action=action,
                object_type="region",
                object_id=region_id,
                summary=summary,
            )
    except _Refused as refused:
        return None, {"name": str(refused)}
    return region_id, {}


class _Refused(Exception):
    """Raised inside a write transaction to undo it (the form's key stays unused), with the
    Dutch reason."""


async def save_organisation(
    actor: Principal,
    network_id: int,
    name: str,
    kind: str,
    region_id: int | None,
    organisation_id: int | None = None,
) -> tuple[int | None, Problems]:
    problems: Problems = {}
    name = name.strip()
    if not name:
        problems["name"] = "Vul de naam van de organisatie in."
    if kind not in {k.value for k in OrganisationKind}:
        problems["kind"] = "Kies het soort organisatie."
    if region_id is not None and not await Region.exists().where(
        (Region.id == region_id) & (Region.network == network_id)
    ):
        problems["region"] = "Kies een regio van dit netwerk."
    if problems:
        return None, problems
    values: dict[Column | str, Any] = {
        Organisation.name: name,
        Organisation.kind: kind,
        Organisation.region: region_id,
    }
    async with write_transaction():
        if organisation_id is None:
            row = await Organisation.insert(
                Organisation(network=network_id, name=name, kind=kind, region=region_id)
            ).returning(Organisation.id)
            organisation_id = row[0]["id"]
            action, summary = "organisation_created", f"Organisatie {name} toegevoegd"
        else:
            updated = (
                await Organisation.update(values)
                .where((Organisation.id == organisation_id) & (Organisation.network == network_id))
                .returning(Organisation.id)
            )
            if not updated:
                return None, {"name": "Deze organisatie hoort niet bij dit netwerk."}
            action, summary = "organisation_updated", f"Organisatie {name} gewijzigd"
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action=action,
            object_type="organisation",
            object_id=organisation_id,
            summary=summary,
        )
    return organisation_id, {}


@dataclass(frozen=True)
class MembershipInput:
    role: str
    reviewer_kind: str = ""
    region_id: int | None = None
    organisation_id: int | None = None


async def _membership_problems(network_id: int | None, data: MembershipInput) -> Problems:
    try:
        role = Role(data.role)
    except ValueError:
        return {"role": "Kies een rol."}
    problems = membership_problems(
        role,
        has_network=network_id is not None,
        reviewer_kind=data.reviewer_kind,
        region_id=data.region_id,
        organisation_id=data.organisation_id,
        kinds=kind_names(await network_panel(network_id)) if network_id else None,
    )
    if data.region_id is not None and not await Region.exists().where(
        (Region.id == data.region_id) & (Region.network == (network_id or 0))
    ):
        problems["region"] = "Kies een regio van dit netwerk."
    if data.organisation_id is not None and not await Organisation.exists().where(
        (Organisation.id == data.organisation_id) & (Organisation.network == (network_id or 0))
    ):
        problems["organisation"] = "Kies een organisatie van dit netwerk."
    return problems


async def _add_membership_row(user_id: int, network_id: int | None, data: MembershipInput) -> bool:
    """Insert unless the same membership exists; returns whether it was new."""
    same = Membership.exists().where(
        (Membership.user == user_id)
        & (Membership.network == network_id if network_id else Membership.network.is_null())
        & (Membership.role == data.role)
        & (Membership.region == data.region_id if data.region_id else Membership.region.is_null())
        & (
            Membership.organisation == data.organisation_id
            if data.organisation_id
            else Membership.organisation.is_null()
        )
    )
    if await same:
        return False
    await Membership.insert(
        Membership(
            user=user_id,
            network=network_id,
            role=data.role,
            reviewer_kind=data.reviewer_kind,
            region=data.region_id,
            organisation=data.organisation_id,
        )
    )
    return True


async def invite_user(
    actor: Principal,
    network: dict,
    email: str,
    name: str,
    data: MembershipInput,
    settings: Settings,
) -> tuple[int | None, Problems]:
    """Give a person a role in a network. A new person gets an account and an e-mailed link on
    which they choose their own password; an existing person just gains the membership."""
    problems: Problems = {}
    email_error = email_problem(email)
    if email_error:
        problems["email"] = email_error
    if not name.strip():
        problems["name"] = "Vul de naam van de gebruiker in."
    problems |= await _membership_problems(network["id"], data)
    if problems:
        return None, problems
    email = normalise_email(email)
    role_label = ROLE_LABELS[Role(data.role)]
    token = new_token()
    async with write_transaction():
        existing = await User.select(User.id, User.password_hash).where(User.email == email).first()
        if existing:
            user_id = existing["id"]
            if not account_in_scope(
                actor.is_superadmin, network["id"], await networks_of_user(user_id)
            ):
                return None, {"email": ELSEWHERE}
            if not await _add_membership_row(user_id, network["id"], data):
                return None, {"role": "Deze gebruiker heeft deze rol al."}
            needs_password = not existing["password_hash"]
        else:
            row = await User.insert(User(email=email, name=name.strip(), active=True)).returning(
                User.id
            )
            user_id = row[0]["id"]
            await _add_membership_row(user_id, network["id"], data)
            needs_password = True
        if needs_password:
            await AccountToken.insert(
                AccountToken(
                    token_hash=token_hash(token),
                    user=user_id,
                    purpose=TokenPurpose.invitation.value,
                    expires_at=clock.now() + dt.timedelta(days=settings.invitation_token_days),
                )
            )
            body = (
                f"Beste {name.strip()},\n\n"
                f"{actor.name} nodigt u uit voor Fondsportaal van {network['name']} "
                f"als {role_label.lower()}.\n"
                f"Kies uw wachtwoord via deze link (die {settings.invitation_token_days} dagen "
                f"geldig is):\n\n{settings.base_url}/uitnodiging/{token}\n"
            )
        else:
            body = (
                f"Beste {name.strip()},\n\n"
                f"{actor.name} heeft u in Fondsportaal van {network['name']} de rol "
                f"{role_label.lower()} gegeven. Log in op {settings.base_url}/login.\n"
            )
        await events.record(
            actor_id=actor.user_id,
            network_id=network["id"],
            action="user_invited",
            object_type="user",
            object_id=user_id,
            summary=f"{name.strip()} uitgenodigd als {role_label.lower()}",
            details={"email": email, "role": data.role},
            mails=[
                Mail(
                    to=email, subject=f"Uitnodiging voor Fondsportaal {network['name']}", body=body
                )
            ],
        )
    return user_id, {}


async def add_membership(
    actor: Principal, network_id: int, user_id: int, data: MembershipInput
) -> Problems:
    problems = await _membership_problems(network_id, data)
    if problems:
        return problems
    async with write_transaction():
        if not await _add_membership_row(user_id, network_id, data):
            return {"role": "Deze gebruiker heeft deze rol al."}
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="membership_added",
            object_type="user",
            object_id=user_id,
            summary=f"Rol {ROLE_LABELS[Role(data.role)].lower()} toegekend",
            details={
                "role": data.role,
                "region_id": data.region_id,
                "organisation_id": data.organisation_id,
            },
        )
    return {}


async def remove_membership(actor: Principal, network_id: int, membership_id: int) -> bool:
    async with write_transaction():
        row = (
            await Membership.select()
            .where((Membership.id == membership_id) & (Membership.network == network_id))
            .first()
        )
        if row is None:
            return False
        if row["user"] == actor.user_id and row["role"] == Role.admin.value:
            # A beheerder cannot lock themselves out of the page they are on.
            return False
        await Membership.delete().where(Membership.id == membership_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="membership_removed",
            object_type="user",
            object_id=row["user"],
            summary=f"Rol {ROLE_LABELS[Role(row['role'])].lower()} ingetrokken",
        )
    return True


async def networks_of_user(user_id: int) -> set[int | None]:
    """The networks of an account's memberships (None: the installation's admin)."""
    rows = await Membership.select(Membership.network).where(Membership.user == user_id)
    return {r["network"] for r in rows}


class OutOfScope(PermissionError):
    """str() is the Dutch reason: the account is not this network admin's to change."""


async def check_account_in_scope(actor: Principal, network_id: int, user_id: int) -> None:
    """Inside the write transaction: the account is in this network and in no other (or the
    actor administers the installation). A membership added elsewhere a moment ago counts."""
    networks = await networks_of_user(user_id)
    if network_id not in networks:
        raise OutOfScope("Deze gebruiker bestaat niet in dit netwerk.")
    if not account_in_scope(actor.is_superadmin, network_id, networks):
        raise OutOfScope(OUTSIDE_SCOPE)


async def reset_second_factor(actor: Principal, network_id: int, user_id: int) -> None:
    """The admin's reset of a user's second factor, once the account is theirs to change."""
    async with write_transaction():
        await check_account_in_scope(actor, network_id, user_id)
        # Joins this transaction: the scope and the reset are one decision.
        await two_factor.reset_by_admin(actor.user_id, user_id, network_id)


async def set_user_active(actor: Principal, network_id: int, user_id: int, active: bool) -> bool:
    """False for one's own account; OutOfScope for an account beyond this admin's network."""
    if user_id == actor.user_id:
        return False
    async with write_transaction():
        await check_account_in_scope(actor, network_id, user_id)
        updated = (
            await User.update({User.active: active}).where(User.id == user_id).returning(User.id)
        )
        if not updated:
            return False
        if not active:
            await sessions.end_all_sessions(user_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="user_activated" if active else "user_deactivated",
            object_type="user",
            object_id=user_id,
            summary="Account geactiveerd" if active else "Account gedeactiveerd",
        )
    return True


async def create_user(email: str, name: str, password_hash: str) -> int:
    """For the CLI and demo data: an account with a known password and no membership yet."""
    async with write_transaction():
        row = await User.insert(
            User(email=normalise_email(email), name=name, password_hash=password_hash, active=True)
        ).returning(User.id)
        user_id = row[0]["id"]
        await events.record(
            actor_id=None,
            action="user_created",
            object_type="user",
            object_id=user_id,
            summary=f"Account {name} aangemaakt",
        )
    return user_id
