"""Which SIRETs belong to a collectivité: INSEE legal categories and APE code.

A collectivité is recognised by its "catégorie juridique" (72xx territorial
authorities, and the local public bodies that run libraries) or, failing that, by
the APE code 84.11Z (administration publique générale).
"""

COLLECTIVITE_LEGAL_CATEGORIES: dict[str, str] = {
    "7210": "Commune et commune nouvelle",
    "7220": "Département",
    "7225": "Collectivité et territoire d'Outre-Mer",
    "7229": "(Autre) Collectivité territoriale",
    "7230": "Région",
    "7312": "Commune associée et commune déléguée",
    "7343": "Communauté urbaine",
    "7344": "Métropole",
    "7346": "Communauté de communes",
    "7348": "Communauté d'agglomération",
    "7353": "Syndicat intercommunal à vocation multiple (SIVOM)",
    "7354": "Syndicat mixte fermé",
    "7355": "Syndicat mixte ouvert",
    "7373": "Établissement public local culturel",
    "7378": "Régie d'une collectivité locale à caractère administratif",
    "7379": "(Autre) Établissement public administratif local",
}

# A few frequent non-collectivité categories, for readable labels in the review queue.
OTHER_LEGAL_CATEGORIES: dict[str, str] = {
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9230": "Association déclarée, reconnue d'utilité publique",
    "5499": "Société à responsabilité limitée (sans autre indication)",
    "5710": "SAS, société par actions simplifiée",
    "1000": "Entrepreneur individuel",
    "7389": "Établissement public national à caractère administratif",
}

COLLECTIVITE_APE_CODES = frozenset({"84.11Z", "8411Z"})

LEGAL_CATEGORY_CHOICES: list[tuple[str, str]] = [
    *((code, f"{code} — {label}") for code, label in COLLECTIVITE_LEGAL_CATEGORIES.items()),
    *((code, f"{code} — {label}") for code, label in OTHER_LEGAL_CATEGORIES.items()),
]


def legal_category_label(code: str) -> str:
    return COLLECTIVITE_LEGAL_CATEGORIES.get(code) or OTHER_LEGAL_CATEGORIES.get(code, "")


def is_collectivite(legal_category: str, ape_code: str = "") -> bool:
    return legal_category in COLLECTIVITE_LEGAL_CATEGORIES or (
        ape_code.replace(".", "").upper() == "8411Z"
    )
