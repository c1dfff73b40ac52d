"""The demo's follow-up (成果转化) of the 2022 class (closed in the demo; called from demo/enrollment.py right after
the class is held and closed): implementation plans from most of those who completed, filed within the weeks after
their phase ended; three-month follow-up reports from about two thirds, most confirmed by their unit, a few with a
comment. Written directly and dated as it happened (today's services would refuse a plan of 2022 as past its
deadline), but each plan and answer is checked by the services' own validation first. Deterministic and
idempotent: nothing is written again once the class has plans."""

import datetime
import random

from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination
from dangjian.evaluation.services import clean_answer
from dangjian.followup import selectors, services
from dangjian.followup.enums import Decision
from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation

PLAN_ACTIONS = [
    "建立“三会一课”台账，逐月登记支部委员会、党员大会和党小组会情况",
    "每季度开展一次主题党日活动，结合本单位业务工作确定主题",
    "完善组织生活会会前谈心谈话制度，支部委员与党员逐一谈心",
    "按照发展党员工作流程，梳理本支部入党积极分子培养档案",
    "年底开展民主评议党员，评议结果在支部内通报并运用",
    "每半年召开一次党建与业务融合推进会，确定一项融合项目",
    "支部书记每季度讲一次党课，结合培训班所学内容",
    "规范党费收缴，建立党费收缴台账并每季度公示",
    "整理支部工作档案，按年度分类归档",
    "建立支部委员分工联系党员制度，每名委员联系3至5名党员",
]
METHODS = ["three_meetings_one_lesson", "themed_party_day", "org_life_meeting", "democratic_appraisal",
           "member_recruitment", "integration"]
CHANGES = [
    "“三会一课”按计划召开，会议记录规范完整，党员参会率明显提高。",
    "主题党日与业务工作结合，开展了走访服务对象活动，群众反映较好。",
    "组织生活会前开展谈心谈话，批评与自我批评更加认真，整改措施落实到人。",
    "支部档案分类整理完毕，上级检查时资料齐全。",
    "党建与业务融合项目已启动，支部牵头解决了科室间协作中的两个难题。",
    "党课质量有提升，党员对支部学习的参与度提高。",
]
NEEDS = ["发展党员工作实务", "党务信息化工作", "基层党组织换届选举", "党建与业务深度融合的案例", "",
         "组织生活会的组织与主持", ""]
UNIT_COMMENTS = [
    "该同志训后履职积极，但党建与业务融合仍需深化，请结合实际进一步细化措施。",
    "“三会一课”台账已建立，但部分记录不够完整，请补充完善后再行确认。",
    "计划落实进度偏慢，请于下季度前完成组织生活会制度修订。",
]


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load_followups(program) -> dict:
    """Plans, reports and confirmations of those who completed the (closed) 2022 class."""
    if ImplementationPlan.unscoped.filter(program=program).exists():
        return {"created": False}
    from django.contrib.auth import get_user_model

    rng = random.Random(20230301)
    form = selectors.follow_up_form(program)
    nominations = list(Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED,
                                                  completion_result__completed=True)
                       .select_related("program", "person", "organ", "placement__phase").order_by("id"))
    admins = {}
    for user in get_user_model().objects.filter(groups__name=Role.UNIT_ADMIN).prefetch_related("organs"):
        for organ in user.organs.all():
            admins.setdefault(organ.pk, user)
    plans, reports = [], []
    for nomination in nominations:
        if rng.random() > 0.88:
            continue  # no plan filed
        end = selectors.class_end(nomination)
        rows = [{"action": action, "due": (end + datetime.timedelta(days=rng.randint(30, 240))).isoformat()}
                for action in rng.sample(PLAN_ACTIONS, rng.randint(2, 4))]
        filed = _local(end + datetime.timedelta(days=rng.randint(2, 25)), rng.randint(9, 21))
        plans.append(ImplementationPlan(nomination=nomination, program=program,
                                        items=services._clean_plan(nomination, rows), submitted_at=filed,
                                        updated_at=filed))
        if rng.random() < 0.76:  # about two thirds of those who completed answer the follow-up
            due = selectors.survey_due(nomination)
            choices = {"methods_applied": rng.sample(METHODS, rng.randint(1, 3))}
            texts = {"branch_changes": rng.choice(CHANGES), "further_needs": rng.choice(NEEDS)}
            scores, choices, texts = clean_answer(definition=form.definition, teaching_form=None, scores={},
                                                  choices=choices, texts=texts,
                                                  options=services.survey_options(form))
            reports.append(FollowUpReport(nomination=nomination, program=program, form=form, due_on=due,
                                          scores=scores, choices=choices, texts=texts,
                                          submitted_at=_local(due + datetime.timedelta(days=rng.randint(0, 20)), 10)))
    ImplementationPlan.unscoped.bulk_create(plans)
    FollowUpReport.unscoped.bulk_create(reports)
    confirmations = []
    demo_admin = get_user_model().objects.filter(username="unitadmin").first()
    demo_organs = set(demo_admin.organ_ids) if demo_admin else set()
    kept_pending = False
    for report in FollowUpReport.unscoped.filter(program=program).select_related("nomination").order_by("id"):
        roll = rng.random()
        if not kept_pending and report.nomination.organ_id in demo_organs:
            kept_pending = True  # the demo unit administrator has one report to confirm
            continue
        if roll > 0.85:
            continue  # still awaiting the unit
        commented = roll > 0.78
        answers = {"unit_rating": 3 if commented else rng.choice([4, 4, 3])}
        if commented:
            answers["unit_comment"] = rng.choice(UNIT_COMMENTS)
        elif rng.random() < 0.3:
            answers["unit_comment"] = "训后履职情况良好，所学方法已在支部工作中落实。"
        confirmations.append(UnitConfirmation(
            report=report, decision=Decision.COMMENTED if commented else Decision.CONFIRMED, answers=answers,
            confirmed_by=admins.get(report.nomination.organ_id),
            confirmed_at=report.submitted_at + datetime.timedelta(days=rng.randint(2, 15))))
    UnitConfirmation.unscoped.bulk_create(confirmations)
    return {"created": True, "plans": len(plans), "reports": len(reports), "confirmations": len(confirmations)}
