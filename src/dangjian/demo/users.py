"""One demo login per role. The password is the same for all and printed by loaddemo.

The demo users share one password hash (one salt): hashing is deliberately slow, and loaddemo runs on
every `make demo`, so it checks each distinct hash once instead of each user's.
"""

from django.contrib.auth.hashers import check_password, make_password

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.organizations.models import Organ, Post

DEMO_PASSWORD = "dangjian-demo-2022"

# username, full name (the name alone: where a user works comes from their college, organs or instructor
# record, User.affiliation), roles, organs administered
DEMO_USERS = [
    ("organizer", "李明", [Role.ORGANIZER], []),
    ("approver", "张华", [Role.APPROVER], []),
    ("unitadmin", "王芳", [Role.UNIT_ADMIN], ["edu-bureau", "sci-tech-bureau"]),
    ("college", "陈静", [Role.COLLEGE_STAFF], []),
    ("instructor", "刘强", [Role.INSTRUCTOR], []),
    ("participant", "", [Role.PARTICIPANT], []),
    ("editor", "赵敏", [Role.EDITOR], []),
    ("reviewer", "孙磊", [Role.REVIEWER, Role.EDITOR], []),
]


def load_users() -> list[tuple[str, str]]:
    logins = []
    # The demo participant is one of the secretaries of the Education Bureau appointed in 2022.
    participant_post = (
        Post.unscoped.filter(role=Post.Role.SECRETARY, started_on__year=2022, person__organ__code="edu-bureau")
        .select_related("person").order_by("started_on", "id").first()
    )
    existing = {user.username: user for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    valid_hashes = {h for h in {user.password for user in existing.values()} if check_password(DEMO_PASSWORD, h)}
    shared_hash = next(iter(sorted(valid_hashes)), None) or make_password(DEMO_PASSWORD)
    for username, full_name, roles, organ_codes in DEMO_USERS:
        user = existing.get(username) or User(username=username)
        if user.password not in valid_hashes:
            user.password = shared_hash
        user.full_name = full_name
        user.email = user.email or f"{username}@example.org"  # the outbox's e-mail goes to the console in the demo
        user.is_staff = Role.ORGANIZER in roles  # the organizer manages users in /admin/
        if username == "participant" and participant_post:
            user.person = participant_post.person
            user.full_name = participant_post.person.name
        user.save()
        for role in roles:
            user.grant_role(role)
        if organ_codes:
            user.organs.set(Organ.unscoped.filter(code__in=organ_codes))
        logins.append((username, ", ".join(str(Role(r).label) for r in roles)))
    return logins


# The college user works at the Dabie college; the instructor user is this demo instructor (instructors.csv).
DEMO_COLLEGE_CODE = "dabie-cadre-college"
DEMO_INSTRUCTOR_NAME = "刘强"


def link_training_users(*, by) -> None:
    """Make the demo `college` user staff (Venue.staff) of the Dabie college and link the demo `instructor`
    user to the demo instructor 刘强, who teaches in both phases of the seed program. Through the library
    service (audited); nothing changes when the links exist."""
    from dangjian.training.models import Instructor, Venue
    from dangjian.training.services import library_update

    college = Venue.objects.filter(code=DEMO_COLLEGE_CODE).first()
    if college is None:
        return
    college_user = User.objects.get(username="college")
    if not college.staff.filter(pk=college_user.pk).exists():
        library_update(instance=college, by=by, m2m={"staff": [*college.staff.all(), college_user]})
    instructor_user = User.objects.get(username="instructor")
    instructor = Instructor.objects.filter(name=DEMO_INSTRUCTOR_NAME, venue=college).first()
    if instructor is not None and instructor.user_id is None and not hasattr(instructor_user, "instructor_profile"):
        library_update(instance=instructor, by=by, user=instructor_user)
