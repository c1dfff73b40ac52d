"""The rules of shared/domain/rules.md §3-5 as the first versions of the requirements (organizers change them
in the ledger's pages: a new version from a date)."""

import datetime
from decimal import Decimal

from django.db import migrations

SECTION_TIER = ["section_chief", "section_deputy", "principal_staff", "staff", "clerk"]
DIVISION_TIER = ["bureau_chief", "bureau_deputy", "division_chief", "division_deputy", "researcher"]
PLAN_2019 = "《2019—2023年全国党员教育培训工作规划》"
CADRE_2023 = "《干部教育培训工作条例》（2023年修订）"

REQUIREMENTS = [
    dict(code="induction", kind="induction", audience="post_holders", title_zh="新任党组织书记任职培训",
         title_en="Induction training of newly appointed secretaries", deadline_months=None,
         source="《中国共产党党和国家机关基层组织工作条例》第三十一条（对新任职的党组织负责人进行任职培训）；"
                f"{PLAN_2019}（新任党组织书记一般在半年内完成任职培训）",
         effective_from=datetime.date(2019, 1, 1)),
    dict(code="secretary-annual", kind="hours", audience="post_holders", include_deputies=True,
         include_committee_members=True, title_zh="党组织书记和班子成员年度培训",
         title_en="Annual training of secretaries and committee members", min_hours=Decimal("56"),
         min_concentrated=1, source=f"{PLAN_2019}（每年不少于56学时，至少参加1次集中培训）",
         effective_from=datetime.date(2019, 1, 1)),
    dict(code="member-annual", kind="hours", audience="party_members", title_zh="党员年度集中学习培训",
         title_en="Annual concentrated training of party members", min_hours=Decimal("32"),
         counted_kind="concentrated", source=f"{PLAN_2019}（党员每年集中学习培训不少于32学时）",
         effective_from=datetime.date(2019, 1, 1)),
    dict(code="cadre-annual", kind="hours", audience="cadre_tier", rank_levels=SECTION_TIER,
         title_zh="乡科级及以下干部年度脱产培训", title_en="Annual training of section-level cadres and below",
         min_hours=Decimal("90"), min_days=12, counted_kind="concentrated",
         source=f"{CADRE_2023}（每年参加集中培训累计不少于12天或90学时）",
         effective_from=datetime.date(2024, 1, 1)),
    dict(code="cadre-five-year", kind="hours", audience="cadre_tier", rank_levels=DIVISION_TIER,
         title_zh="县处级以上干部五年脱产培训", title_en="Five-year training of division-level cadres and above",
         min_hours=Decimal("550"), counted_kind="concentrated", period_years=5, period_anchor_year=2023,
         source=f"{CADRE_2023}（每5年参加脱产培训累计不少于3个月或550学时）",
         effective_from=datetime.date(2023, 1, 1)),
    dict(code="cadre-online", kind="hours", audience="cadre_tier", rank_levels=SECTION_TIER + DIVISION_TIER,
         title_zh="干部年度网络培训", title_en="Annual online training of cadres", min_hours=Decimal("50"),
         counted_kind="online", source="《2023—2027年全国干部教育培训规划》（每年网络培训不少于50学时）",
         effective_from=datetime.date(2023, 1, 1)),
]


def create(apps, schema_editor):
    from django.conf import settings

    requirement = apps.get_model("ledger", "Requirement")
    for fields in REQUIREMENTS:
        fields = dict(fields)
        if fields["kind"] == "induction":
            fields["deadline_months"] = settings.DANGJIAN_RULES["induction_deadline_months"]
        requirement.objects.get_or_create(code=fields.pop("code"), effective_from=fields.pop("effective_from"),
                                          defaults=fields)


def remove(apps, schema_editor):
    apps.get_model("ledger", "Requirement").objects.filter(
        code__in=[fields["code"] for fields in REQUIREMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
