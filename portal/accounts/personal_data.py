"""Mijn gegevens: everything the portal holds about one person, made on request (AVG art. 15).

The accounts domain gives the account, roles, sessions, keys, log-ins, the audit events by or
about the person, what they looked at and the e-mails sent to them; every higher domain adds
its own parts through `register` (proposals, review, the projects), wired up by the assembly
(`portal/app.register_domain_hooks`), so that this module imports none of them.

Nothing of another person goes in: a part holds only rows the person wrote or that are about
them, and only their own fields of those rows (a review's co-reviewers, the other authors of a
proposal, the colleague who acted on their account are left out). As a last guard every text
is scrubbed of the names and e-mail addresses of the portal's other users. Never in it: the
password hash, the two-factor secret, hashes of recovery codes, links or keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portal.accounts import events
from portal.accounts.api_tokens import ApiToken
from portal.accounts.principal import ROLE_LABELS, Principal
from portal.accounts.sessions import memberships_of
from portal.accounts.tables import (
    AccountToken,
    AuditEvent,
    LoginThrottle,
    Membership,
    OutboxMessage,
    RecoveryCode,
    SessionStage,
    TokenPurpose,
    User,
    UserSession,
)
from portal.accounts.view_log import ITEM_LABELS, views_by
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.formatting import datum, datumtijd

# What stands in a text where another person's name or e-mail address was.
OTHER_PERSON = "[andere persoon]"
# Names this short are too likely to be a word of the text; an e-mail address always counts.
SHORTEST_NAME = 3
# The last parts of the account's own: the log, what was viewed and the e-mails.
TRAILS = 3


class DownloadFormat(StrEnum):
    json = "json"
    html = "html"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Part:
    """One kind of data: its title and a line on what it is, then its rows (Dutch keys)."""

    key: str
    title: str
    explanation: str
    rows: list[dict[str, Any]]


# A domain's contribution: the parts it holds about the person.
PartSource = Callable[[Person], Awaitable[list[Part]]]
SOURCES: list[PartSource] = []


def register(source: PartSource) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


@dataclass(frozen=True)
class PersonalData:
    made_at: dt.datetime
    person: dict[str, Any]
    parts: list[Part]


SESSION_STAGES = {
    SessionStage.full: "Ingelogd",
    SessionStage.code: "Wachtwoord goed, code uit de app gevraagd",
    SessionStage.enrol: "Wachtwoord goed, tweestapsverificatie nog instellen",
}
TOKEN_PURPOSES = {
    TokenPurpose.reset: "Wachtwoord herstellen",
    TokenPurpose.invitation: "Uitnodiging",
}


async def collect(user_id: int) -> PersonalData:
    """Everything about the person, fresh from the database."""
    user = required(await User.select().where(User.id == user_id).first())
    person = Person(user["id"], user["name"], user["email"])
    account = await _account_parts(person)
    # The account first, then each domain's part, then the trails: log, views, e-mails.
    parts = account[:-TRAILS]
    for source in SOURCES:
        parts += await source(person)
    parts += account[-TRAILS:]
    unused_codes = await RecoveryCode.count().where(
        (RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null()
    )
    summary = {
        "Naam": user["name"],
        "E-mailadres": user["email"],
        "Account aangemaakt": user["created_at"],
        "Laatst ingelogd": user["last_login_at"],
        "Account actief": user["active"],
        "Wachtwoord ingesteld": bool(user["password_hash"]),
        "Tweestapsverificatie aan sinds": user["totp_enabled_at"],
        "Ongebruikte herstelcodes": unused_codes,
    }
    scrub = await _scrubber(person)
    return PersonalData(
        made_at=clock.now(),
        person=summary,
        parts=[
            Part(p.key, p.title, p.explanation, [_scrubbed(row, scrub) for row in p.rows])
            for p in parts
        ],
    )


async def _account_parts(person: Person) -> list[Part]:
    user_id = person.id
    infos = {m.id: m for m in await memberships_of(user_id)}
    since = {
        row["id"]: row["created_at"]
        for row in await Membership.select(Membership.id, Membership.created_at).where(
            Membership.user == user_id
        )
    }
    memberships = [
        {
            "Netwerk": m.network_name or "Alle netwerken",
            "Rol": ROLE_LABELS[m.role],
            "Soort beoordelaar": m.reviewer_kind_name or m.reviewer_kind,
            "Regio": m.region_name or "",
            "Organisatie": m.organisation_name or "",
            "Sinds": since.get(m.id),
        }
        for m in infos.values()
    ]
    sessions = [
        {
            "Begonnen": row["created_at"],
            "Laatst actief": row["last_seen_at"],
            "Stand": SESSION_STAGES.get(SessionStage(row["stage"]), row["stage"]),
        }
        for row in await _sessions(user_id)
    ]
    throttle = [
        {"Mislukte pogingen op rij": row["failures"], "Geblokkeerd tot": row["locked_until"]}
        for row in await LoginThrottle.select(
            LoginThrottle.failures, LoginThrottle.locked_until
        ).where(LoginThrottle.email == person.email)
        if row["failures"] or row["locked_until"]
    ]
    api_tokens = [
        {
            "Naam": row["name"],
            "Gemaakt": row["created_at"],
            "Laatst gebruikt": row["last_used_at"],
            "Ingetrokken": row["revoked_at"],
        }
        for row in await ApiToken.select(
            ApiToken.name, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id)
    ]
    links = [
        {
            "Soort": TOKEN_PURPOSES.get(TokenPurpose(row["purpose"]), row["purpose"]),
            "Gemaakt": row["created_at"],
            "Verloopt": row["expires_at"],
            "Gebruikt": row["used_at"],
        }
        for row in await AccountToken.select(
            AccountToken.purpose,
            AccountToken.created_at,
            AccountToken.expires_at,
            AccountToken.used_at,
        )
        .where(AccountToken.user == user_id)
        .order_by(AccountToken.id)
    ]
    audit = [
        {
            "Wanneer": row["at"],
            "Netwerk": row["network_name"] or "",
            "Waarover": _object_of(row, user_id),
            "Omschrijving": row["summary"],
            # Who else acted on the account is left out: only whether it was the person.
            "Door u": row["actor"] == user_id,
            # The portal's own name for the action (English, as in the log); the Dutch is
            # the Omschrijving.
            "Code": row["action"],
        }
        for row in await AuditEvent.select(
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.summary,
            AuditEvent.network.name.as_alias("network_name"),
        )
        .where(
            (AuditEvent.actor == user_id)
            | ((AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user_id)))
        )
        .order_by(AuditEvent.at)
        .order_by(AuditEvent.id)
    ]
    viewed = [
        {
            "Wanneer": row["at"],
            "Netwerk": row["network_name"] or "",
            "Wat": ITEM_LABELS.get(row["item"], row["item"]),
            "Naam": row["item_label"],
            "Bij": _object_of(
                {"object_type": row["subject_type"], "object_id": row["subject_id"]}, user_id
            ),
        }
        for row in await views_by(user_id)
    ]
    mails = [
        {"Gemaakt": row["created_at"], "Onderwerp": row["subject"], "Verstuurd": row["sent_at"]}
        for row in await OutboxMessage.select(
            OutboxMessage.created_at, OutboxMessage.subject, OutboxMessage.sent_at
        )
        .where(OutboxMessage.recipient == person.email)
        .order_by(OutboxMessage.id)
    ]
    return [
        Part(
            "rollen",
            "Rollen",
            "De rollen die u heeft, in welk netwerk, voor welke regio of organisatie.",
            memberships,
        ),
        Part(
            "sessies",
            "Sessies",
            "Uw lopende inlogsessies. Het portaal bewaart geen IP-adres of browser.",
            sessions,
        ),
        Part(
            "inlogpogingen",
            "Mislukte inlogpogingen",
            "Mislukte pogingen om met uw e-mailadres in te loggen (ze vervallen na een "
            "geslaagde inlog).",
            throttle,
        ),
        Part(
            "api_sleutels",
            "API-sleutels",
            "Sleutels waarmee een systeem namens u de cijfers leest; de sleutel zelf wordt "
            "nooit bewaard.",
            api_tokens,
        ),
        Part(
            "links",
            "Links per e-mail",
            "Uitnodigingen en links om uw wachtwoord te herstellen; de link zelf wordt niet "
            "bewaard.",
            links,
        ),
        Part(
            "logboek",
            "Logboek",
            "Wat u in het portaal deed, en wat anderen aan uw account veranderden (zonder "
            "te zeggen wie).",
            audit,
        ),
        Part(
            "ingezien",
            "Ingezien",
            "De bijlagen en verslagen die u opende.",
            viewed,
        ),
        Part(
            "e_mails",
            "E-mails aan u",
            "De berichten die het portaal u stuurde (alleen het onderwerp).",
            mails,
        ),
    ]


# What the log's object types are called in Dutch; an unknown one is shown as it is.
_OBJECT_WORDS = {
    "budget_year": "begrotingsjaar",
    "change": "wijziging",
    "decision": "besluit",
    "network": "netwerk",
    "organisation": "organisatie",
    "payment_request": "betaalverzoek",
    "project": "project",
    "proposal": "voorstel",
    "question": "vraag",
    "region": "regio",
    "report": "verslag",
    "retention_period": "bewaartermijn",
    "review": "beoordeling",
    "round": "ronde",
    "sisa_text": "SiSa-tekst",
}


def _object_of(event: dict, user_id: int) -> str:
    """What an audit event is about; another person's account is not named, not even by id."""
    if event["object_type"] == "user":
        return "uw account" if event["object_id"] == str(user_id) else "het account van een ander"
    word = _OBJECT_WORDS.get(event["object_type"], event["object_type"])
    return f"{word} {event['object_id']}"


async def _sessions(user_id: int) -> list[dict]:
    return (
        await UserSession.select(
            UserSession.created_at, UserSession.last_seen_at, UserSession.stage
        )
        .where(UserSession.user == user_id)
        .order_by(UserSession.id)
    )


async def _scrubber(person: Person) -> Callable[[str], str]:
    """A function that replaces the names and e-mail addresses of every other user in a text.
    The person's own name and address are matched too (longest first, so "Jan de Vries" is
    kept whole when another user is called "Jan") and left as they are."""
    others = await User.select(User.name, User.email).where(User.id != person.id)
    own = {person.name.casefold(), person.email.casefold()}
    words = {person.name, person.email}
    for row in others:
        if len(row["name"].strip()) >= SHORTEST_NAME:
            words.add(row["name"].strip())
        words.add(row["email"])
    if not words - {person.name, person.email}:
        return lambda text: text
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
        + r")(?!\w)",
        re.IGNORECASE,
    )

    def scrub(text: str) -> str:
        return pattern.sub(
            lambda m: m.group(0) if m.group(0).casefold() in own else OTHER_PERSON, text
        )

    return scrub


def _scrubbed(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, scrub) for item in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def as_json(data: PersonalData) -> bytes:
    document = {
        "toelichting": "Alle gegevens die het Fondsportaal over u bewaart, gemaakt op uw verzoek.",
        "gemaakt_op": data.made_at,
        "persoon": data.person,
        "onderdelen": [
            {"sleutel": p.key, "titel": p.title, "uitleg": p.explanation, "gegevens": p.rows}
            for p in data.parts
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=_plain).encode()


def shown(value: Any) -> str:
    """A value as the readable (HTML) download shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        return datumtijd(value)
    if isinstance(value, dt.date):
        return datum(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, indent=1, default=_plain)
    return str(value)


def filename(kind: DownloadFormat) -> str:
    return f"mijn-gegevens-fondsportaal-{clock.now():%Y-%m-%d}.{kind.value}"


async def record_download(principal: Principal, kind: DownloadFormat) -> None:
    """The download is in the audit log, as every disclosure of personal data is."""
    async with write_transaction():
        await events.record(
            actor_id=principal.user_id,
            action="personal_data_downloaded",
            object_type="user",
            object_id=principal.user_id,
            summary=f"Eigen gegevens gedownload ({kind.value.upper()})",
            details={"format": kind.value},
        )
