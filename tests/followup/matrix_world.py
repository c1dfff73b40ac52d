"""The world of the follow-up's permission matrices (pages and API): tests/followup/conftest.py's make_world with
the matrix's users — the `participant` role is the graduate `me`, the `unit_admin` role administers their organ."""

from tests.followup.conftest import make_world


def build(users, organ):
    world = make_world(organ)
    users["participant"].delete()
    users["participant"] = world.participant
    users["unit_admin"].email = "unit-admin@example.com"
    users["unit_admin"].save(update_fields=["email"])
    return world
