"""Users in choices are labelled by name and where they work, never by their login name."""

import pytest
from django.utils import translation

from dangjian.accounts.models import User
from dangjian.accounts.selectors import with_affiliation
from dangjian.training import selectors
from dangjian.web.forms_training import InstructorForm, PhaseForm, VenueForm
from tests.factories import InstructorFactory, OrganFactory, PersonFactory, ProgramFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def college():
    return VenueFactory(name_zh="河南大别山干部学院", name_en="Henan Dabie Mountain Cadre College")


def test_college_staff_are_labelled_by_name_and_college(college):
    user = UserFactory(username="college", full_name="陈静", roles=["college_staff"])
    college.staff.add(user)
    assert user.affiliated_name == "陈静（河南大别山干部学院）"
    with translation.override("en"):
        assert user.affiliated_name == "陈静 (Henan Dabie Mountain Cadre College)"


def test_unit_admins_by_their_organs_and_instructors_by_their_college(college):
    admin = UserFactory(username="unitadmin", full_name="王芳", roles=["unit_admin"],
                        organs=[OrganFactory(name_zh="南阳市教育局")])
    teacher = UserFactory(username="instructor", full_name="刘强", roles=["instructor"])
    InstructorFactory(name="刘强", venue=college, user=teacher)
    outside = UserFactory(full_name="赵敏", roles=["instructor"])
    InstructorFactory(name="赵敏", venue=None, organization="南阳师范学院", user=outside)
    participant = UserFactory(full_name="苏华", roles=["participant"],
                              person=PersonFactory(organ=OrganFactory(name_zh="南阳市科学技术局")))
    assert admin.affiliated_name == "王芳（南阳市教育局）"
    assert User.objects.get(pk=teacher.pk).affiliated_name == "刘强（河南大别山干部学院）"
    assert User.objects.get(pk=outside.pk).affiliated_name == "赵敏（南阳师范学院）"
    assert participant.affiliated_name == "苏华（南阳市科学技术局）"


def test_a_user_without_a_name_is_shown_by_login_only_as_a_last_resort():
    user = UserFactory(username="helper", full_name="", roles=["organizer"])
    assert str(user) == user.affiliated_name == "helper"
    named = UserFactory(username="liming", full_name="李明", roles=["organizer"])
    assert str(named) == named.affiliated_name == "李明"
    assert named.get_full_name() == named.get_short_name() == "李明"  # Wagtail's editor and Django's admin


def test_head_teacher_choices_show_names_and_colleges_not_logins(college):
    for name, username in (("陈静", "college"), ("王老师", "wang")):
        college.staff.add(UserFactory(username=username, full_name=name, roles=["college_staff"]))
    form = PhaseForm(program=ProgramFactory(venue=college))
    labels = [label for value, label in form.fields["head_teacher"].choices if value]
    assert sorted(labels) == ["王老师（河南大别山干部学院）", "陈静（河南大别山干部学院）"]
    assert not any("college" in label or "wang" in label for label in labels)


def test_the_venue_staff_and_instructor_login_choices_show_no_logins(college):
    college.staff.add(UserFactory(username="college", full_name="陈静", roles=["college_staff"]))
    teacher = UserFactory(username="instructor", full_name="刘强", roles=["instructor"])
    InstructorFactory(name="刘强", venue=college, user=teacher)
    organizer = UserFactory(roles=["organizer"])
    staff = [label for _value, label in VenueForm(instance=college).fields["staff"].choices]
    logins = [label for value, label in InstructorForm(user=organizer).fields["user"].choices if value]
    assert staff == ["陈静（河南大别山干部学院）"]
    assert logins == ["刘强（河南大别山干部学院）"]


def test_labels_of_many_users_take_a_fixed_number_of_queries(college, django_assert_num_queries):
    for number in range(5):
        user = UserFactory(full_name=f"教师{number}", roles=["college_staff"])
        college.staff.add(user)
        InstructorFactory(venue=college, user=user)
    program = ProgramFactory(venue=college)
    users = selectors.head_teacher_choices(program=program)
    with django_assert_num_queries(3):  # the users with person and instructor record; venues; organs
        labels = [user.affiliated_name for user in with_affiliation(users)]
    assert len(labels) == 5 and all("河南大别山干部学院" in label for label in labels)
