"""The documents of a statement and of a run, built from what the statement holds (it
never changes, so a document downloaded twice is the same):

- the justificatif PDF of a statement (reportlab: its standard fonts write €, accents
  and apostrophes): number, period, collectivité, bank account masked, totals per venue
  and per rate;
- the CSV of its lines (UTF-8 with BOM, ';', French decimal comma, as the booking
  exports: it opens in French Excel);
- the SEPA credit transfer file of a run (pain.001.001.03, sepaxml, validated against
  the schema it ships): one transfer per payable statement (held ones wait).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from finance.bank import mask
from finance.models import PAYABLE, RateRule, ReimbursementRun, Statement, StatementLine
from finance.rates import percent
from passlib.formats import date_fr, period_fr
from passlib.refusal import Refusal
from passlib.spreadsheets import csv_field

CSV_HEADER = [
    "Relevé",
    "Période",
    "Lieu",
    "Offre",
    "Contremarque ou référence",
    "Date de validation",
    "Prix (€)",
    "Taux",
    "Règle appliquée",
    "Montant remboursé (€)",
]


def euros_fr(cents: int) -> str:
    """1234550 → "12 345,50 €" (thousands grouped, for reading)."""
    whole, rest = divmod(int(cents), 100)
    return f"{whole:,}".replace(",", " ") + f",{rest:02d} €"


def period_label(statement_or_run) -> str:
    run = getattr(statement_or_run, "run", statement_or_run)
    return period_fr(run.period_start, run.period_end)


def totals_by_venue(statement: Statement) -> list[dict]:
    return list(
        statement.lines.values("venue_id", "venue_name")
        .annotate(count=Count("id"), price=Sum("price_cents"), amount=Sum("amount_cents"))
        .order_by("venue_name", "venue_id")
    )


def totals_by_rate(statement: Statement) -> list[dict]:
    rows = (
        statement.lines.values("rule", "rate_bp")
        .annotate(count=Count("id"), price=Sum("price_cents"), amount=Sum("amount_cents"))
        .order_by("-rate_bp", "rule")
    )
    return [{**r, "label": RateRule(r["rule"]).label, "rate": percent(r["rate_bp"])} for r in rows]


def _lines(statement: Statement) -> Iterable[StatementLine]:
    return statement.lines.order_by("venue_name", "validated_at", "id").iterator()


def _euros(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def statement_csv(statement: Statement) -> bytes:
    """Typed rows, every field written by passlib/spreadsheets.py (typed text inert)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_field(column) for column in CSV_HEADER])
    period = period_label(statement)
    for line in _lines(statement):
        row = [
            statement.number,
            period,
            line.venue_name,
            line.offer_title,
            line.reference,
            timezone.localtime(line.validated_at).replace(tzinfo=None),
            _euros(line.price_cents),
            percent(line.rate_bp),
            line.get_rule_display(),
            _euros(line.amount_cents),
        ]
        writer.writerow([csv_field(value) for value in row])
    return out.getvalue().encode("utf-8")


def statement_pdf(statement: Statement) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table

    from passlib.pdf import document, table_style, whole
    from passlib.pdf import paragraph as p

    buffer = io.BytesIO()
    doc = document(buffer, title=f"Relevé de remboursement {statement.number}")

    collectivite = statement.collectivite
    issued = timezone.localtime(statement.created_at, ZoneInfo("Europe/Paris"))
    story = [
        p(f"Relevé de remboursement {whole('n° ' + statement.number)}", "Title"),
        p(f"Période {period_label(statement)}"),
        p(f"Émis le {date_fr(issued, tz=issued.tzinfo)}"),
        Spacer(1, 4 * mm),
        p(f"Collectivité : {collectivite.name} (SIREN {collectivite.siren})"),
        p(f"{collectivite.address}, {collectivite.postal_code} {collectivite.city}"),
        p(
            f"Compte : {statement.account_label} — titulaire {statement.holder} — "
            f"{whole('IBAN ' + pdf_mask(statement.iban))} — {whole('BIC ' + statement.bic)}"
        ),
    ]
    if statement.held and statement.released_at is None:
        story.append(
            p(
                "Paiement retenu : les coordonnées bancaires ont été modifiées récemment ; "
                "le virement part après vérification par l'équipe du pass Culture."
            )
        )
    story += [Spacer(1, 6 * mm), p("Total par lieu", "Heading2")]
    grid = table_style(total_row=True)
    venues = totals_by_venue(statement)
    rows = [["Lieu", "Réservations", "Prix", "Remboursé"]]
    rows += [
        [p(v["venue_name"]), str(v["count"]), euros_fr(v["price"]), euros_fr(v["amount"])]
        for v in venues
    ]
    rows.append(
        [
            "Total",
            str(sum(v["count"] for v in venues)),
            euros_fr(sum(v["price"] for v in venues)),
            euros_fr(statement.total_cents),
        ]
    )
    story.append(Table(rows, colWidths=[80 * mm, 28 * mm, 32 * mm, 32 * mm], style=grid))
    story += [Spacer(1, 6 * mm), p("Total par taux", "Heading2")]
    rates = totals_by_rate(statement)
    rows = [["Règle", "Taux", "Réservations", "Prix", "Remboursé"]]
    rows += [
        [p(r["label"]), r["rate"], str(r["count"]), euros_fr(r["price"]), euros_fr(r["amount"])]
        for r in rates
    ]
    rows.append(
        [
            "Total",
            "",
            str(sum(r["count"] for r in rates)),
            euros_fr(sum(r["price"] for r in rates)),
            euros_fr(statement.total_cents),
        ]
    )
    story.append(Table(rows, colWidths=[70 * mm, 20 * mm, 24 * mm, 29 * mm, 29 * mm], style=grid))
    story += [
        Spacer(1, 6 * mm),
        p(f"Montant total remboursé : {euros_fr(statement.total_cents)}", "Heading2"),
        p(
            "Le détail des réservations figure dans le fichier CSV du relevé. Montants en "
            "euros, calculés au centime sur chaque réservation."
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def pdf_mask(iban: str) -> str:
    """The masked IBAN of a PDF: asterisks, which its font writes and a reader copies
    as they are (« **** 0189 »)."""
    return mask(iban, hidden="*")


def payable_statements(run: ReimbursementRun) -> list[Statement]:
    """The run's statements a transfer pays: payable (finance/models.py) and not empty."""
    return list(
        run.statements.filter(PAYABLE, total_cents__gt=0)
        .select_related("collectivite")
        .order_by("number")
    )


def sepa_file(run: ReimbursementRun) -> bytes:
    """pain.001.001.03 for the run's payable statements, validated against its XSD."""
    from sepaxml import SepaTransfer

    config = {
        "name": settings.FINANCE_DEBTOR_NAME,
        "IBAN": settings.FINANCE_DEBTOR_IBAN,
        "BIC": settings.FINANCE_DEBTOR_BIC,
        "batch": True,
        "currency": "EUR",
    }
    payable = payable_statements(run)
    if not payable:
        raise Refusal(
            "Aucun virement à émettre pour cette période (relevés vides ou retenus).",
            code="finance.nothing_to_pay",
        )
    transfer = SepaTransfer(config, clean=True)
    execution = timezone.localdate() + timedelta(days=1)
    for statement in payable:
        transfer.add_payment(
            {
                "name": statement.holder[:70],
                "IBAN": statement.iban,
                "BIC": statement.bic,
                "amount": int(statement.total_cents),
                "execution_date": execution,
                "description": f"pass Culture remboursement {statement.number}"[:140],
                "endtoend_id": statement.number.replace("-", ""),
            }
        )
    return transfer.export(validate=True)
