"""Writes to the registry. Each checks permission, validates, writes atomically and audits."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record
from dangjian.core.services import model_create, model_delete, model_delete_protected, model_update, require_perm
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.organizations.scoping import sees_all_organs


def _delete_protected(*, instance, by, perm: str) -> None:
    require_perm(by, perm, instance)
    model_delete_protected(instance=instance, by=by)


# Organs (单位): the working committee's list; only organizers change it.

def organ_create(*, by, **fields) -> Organ:
    require_perm(by, "organizations.add_organ")
    return model_create(instance=Organ(**fields), by=by)


def organ_update(*, organ: Organ, by, **fields) -> Organ:
    require_perm(by, "organizations.change_organ", organ)
    return model_update(instance=organ, data=fields, by=by)


def organ_delete(*, organ: Organ, by) -> None:
    _delete_protected(instance=organ, by=by, perm="organizations.delete_organ")


# Party organizations (党组织).

def _require_linked_visible(by, **linked) -> None:
    """Records a write points to (parent, party organization, person) must be in the user's scope too."""
    for obj in linked.values():
        if obj is not None:
            require_perm(by, f"organizations.view_{obj._meta.model_name}", obj)


def party_organization_create(*, by, **fields) -> PartyOrganization:
    org = PartyOrganization(**fields)
    require_perm(by, "organizations.add_partyorganization", org)
    _require_linked_visible(by, parent=fields.get("parent"))
    return model_create(instance=org, by=by)


def party_organization_update(*, party_organization: PartyOrganization, by, **fields) -> PartyOrganization:
    require_perm(by, "organizations.change_partyorganization", party_organization)
    if "organ" in fields:
        require_perm(by, "organizations.change_partyorganization", PartyOrganization(organ=fields["organ"]))
    _require_linked_visible(by, parent=fields.get("parent"))
    return model_update(instance=party_organization, data=fields, by=by)


def party_organization_delete(*, party_organization: PartyOrganization, by) -> None:
    _delete_protected(instance=party_organization, by=by, perm="organizations.delete_partyorganization")


# People (人员).

def id_number_not_registrable_message() -> str:
    """What a user who does not see the whole registry hears when an ID number is already registered: the
    same words whether the person is in one of their organs or in another one, so that the answer does not
    tell them what another organ's registry holds (docs/security.md, "Existence of ID numbers")."""
    return _("This ID number cannot be registered here. If the person is already in your organ's list of "
             "people, edit that record; otherwise ask the working committee (organizer) to transfer the "
             "person's record to your organ.")


@contextmanager
def _id_number_taken_answer(*, person: Person, by):
    """Reword the "already exists" error of the ID number (unique) for who is asking."""
    try:
        yield
    except ValidationError as error:
        errors = getattr(error, "error_dict", {}).get("id_number", [])
        if not any(item.code == "unique" for item in errors):
            raise
        if sees_all_organs(by):
            holder = Person.unscoped.select_related("organ").filter(id_number=person.id_number).first()
            message = _("A person with this ID number is already registered: %(name)s, %(organ)s.") % {
                "name": holder.name, "organ": holder.organ} if holder else errors[0].messages[0]
        else:
            message = id_number_not_registrable_message()
        error.error_dict["id_number"] = [
            ValidationError(message, code="not_registrable") if item.code == "unique" else item for item in errors
        ]
        raise


def person_create(*, by, **fields) -> Person:
    person = Person(**fields)
    require_perm(by, "organizations.add_person", person)
    with _id_number_taken_answer(person=person, by=by):
        return model_create(instance=person, by=by)


def person_update(*, person: Person, by, **fields) -> Person:
    """Update a person; moving them to another organ needs rights over both organs."""
    require_perm(by, "organizations.change_person", person)
    if "organ" in fields:
        require_perm(by, "organizations.change_person", Person(organ=fields["organ"]))
    with _id_number_taken_answer(person=person, by=by):
        return model_update(instance=person, data=fields, by=by)


def person_delete(*, person: Person, by) -> None:
    _delete_protected(instance=person, by=by, perm="organizations.delete_person")


def person_reveal(*, person: Person, by, fields: tuple[str, ...] = ("id_number", "mobile")) -> dict:
    """Full ID number and mobile phone of a person, for a user allowed to see them. Audited."""
    require_perm(by, "organizations.reveal_person", person)
    audit_record(actor=by, action="reveal", instance=person, changes={"fields": list(fields)})
    return {name: getattr(person, name) for name in fields}


# Posts (任职): person x party organization x role, over a period.

def post_create(*, by, **fields) -> Post:
    post = Post(**fields)
    if post.person_id is None:
        post.full_clean()  # reports the missing person on its field
    require_perm(by, "organizations.add_post", post.person)
    _require_linked_visible(by, party_organization=fields.get("party_organization"))
    return model_create(instance=post, by=by)


def post_update(*, post: Post, by, **fields) -> Post:
    require_perm(by, "organizations.change_post", post.person)
    if "person" in fields:
        require_perm(by, "organizations.change_post", fields["person"])
    _require_linked_visible(by, party_organization=fields.get("party_organization"))
    return model_update(instance=post, data=fields, by=by)


def post_end(*, post: Post, ended_on, by) -> Post:
    """End a post (term over, transferred, removed)."""
    return post_update(post=post, ended_on=ended_on, by=by)


def post_delete(*, post: Post, by) -> None:
    require_perm(by, "organizations.delete_post", post.person)
    model_delete(instance=post, by=by)



# Temporary party branches (临时党支部) of training classes. The training app decides who may set one up
# (training.manage_class) and calls these; they write only temporary branches and their posts.

def _require_temporary(branch: PartyOrganization) -> None:
    if branch.org_type != PartyOrganization.Type.TEMPORARY_BRANCH:
        raise ValueError(f"{branch!r} is not a temporary party branch")


def temporary_branch_found(*, organ: Organ, name: str, founded_on, by) -> PartyOrganization:
    branch = PartyOrganization(organ=organ, name=name, org_type=PartyOrganization.Type.TEMPORARY_BRANCH,
                               founded_on=founded_on, term_started_on=founded_on)
    return model_create(instance=branch, by=by)


def temporary_branch_redate(*, branch: PartyOrganization, started_on, ended_on, by) -> None:
    """Keep a temporary branch and its posts within the dates of the class it serves."""
    _require_temporary(branch)
    for post in branch.posts.all():
        model_update(instance=post, data={"started_on": started_on, "ended_on": ended_on}, by=by)
    model_update(instance=branch, data={"founded_on": started_on, "term_started_on": started_on}, by=by)


def temporary_branch_post_appoint(*, branch: PartyOrganization, person: Person, role: str, portfolio: str,
                                  started_on, ended_on, by) -> Post:
    _require_temporary(branch)
    post = Post(person=person, party_organization=branch, role=role, portfolio=portfolio, started_on=started_on,
                ended_on=ended_on, method=Post.Method.APPOINTED)
    return model_create(instance=post, by=by)


def temporary_branch_post_remove(*, post: Post, by) -> None:
    _require_temporary(post.party_organization)
    model_delete(instance=post, by=by)


def temporary_branch_dissolve(*, branch: PartyOrganization, by) -> None:
    """Remove a temporary branch with its posts (its class is deleted)."""
    _require_temporary(branch)
    for post in branch.posts.all():
        model_delete(instance=post, by=by)
    model_delete(instance=branch, by=by)
