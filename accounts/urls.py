from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

# Our path converters (token, id, siren): passlib/converters.py.
import passlib.converters  # noqa: F401
from accounts.forms import EmailAuthenticationForm, FrenchPasswordResetForm
from accounts.views import auth, onboarding, review, signup, space, venue_page

app_name = "accounts"
urlpatterns = [
    # account
    path("inscription/", auth.signup, name="signup"),
    path("inscription/envoyee/", auth.signup_sent, name="signup_sent"),
    path("inscription/confirmer/<token:token>/", auth.confirm_email, name="confirm_email"),
    path("inscription/renvoyer/", auth.resend_confirmation, name="resend_confirmation"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=EmailAuthenticationForm
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="emails/password_reset.txt",
            html_email_template_name="emails/password_reset.html",
            subject_template_name="emails/password_reset_subject.txt",
            form_class=FrenchPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<token:uidb64>/<token:token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("espace/", auth.dashboard, name="dashboard"),
    path("compte/supprimer/", auth.account_delete, name="account_delete"),
    # onboarding
    path("structure/siret/", onboarding.siret_step, name="siret"),
    path("structure/nouvelle/", onboarding.register, name="register"),
    path("structure/<siren:siren>/rejoindre/", onboarding.join, name="join"),
    path("charges-de-territoire/", onboarding.officers_public, name="officers"),
    # a venue's public page, managed by its members (shown by offers/views/venue_page.py)
    path("lieux/<uuid:public_id>/page/", venue_page.venue_page_edit, name="venue_page_edit"),
    path(
        "lieux/<uuid:public_id>/page/exceptions/",
        venue_page.hours_exception_add,
        name="hours_exception_add",
    ),
    path(
        "lieux/<uuid:public_id>/page/exceptions/<id:exception_id>/supprimer/",
        venue_page.hours_exception_delete,
        name="hours_exception_delete",
    ),
    path("lieux/<uuid:public_id>/page/image/", venue_page.venue_image, name="venue_image"),
    path(
        "lieux/<uuid:public_id>/page/image/supprimer/",
        venue_page.venue_image_delete,
        name="venue_image_delete",
    ),
    # shared space
    path("collectivites/<uuid:public_id>/", space.space, name="space"),
    path("collectivites/<uuid:public_id>/lieux/nouveau/", space.venue_add, name="venue_add"),
    path(
        "collectivites/<uuid:public_id>/lieux/<uuid:venue_id>/",
        space.venue_edit,
        name="venue_edit",
    ),
    path(
        "collectivites/<uuid:public_id>/membres/<uuid:member_id>/",
        space.member_update,
        name="member_update",
    ),
    path(
        "collectivites/<uuid:public_id>/membres/<uuid:member_id>/retirer/",
        space.member_remove,
        name="member_remove",
    ),
    path(
        "collectivites/<uuid:public_id>/demandes/<uuid:member_id>/<slug:action>/",
        space.request_decide,
        name="request_decide",
    ),
    path(
        "collectivites/<uuid:public_id>/invitations/",
        space.invitation_create,
        name="invitation_create",
    ),
    path(
        "collectivites/<uuid:public_id>/invitations/<uuid:invitation_id>/renvoyer/",
        space.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "collectivites/<uuid:public_id>/invitations/<uuid:invitation_id>/revoquer/",
        space.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<token:token>/", space.invitation_accept, name="invitation_accept"),
    # territory officers
    path("revue/", review.queue, name="review_queue"),
    path("revue/valider/", review.batch_validate, name="review_batch"),
    path("revue/<slug:kind>/<uuid:public_id>/", review.detail, name="review_detail"),
    path("revue/<slug:kind>/<uuid:public_id>/<slug:action>/", review.act, name="review_act"),
    # Young people and teachers (their pages live in offers/urls.py).
    path("jeunes/inscription/", signup.beneficiary, name="beneficiary_signup"),
    path("enseignants/inscription/", signup.teacher, name="teacher_signup"),
]
