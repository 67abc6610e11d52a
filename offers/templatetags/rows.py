"""The rows of the hot list pages, assembled in Python (see passlib/html.py for why).

Each tag takes the display-ready rows of a selector (`offer_rows`, `booking_rows`,
`catalog_rows`) and returns the `<tr>`/`<li>` markup; the table around them stays in
the template. Every value is escaped with `esc`.
"""

from django import template
from django.utils.safestring import mark_safe

from passlib.html import esc, url_pattern

register = template.Library()


@register.simple_tag
def offer_rows(rows: list[dict]) -> str:
    if not rows:
        return mark_safe('<tr><td colspan="5">Aucune offre ne correspond.</td></tr>')
    detail = url_pattern("offers:detail")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<tr><td><a href="{detail.format(r["public_id"])}">{esc(r["title"])}</a></td>'
            f"<td>{esc(r['venue'])}</td><td>{esc(r['subcategory'])}</td>"
            f'<td>{esc(r["price"])}</td><td><span class="badge badge-{esc(r["status"])}">'
            f"{esc(r['status_label'])}</span></td></tr>"
            for r in rows
        )
    )


def _cancel_form(r: dict, csrf: str, action: str) -> str:
    pid, code = r["public_id"], esc(r["code"])
    return (
        f'<form method="post" action="{action.format(pid)}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<label for="cancel-{pid}" class="visually-hidden">Motif d\'annulation de {code}</label>'
        f'<input type="text" name="comment" id="cancel-{pid}" placeholder="Motif" required '
        f'maxlength="500"> <button type="submit" class="button button-danger button-small">'
        f'Annuler<span class="visually-hidden"> la réservation {code}</span></button></form>'
    )


@register.simple_tag(takes_context=True)
def booking_rows(context, rows: list[dict]) -> str:
    if not rows:
        return mark_safe('<tr><td colspan="9">Aucune réservation ne correspond.</td></tr>')
    csrf = esc(context.get("csrf_token", ""))
    action = url_pattern("offers:booking_cancel_by_venue")
    html = []
    for r in rows:
        by = f"<br><small>par {esc(r['validated_by'])}</small>" if r["validated_by"] else ""
        cancel = _cancel_form(r, csrf, action) if r["cancellable"] else ""
        html.append(
            f"<tr><td>{esc(r['code'])}</td><td>{esc(r['beneficiary'])}</td>"
            f"<td>{esc(r['offer'])}</td><td>{esc(r['venue'])}</td><td>{esc(r['event'])}</td>"
            f"<td>{esc(r['booked'])}</td><td>{esc(r['price'])}</td>"
            f"<td>{esc(r['status'])}{by}</td><td>{cancel}</td></tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value is escaped


@register.simple_tag
def catalog_cards(rows: list[dict]) -> str:
    if not rows:
        return mark_safe("<li>Aucune offre ne correspond à ces critères.</li>")
    page = url_pattern("offers:catalog_offer")
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li class="card"><h2><a href="{page.format(r["public_id"])}">{esc(r["title"])}'
            f"</a></h2><p>{esc(r['subcategory'])} — {esc(r['venue'])}, {esc(r['city'])} "
            f"({esc(r['departement'])})</p><p><strong>{esc(r['price'])}</strong></p></li>"
            for r in rows
        )
    )
