"""Logging in through the form (django-axes lockout), logging out, changing the password, API tokens."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from dangjian.accounts.models import ApiToken
from tests.factories import OrganFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Lang-yu-2022-wan"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s a login; these tests log in a few dozen times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    user = UserFactory(username="liming", full_name="李明", roles=["organizer"])
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username="liming", password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode() and 'name="password"' in response.content.decode()


def test_login_with_the_right_password(client, user):
    response = log_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and response.context["user"] == user


def test_login_redirects_to_next(client, user):
    response = log_in(client, next=reverse("person_list"))
    assert response["Location"] == reverse("person_list")


def test_login_does_not_redirect_off_site(client, user):
    response = log_in(client, next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_login_with_a_wrong_password_shows_a_message(client, user):
    response = log_in(client, password="wrong-password")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    content = response.content.decode()
    assert 'class="errorbox"' in content and form.non_field_errors()[0] in content
    assert logged_in_user_id(client) is None


def test_an_unknown_user_gets_the_same_message(client, user):
    wrong_password = log_in(client, password="wrong-password").context["form"].non_field_errors()
    unknown = log_in(client, username="nobody", password="wrong-password").context["form"].non_field_errors()
    assert list(wrong_password) == list(unknown)


def test_inactive_user_cannot_log_in(client, user):
    user.is_active = False
    user.save()
    log_in(client)
    assert logged_in_user_id(client) is None


def _is_lockout(response) -> bool:
    return "registration/locked_out.html" in [template.name for template in response.templates]


def test_lockout_after_the_failure_limit(client, user):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        response = log_in(client, password="wrong-password")
        assert response.status_code == 200 and not _is_lockout(response)
    response = log_in(client, password="wrong-password")
    assert response.status_code == 429 and _is_lockout(response)
    assert "账号已锁定" in response.content.decode()

    # While locked, even the right password is refused.
    response = log_in(client)
    assert response.status_code == 429 and _is_lockout(response)
    assert logged_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_lockout_is_per_username(client, user):
    other = UserFactory(username="wangfang")
    other.set_password(PASSWORD)
    other.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong-password")
    response = log_in(client, username="wangfang")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(other.pk)


def test_a_success_resets_the_failure_count(client, user):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, password="wrong-password")
    assert log_in(client).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, password="wrong-password")
    assert log_in(client).status_code == 302


def test_logout_by_post(client, user):
    log_in(client)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_user_id(client) is None
    response = client.get(reverse("person_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_by_get_is_refused(client, user):
    log_in(client)
    assert client.get(reverse("logout")).status_code == 405
    assert logged_in_user_id(client) == str(user.pk)


def test_password_change(client, user):
    log_in(client)
    assert client.get(reverse("password_change")).status_code == 200
    new_password = "Bai-he-2026-nanyang"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The session survives the change.
    assert client.get(reverse("password_change_done")).status_code == 200
    client.post(reverse("logout"))
    assert log_in(client).status_code == 200  # the old password no longer works
    assert log_in(client, password=new_password).status_code == 302


@pytest.mark.parametrize("change, field", [
    ({"old_password": "wrong-password"}, "old_password"),
    ({"new_password1": "short1", "new_password2": "short1"}, "new_password2"),
    ({"new_password2": "Something-else-2026"}, "new_password2"),
])
def test_password_change_errors_name_the_field(client, user, change, field):
    log_in(client)
    data = {"old_password": PASSWORD, "new_password1": "Bai-he-2026-nanyang", "new_password2": "Bai-he-2026-nanyang"}
    response = client.post(reverse("password_change"), {**data, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# API tokens ----------------------------------------------------------------------------------------

def test_apitoken_command_prints_a_token_stored_only_as_a_digest(user):
    out = io.StringIO()
    call_command("apitoken", "liming", "--name", "统计脚本", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("dj_") and len(token) > 30
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == ApiToken.digest_of(token) and stored.name == "统计脚本"
    assert stored.prefix == token[:8]
    assert not ApiToken.objects.filter(digest=token).exists()
    assert token not in {value for row in ApiToken.objects.values() for value in row.values() if isinstance(value, str)}


def test_apitoken_command_refuses_an_unknown_user(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("apitoken", "nobody", stdout=io.StringIO())


def test_api_token_authenticates_api_requests(client, user):
    organ = OrganFactory(name_zh="南阳市教育局")
    out = io.StringIO()
    call_command("apitoken", "liming", stdout=out)
    token = out.getvalue().strip()
    url = "/api/v1/organs"

    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer dj_not-a-token").status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [item["name_zh"] for item in response.json()["items"]] == ["南阳市教育局"]
    assert response.json()["items"][0]["id"] == organ.pk
    assert ApiToken.objects.get(user=user).last_used_at is not None

    user.is_active = False
    user.save()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
