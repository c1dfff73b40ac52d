from dangjian.organizations import services
from tests.factories import PersonFactory


def test_person_created_through_service_is_audited(organizer, organ):
    person = services.person_create(by=organizer, name="王伟", id_number=PersonFactory.build().id_number,
                                    organ=organ, gender="")
    assert person.birth_date is not None
    from dangjian.core.models import AuditEntry
    entry = AuditEntry.objects.get()
    assert entry.action == "create" and "*" in entry.changes["id_number"]
