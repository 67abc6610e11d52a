"""Importing registrations from a CSV file (issue 30, docs/bookings.md « Importer des
inscriptions »): the preview, then the import of the whole file, or of nothing.

- `preview`: the file read by offers/imports.py, each line that goes over the places
  left named, and, when every line is right, the signed lines for the confirmation.
- `registrations_import`: in one transaction, the session (or stock) locked, the key of
  the preview checked unused (a double click, or the back button and « Importer » again,
  imports once: the key is stored on the history row, unique index
  `transition_key_once`), each line cleaned again by the registrations' `clean_data`,
  then the whole file's places taken by one conditional UPDATE of `other_count` — the
  rule a registration at the desk passes (offers/models/places.py `session_fits_others`),
  backed by the same CHECK constraints: if a booking took places since the preview,
  nothing is imported and the page says how many are left now. Then the registrations
  (one INSERT) and one history row « 14 inscriptions importées (22 places) ».
  An import never puts anyone on the waiting list.

Why not `registration_add` line by line (docs/decisions.md): on PostgreSQL, 500 UPDATEs
of one session row in one transaction took 10 s, and 500 refreshes of the offer's next
session 18 s more; one UPDATE and one refresh take a few milliseconds, for the same rule.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from uuid import UUID, uuid4

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from offers import history, imports
from offers.imports import Parsed
from offers.models import Action, Registration, RegistrationStatus, Session, Stock, Transition
from offers.models.places import session_fits_others, stock_fits_others
from offers.services import holds, registrations
from offers.services.holds import registration_label
from offers.services.registrations import RegistrationData, clean_data
from passlib.formats import count_fr
from passlib.refusal import Refusal

SALT = "offers.registrations_import"
PREVIEW_MAX_AGE = 2 * 3600  # seconds a preview may wait for its « Importer »


@dataclass(frozen=True)
class Preview:
    parsed: Parsed
    left: int | None  # places left for any channel now (None: unlimited)
    payload: str  # the signed lines for « Importer », "" while there is an error


def sign_rows(rows: list[RegistrationData], *, target: str) -> str:
    """The checked lines for the confirmation's hidden field: signed, compressed, tied
    to the session (or stock), with the one-time key the import records."""
    payload = {
        "t": target,
        "k": str(uuid4()),
        "r": [[getattr(row, name) for name in imports.FIELDS] for row in rows],
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_rows(value: str, *, target: str) -> tuple[UUID, list[RegistrationData]]:
    """The key and the lines of a signed field, checked again; a Refusal if it was
    changed, is too old or belongs to another session or stock."""
    try:
        payload = signing.loads(value, salt=SALT, max_age=PREVIEW_MAX_AGE)
        if payload["t"] != target:
            raise ValueError
        key = UUID(payload["k"])
        rows = [
            clean_data(RegistrationData(**dict(zip(imports.FIELDS, r, strict=True))))
            for r in payload["r"]
        ]
        if not 1 <= len(rows) <= imports.MAX_LINES or any(
            row.channel not in imports.IMPORT_CHANNELS for row in rows
        ):
            raise ValueError
    except signing.SignatureExpired:
        raise Refusal(
            "Cet aperçu est trop ancien : choisissez le fichier à nouveau.", code="import.expired"
        ) from None
    except (signing.BadSignature, ValidationError, ValueError, TypeError, KeyError, AttributeError):
        raise Refusal(
            "Cet aperçu n'est pas valable : choisissez le fichier à nouveau. Rien n'a été importé.",
            code="import.tampered",
        ) from None
    return key, rows


def import_refusal(target: Session | Stock) -> Refusal | None:
    """Why nothing may be imported on this target now, if so (the page says it)."""
    if isinstance(target, Session) and target.is_cancelled:
        return Refusal(
            "Cette séance est annulée : on ne peut plus s'y inscrire.",
            code="registrations_import.cancelled",
        )
    return None


def target_ref(target: Session | Stock) -> str:
    """What the signed lines are tied to: this session (or stock) only."""
    if isinstance(target, Session):
        return f"session:{target.public_id}"
    return f"stock:{target.pk}"


def preview(*, target: Session | Stock, content: bytes, default_channel: str) -> Preview:
    """The file's lines, their errors and whether the whole file fits (nothing written)."""
    parsed = imports.parse(content, default_channel=default_channel)
    left = target.places_left
    imports.check_capacity(parsed, left)
    refusal = import_refusal(target)
    if refusal is not None:
        parsed.errors.insert(0, refusal.message)
    payload = sign_rows(parsed.rows, target=target_ref(target)) if parsed.ok else ""
    return Preview(parsed=parsed, left=left, payload=payload)


def imported_label(count: int, places: int) -> str:
    """« 14 inscriptions importées (22 places) », « 1 inscription importée (3 places) »."""
    done = count_fr(count, "inscription importée", "inscriptions importées")
    return f"{done} ({count_fr(places, 'place')})"


def _full(left: int | None, places: int) -> Refusal:
    return Refusal(
        f"Rien n'a été importé : les places ont changé depuis l'aperçu. Il en reste "
        f"{left} maintenant pour les {count_fr(places, 'place')} du fichier ; retirez des "
        "lignes, puis importez le fichier à nouveau.",
        code="registrations_import.full",
    )


@transaction.atomic
def registrations_import(
    *,
    actor: User,
    target: Session | Stock,
    rows: list[RegistrationData],
    key: UUID,
    now=None,
) -> tuple[int, int]:
    """Import every line or none; returns (registrations, places). Refused if the key
    was used (`registrations_import.done`), the target is cancelled, or the lines no
    longer fit (`registrations_import.full`, with the places left now)."""
    now = now or timezone.now()
    if not rows:
        raise Refusal("Aucune ligne à importer.", code="registrations_import.empty")
    target = holds.lock_target(**holds.target_ids(target))
    if Transition.objects.filter(key=key).exists():
        raise Refusal(
            "Ces inscriptions ont déjà été importées ; elles ne l'ont pas été une seconde fois.",
            code="registrations_import.done",
        )
    refusal = import_refusal(target)
    if refusal is not None:
        raise refusal
    rows = [clean_data(row) for row in rows]
    if any(row.channel not in imports.IMPORT_CHANNELS for row in rows):
        raise Refusal(
            "Les personnes venues sans inscription se comptent à l'entrée, pas par un import.",
            code="registrations_import.walk_in",
        )
    places = sum(row.places for row in rows)
    if not _take(target, places):
        target.refresh_from_db()
        raise _full(max(target.places_left or 0, 0), places)
    Registration.objects.bulk_create(
        Registration(
            offer_id=target.offer_id,
            session=target if isinstance(target, Session) else None,
            stock=target if isinstance(target, Stock) else None,
            status=RegistrationStatus.REGISTERED,
            joined_at=now,
            created_by=actor,
            **asdict(row),
        )
        for row in rows
    )
    try:
        with transaction.atomic():
            history.record_offer(
                target.offer,
                Action.REGISTRATIONS_IMPORTED,
                actor,
                label=registration_label(target),
                comment=imported_label(len(rows), places),
                key=key,
            )
    except IntegrityError:  # the same preview imported at the same instant elsewhere
        raise Refusal(
            "Ces inscriptions ont déjà été importées.", code="registrations_import.done"
        ) from None
    # The offer's next session and the counts, as one registration's service moves them.
    registrations._changed(target)
    return len(rows), places


def _take(target: Session | Stock, places: int) -> bool:
    """The whole file's places in one conditional UPDATE, if they fit in the total."""
    fits = session_fits_others(places) if isinstance(target, Session) else stock_fits_others(places)
    try:
        with transaction.atomic():
            return bool(
                type(target)
                .objects.filter(pk=target.pk)
                .filter(fits)
                .update(other_count=F("other_count") + places)
            )
    except IntegrityError:  # the CHECK constraint caught a race: the same answer as full
        return False
