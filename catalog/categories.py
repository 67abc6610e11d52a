"""The category table of the scheme's help article for libraries, as code.

Stable ids are the scheme's own; labels are the French ones shown in the UI.
Collective eligibility follows the scheme's subcategory data: subscriptions and
escape games are individual only (a subscription card is personal; the scheme does
not offer escape games to school groups), every event subcategory of the table can
also be offered to school groups. See docs/catalog.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError


class OfferType(StrEnum):
    PHYSICAL = "physical"
    EVENT = "event"

    @property
    def label(self) -> str:
        return {"physical": "Offre physique", "event": "Offre événement"}[self.value]


class ExtraField(StrEnum):
    """Extra fields a subcategory asks for. All optional except where noted."""

    SPEAKER = "speaker"
    DIRECTOR = "director"
    VISA = "visa"

    @property
    def label(self) -> str:
        return {
            "speaker": "Intervenant",
            "director": "Réalisateur",
            "visa": "Visa d'exploitation",
        }[self.value]


@dataclass(frozen=True)
class Category:
    id: str
    label: str


@dataclass(frozen=True)
class Subcategory:
    id: str
    category: Category
    label: str
    offer_type: OfferType
    reimbursed: bool
    individual: bool
    collective: bool
    extra_fields: tuple[ExtraField, ...] = ()
    guidance: str = ""
    # An event's usual length in minutes, offered when the offer is created (SPEC §9);
    # None for a physical offer.
    default_duration: int | None = None

    @property
    def is_event(self) -> bool:
        return self.offer_type is OfferType.EVENT

    @property
    def is_subscription(self) -> bool:
        return self.id in SUBSCRIPTION_IDS


LIVRE = Category("LIVRE", "Livre")
FILM = Category("FILM", "Films")
CONFERENCE = Category("CONFERENCE", "Conférences, rencontres")
PRATIQUE_ART = Category("PRATIQUE_ART", "Pratique artistique")
MUSEE = Category("MUSEE", "Musée, patrimoine, architecture, arts visuels")
CINEMA = Category("CINEMA", "Cinéma")
JEU = Category("JEU", "Jeux")

CATEGORIES: tuple[Category, ...] = (LIVRE, FILM, CONFERENCE, PRATIQUE_ART, MUSEE, CINEMA, JEU)

SUBSCRIPTION_DESCRIPTION_HINT = (
    "Précisez dans la description si l'abonnement comprend l'emprunt de CD, "
    "de ressources multimédia, de jeux, etc."
)
READING_CLUB_HINT = "Un club de lecture se publie dans « Conférences, rencontres » / « Rencontre »."
COLLECTIVE_PROJECTS_HINT = (
    "Les projets collectifs d'éducation aux médias ou de découverte des métiers du livre "
    "se publient dans « Conférences, rencontres » / « Rencontre »."
)

SUBCATEGORIES: tuple[Subcategory, ...] = (
    Subcategory(
        "ABO_BIBLIOTHEQUE",
        LIVRE,
        "Abonnement (bibliothèques, médiathèques)",
        OfferType.PHYSICAL,
        reimbursed=True,
        individual=True,
        collective=False,
        guidance=SUBSCRIPTION_DESCRIPTION_HINT,
    ),
    Subcategory(
        "ABO_MEDIATHEQUE",
        FILM,
        "Abonnement médiathèque",
        OfferType.PHYSICAL,
        reimbursed=True,
        individual=True,
        collective=False,
        guidance=SUBSCRIPTION_DESCRIPTION_HINT,
    ),
    Subcategory(
        "CONFERENCE",
        CONFERENCE,
        "Conférence",
        OfferType.EVENT,
        reimbursed=True,
        individual=True,
        collective=True,
        default_duration=90,
        extra_fields=(ExtraField.SPEAKER,),
    ),
    Subcategory(
        "RENCONTRE",
        CONFERENCE,
        "Rencontre",
        OfferType.EVENT,
        reimbursed=True,
        individual=True,
        collective=True,
        default_duration=90,
        extra_fields=(ExtraField.SPEAKER,),
        guidance=f"{READING_CLUB_HINT} {COLLECTIVE_PROJECTS_HINT}",
    ),
    Subcategory(
        "ATELIER_PRATIQUE_ART",
        PRATIQUE_ART,
        "Atelier, stage de pratique artistique",
        OfferType.EVENT,
        reimbursed=True,
        individual=True,
        collective=True,
        default_duration=120,
        extra_fields=(ExtraField.SPEAKER,),
    ),
    Subcategory(
        "VISITE",
        MUSEE,
        "Visite",
        OfferType.EVENT,
        reimbursed=True,
        individual=True,
        collective=True,
        default_duration=90,
    ),
    Subcategory(
        "SEANCE_CINE",
        CINEMA,
        "Séance de cinéma",
        OfferType.EVENT,
        reimbursed=True,
        individual=True,
        collective=True,
        default_duration=120,
        extra_fields=(ExtraField.DIRECTOR, ExtraField.VISA),
    ),
    Subcategory(
        "ESCAPE_GAME",
        JEU,
        "Escape game",
        OfferType.PHYSICAL,
        reimbursed=True,
        individual=True,
        collective=False,
    ),
)

SUBSCRIPTION_IDS = frozenset({"ABO_BIBLIOTHEQUE", "ABO_MEDIATHEQUE"})

TYPICAL_FREE_OFFERS: tuple[str, ...] = (
    "Cartes d'abonnement",
    "Ateliers de pratique artistique",
    "Rencontres avec un artiste",
    "Visites d'expositions",
    "Spectacles",
    "Clubs de lecture",
)

# Guidance shown in the offer forms, whatever the subcategory.
GENERAL_GUIDANCE: tuple[str, ...] = (
    READING_CLUB_HINT,
    COLLECTIVE_PROJECTS_HINT,
    SUBSCRIPTION_DESCRIPTION_HINT,
)

_BY_ID = {s.id: s for s in SUBCATEGORIES}


class UnknownSubcategory(ValueError):
    pass


def get_subcategory(subcategory_id: str) -> Subcategory:
    try:
        return _BY_ID[subcategory_id]
    except KeyError:
        raise UnknownSubcategory(subcategory_id) from None


def is_valid_pair(category_id: str, subcategory_id: str) -> bool:
    """True when the (category, subcategory) pair is a row of the table."""
    sub = _BY_ID.get(subcategory_id)
    return sub is not None and sub.category.id == category_id


def validate_pair(
    category_id: str, subcategory_id: str, *, collective: bool | None = None
) -> Subcategory:
    """Return the subcategory of a pair of the table, or raise ValidationError in French.

    With `collective=True` the subcategory must be open to school groups; with
    `collective=False`, to individual beneficiaries.
    """
    sub = _BY_ID.get(subcategory_id)
    if sub is None:
        raise ValidationError(
            "Cette sous-catégorie n'existe pas dans le catalogue.", code="unknown_subcategory"
        )
    if sub.category.id != category_id:
        raise ValidationError(
            "La sous-catégorie « %(sub)s » n'appartient pas à cette catégorie.",
            code="wrong_category",
            params={"sub": sub.label},
        )
    if collective is True and not sub.collective:
        raise ValidationError(
            "La sous-catégorie « %(sub)s » ne peut pas être proposée aux groupes scolaires.",
            code="not_collective",
            params={"sub": sub.label},
        )
    if collective is False and not sub.individual:
        raise ValidationError(
            "La sous-catégorie « %(sub)s » ne peut pas être proposée en offre individuelle.",
            code="not_individual",
            params={"sub": sub.label},
        )
    return sub


def subcategory_choices(
    *, collective: bool | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices grouped by category for a <select>, filtered by individual/collective use."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for cat in CATEGORIES:
        options = [
            (s.id, s.label)
            for s in SUBCATEGORIES
            if s.category == cat
            and (collective is None or (s.collective if collective else s.individual))
        ]
        if options:
            groups.append((cat.label, options))
    return groups


CSV_COLUMNS = (
    "category_id",
    "category",
    "subcategory_id",
    "subcategory",
    "offer_type",
    "reimbursed",
    "individual",
    "collective",
)


def table_rows() -> list[dict[str, str]]:
    """The table as rows of plain strings, in the spec's column order."""
    yes_no = {True: "Oui", False: "Non"}
    return [
        {
            "category_id": s.category.id,
            "category": s.category.label,
            "subcategory_id": s.id,
            "subcategory": s.label,
            "offer_type": s.offer_type.label,
            "reimbursed": yes_no[s.reimbursed],
            "individual": yes_no[s.individual],
            "collective": yes_no[s.collective],
        }
        for s in SUBCATEGORIES
    ]
