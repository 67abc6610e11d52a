"""Gestion financière: a collectivité's bank accounts, the amount to come, its statements
and their documents; the staff's runs, held payments and transfer files."""

from __future__ import annotations

from functools import wraps
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.models import Collectivite
from accounts.policy import collectivites_of, is_admin, require_admin
from finance import documents, policy, selectors
from finance.forms import BankAccountForm
from finance.models import ReimbursementRun, Statement
from finance.services import accounts as account_services
from finance.services import runs as run_services
from passlib.refusal import Refusal, refusal_message


def _collectivite(request: HttpRequest, public_id: UUID) -> Collectivite:
    """A collectivité the person is a validated member of; else 404."""
    return get_object_or_404(collectivites_of(request.user), public_id=public_id)


@member_required
@require_GET
def home(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collectivite = _collectivite(request, public_id)
    admin = is_admin(request.user, collectivite)
    venue_ids = policy.venue_ids_in(request.user, collectivite)
    to_come = selectors.to_come(venue_ids)
    ctx = {
        "collectivite": collectivite,
        "is_admin": admin,
        "to_come": to_come,
        "to_come_total": sum(r.amount_cents for r in to_come),
        "waiting": [r for r in to_come if r.waits_for_bank_details],
        "without_account": [r for r in to_come if not r.account_label],
    }
    if admin:
        ctx["accounts"] = selectors.accounts_with_venues(
            policy.bank_accounts_of(request.user, collectivite)
        )
        ctx["statements"] = policy.statements_of(request.user, collectivite)[:48]
    else:
        ctx["lines"] = policy.lines_of(request.user, collectivite).order_by(
            "-statement__created_at", "venue_name", "validated_at", "id"
        )[:200]
    return render(request, "finance/home.html", ctx)


def _account_form(request: HttpRequest, public_id: UUID, account_id: UUID | None):
    collectivite = _collectivite(request, public_id)
    require_admin(request.user, collectivite)
    account = None
    if account_id is not None:
        account = get_object_or_404(
            policy.bank_accounts_of(request.user, collectivite), public_id=account_id
        )
    initial = {}
    if account is not None:
        initial = {
            "label": account.label,
            "holder": account.holder,
            "bic": account.bic,
            "venues": list(account.venue_links.values_list("venue_id", flat=True)),
        }
    form = BankAccountForm(
        request.POST or None, collectivite=collectivite, account=account, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            if account is None:
                account = account_services.account_add(
                    actor=request.user,
                    collectivite=collectivite,
                    data=form.to_data(),
                    password=password,
                )
                done = f"Le compte « {account.label} » est enregistré."
            else:
                account = account_services.account_change(
                    actor=request.user, account=account, data=form.to_data(), password=password
                )
                done = f"Le compte « {account.label} » est modifié."
        except Refusal as exc:
            field = "password" if exc.code.startswith("finance.password") else None
            form.add_error(field, exc.message)
        else:
            messages.success(
                request,
                f"{done} Les administrateurs de la collectivité en sont informés par un "
                "message à leur adresse électronique.",
            )
            return redirect("finance:home", public_id=collectivite.public_id)
    ctx = {"collectivite": collectivite, "form": form, "account": account}
    return render(request, "finance/account_form.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def account_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _account_form(request, public_id, None)


@member_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, public_id: UUID, account_id: UUID) -> HttpResponse:
    return _account_form(request, public_id, account_id)


def _member_or_staff(view):
    """Site staff (they read every statement: finance/policy.py `statements_of`), else
    the members' check (`member_required`)."""
    for_members = member_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            return view(request, *args, **kwargs)
        return for_members(request, *args, **kwargs)

    return wrapper


@_member_or_staff
@require_GET
def statement_document(
    request: HttpRequest, public_id: UUID, statement_id: UUID, fmt: str
) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_staff:
        # site staff read every statement (finance/policy.py `statements_of`)
        collectivite = get_object_or_404(Collectivite, public_id=public_id)
    else:
        collectivite = _collectivite(request, public_id)
        require_admin(request.user, collectivite)
    statement = get_object_or_404(
        policy.statements_of(request.user, collectivite).select_related("collectivite"),
        public_id=statement_id,
    )
    if fmt == "pdf":
        body, content_type = documents.statement_pdf(statement), "application/pdf"
    else:
        body, content_type = documents.statement_csv(statement), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="releve-{statement.number}.{fmt}"'
    return response


# --- staff ---------------------------------------------------------------------------


@login_required
@require_GET
def staff_runs(request: HttpRequest) -> HttpResponse:
    policy.require_staff(request.user)
    ctx = {"runs": selectors.runs_for_staff(), "held": selectors.held_statements()}
    return render(request, "finance/staff_runs.html", ctx)


@login_required
@require_GET
def staff_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """A closed period's statements, each with its PDF and CSV (read only)."""
    policy.require_staff(request.user)
    run = get_object_or_404(ReimbursementRun, pk=run_id)
    statements = (
        policy.statements_of(request.user)
        .filter(run=run)
        .select_related("collectivite")
        .order_by("collectivite__name", "pk")
    )
    return render(request, "finance/staff_run.html", {"run": run, "statements": statements})


@login_required
@require_POST
def staff_release(request: HttpRequest, statement_id: UUID) -> HttpResponse:
    policy.require_staff(request.user)
    statement = get_object_or_404(Statement, public_id=statement_id)
    try:
        run_services.release(actor=request.user, statement=statement)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Le paiement du relevé {statement.number} est libéré.")
    return redirect("finance:staff_runs")


@login_required
@require_GET
def staff_sepa(request: HttpRequest, run_id: int) -> HttpResponse:
    policy.require_staff(request.user)
    run = get_object_or_404(ReimbursementRun, pk=run_id)
    try:
        body = documents.sepa_file(run)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("finance:staff_runs")
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="virements-{run.period_start:%Y-%m-%d}.xml"'
    )
    return response
