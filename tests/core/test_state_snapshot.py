"""The permission matrices' snapshot (tests/state.py) must see every kind of change, or a refused request that
wrote something would pass unnoticed."""

from wagtail.models import Page

from tests.factories import OrganFactory, UserFactory
from tests.state import db_state, state_diff


def test_snapshot_sees_an_update_an_insert_a_delete_and_a_many_to_many_row(db):
    organ = OrganFactory()
    user = UserFactory()
    before = db_state()
    assert state_diff(before, db_state()) == {}

    organ.name_en = "Renamed Bureau"
    organ.save(update_fields=["name_en"])
    assert set(state_diff(before, db_state())) == {"organizations.Organ"}

    user.organs.add(organ)
    changed = state_diff(before, db_state())
    assert "organizations.Organ" in changed
    assert any(label.startswith("accounts.") and label != "accounts.User" for label in changed)

    OrganFactory()
    organ.delete()
    assert state_diff(before, db_state())["organizations.Organ"] == (1, 1)


def test_snapshot_sees_a_change_to_a_wagtail_page(db):
    page = Page.objects.get(depth=2)
    before = db_state()
    page.title = page.title + "（改）"
    page.save(update_fields=["title"])
    assert "wagtailcore.Page" in state_diff(before, db_state())
