import pytest
from django.urls import reverse

from dangjian.accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_organizer_manages_users_and_roles_in_the_admin(client, organ):
    organizer = UserFactory(roles=["organizer"], is_staff=True)
    target = UserFactory(roles=["unit_admin"], organs=[organ])
    client.force_login(organizer)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    page = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert page.status_code == 200 and organ.name_zh in page.content.decode()


@pytest.mark.parametrize("role", ["approver", "unit_admin", "college_staff", "participant", "editor"])
def test_other_staff_cannot_manage_users(client, role):
    user = UserFactory(roles=[role], is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_user_roles_are_cached_and_granted():
    user = UserFactory(roles=["editor", "reviewer"])
    assert user.roles == {"editor", "reviewer"}
    assert user.has_role("editor") and not user.has_role("organizer")
    user.grant_role("organizer")
    assert user.has_role("organizer")


def test_api_tokens_are_stored_as_digests_only():
    user = UserFactory()
    token = ApiToken.issue(user=user)
    stored = ApiToken.objects.get()
    assert token.startswith("dj_") and stored.digest == ApiToken.digest_of(token)
    assert token not in (stored.digest, stored.prefix)
