"""What waits for the beheerder on the start page (`portal/accounts/worklist.py`): invitations
not accepted yet and accounts the log-in throttle has locked; and the names and links of the
users in a person's recent activity."""

from __future__ import annotations

import datetime as dt

from portal.accounts import worklist
from portal.accounts.tables import AccountToken, LoginThrottle, Membership, Role, TokenPurpose, User
from portal.accounts.worklist import ObjectLink, WorkContext, WorkItem, WorkList, work_list
from portal.lib import clock
from portal.lib.formatting import datum, datumtijd


async def admin_work(ctx: WorkContext) -> list[WorkList]:
    """One round of reads: the network's members without a password (invited) and their open
    invitation links; the members whose e-mail address the throttle locks now, and until when."""
    network_id = ctx.network.id
    invited_members = (
        (Membership.network == network_id)
        & (Membership.user.password_hash == "")
        & (Membership.user.active == True)  # noqa: E712
    )
    locked_emails = LoginThrottle.select(LoginThrottle.email).where(
        LoginThrottle.locked_until > ctx.now
    )
    member_columns = (
        Membership.user,
        Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email"),
    )
    invited_rows, tokens, locked_rows, throttles = await ctx.gather(
        ctx.read(
            Membership.select(*member_columns).where(invited_members).order_by(Membership.user.name)
        ),
        ctx.read(
            AccountToken.select(AccountToken.user, AccountToken.expires_at).where(
                AccountToken.user.is_in(Membership.select(Membership.user).where(invited_members))
                & (AccountToken.purpose == TokenPurpose.invitation.value)
                & AccountToken.used_at.is_null()
            )
        ),
        ctx.read(
            Membership.select(*member_columns)
            .where((Membership.network == network_id) & Membership.user.email.is_in(locked_emails))
            .order_by(Membership.user.name)
        ),
        ctx.read(
            LoginThrottle.select(LoginThrottle.email, LoginThrottle.locked_until).where(
                LoginThrottle.locked_until > ctx.now
            )
        ),
    )
    invited = {r["user"]: r for r in invited_rows}
    expires: dict[int, dt.datetime] = {}
    for t in tokens:
        expiry = clock.as_utc(t["expires_at"])
        if t["user"] not in expires or expiry > expires[t["user"]]:
            expires[t["user"]] = expiry
    invitations = []
    for user_id, r in invited.items():
        until = expires.get(user_id)
        if until is None:
            note = "geen geldige uitnodigingslink"
        elif until <= ctx.now:
            note = f"uitnodiging verlopen op {datum(until)}"
        else:
            note = f"uitnodiging geldig tot {datum(until)}"
        invitations.append(
            WorkItem(f"{r['name']} ({r['email']})", ctx.url("admin:user", user_id=user_id), note)
        )
    until_of = {t["email"]: clock.as_utc(t["locked_until"]) for t in throttles}
    seen: set[int] = set()
    locked = []
    for r in locked_rows:
        if r["user"] in seen:
            continue
        seen.add(r["user"])
        lock_end = until_of.get(r["email"])
        locked.append(
            WorkItem(
                f"{r['name']} ({r['email']})",
                ctx.url("admin:user", user_id=r["user"]),
                f"geblokkeerd na mislukte inlogpogingen, tot {datumtijd(lock_end)}"
                if lock_end
                else "geblokkeerd na mislukte inlogpogingen",
            )
        )
    users = ctx.url("admin:users")
    return [
        work_list("admin-invitations", "Uitnodigingen nog niet aanvaard", invitations, users),
        work_list("admin-locked", "Geblokkeerde accounts", locked, users),
    ]


async def user_links(ctx: WorkContext, ids: list[int]) -> dict[int, ObjectLink]:
    """A user's name; a link to their page for who administers the network."""
    rows = await ctx.read(User.select(User.id, User.name).where(User.id.is_in(ids)))
    administers = ctx.principal.administers(ctx.network.id)
    return {
        r["id"]: ObjectLink(
            f"gebruiker {r['name']}",
            ctx.url("admin:user", user_id=r["id"]) if administers else None,
        )
        for r in rows
    }


def register() -> None:
    worklist.register(Role.admin, admin_work)
    worklist.register_object("user", user_links)
