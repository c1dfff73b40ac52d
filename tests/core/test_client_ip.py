"""The client address of the audit trail and of the login lockout: X-Forwarded-For only from trusted proxies."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from dangjian.core.audit import client_address
from dangjian.core.client_ip import client_ip
from dangjian.core.models import AuditEntry
from tests.factories import OrganFactory, UserFactory


def request(remote: str = "203.0.113.7", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_address(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_from_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client wrote "1.1.1.1" itself; nginx appended the address it saw; an inner proxy appended 10.0.0.5.
    assert client_ip(request("127.0.0.1", "1.1.1.1, 198.51.100.9, 10.0.0.5")) == "198.51.100.9"
    assert client_ip(request("127.0.0.1", "198.51.100.9")) == "198.51.100.9"


def test_from_a_trusted_proxy_without_the_header_the_proxy_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"
    assert client_ip(request("127.0.0.1", "")) == "127.0.0.1"


def test_a_garbage_hop_stops_at_the_last_trusted_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request("127.0.0.1", "198.51.100.9, not-an-address, 10.0.0.5")) == "10.0.0.5"


def test_ipv6_and_ipv4_mapped_addresses(settings):
    settings.TRUSTED_PROXIES = ["::1", "127.0.0.1"]
    assert client_ip(request("::1", "2001:db8::5")) == "2001:db8::5"
    assert client_ip(request("::ffff:127.0.0.1", "198.51.100.9")) == "198.51.100.9"


def test_only_trusted_proxies_when_all_hops_are_trusted(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.1", "10.0.0.3, 10.0.0.2")) == "10.0.0.3"


@pytest.mark.django_db
def test_the_audit_trail_records_the_address_by_the_same_rule(client, settings):
    settings.TRUSTED_PROXIES = []
    organizer = UserFactory(roles=["organizer"])
    client.force_login(organizer)
    client.post(reverse("organ_create"), {"code": "a", "name_zh": "南阳市甲局", "sector": "government"},
                REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXIES = ["203.0.113.7"]
    client.post(reverse("organ_create"), {"code": "b", "name_zh": "南阳市乙局", "sector": "government"},
                REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    origins = list(AuditEntry.objects.filter(action="create").order_by("pk").values_list("origin", flat=True))
    assert origins == ["203.0.113.7", "198.51.100.9"]


@pytest.mark.django_db
def test_the_login_lockout_counts_failures_by_the_same_address(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(username="liming", organs=[OrganFactory()])
    settings.TRUSTED_PROXIES = []
    client.post(reverse("login"), {"username": "liming", "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXIES = ["203.0.113.7"]
    client.post(reverse("login"), {"username": "liming", "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7", "198.51.100.9"}
