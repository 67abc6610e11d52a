"""The statement's documents read back outside the app (issue 17): the PDF with a PDF
reader, the CSV with the csv module, the SEPA file against the pain.001 schema."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import sepaxml
import xmlschema
from django.utils import timezone
from pypdf import PdfReader

from finance import documents
from finance.services.runs import close_period, release
from tests.factories import UserFactory
from tests.finance.helpers import account_for, prior_revenue, validated

pytestmark = pytest.mark.django_db
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture
def run(space, other_space):
    venue, other = space["venue"], space["other_venue"]
    space["collectivite"].name = "Ville de L'Haÿ-les-Roses"
    space["collectivite"].save()
    account_for(space["collectivite"], venue, other)
    account_for(other_space["collectivite"], other_space["venue"], iban="DE89370400440532013000")
    other_space["collectivite"].bank_accounts.update(bic="COBADEFFXXX")
    prior_revenue(venue, 1_998_000, year=timezone.localdate().year)  # 19 980 €
    validated(venue, price_cents=1250, title="Escape game « L'énigme »")
    validated(venue, price_cents=2000)  # straddles 20 000 €: 95 %
    validated(other, price_cents=999)
    validated(other_space["venue"], price_cents=3000)
    return close_period()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_opens_and_holds_the_statement_and_its_totals(run, space):
    statement = run.statements.get(collectivite=space["collectivite"])
    text = _text(documents.statement_pdf(statement))
    assert f"Relevé de remboursement n° {statement.number}" in text
    assert "Ville de L'Haÿ-les-Roses" in text
    assert "0189" in text and "30006000011234567890189" not in text  # IBAN masked
    # 12,50 + 19,00 (20 € at 95 %) = 31,50 for the venue; 9,99 for the other; 41,49 in all.
    assert statement.total_cents == 4149
    assert "Montant total remboursé : 41,49 €" in text
    assert "31,50 €" in text and "9,99 €" in text
    assert "Barème : 95 % de 20 000 à 40 000 €" in text
    assert "Médiathèque Part-Dieu" in text and "Bibliothèque Jean Macé" in text


def test_the_csv_reads_back_with_the_same_lines(run, space):
    statement = run.statements.get(collectivite=space["collectivite"])
    raw = documents.statement_csv(statement)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == documents.CSV_HEADER
    lines = list(statement.lines.order_by("venue_name", "validated_at", "id"))
    assert len(rows) - 1 == len(lines) == 3
    for row, line in zip(rows[1:], lines, strict=True):
        assert row[0] == statement.number
        assert row[4] == line.reference
        assert Decimal(row[6].replace(",", ".")) * 100 == line.price_cents
        assert Decimal(row[9].replace(",", ".")) * 100 == line.amount_cents
    assert "Escape game « L'énigme »" in {r[3] for r in rows}
    total = sum(Decimal(r[9].replace(",", ".")) for r in rows[1:])
    assert total * 100 == statement.total_cents


def test_the_sepa_file_validates_against_pain_001_and_sums_the_statements(run):
    xml = documents.sepa_file(run)
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode())
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own file, just written
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    assert len(transfers) == run.statements.count() == 2  # one per bank account
    amounts = [Decimal(t.find("p:Amt/p:InstdAmt", NS).text) for t in transfers]
    assert sum(amounts) * 100 == run.total_cents == sum(s.total_cents for s in run.statements.all())
    assert Decimal(root.find(".//p:GrpHdr/p:CtrlSum", NS).text) * 100 == run.total_cents
    ibans = {t.find("p:CdtrAcct/p:Id/p:IBAN", NS).text for t in transfers}
    assert ibans == {s.iban for s in run.statements.all()}


def test_a_held_statement_is_left_out_of_the_transfer_file_until_released(space):
    account_for(space["collectivite"], space["venue"], changed_days_ago=1)
    validated(space["venue"], price_cents=1500)
    run = close_period()
    with pytest.raises(Exception, match="Aucun virement"):
        documents.sepa_file(run)
    release(actor=UserFactory(is_staff=True), statement=run.statements.get())
    xml = documents.sepa_file(run)
    assert b'<InstdAmt Ccy="EUR">15.00</InstdAmt>' in xml


def _lines_of(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        " ".join(line.split()) for page in reader.pages for line in page.extract_text().splitlines()
    ]


def test_the_masked_iban_and_the_number_copy_right_and_stay_whole(run, space):
    """Issue 27: « •••• » copied as DEL characters (the standard font's code for it)
    and wrapped away from its last digits. Whatever the holder's length pushes where,
    « IBAN **** 0189 », « BIC AGRIFRPP » and « n° <number> » each stay on one line."""
    statement = run.statements.get(collectivite=space["collectivite"])
    for extra in range(0, 60, 2):
        statement.holder = "Trésor public de " + "L'Haÿ-les-Roses " * 2 + "x" * extra
        pdf = documents.statement_pdf(statement)
        text = "\n".join(_lines_of(pdf))
        assert not any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 for ch in text), extra
        assert "IBAN **** 0189" in text, (extra, text[:600])
        assert "BIC AGRIFRPP" in text, extra
        assert f"Relevé de remboursement n° {statement.number}" in text
        assert not re.search(r"\d\.\d", text)  # French decimals only (« 92,5 % »)


def test_the_finance_page_keeps_numbers_and_masks_on_one_line(login, run, space):
    statement = run.statements.get(collectivite=space["collectivite"])
    from tests.factories import MembershipFactory

    admin = MembershipFactory(collectivite=space["collectivite"]).user
    page = login(admin).get(f"/collectivites/{space['collectivite'].public_id}/finances/")
    html = page.content.decode()
    assert f'<span class="nowrap">{statement.number}</span>' in html
    assert '<span class="nowrap">•••• 0189</span>' in html
    css = (Path(__file__).resolve().parents[2] / "static/css/passlib.css").read_text()
    assert ".nowrap { white-space: nowrap; }" in css
