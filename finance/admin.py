"""Staff's view of the reimbursements: bank accounts (masked, read-only: only the
collectivité's administrators change them, through the confirmed form), custom rates
(the one thing staff write here), runs and statements (immutable)."""

from django.contrib import admin

from finance.models import BankAccount, CustomRate, ReimbursementRun, Statement, StatementLine


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
    fields = ["number", "collectivite", "account_label", "total_cents", "held", "released_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReimbursementRun)
class ReimbursementRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "lines_count", "total_cents"]
    inlines = [StatementInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "collectivite", "account_label", "total_cents", "held", "released_at"]
    list_filter = ["held", "run"]
    search_fields = ["number", "collectivite__name"]
    list_select_related = ["collectivite"]
    exclude = ["iban"]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "venue_name", "offer_title", "reference", "rule", "amount_cents"]
    list_filter = ["rule"]
    search_fields = ["reference", "statement__number", "venue_name"]
    list_select_related = ["statement"]
