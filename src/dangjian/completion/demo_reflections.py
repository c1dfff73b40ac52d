"""The demo's reflections (心得体会) of the 2022 class (issue 13, item 7).

Most participants of the 2022 class wrote a reflection on the evening their phase ended (the one withdrawn did
not); the head teacher graded them two days later — mostly pass, some excellent — and sent one back for
revision, which its author revised and resubmitted the next day and which then passed. A few authors agreed to
publish theirs; one excellent reflection whose author agreed (with their name) becomes a draft article of the
portal once the portal's channels exist (`load_reflection_draft`, called by the loader after the portal).

The texts are composed from the participants' feedback snippets (the domain's feedback_snippets.txt, copied
here), a few paragraphs each, deterministic. Written directly with the dates of 2022 (today's services date a
submission now), like the rest of the 2022 history. Idempotent: nothing is written when the class has reflections.
"""

import datetime
import random

from django.utils import timezone

from dangjian.attendance.enums import WithdrawalStatus
from dangjian.attendance.models import Withdrawal
from dangjian.completion.enums import Grade
from dangjian.completion.models import Reflection, ReflectionRevision
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Placement

OPENINGS = [
    "这次{phase}培训虽然只有短短几天，但安排紧凑、内容丰富，让我对机关党支部书记这个岗位有了全新的认识。",
    "带着“新任书记该从哪里抓起”的问题来到大别山干部学院，几天学习下来，心里有了答案。",
    "作为一名新任机关党支部书记，能参加这次集中培训，我倍感珍惜。",
    "走进大别山，聆听红色故事，重温入党誓词，这次培训是一次思想的洗礼，也是一堂生动的业务课。",
]
LESSONS = [
    "要继承和发扬大别山精神，落实在具体行动和工作中。",
    "深刻认识到自己肩负的重任，找准了机关党支部书记的角色定位。",
    "重走志仁小道，真切体会到当年红军的艰辛。",
    "在烈士陵园重温入党誓词，内心受到很大震撼。",
    "“三徐让衔”的故事让我懂得在名利面前如何自处。",
    "条例解读很及时，弄清了机关党支部书记的职责边界。",
    "第一次系统学习了发展党员的程序，回去要对照细则逐项规范。",
    "分组研讨收获很大，同行之间交流了不少实用做法。",
    "老党员讲的故事很感人，“28年红旗不倒”不再只是书本上的话。",
    "田铺大塆的变化让我看到了党建引领乡村振兴的实效。",
    "换届选举和党费收缴的内容讲得很实用，正是我们需要的。",
    "临时党支部组织的交流活动让大家很快熟悉起来。",
]
PLANS = [
    "回去后先把三会一课台账理顺，开好第一次支部委员会，把分工明确下来。",
    "把现场教学感悟转化为抓支部建设的具体举措，推动支部主题党日结合业务工作开展。",
    "要把大别山精神转化为助力南阳建设省域副中心城市的实际行动。",
    "按要求修订支部三会一课年度计划，规范发展党员工作的每一个环节。",
]
SUGGESTIONS = [
    "建议增加党务实操案例、延长研讨时间。",
    "建议把课件和政策汇编提前发给学员。",
    "希望多安排一些机关党建与业务融合的案例。",
    "建议增加组织生活会和民主评议党员的实操演练。",
]
TITLES = ["在红色沃土上汲取前行力量", "找准定位 从支部工作抓起", "传承大别山精神 做合格支部书记", "", "", ""]
REVISE_COMMENT = "内容较简略，请结合所在支部的实际，补充训后打算和具体举措，篇幅以800字左右为宜。"
PHASE_NAMES = {1: "第一期", 2: "第二期"}


def _text(rng: random.Random, phase_number: int, *, short: bool = False) -> str:
    opening = rng.choice(OPENINGS).format(phase=PHASE_NAMES.get(phase_number, ""))
    lessons = rng.sample(LESSONS, 2 if short else 4)
    if short:
        return "\n\n".join([opening, "".join(lessons)])
    first, second = "".join(lessons[:2]), "".join(lessons[2:])
    return "\n\n".join([
        opening,
        f"一是坚定了理想信念。{first}这些都让我更加深刻地理解了“为什么出发、为谁奋斗”。",
        f"二是提升了履职本领。{second}",
        f"三是明确了努力方向。{rng.choice(PLANS)}{rng.choice(SUGGESTIONS)}",
    ])


def load_reflections(program, *, head_teacher=None) -> dict:
    """Reflections of most participants of `program` (the 2022 class), graded; see the module's docstring."""
    if Reflection.unscoped.filter(nomination__program=program).exists():
        return {"created": False}
    rng = random.Random(1013)
    withdrawn = set(Withdrawal.unscoped.filter(nomination__program=program, status=WithdrawalStatus.CONFIRMED)
                    .values_list("nomination_id", flat=True))
    placements = [p for p in Placement.unscoped.filter(phase__program=program,
                                                       nomination__status=NominationStatus.CONFIRMED)
                  .select_related("phase", "nomination").order_by("phase__number", "nomination_id")
                  if p.nomination_id not in withdrawn]
    writers = [p for p in placements if rng.random() < 0.9]
    tz = timezone.get_current_timezone()
    reflections, revisions = [], []
    revise_index = 3 if len(writers) > 3 else None
    for index, placement in enumerate(writers):
        evening = datetime.datetime.combine(placement.phase.ends_on, datetime.time(20, rng.randrange(0, 60)),
                                            tzinfo=tz)
        graded_at = evening + datetime.timedelta(days=2, hours=-10 + rng.randrange(0, 6))
        excellent = index % 6 == 1
        consent = index % 6 == 1 or index % 11 == 5
        reflection = Reflection(
            nomination=placement.nomination, title=rng.choice(TITLES), text=_text(rng, placement.phase.number),
            submitted_at=evening, grade=Grade.EXCELLENT if excellent else Grade.PASS,
            grade_comment="体会深刻，举措具体，推荐交流。" if excellent else "", graded_by=head_teacher,
            graded_at=graded_at, consent_publish=consent, consent_name=consent and index % 2 == 1,
            consent_at=evening if consent else None)
        if index == revise_index:  # sent back, revised the next day, then passed
            revisions.append(ReflectionRevision(
                version=1, title="", text=_text(rng, placement.phase.number, short=True), submitted_at=evening,
                grade=Grade.REVISE, grade_comment=REVISE_COMMENT, graded_by=head_teacher, graded_at=graded_at))
            reflection.version = 2
            reflection.submitted_at = graded_at + datetime.timedelta(days=1)
            reflection.graded_at = reflection.submitted_at + datetime.timedelta(hours=20)
            reflection.grade, reflection.grade_comment = Grade.PASS, "修改后内容充实，同意通过。"
        reflections.append(reflection)
    Reflection.unscoped.bulk_create(reflections)
    if revisions:
        revised = Reflection.unscoped.get(nomination=writers[revise_index].nomination)
        for revision in revisions:
            revision.reflection = revised
        ReflectionRevision.objects.bulk_create(revisions)
    return {"created": True, "reflections": len(reflections),
            "excellent": sum(r.grade == Grade.EXCELLENT for r in reflections), "revised": len(revisions)}


def load_reflection_draft(program=None) -> object | None:
    """One excellent reflection of the 2022 class whose author agreed to be published with their name, made into a
    draft article of the portal (once; None when the portal's channel or such a reflection is missing)."""
    from dangjian.accounts.models import User
    from dangjian.completion.services import reflection_article_draft
    from dangjian.portal.drafts import REFLECTION_CHANNEL_SLUG
    from dangjian.portal.models import ChannelPage

    found = Reflection.unscoped.filter(grade=Grade.EXCELLENT, consent_publish=True, consent_name=True)
    if program is not None:
        found = found.filter(nomination__program=program)
    if found.filter(portal_page__isnull=False).exists():
        return found.filter(portal_page__isnull=False).first().portal_page
    reflection = found.select_related("nomination__program").order_by("nomination__program__year", "pk").first()
    organizer = User.objects.filter(username="organizer").first()
    if reflection is None or organizer is None or not ChannelPage.objects.filter(slug=REFLECTION_CHANNEL_SLUG).exists():
        return None
    return reflection_article_draft(reflection=reflection, by=organizer)
