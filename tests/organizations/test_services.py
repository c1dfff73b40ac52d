import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.organizations import services
from dangjian.organizations.models import Organ, Person
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_person_create_validates_writes_and_audits_with_masked_values(organizer, organ):
    id_number = PersonFactory.build().id_number
    person = services.person_create(by=organizer, name="王伟", id_number=id_number, organ=organ,
                                    mobile="13812345678")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.model, entry.object_pk) == (
        "create", organizer, "organizations.person", str(person.pk))
    assert entry.changes["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert entry.changes["mobile"] == "138****5678"


def test_invalid_person_is_not_written(organizer, organ):
    with pytest.raises(ValidationError) as error:
        services.person_create(by=organizer, name="王伟", id_number="411302198005170011", organ=organ)
    assert "id_number" in error.value.message_dict
    assert not Person.unscoped.exists() and not AuditEntry.objects.exists()


def test_update_records_only_what_changed(organizer, organ):
    person = PersonFactory(organ=organ, position="科长")
    services.person_update(person=person, by=organizer, position="副局长", name=person.name)
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"position": ["科长", "副局长"]}
    services.person_update(person=person, by=organizer, position="副局长")
    assert AuditEntry.objects.filter(action="update").count() == 1  # no change, no entry


def test_unit_admin_writes_only_in_their_organs(unit_admin, organ, other_organ):
    services.person_create(by=unit_admin, name="李娜", id_number=PersonFactory.build().id_number, organ=organ)
    with pytest.raises(PermissionDenied):
        services.person_create(by=unit_admin, name="李娜", id_number=PersonFactory.build().id_number,
                               organ=other_organ)
    mine = PersonFactory(organ=organ)
    with pytest.raises(PermissionDenied):  # moving a person out to an organ they do not administer
        services.person_update(person=mine, by=unit_admin, organ=other_organ)
    with pytest.raises(PermissionDenied):
        services.person_update(person=PersonFactory(organ=other_organ), by=unit_admin, position="x")
    with pytest.raises(PermissionDenied):
        services.organ_create(by=unit_admin, code="x", name_zh="某局", sector="government")


@pytest.mark.parametrize("role", ["approver", "college_staff", "instructor", "participant", "editor", "reviewer"])
def test_roles_without_registry_rights_cannot_write(role, organ):
    user = UserFactory(roles=[role])
    with pytest.raises(PermissionDenied):
        services.person_create(by=user, name="李娜", id_number=PersonFactory.build().id_number, organ=organ)
    with pytest.raises(PermissionDenied):
        services.person_reveal(person=PersonFactory(organ=organ), by=user)


def test_reveal_returns_full_values_and_is_audited(unit_admin, organ):
    person = PersonFactory(organ=organ, mobile="13912345678")
    revealed = services.person_reveal(person=person, by=unit_admin)
    assert revealed == {"id_number": person.id_number, "mobile": "13912345678"}
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.actor == unit_admin and entry.object_pk == str(person.pk)


def test_deleting_a_party_organization_with_posts_is_refused_clearly(organizer, organ):
    post = PostFactory(person=PersonFactory(organ=organ))
    with pytest.raises(ValidationError):
        services.party_organization_delete(party_organization=post.party_organization, by=organizer)
    assert post.party_organization.__class__.unscoped.filter(pk=post.party_organization_id).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_organ_delete_refused_while_people_belong_to_it(organizer):
    organ = OrganFactory()
    PersonFactory(organ=organ)
    with pytest.raises(ValidationError):
        services.organ_delete(organ=organ, by=organizer)
    assert Organ.unscoped.filter(pk=organ.pk).exists()


def test_post_create_refuses_a_second_current_secretary(organizer, organ):
    branch = PartyOrganizationFactory(organ=organ)
    services.post_create(by=organizer, person=PersonFactory(organ=organ), party_organization=branch,
                         role="secretary", started_on=datetime.date(2022, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.post_create(by=organizer, person=PersonFactory(organ=organ), party_organization=branch,
                             role="secretary", started_on=datetime.date(2023, 3, 1))
    assert "started_on" in error.value.message_dict


def test_post_end_then_successor(organizer, organ):
    branch = PartyOrganizationFactory(organ=organ)
    old = services.post_create(by=organizer, person=PersonFactory(organ=organ), party_organization=branch,
                               role="secretary", started_on=datetime.date(2019, 3, 1))
    services.post_end(post=old, ended_on=datetime.date(2022, 2, 28), by=organizer)
    services.post_create(by=organizer, person=PersonFactory(organ=organ), party_organization=branch,
                         role="secretary", started_on=datetime.date(2022, 3, 1))
    assert branch.posts.count() == 2


def test_services_refuse_links_to_records_outside_the_users_scope(unit_admin, organ, other_organ):
    foreign_committee = PartyOrganizationFactory(organ=other_organ, org_type="committee")
    with pytest.raises(PermissionDenied):
        services.party_organization_create(by=unit_admin, organ=organ, name="临时党支部", org_type="temporary_branch",
                                           parent=foreign_committee)
    foreign_branch = PartyOrganizationFactory(organ=other_organ)
    with pytest.raises(PermissionDenied):
        services.post_create(by=unit_admin, person=PersonFactory(organ=organ), party_organization=foreign_branch,
                             role="secretary", started_on=datetime.date(2022, 3, 1))


def test_post_without_person_is_a_validation_error(organizer, organ):
    with pytest.raises(ValidationError) as error:
        services.post_create(by=organizer, party_organization=PartyOrganizationFactory(organ=organ),
                             role="secretary", started_on=datetime.date(2022, 3, 1))
    assert "person" in error.value.message_dict


def test_superuser_is_scoped_like_an_organizer(organ):
    from dangjian.organizations import selectors

    person = PersonFactory(organ=organ)
    superuser = UserFactory(is_superuser=True)
    assert list(selectors.people_list(user=superuser)) == [person]
