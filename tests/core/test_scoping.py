"""Scoping fails loudly (A.4): a scoped model's `objects` can be read only through visible_to(user) or,
deliberately, through `unscoped`; forgetting the scope is an error, never everything."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.scoping import ScopeError
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.training.models import Program, Session
from tests.factories import PersonFactory, PostFactory, UserFactory

SCOPED = [Organ, PartyOrganization, Person, Post, Program, Session]


@pytest.mark.parametrize("model", SCOPED)
@pytest.mark.parametrize("read", [
    list, lambda qs: qs.count(), lambda qs: qs.exists(), lambda qs: qs.first(), lambda qs: qs.get(pk=1),
    lambda qs: qs.filter(pk=1).update(), lambda qs: qs.none().delete(), lambda qs: list(qs.iterator()),
    lambda qs: qs.in_bulk([1]), lambda qs: qs.values_list("pk", flat=True)[0], lambda qs: qs.aggregate(),
])
def test_reading_objects_without_a_scope_raises(db, model, read):
    with pytest.raises(ScopeError, match="visible_to"):
        read(model.objects.all())


def test_visible_to_and_unscoped_read(db, organ, other_organ):
    mine, theirs = PersonFactory(organ=organ), PersonFactory(organ=other_organ)
    admin = UserFactory(roles=["unit_admin"], organs=[organ])
    assert list(Person.objects.visible_to(admin)) == [mine]
    assert list(Person.objects.visible_to(admin).filter(pk=theirs.pk)) == []  # chained: still scoped
    assert set(Person.unscoped.all()) == {mine, theirs}
    assert list(Person.objects.visible_to(UserFactory(roles=["participant"]))) == []  # no role: nothing


def test_django_itself_and_records_already_loaded_work(db, organ):
    post = PostFactory(person=PersonFactory(organ=organ))
    assert list(organ.people.all()) == [post.person]  # a related manager of a loaded record
    assert list(post.person.posts.all()) == [post]
    duplicate = Person(organ=organ, name="王伟", id_number=post.person.id_number)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()  # the uniqueness check reads through the default (unscoped) manager
    assert "id_number" in error.value.message_dict
    assert Person._default_manager is Person.unscoped
