import pytest
from django.core.management import call_command

from dangjian.accounts.models import User
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

pytestmark = pytest.mark.django_db


def _counts():
    return (Organ.unscoped.count(), PartyOrganization.unscoped.count(), Person.unscoped.count(), Post.unscoped.count(),
            User.objects.count())


def test_loaddemo_tells_the_seed_story_and_is_idempotent(capsys):
    call_command("loaddemo")
    first = _counts()
    out = capsys.readouterr().out
    assert "organizer" in out and "dangjian-demo-2022" in out
    assert "News portal: 5 channels" in out  # the portal demo (dangjian.portal.demo)
    assert Organ.unscoped.count() == 68
    edu = Organ.unscoped.get(name_zh="南阳市教育局")
    assert edu.party_organizations.filter(org_type="committee").exists()
    assert 380 <= Person.unscoped.count() <= 420
    secretaries_2022 = Post.unscoped.filter(role="secretary", started_on__year=2022).values("person").distinct()
    assert 110 <= secretaries_2022.count() <= 130
    # Every party organization has a current secretary (temporary branches of past classes excepted).
    assert Post.unscoped.current().filter(role="secretary").count() == PartyOrganization.unscoped.exclude(
        org_type="temporary_branch").count()
    call_command("loaddemo")
    assert _counts() == first
    # Every demo row passes the models' validation.
    for model in (Organ, PartyOrganization, Person, Post):
        for obj in model.unscoped.all():
            obj.full_clean()
    # One demo login per role.
    roles = set()
    for user in User.objects.all():
        roles |= user.roles
    assert roles == {"organizer", "approver", "unit_admin", "college_staff", "instructor", "participant", "editor",
                     "reviewer"}
    assert User.objects.get(username="unitadmin").organs.filter(code="edu-bureau").exists()
    assert User.objects.get(username="participant").person is not None
