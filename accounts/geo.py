"""Where a commune is, for the catalogue's « près de » sort (offers/selectors/catalog.py).

The positions come from GeoNames (accounts/data/communes.tsv, written by
bin/make_communes): the communes of 500 inhabitants or more. A venue is placed at its
commune, found by name within its département's region; a smaller commune, unknown
to the file, falls back on the département's prefecture. A person types a commune's
name or a postal code: the name is looked up the same way (the most populous of
homonyms), a postal code gives the position of our venues with that code, else the
prefecture of its département. Distances are "as the crow flies" (an equirectangular
approximation, within a few per cent at these distances: docs/offers.md).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from accounts import departements

DATA = Path(__file__).resolve().parent / "data" / "communes.tsv"
EARTH_KM = 6371.0

# GeoNames' admin1 codes of the metropolitan regions; overseas, its country codes.
REGION_CODES = {
    "Auvergne-Rhône-Alpes": "84",
    "Bourgogne-Franche-Comté": "27",
    "Bretagne": "53",
    "Centre-Val de Loire": "24",
    "Corse": "94",
    "Grand Est": "44",
    "Hauts-de-France": "32",
    "Île-de-France": "11",
    "Normandie": "28",
    "Nouvelle-Aquitaine": "75",
    "Occitanie": "76",
    "Pays de la Loire": "52",
    "Provence-Alpes-Côte d'Azur": "93",
    "Guadeloupe": "GP",
    "Martinique": "MQ",
    "Guyane": "GF",
    "La Réunion": "RE",
    "Mayotte": "YT",
    "Saint-Pierre-et-Miquelon": "PM",
    "Saint-Barthélemy": "BL",
    "Saint-Martin": "MF",
    "Wallis-et-Futuna": "WF",
    "Polynésie française": "PF",
    "Nouvelle-Calédonie": "NC",
}

PREFECTURES = {
    "01": "Bourg-en-Bresse", "02": "Laon", "03": "Moulins", "04": "Digne-les-Bains",
    "05": "Gap", "06": "Nice", "07": "Privas", "08": "Charleville-Mézières", "09": "Foix",
    "10": "Troyes", "11": "Carcassonne", "12": "Rodez", "13": "Marseille", "14": "Caen",
    "15": "Aurillac", "16": "Angoulême", "17": "La Rochelle", "18": "Bourges", "19": "Tulle",
    "2A": "Ajaccio", "2B": "Bastia", "21": "Dijon", "22": "Saint-Brieuc", "23": "Guéret",
    "24": "Périgueux", "25": "Besançon", "26": "Valence", "27": "Évreux", "28": "Chartres",
    "29": "Quimper", "30": "Nîmes", "31": "Toulouse", "32": "Auch", "33": "Bordeaux",
    "34": "Montpellier", "35": "Rennes", "36": "Châteauroux", "37": "Tours", "38": "Grenoble",
    "39": "Lons-le-Saunier", "40": "Mont-de-Marsan", "41": "Blois", "42": "Saint-Étienne",
    "43": "Le Puy-en-Velay", "44": "Nantes", "45": "Orléans", "46": "Cahors", "47": "Agen",
    "48": "Mende", "49": "Angers", "50": "Saint-Lô", "51": "Châlons-en-Champagne",
    "52": "Chaumont", "53": "Laval", "54": "Nancy", "55": "Bar-le-Duc", "56": "Vannes",
    "57": "Metz", "58": "Nevers", "59": "Lille", "60": "Beauvais", "61": "Alençon",
    "62": "Arras", "63": "Clermont-Ferrand", "64": "Pau", "65": "Tarbes", "66": "Perpignan",
    "67": "Strasbourg", "68": "Colmar", "69": "Lyon", "70": "Vesoul", "71": "Mâcon",
    "72": "Le Mans", "73": "Chambéry", "74": "Annecy", "75": "Paris", "76": "Rouen",
    "77": "Melun", "78": "Versailles", "79": "Niort", "80": "Amiens", "81": "Albi",
    "82": "Montauban", "83": "Toulon", "84": "Avignon", "85": "La Roche-sur-Yon",
    "86": "Poitiers", "87": "Limoges", "88": "Épinal", "89": "Auxerre", "90": "Belfort",
    "91": "Évry", "92": "Nanterre", "93": "Bobigny", "94": "Créteil", "95": "Cergy",
    "971": "Basse-Terre", "972": "Fort-de-France", "973": "Cayenne", "974": "Saint-Denis",
    "976": "Mamoudzou", "975": "Saint-Pierre", "977": "Gustavia", "978": "Marigot",
    "986": "Mata-Utu", "987": "Papeete", "988": "Nouméa",
}  # fmt: skip


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Place:
    label: str
    point: Point


def normalize(name: str) -> str:
    """« L'Haÿ-les-Roses » → « l hay les roses »; « St-Étienne » → « saint etienne »."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


@cache
def _communes() -> dict[str, list[tuple[str, str, Point, int]]]:
    index: dict[str, list] = {}
    with DATA.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            name, region, lat, lon, population = line.rstrip("\n").split("\t")
            entry = (name, region, Point(float(lat), float(lon)), int(population))
            index.setdefault(normalize(name), []).append(entry)
    return index


def _region_code(departement: str) -> str | None:
    dep = departements.get(departement)
    return REGION_CODES.get(dep.region) if dep else None


def _best(candidates, region: str | None = None):
    if region is not None:
        candidates = [c for c in candidates if c[1] == region]
    return max(candidates, key=lambda c: c[3], default=None)


def prefecture_point(departement: str) -> Point | None:
    name = PREFECTURES.get(departement)
    found = name and _best(_communes().get(normalize(name), []), _region_code(departement))
    return found[2] if found else None


def locate(city: str, departement: str) -> Point | None:
    """A venue's position: its commune within its region, else its prefecture."""
    found = _best(_communes().get(normalize(city), []), _region_code(departement))
    return found[2] if found else prefecture_point(departement)


def place_of(text: str, *, venue_points=None) -> Place | None:
    """What a person typed: a commune's name, or a postal code. `venue_points(code)`
    gives the positions of our venues with that postal code (the best guess for it)."""
    value = " ".join(text.split())
    if value.isascii() and value.isdigit() and len(value) == 5:
        dep = departements.departement_from_postal_code(value)
        if dep is None:
            return None
        points = list(venue_points(value)) if venue_points else []
        if points:
            return Place(
                value,
                Point(
                    sum(p.latitude for p in points) / len(points),
                    sum(p.longitude for p in points) / len(points),
                ),
            )
        point = prefecture_point(dep)
        return Place(value, point) if point else None
    found = _best(_communes().get(normalize(value), []))
    return Place(found[0], found[2]) if found else None


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine), for tests and labels."""
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
