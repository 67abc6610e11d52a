"""Gestion financière through its pages (issue 17): who sees and changes bank details,
the password confirmation, the history and the e-mails, hostile input, the documents
and the staff's pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActionLog, Role, Verb
from finance.forms import BankAccountForm
from finance.models import BankAccount, VenueBankAccount
from finance.services.runs import close_period
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.finance.helpers import account_for, validated

pytestmark = pytest.mark.django_db
IBAN_TYPED = "fr76 3000 6000 0112 3456 7890 189"


def _form(space, **data):
    values = {
        "label": "Trésor public",
        "holder": "Trésor public de L'Haÿ-les-Roses",
        "iban": IBAN_TYPED,
        "bic": "AGRIFRPP",
        "venues": [space["venue"].pk],
        "password": PASSWORD,
    }
    values.update(data)
    return values


def _add_url(space):
    return reverse("finance:account_add", args=[space["collectivite"].public_id])


@pytest.mark.parametrize(
    ("iban", "bic", "error"),
    [
        (IBAN_TYPED, "AGRIFRPP", None),
        ("DE89 3704 0044 0532 0130 00", "COBADEFFXXX", None),  # a foreign IBAN, valid
        ("FR76 3000 6000 0112 3456 7890 188", "AGRIFRPP", "clé de contrôle"),
        ("FR76 3000 6000 0112 3456 7890 18", "AGRIFRPP", "compte 27 caractères"),
        ("DE89 3704 0044 0532 0130 000", "COBADEFFXXX", "compte 22 caractères"),
        ("QQ12 3456", "AGRIFRPP", "n'est pas un code de pays"),
        ("FR76 ３０００ 6000 0112 3456 7890 189", "AGRIFRPP", "lettres et des chiffres"),
        (IBAN_TYPED, "AGRIFRP", "8 ou 11 caractères"),
        (IBAN_TYPED, "AGRI12PP", "n'est pas valide"),
        (IBAN_TYPED, "COBADEFFXXX", "ne désignent pas le même pays"),
    ],
)
def test_iban_and_bic_are_checked(space, iban, bic, error):
    form = BankAccountForm(
        data=_form(space, iban=iban, bic=bic), collectivite=space["collectivite"]
    )
    if error is None:
        assert form.is_valid(), form.errors
        assert " " not in form.cleaned_data["iban"]
    else:
        assert not form.is_valid()
        assert error in " ".join(m for ms in form.errors.values() for m in ms)


def test_an_administrator_adds_bank_details_confirmed_recorded_and_emailed(
    space, owner, login, django_capture_on_commit_callbacks
):
    second_admin = MembershipFactory(collectivite=space["collectivite"]).user
    MembershipFactory(collectivite=space["collectivite"], role=Role.MEMBER, venues=[space["venue"]])
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_add_url(space), _form(space))
    assert response.status_code == 302
    account = BankAccount.objects.get()
    assert account.iban == "FR7630006000011234567890189"
    assert VenueBankAccount.objects.get().venue == space["venue"]
    log = ActionLog.objects.get(verb=Verb.BANK_ACCOUNT_ADDED)
    assert log.actor == owner and "•" in log.comment and "0189" in log.comment
    assert "30006000011234567890189" not in log.comment
    [message] = mail.outbox
    assert sorted(message.to) == sorted([owner.email, second_admin.email])  # admins only
    assert message.subject == "Coordonnées bancaires ajoutées : Ville de Lyon"
    assert "Trésor public de L'Haÿ-les-Roses" in message.body
    assert "&#x27;" not in message.body and "30006000011234567890189" not in message.body
    page = client.get(reverse("finance:home", args=[space["collectivite"].public_id]))
    html = page.content.decode()
    assert "0189" in html and "30006000011234567890189" not in html


def test_a_wrong_password_changes_nothing_and_keeps_what_was_typed(space, owner, login):
    response = login(owner).post(_add_url(space), _form(space, password="pas le bon"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mot de passe incorrect" in html
    assert "Trésor public de L&#x27;Haÿ-les-Roses" in html  # typed values kept
    assert not BankAccount.objects.exists()


def test_the_password_tries_are_limited(space, owner, login):
    client = login(owner)
    for _ in range(5):
        client.post(_add_url(space), _form(space, password="faux"))
    response = client.post(_add_url(space), _form(space))
    assert "Trop d&#x27;essais" in response.content.decode()
    assert not BankAccount.objects.exists()


def _iban(n: int) -> str:
    """A valid French IBAN, the n-th of a made-up bank."""
    bban = f"3000600001{n:011d}89"
    digits = "".join(str(int(c, 36)) for c in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


def test_only_wrong_passwords_count_towards_the_limit(space, owner, login):
    """An administrator entering the collectivité's accounts one after another types
    the right password each time: never locked out (the limit counts failures only)."""
    client = login(owner)
    for n in range(7):
        response = client.post(_add_url(space), _form(space, label=f"Compte {n}", iban=_iban(n)))
        assert response.status_code == 302, response.content.decode()
    assert BankAccount.objects.count() == 7
    # Wrong ones still count: four, then a right one passes, then a fifth wrong one
    # locks even the right password out.
    for _ in range(4):
        client.post(_add_url(space), _form(space, iban=_iban(50), password="faux"))
    assert client.post(_add_url(space), _form(space, iban=_iban(51))).status_code == 302
    client.post(_add_url(space), _form(space, iban=_iban(52), password="faux"))
    response = client.post(_add_url(space), _form(space, iban=_iban(53)))
    assert "Trop d&#x27;essais" in response.content.decode()
    assert BankAccount.objects.count() == 8


def test_a_member_is_refused_and_another_collectivite_is_not_found(
    space, member, outsider, officer, login, client
):
    assert login(member).post(_add_url(space), _form(space)).status_code == 403
    assert login(outsider).post(_add_url(space), _form(space)).status_code == 404
    assert login(officer).get(_add_url(space)).status_code == 403
    account = account_for(space["collectivite"], space["venue"])
    edit = reverse(
        "finance:account_edit", args=[space["collectivite"].public_id, account.public_id]
    )
    assert login(member).post(edit, _form(space)).status_code == 403
    assert login(outsider).post(edit, _form(space)).status_code == 404
    assert BankAccount.objects.count() == 1
    assert BankAccount.objects.get().label == "Trésor public"
    assert not ActionLog.objects.filter(verb__startswith="bank_").exists()


def test_a_change_is_recorded_emailed_and_dates_the_account(
    space, owner, login, django_capture_on_commit_callbacks
):
    account = account_for(space["collectivite"], space["venue"], changed_days_ago=90)
    before = account.changed_at
    edit = reverse(
        "finance:account_edit", args=[space["collectivite"].public_id, account.public_id]
    )
    client = login(owner)
    form_page = client.get(edit).content.decode()
    assert "30006000011234567890189" not in form_page and "0189" in form_page
    new = "FR76 3000 1007 9412 3456 7890 185"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit,
            _form(space, iban=new, bic="BDFEFRPPCCT", venues=[space["other_venue"].pk]),
        )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.iban == "FR7630001007941234567890185" and account.changed_at > before
    assert list(VenueBankAccount.objects.values_list("venue_id", flat=True)) == [
        space["other_venue"].pk
    ]
    log = ActionLog.objects.get(verb=Verb.BANK_ACCOUNT_CHANGED)
    assert "→" in log.comment and "0185" in log.comment and "0189" in log.comment
    [message] = mail.outbox
    assert message.subject == "Coordonnées bancaires modifiées : Ville de Lyon"
    assert "0185" in message.body


def test_leaving_the_iban_empty_keeps_it_and_a_label_change_is_not_a_bank_change(
    space, owner, login
):
    account = account_for(space["collectivite"], space["venue"], changed_days_ago=90)
    before = account.changed_at
    edit = reverse(
        "finance:account_edit", args=[space["collectivite"].public_id, account.public_id]
    )
    login(owner).post(edit, _form(space, iban="", label="Régie", holder=account.holder))
    account.refresh_from_db()
    assert account.iban == "FR7630006000011234567890189"
    assert account.label == "Régie" and account.changed_at == before


@pytest.mark.parametrize(
    "field_values",
    [
        {"iban": "FR76\x00 3000"},
        {"iban": "9" * 5000},
        {"bic": "AGRI\x00FRPP"},
        {"label": "Trésor\x00"},
        {"venues": ["abc"]},
        {"venues": ["99999999999999999999999"]},
        {"venues": ["٣"]},
        {"holder": ""},
    ],
)
def test_hostile_values_get_a_french_message_and_write_nothing(space, owner, login, field_values):
    response = login(owner).post(_add_url(space), _form(space, **field_values))
    assert response.status_code in (200, 400)
    assert not BankAccount.objects.exists()


def test_a_venue_of_another_collectivite_cannot_be_attached(space, other_space, owner, login):
    response = login(owner).post(_add_url(space), _form(space, venues=[other_space["venue"].pk]))
    assert response.status_code == 200
    assert not BankAccount.objects.exists()


def test_a_duplicate_submit_keeps_one_account(space, owner, login):
    client = login(owner)
    assert client.post(_add_url(space), _form(space)).status_code == 302
    response = client.post(_add_url(space), _form(space))
    assert "déjà enregistré" in response.content.decode()
    assert BankAccount.objects.count() == 1


def test_members_see_their_venues_lines_only_and_no_bank_details(space, owner, member, login):
    account_for(space["collectivite"], space["venue"], space["other_venue"])
    mine = validated(space["venue"], title="Escape game Part-Dieu")
    theirs = validated(space["other_venue"], title="Escape game Jean Macé")
    run = close_period()
    statement = run.statements.get()
    home = reverse("finance:home", args=[space["collectivite"].public_id])
    html = login(member).get(home).content.decode()
    assert mine.code in html and theirs.code not in html
    assert "0189" not in html and "Trésor public" not in html
    pdf = reverse(
        "finance:statement_pdf", args=[space["collectivite"].public_id, statement.public_id]
    )
    assert login(member).get(pdf).status_code == 403
    response = login(owner).get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    csv_url = reverse(
        "finance:statement_csv", args=[space["collectivite"].public_id, statement.public_id]
    )
    assert login(owner).get(csv_url).content.startswith("\ufeff".encode())


def test_a_statement_of_another_collectivite_is_not_found(space, other_space, outsider, login):
    account_for(space["collectivite"], space["venue"])
    validated(space["venue"])
    statement = close_period().statements.get()
    mine = reverse(
        "finance:statement_pdf", args=[other_space["collectivite"].public_id, statement.public_id]
    )
    assert login(outsider).get(mine).status_code == 404


def test_the_amount_to_come_and_the_waiting_venues(space, owner, login):
    account_for(space["collectivite"], space["venue"])
    validated(space["venue"], price_cents=1250)
    validated(space["other_venue"], price_cents=700)
    html = (
        login(owner)
        .get(reverse("finance:home", args=[space["collectivite"].public_id]))
        .content.decode()
    )
    assert "Ajoutez vos coordonnées bancaires pour être remboursé" in html
    assert "12,50 €" in html and "7 €" in html and "19,50 €" in html


def test_staff_pages_are_for_staff(space, owner, login, client):
    account_for(space["collectivite"], space["venue"], changed_days_ago=1)
    validated(space["venue"])
    run = close_period()
    statement = run.statements.get()
    staff = UserFactory(is_staff=True)
    runs_url = reverse("finance:staff_runs")
    assert client.get(runs_url).status_code == 302  # to the login page
    assert login(owner).get(runs_url).status_code == 403
    page = login(staff).get(runs_url).content.decode()
    assert statement.number in page and "Libérer le paiement" in page
    sepa = reverse("finance:staff_sepa", args=[run.pk])
    assert login(staff).get(sepa).status_code == 302  # nothing payable yet: back with a message
    release = reverse("finance:staff_release", args=[statement.public_id])
    assert login(owner).post(release).status_code == 403
    assert login(staff).post(release).status_code == 302
    response = login(staff).get(sepa)
    assert response.status_code == 200 and b"pain.001.001.03" in response.content
    assert login(staff).get(reverse("finance:staff_sepa", args=[999999])).status_code == 404


def test_the_finance_page_reads_a_bounded_number_of_queries(
    space, owner, member, login, django_assert_max_num_queries
):
    """The same number of queries with 2 or 62 bookings owed and on statements."""
    account_for(space["collectivite"], space["venue"])
    home = reverse("finance:home", args=[space["collectivite"].public_id])
    counts = []
    for size in (1, 31):
        for _ in range(size):
            validated(space["venue"], at=timezone.now() - timedelta(days=40))
            validated(space["other_venue"], at=timezone.now() - timedelta(days=40))
        close_period(now=timezone.now() - timedelta(days=16 * (2 - size // 31)))
        for _ in range(size):
            validated(space["venue"])
        for person in (owner, member):
            client = login(person)
            with django_assert_max_num_queries(20) as captured:
                assert client.get(home).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:], counts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_adding_the_same_account_at_once_make_one(space):
    from finance.services.accounts import AccountData, account_add
    from passlib.refusal import Refusal
    from tests.threads import at_once

    admins = [MembershipFactory(collectivite=space["collectivite"]).user for _ in range(4)]
    data = AccountData(
        label="Trésor public",
        holder="Trésor public",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        venue_ids=frozenset({space["venue"].pk}),
    )

    def add(person):
        def call():
            try:
                return account_add(
                    actor=person, collectivite=space["collectivite"], data=data, password=PASSWORD
                ).pk
            except Refusal as exc:
                return exc.code

        return call

    results, errors = at_once([add(a) for a in admins])
    assert errors == []
    assert sorted(r == "finance.duplicate_iban" for r in results) == [False, True, True, True]
    assert BankAccount.objects.count() == 1
    assert VenueBankAccount.objects.count() == 1
    assert ActionLog.objects.filter(verb=Verb.BANK_ACCOUNT_ADDED).count() == 1


def test_the_staff_page_counts_each_runs_transfers_in_one_query(
    space, other_space, login, django_assert_max_num_queries
):
    account_for(space["collectivite"], space["venue"], changed_days_ago=1)  # held
    account_for(
        other_space["collectivite"], other_space["venue"], iban="FR7630001007941234567890185"
    )
    validated(space["venue"])
    validated(other_space["venue"])
    close_period()
    staff = UserFactory(is_staff=True)
    client = login(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("finance:staff_runs")).content.decode()
    assert "(1 virement)" in page  # the held statement waits for its release
