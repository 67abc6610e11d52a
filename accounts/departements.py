"""The 101 French départements and the 6 overseas collectivities of the scheme, as data:
code, name, region, time zone.

The overseas collectivities (Saint-Pierre-et-Miquelon 975, Saint-Barthélemy 977,
Saint-Martin 978, Wallis-et-Futuna 986, Polynésie française 987, Nouvelle-Calédonie
988) are not départements but have their own three-digit codes and time zones, which
the scheme uses (INSEE's codes): a library there gets its own territory, officers and
local time. The time zone of a code is pass Culture's own (`TIMEZONES`). Postal code →
code is overseas-, CEDEX- and Corsica-aware (see `departement_from_postal_code`).
"""

from __future__ import annotations

from dataclasses import dataclass

PARIS = "Europe/Paris"

# The time zone of each code that is not Europe/Paris, as pass Culture has it, so that
# an event's hour reads the same in passlib and in the pass Culture app: the
# CUSTOM_TIMEZONES of `get_department_timezone` in pass-culture/pass-culture-main,
# api/src/pcapi/utils/date.py. Saint-Martin is America/Guadeloupe there (the same
# hour as America/Marigot, UTC−4 without summer time) and Clipperton (989, no postal
# code, no library) Pacific/Pitcairn. The TAAF (984) have several zones: Paris, as
# pass Culture.
TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Guadeloupe",  # Saint-Martin
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",  # Polynesia spans several zones: Papeete's
    "988": "Pacific/Noumea",
    "989": "Pacific/Pitcairn",  # Clipperton
}


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def timezone(self) -> str:
        return timezone_of(self.code)


_ARA = "Auvergne-Rhône-Alpes"
_BFC = "Bourgogne-Franche-Comté"
_BRE = "Bretagne"
_CVL = "Centre-Val de Loire"
_COR = "Corse"
_GES = "Grand Est"
_HDF = "Hauts-de-France"
_IDF = "Île-de-France"
_NOR = "Normandie"
_NAQ = "Nouvelle-Aquitaine"
_OCC = "Occitanie"
_PDL = "Pays de la Loire"
_PAC = "Provence-Alpes-Côte d'Azur"

_ROWS = [
    ("01", "Ain", _ARA),
    ("02", "Aisne", _HDF),
    ("03", "Allier", _ARA),
    ("04", "Alpes-de-Haute-Provence", _PAC),
    ("05", "Hautes-Alpes", _PAC),
    ("06", "Alpes-Maritimes", _PAC),
    ("07", "Ardèche", _ARA),
    ("08", "Ardennes", _GES),
    ("09", "Ariège", _OCC),
    ("10", "Aube", _GES),
    ("11", "Aude", _OCC),
    ("12", "Aveyron", _OCC),
    ("13", "Bouches-du-Rhône", _PAC),
    ("14", "Calvados", _NOR),
    ("15", "Cantal", _ARA),
    ("16", "Charente", _NAQ),
    ("17", "Charente-Maritime", _NAQ),
    ("18", "Cher", _CVL),
    ("19", "Corrèze", _NAQ),
    ("2A", "Corse-du-Sud", _COR),
    ("2B", "Haute-Corse", _COR),
    ("21", "Côte-d'Or", _BFC),
    ("22", "Côtes-d'Armor", _BRE),
    ("23", "Creuse", _NAQ),
    ("24", "Dordogne", _NAQ),
    ("25", "Doubs", _BFC),
    ("26", "Drôme", _ARA),
    ("27", "Eure", _NOR),
    ("28", "Eure-et-Loir", _CVL),
    ("29", "Finistère", _BRE),
    ("30", "Gard", _OCC),
    ("31", "Haute-Garonne", _OCC),
    ("32", "Gers", _OCC),
    ("33", "Gironde", _NAQ),
    ("34", "Hérault", _OCC),
    ("35", "Ille-et-Vilaine", _BRE),
    ("36", "Indre", _CVL),
    ("37", "Indre-et-Loire", _CVL),
    ("38", "Isère", _ARA),
    ("39", "Jura", _BFC),
    ("40", "Landes", _NAQ),
    ("41", "Loir-et-Cher", _CVL),
    ("42", "Loire", _ARA),
    ("43", "Haute-Loire", _ARA),
    ("44", "Loire-Atlantique", _PDL),
    ("45", "Loiret", _CVL),
    ("46", "Lot", _OCC),
    ("47", "Lot-et-Garonne", _NAQ),
    ("48", "Lozère", _OCC),
    ("49", "Maine-et-Loire", _PDL),
    ("50", "Manche", _NOR),
    ("51", "Marne", _GES),
    ("52", "Haute-Marne", _GES),
    ("53", "Mayenne", _PDL),
    ("54", "Meurthe-et-Moselle", _GES),
    ("55", "Meuse", _GES),
    ("56", "Morbihan", _BRE),
    ("57", "Moselle", _GES),
    ("58", "Nièvre", _BFC),
    ("59", "Nord", _HDF),
    ("60", "Oise", _HDF),
    ("61", "Orne", _NOR),
    ("62", "Pas-de-Calais", _HDF),
    ("63", "Puy-de-Dôme", _ARA),
    ("64", "Pyrénées-Atlantiques", _NAQ),
    ("65", "Hautes-Pyrénées", _OCC),
    ("66", "Pyrénées-Orientales", _OCC),
    ("67", "Bas-Rhin", _GES),
    ("68", "Haut-Rhin", _GES),
    ("69", "Rhône", _ARA),
    ("70", "Haute-Saône", _BFC),
    ("71", "Saône-et-Loire", _BFC),
    ("72", "Sarthe", _PDL),
    ("73", "Savoie", _ARA),
    ("74", "Haute-Savoie", _ARA),
    ("75", "Paris", _IDF),
    ("76", "Seine-Maritime", _NOR),
    ("77", "Seine-et-Marne", _IDF),
    ("78", "Yvelines", _IDF),
    ("79", "Deux-Sèvres", _NAQ),
    ("80", "Somme", _HDF),
    ("81", "Tarn", _OCC),
    ("82", "Tarn-et-Garonne", _OCC),
    ("83", "Var", _PAC),
    ("84", "Vaucluse", _PAC),
    ("85", "Vendée", _PDL),
    ("86", "Vienne", _NAQ),
    ("87", "Haute-Vienne", _NAQ),
    ("88", "Vosges", _GES),
    ("89", "Yonne", _BFC),
    ("90", "Territoire de Belfort", _BFC),
    ("91", "Essonne", _IDF),
    ("92", "Hauts-de-Seine", _IDF),
    ("93", "Seine-Saint-Denis", _IDF),
    ("94", "Val-de-Marne", _IDF),
    ("95", "Val-d'Oise", _IDF),
]

DEPARTEMENTS: tuple[Departement, ...] = (
    *(Departement(code, name, region) for code, name, region in _ROWS),
    Departement("971", "Guadeloupe", "Guadeloupe"),
    Departement("972", "Martinique", "Martinique"),
    Departement("973", "Guyane", "Guyane"),
    Departement("974", "La Réunion", "La Réunion"),
    Departement("976", "Mayotte", "Mayotte"),
    # Overseas collectivities (not départements), with the scheme's codes.
    Departement("975", "Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon"),
    Departement("977", "Saint-Barthélemy", "Saint-Barthélemy"),
    Departement("978", "Saint-Martin", "Saint-Martin"),
    Departement("986", "Wallis-et-Futuna", "Wallis-et-Futuna"),
    Departement("987", "Polynésie française", "Polynésie française"),
    Departement("988", "Nouvelle-Calédonie", "Nouvelle-Calédonie"),
)

# Two communes of Guadeloupe's range became overseas collectivities of their own in
# 2007 and kept their postal codes: 97133 Saint-Barthélemy, 97150 Saint-Martin (pass
# Culture maps the same two: `PostalCode.get_departement_code`,
# api/src/pcapi/utils/postal_code.py).
POSTAL_CODE_EXCEPTIONS = {"97133": "977", "97150": "978"}
# Their CEDEX codes (La Poste's codes of organisations and post-office boxes) are in
# the 970xx range, which no département uses: Saint-Martin's from 97050 to 97089 (the
# Collectivité's own « 97054 Saint-Martin Cedex »), Saint-Barthélemy's from 97090 to
# 97099 (« 97098 Saint-Barthélemy Cedex », 97095, 97099…). pass Culture reads these as
# « 970 », a code it does not know; passlib places them (docs/decisions.md).
CEDEX_RANGES = ((97050, 97089, "978"), (97090, 97099, "977"))

BY_CODE: dict[str, Departement] = {d.code: d for d in DEPARTEMENTS}
CHOICES: list[tuple[str, str]] = [(d.code, d.label) for d in DEPARTEMENTS]


def get(code: str) -> Departement | None:
    return BY_CODE.get(code)


def name_of(code: str) -> str:
    dep = BY_CODE.get(code)
    return dep.name if dep else code


def timezone_of(code: str | None) -> str:
    """pass Culture's time zone of a code (`TIMEZONES`); Europe/Paris otherwise."""
    return TIMEZONES.get(code or "", PARIS)


def departement_from_postal_code(postal_code: str) -> str | None:
    """The département (or overseas collectivity) of a French postal code, or None.

    Corsica: 200xx–201xx → 2A, 202xx–206xx → 2B. Overseas: the first three digits
    (971 to 978, 986 to 988), except Saint-Barthélemy (97133 → 977) and Saint-Martin
    (97150 → 978), whose postal codes sit in Guadeloupe's range, and their CEDEX codes
    (970xx, `CEDEX_RANGES`). Monaco (980xx) maps to none.
    """
    code = (postal_code or "").strip()
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    if code in POSTAL_CODE_EXCEPTIONS:
        return POSTAL_CODE_EXCEPTIONS[code]
    for first, last, departement in CEDEX_RANGES:
        if first <= int(code) <= last:
            return departement
    if code.startswith("20"):
        return "2A" if int(code[2:]) < 200 else "2B" if int(code[2:]) < 700 else None
    if code.startswith(("97", "98")):
        prefix = code[:3]
        return prefix if prefix in BY_CODE else None
    prefix = code[:2]
    if prefix == "00" or prefix not in BY_CODE:
        return None
    return prefix
