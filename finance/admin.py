"""Staff's view of the reimbursements: bank accounts (masked, read-only: only the
collectivité's administrators change them, through the confirmed form), custom rates
(the one thing staff write here), runs and statements (immutable)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from finance.models import BankAccount, CustomRate, ReimbursementRun, Statement, StatementLine
from offers.templatetags.money import euros


def _euros(field: str, label: str):
    """An admin column showing an amount in cents as euros (« 198,90 € »)."""

    @admin.display(description=label, ordering=field)
    def show(self, obj):
        return euros(getattr(obj, field))

    return show


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ["label", "collectivite", "holder", "iban_masked", "bic", "changed_at"]
    list_filter = ["changed_at"]
    search_fields = ["label", "holder", "collectivite__name", "collectivite__siren"]
    fields = ["collectivite", "label", "holder", "iban_masked", "bic", "created_at", "changed_at"]
    readonly_fields = fields
    list_select_related = ["collectivite"]

    @admin.display(description="IBAN")
    def iban_masked(self, obj):
        return obj.iban_masked


@admin.register(CustomRate)
class CustomRateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "offer", "venue", "rate_bp", "starts_on", "ends_on", "comment"]
    raw_id_fields = ["offer", "venue"]
    fields = ["offer", "venue", "rate_bp", "starts_on", "ends_on", "comment"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class StatementInline(admin.TabularInline):
    model = Statement
    fields = ["number", "collectivite", "account_label", "total", "held", "released_at"]
    readonly_fields = fields
    total = _euros("total_cents", "total")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReimbursementRun)
class ReimbursementRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "lines_count", "total"]
    exclude = ["total_cents"]
    readonly_fields = ["total"]
    total = _euros("total_cents", "total")
    inlines = [StatementInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "collectivite", "account_label", "total", "held", "released_at"]
    list_filter = ["held", "run"]
    search_fields = ["number", "collectivite__name"]
    list_select_related = ["collectivite"]
    exclude = ["iban", "total_cents"]
    readonly_fields = ["total", "documents"]
    total = _euros("total_cents", "total")

    @admin.display(description="documents")
    def documents(self, obj):
        if obj.pk is None:
            return "—"
        args = [obj.collectivite.public_id, obj.public_id]
        return format_html(
            '<a href="{}">Relevé en PDF</a> · <a href="{}">Relevé en CSV</a>',
            reverse("finance:statement_pdf", args=args),
            reverse("finance:statement_csv", args=args),
        )


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "venue_name", "offer_title", "reference", "rule", "amount"]
    list_filter = ["rule"]
    exclude = ["price_cents", "amount_cents"]
    readonly_fields = ["price", "amount"]
    price = _euros("price_cents", "prix")
    amount = _euros("amount_cents", "montant remboursé")
    search_fields = ["reference", "statement__number", "venue_name"]
    list_select_related = ["statement"]
