"""Small builders for test data; each returns the new row's id."""

from __future__ import annotations

import itertools

from portal.accounts import totp
from portal.accounts.tables import Membership, Network, Organisation, Region, Role, User
from portal.lib import clock
from portal.lib.passwords import hash_password_sync

PASSWORD = "een-goed-wachtwoord-42"
# The authenticator-app secret of every coordinator and admin the factories make.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_counter = itertools.count(1)
_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password_sync(PASSWORD)
    return _PASSWORD_HASH


async def network(slug: str | None = None, name: str | None = None) -> int:
    n = next(_counter)
    slug = slug or f"netwerk-{n}"
    rows = await Network.insert(
        Network(name=name or f"Netwerk {n}", slug=slug, coordinating_municipality="Rotterdam")
    ).returning(Network.id)
    return rows[0]["id"]


async def region(network_id: int, name: str | None = None) -> int:
    rows = await Region.insert(
        Region(network=network_id, name=name or f"Regio {next(_counter)}")
    ).returning(Region.id)
    return rows[0]["id"]


async def organisation(
    network_id: int,
    kind: str = "care_provider",
    region_id: int | None = None,
    name: str | None = None,
) -> int:
    rows = await Organisation.insert(
        Organisation(
            network=network_id,
            name=name or f"Organisatie {next(_counter)}",
            kind=kind,
            region=region_id,
        )
    ).returning(Organisation.id)
    return rows[0]["id"]


async def user(
    email: str | None = None, name: str | None = None, *, active: bool = True, password: bool = True
) -> int:
    n = next(_counter)
    rows = await User.insert(
        User(
            email=email or f"gebruiker{n}@example.org",
            name=name or f"Gebruiker {n}",
            password_hash=_password_hash() if password else "",
            active=active,
        )
    ).returning(User.id)
    return rows[0]["id"]


async def member(
    network_id: int | None,
    role: Role,
    *,
    email: str | None = None,
    region_id: int | None = None,
    organisation_id: int | None = None,
    reviewer_kind: str = "",
    user_id: int | None = None,
) -> int:
    """A user holding one role; returns the user id. A coordinator or admin gets two-factor
    log-in set up with TOTP_SECRET, as the portal requires of them."""
    user_id = user_id or await user(email)
    if totp.required_for([role]):
        await User.update({User.totp_secret: TOTP_SECRET, User.totp_enabled_at: clock.now()}).where(
            (User.id == user_id) & (User.totp_enabled_at.is_null())
        )
    await Membership.insert(
        Membership(
            user=user_id,
            network=network_id,
            role=role.value,
            reviewer_kind=reviewer_kind,
            region=region_id,
            organisation=organisation_id,
        )
    )
    return user_id


async def email_of(user_id: int) -> str:
    row = await User.select(User.email).where(User.id == user_id).first()
    return row["email"]
