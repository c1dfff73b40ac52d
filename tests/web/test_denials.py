"""How the platform says no: the editor (/cms/) for accounts without portal rights, the friendly 403 and 404
pages, and a server log without tracebacks for refusals."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

PORTAL_ROLES = {"organizer", "editor", "reviewer"}


@pytest.mark.parametrize("role", sorted(set(ROLES) - PORTAL_ROLES))
@pytest.mark.parametrize("path", ["/cms/", "/cms/pages/", "/cms/images/"])
def test_editor_says_no_to_accounts_without_portal_rights(client, users_by_role, role, path):
    """Wagtail sent them to the login page, which sent them back to /cms/: a loop the browser gave up on."""
    client.force_login(users_by_role[role])
    response = client.get(path)
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert "此账号无权使用门户网站编辑后台" in page
    assert f'href="{reverse("home")}"' in page  # back to the start page
    assert 'class="footer"' in page  # in the site's layout


def test_the_editor_refusal_is_in_english_too(client, users_by_role):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users_by_role["unit_admin"])
    response = client.get("/cms/")
    assert response.status_code == 403
    assert "This account has no access to the news portal&#x27;s editor." in response.content.decode()
    assert "Back to the overview" in response.content.decode()


@pytest.mark.parametrize("role", sorted(PORTAL_ROLES))
def test_portal_staff_still_open_the_editor(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get("/cms/").status_code == 200


def test_anonymous_users_still_go_to_the_login_page(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.WAGTAILADMIN_LOGIN_URL)


def test_a_signed_in_user_sent_to_the_login_page_is_not_sent_round_in_circles(client, users_by_role):
    """The login page sends a signed-in user on to `next`; for /cms/ that is now the 403 page, not a loop."""
    client.force_login(users_by_role["participant"])
    response = client.get(reverse("login"), {"next": "/cms/"}, follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_a_role_page_refusal_is_our_403_page(client, users_by_role):
    client.force_login(users_by_role["participant"])
    response = client.get(reverse("person_list"))
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert "您的角色无权访问此页面" in response.content.decode()


def test_a_record_outside_the_scope_is_our_404_page(client, users_by_role, other_organ):
    client.force_login(users_by_role["unit_admin"])
    response = client.get(reverse("organ_detail", args=[other_organ.pk]))
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]


def test_a_refusal_is_logged_in_one_line_without_a_traceback(client, users_by_role, caplog):
    client.force_login(users_by_role["participant"])
    with caplog.at_level(logging.WARNING):
        assert client.get(reverse("person_list")).status_code == 403
        assert client.get("/cms/").status_code == 403
    refusals = [record for record in caplog.records if record.name == "django.request"]
    assert [record.getMessage() for record in refusals] == [
        f"Forbidden (Permission denied): {reverse('person_list')}", "Forbidden (Permission denied): /cms/"]
    assert all(record.exc_info is None and record.exc_text is None for record in refusals)
    assert "Traceback" not in caplog.text


def test_the_log_filter_keeps_other_errors_whole():
    from dangjian.core.log_filters import DenialsWithoutTraceback

    try:
        raise ValueError("a real fault")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    assert DenialsWithoutTraceback().filter(record) is True
    assert record.exc_info is not None


# A filter naming a record outside the scope ------------------------------------------------------------

def test_people_filtered_by_another_organ_says_so_and_lists_nobody(client, users_by_role, organ, other_organ):
    from tests.factories import PersonFactory

    PersonFactory(organ=organ, name="王伟")
    PersonFactory(organ=other_organ, name="李娜")
    client.force_login(users_by_role["unit_admin"])
    response = client.get(reverse("person_list"), {"organ": other_organ.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "单位：所选单位不在您可查看的范围内。" in page
    assert list(response.context["page"]) == []
    assert "王伟" not in page and "李娜" not in page


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_organ_gets_the_same_answer(client, organizer, value):
    client.force_login(organizer)
    response = client.get(reverse("person_list"), {"organ": value})
    assert response.status_code == 200
    assert "所选单位不在您可查看的范围内。" in response.content.decode()
    assert list(response.context["page"]) == []


def test_the_own_organ_filters_as_before(client, users_by_role, organ):
    from tests.factories import PersonFactory

    mine = PersonFactory(organ=organ)
    client.force_login(users_by_role["unit_admin"])
    response = client.get(reverse("person_list"), {"organ": organ.pk})
    assert list(response.context["page"]) == [mine]
    assert "所选单位" not in response.content.decode()


def test_the_role_is_refused_before_an_unknown_spreadsheet_kind_is_looked_up(client, users_by_role):
    """403 before any lookup: a participant hears "not allowed", whatever the kind in the URL."""
    client.force_login(users_by_role["participant"])
    for kind in ("people", "no-such-kind"):
        assert client.get(reverse("spreadsheet_template", args=[kind])).status_code == 403
        assert client.get(reverse("spreadsheet_export", args=[kind])).status_code == 403
