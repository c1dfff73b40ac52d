"""One demo login per role. The password is the same for all and printed by loaddemo."""

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.organizations.models import Organ, Post

DEMO_PASSWORD = "dangjian-demo-2022"

# username, full name, roles, organs administered
DEMO_USERS = [
    ("organizer", "工委组织部 李明", [Role.ORGANIZER], []),
    ("approver", "市委 张华", [Role.APPROVER], []),
    ("unitadmin", "教育局党务干部 王芳", [Role.UNIT_ADMIN], ["edu-bureau", "sci-tech-bureau"]),
    ("college", "大别山干部学院 班主任 陈静", [Role.COLLEGE_STAFF], []),
    ("instructor", "大别山干部学院 教师 刘强", [Role.INSTRUCTOR], []),
    ("participant", "", [Role.PARTICIPANT], []),
    ("editor", "工委宣传 赵敏", [Role.EDITOR], []),
    ("reviewer", "工委审核 孙磊", [Role.REVIEWER, Role.EDITOR], []),
]


def load_users() -> list[tuple[str, str]]:
    logins = []
    # The demo participant is one of the secretaries of the Education Bureau appointed in 2022.
    participant_post = (
        Post.objects.filter(role=Post.Role.SECRETARY, started_on__year=2022, person__organ__code="edu-bureau")
        .select_related("person").order_by("started_on", "id").first()
    )
    for username, full_name, roles, organ_codes in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.full_name = full_name
        user.is_staff = Role.ORGANIZER in roles  # the organizer manages users in /admin/
        if username == "participant" and participant_post:
            user.person = participant_post.person
            user.full_name = participant_post.person.name
        user.save()
        for role in roles:
            user.grant_role(role)
        if organ_codes:
            user.organs.set(Organ.objects.filter(code__in=organ_codes))
        logins.append((username, ", ".join(str(Role(r).label) for r in roles)))
    return logins
