"""What the proposals domain holds about a person, for their download (Mijn gegevens,
`portal/accounts/personal_data.py`): the proposals they wrote, made or submitted, the
attachments they uploaded, and where a bouwteam names them.

Of a proposal only what is about the person: its title and state, their part in it, and the
contact details when they are the contact. The texts a proposal's authors wrote together and
the other authors stay out: those are also another person's.
"""

from __future__ import annotations

from portal.accounts.personal_data import Part, Person, register
from proposals.rules import ATTACHMENT_KINDS, BOUWTEAM_POSITIONS, STATE_LABELS
from proposals.tables import Attachment, BouwteamMember, Proposal, ProposalAuthor


def _is_self(person: Person, name: str, email: str) -> bool:
    return (email.strip().casefold() == person.email.casefold()) or (
        bool(name.strip()) and name.strip().casefold() == person.name.casefold()
    )


async def parts_of(person: Person) -> list[Part]:
    user_id = person.id
    added = {
        row["proposal"]: row["added_at"]
        for row in await ProposalAuthor.select(
            ProposalAuthor.proposal, ProposalAuthor.added_at
        ).where(ProposalAuthor.user == user_id)
    }
    condition = (Proposal.created_by == user_id) | (Proposal.submitted_by == user_id)
    if added:
        condition = condition | Proposal.id.is_in(list(added))
    proposals = []
    for row in (
        await Proposal.select(
            Proposal.id,
            Proposal.network.name.as_alias("network_name"),
            Proposal.title,
            Proposal.state,
            Proposal.created_by,
            Proposal.submitted_by,
            Proposal.created_at,
            Proposal.submitted_at,
            Proposal.contact_name,
            Proposal.contact_email,
            Proposal.contact_phone,
        )
        .where(condition)
        .order_by(Proposal.id)
    ):
        part = []
        if row["created_by"] == user_id:
            part.append("aangemaakt door u")
        if row["id"] in added:
            part.append("auteur")
        if row["submitted_by"] == user_id:
            part.append("ingediend door u namens de regio")
        contact = _is_self(person, row["contact_name"], row["contact_email"])
        proposals.append(
            {
                "Voorstel": row["id"],
                "Netwerk": row["network_name"],
                "Titel": row["title"],
                "Status": STATE_LABELS.get(row["state"], row["state"]),
                "Uw rol": ", ".join(part),
                "Auteur sinds": added.get(row["id"]),
                "Aangemaakt": row["created_at"],
                "Ingediend": row["submitted_at"],
                "U bent contactpersoon": contact,
                # Only the person's own details: another contact is another person's data.
                "Contactpersoon": row["contact_name"] if contact else "",
                "E-mail contactpersoon": row["contact_email"] if contact else "",
                "Telefoon contactpersoon": row["contact_phone"] if contact else "",
            }
        )
    attachments = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Bestand": row["display_name"],
            "Soort": ATTACHMENT_KINDS.get(row["kind"], row["kind"]),
            "Toegevoegd": row["uploaded_at"],
            "Verwijderd": row["removed_at"],
        }
        for row in await Attachment.select(
            Attachment.proposal,
            Attachment.proposal.title.as_alias("proposal_title"),
            Attachment.display_name,
            Attachment.kind,
            Attachment.uploaded_at,
            Attachment.removed_at,
        )
        .where(Attachment.uploaded_by == user_id)
        .order_by(Attachment.id)
    ]
    bouwteam = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Plaats": BOUWTEAM_POSITIONS.get(row["position"], row["position"]),
            "Organisatie": row["organisation_name"],
            "Kartrekker": row["is_kartrekker"],
        }
        for row in await BouwteamMember.select(
            BouwteamMember.proposal,
            BouwteamMember.proposal.title.as_alias("proposal_title"),
            BouwteamMember.position,
            BouwteamMember.name,
            BouwteamMember.organisation_name,
            BouwteamMember.is_kartrekker,
        )
        .where(BouwteamMember.name.ilike(person.name))
        .order_by(BouwteamMember.id)
        # ilike reads % and _ as wildcards: the name itself, exactly.
        if person.name.strip() and row["name"].casefold() == person.name.casefold()
    ]
    return [
        Part(
            "voorstellen",
            "Voorstellen",
            "Voorstellen die u (mee)schreef, aanmaakte of namens de regio indiende: uw rol "
            "erin, en uw gegevens als contactpersoon. De tekst van een voorstel schrijven de "
            "auteurs samen; die staat in het voorstel zelf.",
            proposals,
        ),
        Part(
            "bijlagen",
            "Bijlagen bij voorstellen",
            "Bestanden die u bij een voorstel voegde (de naam, niet de inhoud).",
            attachments,
        ),
        Part(
            "bouwteam",
            "In een bouwteam",
            "Voorstellen waarvan het bouwteam iemand met uw naam noemt.",
            bouwteam,
        ),
    ]


def register_personal_data() -> None:
    register(parts_of)
