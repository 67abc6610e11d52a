from django.contrib import admin

from offers.models import (
    Booking,
    CollectiveBooking,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    ExportLog,
    Offer,
    Registration,
    Session,
    Stock,
    WaitlistEntry,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = [
        "starts_at",
        "total_places",
        "quota",
        "booking_limit_at",
        "booked_count",
        "other_count",
        "outside_places",
    ]
    readonly_fields = ["booked_count", "other_count", "outside_places"]


class StockInline(admin.StackedInline):
    model = Stock
    extra = 0
    readonly_fields = ["booked_count", "other_count"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read here; places and statuses change only through the participants page (the
    capacity rule: offers/services/registrations.py)."""

    list_display = ["name", "channel", "places", "status", "offer", "joined_at"]
    list_filter = ["channel", "status"]
    search_fields = ["name", "offer__title"]
    list_select_related = ["offer"]
    readonly_fields = ["offer", "session", "stock", "places", "status", "channel", "joined_at"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "venue", "subcategory_id", "price_cents", "status", "created_at"]
    list_filter = ["status", "subcategory_id"]
    search_fields = ["title", "venue__name"]
    list_select_related = ["venue"]
    inlines = [StockInline, SessionInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["code", "offer", "beneficiary", "status", "booked_at", "validated_at"]
    list_filter = ["status", "validated_auto"]
    search_fields = ["code", "beneficiary__email", "beneficiary__last_name"]
    list_select_related = ["offer", "beneficiary"]
    readonly_fields = ["code", "booked_at"]


@admin.register(CollectiveShowcase)
class CollectiveShowcaseAdmin(admin.ModelAdmin):
    list_display = ["title", "venue", "status"]
    list_select_related = ["venue"]


@admin.register(CollectiveOffer)
class CollectiveOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "venue", "starts_at", "status", "school"]
    list_select_related = ["venue", "school"]


@admin.register(CollectiveRequest)
class CollectiveRequestAdmin(admin.ModelAdmin):
    list_display = ["showcase", "school", "teacher", "students", "created_at"]
    list_select_related = ["showcase", "school", "teacher"]


@admin.register(CollectiveBooking)
class CollectiveBookingAdmin(admin.ModelAdmin):
    list_display = ["offer", "school", "status", "prebooked_at"]
    list_filter = ["status"]
    list_select_related = ["offer", "school"]


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "kind", "fmt", "filters"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an audit trail is append-only


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """Read-only: a line changes through offers/services/waitlist.py only (its holds are
    counted on the session or stock)."""

    list_display = ["offer", "session", "person", "status", "joined_at", "offered_until"]
    list_filter = ["status"]
    search_fields = ["person__email", "offer__title"]
    list_select_related = ["offer", "session", "person"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
