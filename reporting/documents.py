"""The year's activity report of a collectivité: a PDF for its elected officials (with
the charts and the tables) and the figures as XLSX (numeric cells) — both built from
reporting/figures.py, so they say what the page says."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import partial

from django.utils import timezone

from passlib.formats import MONTHS, date_fr
from passlib.spreadsheets import xlsx_cell, xlsx_row
from reporting.channels import CHANNELS
from reporting.charts import axis_step, axis_top, french_number
from reporting.figures import AGES, LABELS, MONEY, MONTHS_SHORT, Figures
from reporting.present import (
    CHARTS,
    channel_month_rows,
    channel_rows,
    number,
    public_rows,
    shown,
)


def report_xlsx(figures: Figures, title: str) -> bytes:
    """Every cell written by passlib/spreadsheets.py: names typed by people (venues,
    offers) are string cells, never formulas; counts integers, euros numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)

    def sheet(name: str, *rows):
        ws = book.create_sheet(name)
        ws.column_dimensions["A"].width = 42
        for row in rows:
            ws.append(xlsx_row(ws, row))
        return ws

    summary = book.create_sheet("Synthèse")
    summary.column_dimensions["A"].width = 42
    summary.append([xlsx_cell(summary, title, font=Font(bold=True, size=14))])
    rows = [["Indicateur", f"Total {figures.year}"]]
    rows += [
        [label + (" (€)" if key in MONEY else ""), _cell(key, figures.totals[key])]
        for key, label in LABELS.items()
    ]
    rows += [[label, n] for label, n in public_rows(figures)]
    rows += [
        ["Séances de l'année", figures.fill.get("sessions", 0)],
        ["Places proposées", figures.fill.get("places", 0)],
        ["Places prises (tous canaux)", figures.fill.get("taken", 0)],
        ["dont réservations pass Culture", figures.fill.get("booked", 0)],
        ["Taux de remplissage (%)", figures.fill_rate],
    ]
    for row in rows:
        summary.append(xlsx_row(summary, row))
    keys = list(LABELS)
    sheet(
        "Par mois",
        ["Mois", *(LABELS[k] + (" (€)" if k in MONEY else "") for k in keys)],
        *([MONTHS[m], *(_cell(k, figures.months[m][k]) for k in keys)] for m in range(12)),
    )
    sheet(
        "Par canal",
        ["Canal", "Places inscrites", "Présents", "Absents"],
        *([r["label"], r["registered"], r["present"], r["absent"]] for r in channel_rows(figures)),
    )
    sheet(
        "Présents par canal",
        ["Mois", *CHANNELS.values(), "Tous canaux"],
        *([r["month"], *r["values"], r["total"]] for r in channel_month_rows(figures)),
    )
    sheet(
        "Remplissage par lieu",
        ["Lieu", "Séances", "Places proposées", "Places prises", "Taux de remplissage (%)"],
        *(
            [r["name"], r["sessions"], r["places"], r["taken"], r["rate"]]
            for r in figures.fill_by_venue
        ),
    )
    sheet(
        "Par âge",
        ["Âge atteint dans l'année", "Jeunes"],
        *([f"{age} ans" if age in AGES else "autre", n] for age, n in figures.by_age.items()),
    )
    sheet(
        "Par lieu",
        ["Lieu", "Réservations faites", "Annulées", "Validées", "Montant validé (€)"],
        *(
            [
                row["venue"],
                row["made"],
                row["cancelled"],
                row["validated"],
                _cell("validated_cents", row["validated_cents"]),
            ]
            for row in figures.by_venue
        ),
    )
    sheet(
        "Par sous-catégorie",
        ["Sous-catégorie", "Réservations (non annulées)"],
        *([row["subcategory"], row["made"]] for row in figures.by_subcategory),
    )
    sheet(
        "Offres les plus réservées",
        ["Offre", "Lieu", "Réservations (non annulées)"],
        *([row["offer__title"], row["venue__name"], row["n"]] for row in figures.top_offers),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIGURE_KEYS = ("registered", "present", "absent")


def _cell(key: str, value: int):
    """Euros as a number of euros (cents exact), counts as integers."""
    return Decimal(int(value)).scaleb(-2) if key in MONEY else value


def report_pdf(figures: Figures, *, collectivite_name: str, scope: str) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    from passlib.pdf import document, table_style
    from passlib.pdf import paragraph as p

    buffer = io.BytesIO()
    doc = document(
        buffer,
        title=f"Rapport d'activité pass Culture {figures.year} — {collectivite_name}",
        margin_mm=16,
    )
    grid = table_style(font_size=8.5)
    story = [
        p(f"Rapport d'activité pass Culture {figures.year}", "Title"),
        p(f"{collectivite_name} — {scope}"),
        p(f"Édité le {date_fr(timezone.localdate())} avec passlib."),
        Spacer(1, 5 * mm),
        p("L'année en chiffres", "Heading2"),
    ]
    rows = [["Indicateur", "Total"]]
    rows += [[LABELS[k], shown(k, figures.totals[k])] for k in LABELS]
    if figures.fill_rate is not None:
        rows.append(
            [
                "Taux de remplissage des séances",
                p(
                    f"{figures.fill_rate} % ({number(figures.fill['taken'])} places prises "
                    f"sur {number(figures.fill['places'])}, tous canaux)"
                ),
            ]
        )
    story.append(Table(rows, colWidths=[95 * mm, 80 * mm], style=grid))
    story += [Spacer(1, 5 * mm), p("Le public touché, tous canaux", "Heading2")]
    public = [[label, number(n)] for label, n in public_rows(figures)]
    story.append(Table(public, colWidths=[95 * mm, 80 * mm], style=grid))
    story.append(
        p(
            "Jeunes du pass Culture : jeunes touchés, chacun une fois dans l'année. Autres "
            "canaux : personnes présentes (accueil, téléphone, courrier électronique, autre "
            "outil, sans inscription), une inscription de 3 places compte 3 personnes."
        )
    )
    channels = [["Canal", "Places inscrites", "Présents", "Absents"]]
    channels += [
        [r["label"], *("—" if r[k] is None else number(r[k]) for k in FIGURE_KEYS)]
        for r in channel_rows(figures)
    ]
    story.append(Table(channels, colWidths=[70 * mm, 35 * mm, 35 * mm, 35 * mm], style=grid))
    if figures.fill_by_venue:
        story += [Spacer(1, 5 * mm), p("Taux de remplissage par lieu", "Heading2")]
        fill = [["Lieu", "Séances", "Places", "Prises", "Taux"]]
        fill += [
            [
                p(r["name"]),
                number(r["sessions"]),
                number(r["places"]),
                number(r["taken"]),
                "—" if r["rate"] is None else f"{r['rate']} %",
            ]
            for r in figures.fill_by_venue
        ]
        story.append(
            Table(fill, colWidths=[79 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm], style=grid)
        )
    for key in CHARTS:
        series = figures.series(key)
        drawing = Drawing(175 * mm, 62 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 158 * mm, 44 * mm
        values = [v / 100 if key in MONEY else v for v in series]
        chart.data = [values]
        chart.categoryAxis.categoryNames = MONTHS_SHORT
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontSize = 7
        # Ticks chosen here, not by reportlab: counts step by whole numbers (it drew
        # 0.5, 1.5 for three bookings), every number written the French way.
        step = axis_step(max(values), whole=key not in MONEY)
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueStep = step
        chart.valueAxis.valueMax = axis_top(max(values), step)
        chart.valueAxis.labelTextFormat = french_number
        chart.bars[0].fillColor = colors.HexColor("#000091")
        chart.barLabels.fontSize = 6
        chart.barLabelFormat = partial(french_number, money=key in MONEY)
        chart.barLabels.nudge = 5
        drawing.add(chart)
        title = f"{LABELS[key]} par mois" + (" (€)" if key in MONEY else "")
        drawing.add(String(0, 58 * mm, title, fontName="Helvetica-Bold", fontSize=10))
        table = Table(
            [MONTHS_SHORT, [shown(key, v) for v in series]],
            style=TableStyle(
                [("FONTSIZE", (0, 0), (-1, -1), 7), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
            ),
        )
        story.append(KeepTogether([Spacer(1, 4 * mm), drawing, table]))
    story += [Spacer(1, 5 * mm), p("Jeunes touchés par âge", "Heading2")]
    ages = [["Âge atteint dans l'année", "Jeunes"]]
    ages += [
        [f"{a} ans" if a in AGES else "autre âge", number(n)] for a, n in figures.by_age.items()
    ]
    story.append(Table(ages, colWidths=[95 * mm, 80 * mm], style=grid))
    story += [Spacer(1, 5 * mm), p("Par lieu", "Heading2")]
    venues = [["Lieu", "Faites", "Annulées", "Validées", "Montant validé"]]
    venues += [
        [
            p(r["venue"]),
            number(r["made"]),
            number(r["cancelled"]),
            number(r["validated"]),
            shown("validated_cents", r["validated_cents"]),
        ]
        for r in figures.by_venue
    ]
    story.append(Table(venues, colWidths=[70 * mm, 24 * mm, 24 * mm, 24 * mm, 33 * mm], style=grid))
    story += [Spacer(1, 5 * mm), p("Par sous-catégorie", "Heading2")]
    subs = [["Sous-catégorie", "Réservations"]]
    subs += [[p(r["subcategory"]), number(r["made"])] for r in figures.by_subcategory]
    story.append(Table(subs, colWidths=[120 * mm, 55 * mm], style=grid))
    story += [Spacer(1, 5 * mm), p("Offres les plus réservées", "Heading2")]
    top = [["Offre", "Lieu", "Réservations"]]
    top += [[p(r["offer__title"]), p(r["venue__name"]), number(r["n"])] for r in figures.top_offers]
    story.append(Table(top, colWidths=[90 * mm, 60 * mm, 25 * mm], style=grid))
    doc.build(story)
    return buffer.getvalue()
