"""Reading a CSV file of registrations from other channels (issue 30, docs/bookings.md
« Importer des inscriptions »): pure, no database write.

A spreadsheet or another tool gives a file; `parse` turns its bytes into one `Line` per
data line, each with the `RegistrationData` it holds or its errors in French, and
`check_capacity` names the lines that no longer fit in the places left. The service
(offers/services/registrations_import.py) imports a file only when every line is right
and the whole file fits; what the preview showed travels to the confirmation signed
(its `sign_rows` / `read_rows`), never re-read from the page.

- Encoding: UTF-8 (with or without BOM), UTF-16 with its BOM (« Texte Unicode » of
  Excel), else Windows-1252 (an old Excel's « CSV »); nothing else is guessed.
- Separator: `;`, tab or `,`, whichever the header line holds most (`;` first on a tie).
- Line numbers are the file's (the header is line 1; empty lines are skipped but counted).
- Columns by their French name, accents, case and spaces aside (`COLUMNS`): « Nom » is
  required; an unknown column is an error naming it.
- Hostile content is a line's error, never a crash: control characters (NUL included),
  a text a spreadsheet would run as a formula, numbers out of range or in other digits.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from offers.models import AgeBracket, Channel
from offers.models.registrations import MAX_PARTY
from offers.services.registrations import RegistrationData, clean_data
from passlib.formats import count_fr
from passlib.refusal import Refusal
from passlib.spreadsheets import FORMULA_START, formula_like
from passlib.text import clean_line, printable

MAX_BYTES = 200 * 1024
MAX_LINES = 500
MAX_NAME = 150
MAX_NOTE = 500
MAX_EMAIL = 254
MAX_COLUMNS = 30
SEPARATORS = (";", "\t", ",")

# The columns as the model file writes them; read accent-, case- and space-insensitively.
HEADERS = (
    "Nom",
    "Canal",
    "Places",
    "Téléphone",
    "Adresse électronique",
    "Accord contact",
    "Tranche d'âge",
    "Note",
)
FIELDS = ("name", "channel", "places", "phone", "email", "contact_consent", "age_bracket", "note")
LABELS = dict(zip(FIELDS, HEADERS, strict=True))

# The two example lines of the model file (« Télécharger un modèle (CSV) »).
MODEL_ROWS = (
    (
        "Famille Martin",
        "accueil",
        3,
        "06 12 34 56 78",
        "",
        "oui",
        "26 à 64 ans",
        "Une mère et ses deux enfants",
    ),
    ("C. D.", "téléphone", 1, "", "", "non", "65 ans et plus", ""),
)

# The channels a file may name (a walk-in is counted at the door, not imported).
IMPORT_CHANNELS = (Channel.DESK, Channel.PHONE, Channel.EMAIL, Channel.OTHER_TOOL)

# A control character in a cell (tabs and line breaks of a quoted cell become spaces).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_QUOTES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'"})


def fold(text: str) -> str:
    """« Tranche d’Âge » → « tranche d'age »: how headers and values are compared."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("_", " ").split())


def _folded(pairs) -> dict[str, str]:
    return {fold(word): value for word, value in pairs}


COLUMNS = _folded(
    [
        *zip(HEADERS, FIELDS, strict=True),
        ("Nom et prénom", "name"),
        ("Tél", "phone"),
        ("Telephone portable", "phone"),
        ("Adresse", "email"),
        ("Email", "email"),
        ("Accord", "contact_consent"),
        ("Âge", "age_bracket"),
        ("Commentaire", "note"),
        ("Nombre de places", "places"),
    ]
)
CHANNELS = _folded(
    [
        *((label, value) for value, label in Channel.choices if value in IMPORT_CHANNELS),
        *((value, value) for value in IMPORT_CHANNELS),
        ("Tél", Channel.PHONE),
        ("Email", Channel.EMAIL),
        ("Courriel", Channel.EMAIL),
        ("Autre", Channel.OTHER_TOOL),
    ]
)
AGES = _folded([*((label, value) for value, label in AgeBracket.choices), *AgeBracket.choices])
YES, NO = {"oui", "o"}, {"non", "n", ""}


@dataclass
class Line:
    """One data line of the file: what the preview shows, and its errors."""

    number: int
    name: str = ""
    channel: str = ""
    places: str = ""
    contact: str = ""
    data: RegistrationData | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file

    @property
    def messages(self) -> list[str]:
        """Every error, the file's then each line's « Ligne 7 : … »."""
        lines = [f"Ligne {line.number} : {error}" for line in self.lines for error in line.errors]
        return [*self.errors, *lines]

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.messages

    @property
    def rows(self) -> list[RegistrationData]:
        return [line.data for line in self.lines if line.data is not None]

    @property
    def places(self) -> int:
        return sum(row.places for row in self.rows)


def _shown(value: str, limit: int = 40) -> str:
    """A typed value quoted back in a message: one line, printable, not too long."""
    text = printable(clean_line(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode(content: bytes) -> str:
    """The file's text, or a Refusal saying how to save it."""
    try:
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return content.decode("utf-16")
        if content.startswith(codecs.BOM_UTF8):
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return content.decode("cp1252")
    except UnicodeDecodeError:
        raise Refusal(
            "Ce fichier n'est pas un texte lisible : enregistrez-le au format « CSV UTF-8 » "
            "depuis votre tableur, puis choisissez-le à nouveau.",
            code="import.encoding",
        ) from None


def sniff(first_line: str) -> str:
    """The separator the header line holds most (`;` on a tie, and for one column)."""
    counts = {sep: first_line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _columns(header: list[str]) -> list[str | None]:
    """Each column's field (None: a column without a title), or a Refusal naming the
    unknown or repeated ones."""
    if len(header) > MAX_COLUMNS:
        raise Refusal(
            f"La première ligne compte {len(header)} colonnes ; {MAX_COLUMNS} au plus : "
            "gardez les colonnes du modèle.",
            code="import.columns",
        )
    fields: list[str | None] = []
    unknown, twice = [], []
    for title in header:
        key = fold(printable(title))
        if not key:
            fields.append(None)
            continue
        name = COLUMNS.get(key)
        if name is None:
            unknown.append(f"« {_shown(title)} »")
        elif name in fields:
            twice.append(f"« {_shown(title)} »")
        fields.append(name)
    problems = []
    if unknown:
        problems.append(
            f"{'Colonne inconnue' if len(unknown) == 1 else 'Colonnes inconnues'} : "
            f"{', '.join(unknown)}. Les colonnes possibles : {', '.join(HEADERS)}."
        )
    if twice:
        problems.append(f"Colonne en double : {', '.join(twice)}.")
    if not unknown and "name" not in fields:
        problems.append(
            "La colonne « Nom » manque : la première ligne du fichier doit donner le nom "
            "des colonnes (téléchargez le modèle)."
        )
    if problems:
        raise Refusal(" ".join(problems), code="import.columns")
    return fields


def _cells(record: list[str], columns: list[str | None], errors: list[str]) -> dict[str, str]:
    """The line's values by field, each one line; a control character is an error."""
    if len(record) > len(columns) and any(v.strip() for v in record[len(columns) :]):
        errors.append(
            f"{len(record)} valeurs pour {len(columns)} colonnes : vérifiez le séparateur "
            "et les guillemets de cette ligne."
        )
    values: dict[str, str] = {}
    for index, name in enumerate(columns):
        raw = record[index] if index < len(record) else ""
        if name is None:
            if raw.strip():
                errors.append(f"une valeur (« {_shown(raw)} ») est dans une colonne sans titre.")
            continue
        if raw[:1] == "'" and raw[1:2] in FORMULA_START:
            raw = raw[1:]  # passlib's own exports make a formula-like text inert so
        if _CONTROL.search(raw):
            errors.append(f"{LABELS[name]} : caractère de contrôle interdit.")
            raw = _CONTROL.sub("", raw)
        values[name] = clean_line(raw).strip()
    return values


def _channel(value: str, default: str, errors: list[str]) -> str:
    if not value:
        return default
    channel = CHANNELS.get(fold(value))
    if channel is None:
        if fold(value) in (fold(Channel.WALK_IN.label), fold(Channel.WALK_IN.value)):
            errors.append(
                "Canal « sans inscription » : ces personnes se comptent à l'entrée, le "
                "jour de la séance ; elles ne s'importent pas."
            )
        else:
            errors.append(
                f"Canal inconnu « {_shown(value)} » : accueil, téléphone, courrier "
                "électronique, autre outil, ou vide pour le canal par défaut."
            )
        return default
    return channel


def _places(value: str, errors: list[str]) -> int | None:
    if not value:
        return 1
    if not (value.isascii() and value.isdigit()):
        errors.append(
            f"Places : « {_shown(value)} » n'est pas un nombre entier écrit en chiffres "
            "(par exemple 2)."
        )
        return None
    if len(value) > 4 or not 1 <= int(value) <= MAX_PARTY:
        errors.append(f"Places : indiquez un nombre entre 1 et {MAX_PARTY}.")
        return None
    return int(value)


def _text(values: dict, name: str, limit: int, errors: list[str]) -> str:
    value = values.get(name, "")
    if len(value) > limit:
        errors.append(f"{LABELS[name]} : {limit} caractères au plus.")
    elif formula_like(value):
        errors.append(
            f"{LABELS[name]} : ne peut pas commencer par = + - ou @ (un tableur le lirait "
            "comme une formule)."
        )
    return value[:limit]


def _email(value: str, errors: list[str]) -> str:
    try:
        if len(value) > MAX_EMAIL or formula_like(value):
            raise ValidationError("")
        validate_email(value)
    except ValidationError:
        errors.append(
            f"Adresse électronique invalide « {_shown(value)} » : par exemple "
            "prenom.nom@exemple.fr."
        )
        return ""
    return value


def read_line(number: int, record: list[str], columns: list, default_channel: str) -> Line:
    """One data line: its `RegistrationData` checked by the service's `clean_data`,
    or its errors."""
    errors: list[str] = []
    values = _cells(record, columns, errors)
    name = _text(values, "name", MAX_NAME, errors)
    note = _text(values, "note", MAX_NOTE, errors)
    channel = _channel(values.get("channel", ""), default_channel, errors)
    places = _places(values.get("places", ""), errors)
    consent = fold(values.get("contact_consent", ""))
    if consent not in YES | NO:
        errors.append("Accord contact : répondez « oui » ou « non ».")
    age = AGES.get(fold(values.get("age_bracket", "")), "") or AgeBracket.UNKNOWN
    if values.get("age_bracket") and fold(values["age_bracket"]) not in AGES:
        errors.append(
            f"Tranche d'âge inconnue « {_shown(values['age_bracket'])} » : "
            + ", ".join(label for _, label in AgeBracket.choices)
            + ", ou vide."
        )
    # Contact details only with the person's agreement: without « oui », not kept.
    agreed = consent in YES
    phone = values.get("phone", "") if agreed else ""
    email = _email(values["email"], errors) if agreed and values.get("email") else ""
    data = RegistrationData(
        channel=channel,
        name=name,
        phone=phone,
        email=email,
        contact_consent=agreed,
        age_bracket=age,
        places=places or 1,
        note=note,
    )
    try:
        data = clean_data(data)
    except ValidationError as exc:
        errors += [m for m in exc.messages if m not in errors]
    has_contact = bool(values.get("phone") or values.get("email"))
    return Line(
        number=number,
        name=_shown(name, MAX_NAME),
        channel=Channel(channel).label,
        places=str(places) if places else _shown(values.get("places", "")),
        contact=("gardé" if agreed else "non gardé (pas d'accord)") if has_contact else "",
        data=None if errors else data,
        errors=errors,
    )


def parse(content: bytes, *, default_channel: str) -> Parsed:
    """Every line of the file, or the file's own error (too big, unreadable, columns)."""
    if default_channel not in IMPORT_CHANNELS:
        default_channel = Channel.DESK
    if len(content) > MAX_BYTES:
        return Parsed(errors=[too_big()])
    try:
        text = decode(content)
        first = text.split("\n", 1)[0]
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff(first))
        header = next(reader, [])
        if not any(cell.strip() for cell in header):
            return Parsed(
                errors=[
                    "Le fichier est vide, ou sa première ligne aussi : elle doit "
                    "donner le nom des colonnes (téléchargez le modèle)."
                ]
            )
        columns = _columns(header)
    except Refusal as exc:
        return Parsed(errors=[exc.message])
    except csv.Error:
        return Parsed(errors=["Ligne 1 : elle ne se lit pas comme une ligne CSV."])
    parsed, start = Parsed(), reader.line_num + 1
    try:
        for record in reader:
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(parsed.lines) == MAX_LINES:
                return Parsed(errors=[too_many()])
            parsed.lines.append(read_line(number, record, columns, default_channel))
    except csv.Error:
        parsed.errors.append(
            f"Ligne {start} : elle ne se lit pas comme une ligne CSV (un guillemet non "
            "refermé, ou une valeur trop longue) ; rien après elle n'a été lu."
        )
    if not parsed.lines and not parsed.errors:
        parsed.errors.append("Le fichier ne contient aucune inscription sous ses titres.")
    return parsed


def too_big() -> str:
    return f"Ce fichier dépasse {MAX_BYTES // 1024} Ko : importez-le en plusieurs fois."


def too_many() -> str:
    return (
        f"Ce fichier compte plus de {MAX_LINES} lignes d'inscription : importez-le en "
        "plusieurs fois."
    )


def check_capacity(parsed: Parsed, left: int | None) -> None:
    """Name each line that goes over the places left (None: unlimited), counting the
    right lines before it: the whole file must fit."""
    if left is None:
        return
    left, asked = max(left, 0), 0
    for line in parsed.lines:
        if line.data is None:
            continue
        asked += line.data.places
        if asked > left:
            line.errors.append(
                f"Plus de place : il en reste {left} pour {count_fr(asked, 'demandée')} jusqu'ici."
            )
            line.data = None
