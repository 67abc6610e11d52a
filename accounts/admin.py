from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import (
    ActionLog,
    Beneficiary,
    Collectivite,
    Invitation,
    Membership,
    OfficerDepartement,
    School,
    Teacher,
    TerritoryOfficer,
    User,
    Venue,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "email_confirmed_at", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "phone"]}),
        ("État", {"fields": ["email_confirmed_at", "terms_accepted_at", "date_joined"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0
    fields = ["name", "postal_code", "city", "status"]


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "departement", "status", "is_collectivite", "sirene_verified"]
    list_filter = ["status", "is_collectivite", "sirene_verified", "departement"]
    search_fields = ["name", "siren", "siret"]
    inlines = [VenueInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "collectivite", "venue_type", "departement", "status"]
    list_filter = ["status", "venue_type", "departement"]
    search_fields = ["name", "public_name", "collectivite__name"]
    list_select_related = ["collectivite"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "collectivite", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "collectivite__name"]
    list_select_related = ["user", "collectivite"]
    filter_horizontal = ["venues"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "collectivite", "role", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "collectivite__name"]


class OfficerDepartementInline(admin.TabularInline):
    model = OfficerDepartement
    extra = 1


@admin.register(TerritoryOfficer)
class TerritoryOfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "public_email", "public_phone"]
    inlines = [OfficerDepartementInline]


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "verb", "target_label", "actor", "collectivite"]
    list_filter = ["verb"]
    search_fields = ["target_label", "comment"]
    list_select_related = ["actor", "collectivite"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the history is append-only


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "city", "departement"]
    search_fields = ["uai", "name", "city"]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["user", "school"]
    list_select_related = ["user", "school"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["user", "birth_date", "credit_cents"]
    list_select_related = ["user"]
