"""Portal drafts from the training records (issue 4, item 6): "enter once, use everywhere".

notice_draft  the enrollment notice (报名通知) of a program, from its plan: title, target participants, phases with
              dates and days, venue, quotas, contacts, closing date, and the nomination spreadsheet template
              attached as a Wagtail document; a NoticePage in the channel NOTICE_CHANNEL_SLUG.
report_draft  the news report after the training, in the seed article's structure (title "… 在 … 举办", time,
              source = the organizer, a lead paragraph with the number of participants, sections on phases × days,
              venue, content and teaching forms, and on feedback when there is any); an ArticlePage in the channel
              REPORT_CHANNEL_SLUG.

Both are created as draft revisions, never live: they reach the public site only through the review workflow.
Every figure comes from the records; where a record is empty the text says so in 【…】 for the editor to fill.
The text is Chinese, the portal's content language, whatever the organizer's interface language.

Channels are found by slug (NOTICE_CHANNEL_SLUG, REPORT_CHANNEL_SLUG), stable when editors rename them; the demo
creates them with these slugs.
"""

import datetime
import io
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from wagtail.documents import get_document_model
from wagtail.models import Collection

from dangjian.core.audit import audit_record
from dangjian.organizations import selectors as registry
from dangjian.portal.models import ArticlePage, ChannelPage, NoticeAttachment, NoticePage, chinese_numeral
from dangjian.training import selectors as training

NOTICE_CHANNEL_SLUG = "tongzhi-gonggao"  # 通知公告
REPORT_CHANNEL_SLUG = "shixian-dongtai"  # 党建动态 › 党建资讯 › 市县动态
# The nominations are due this many days before the first phase starts, unless the caller gives a date.
# A drafting default: the editor sees it in the draft and changes it there.
NOMINATION_LEAD_DAYS = 10
# The nomination spreadsheet's columns (推荐人选汇总表).
NOMINATION_COLUMNS = ["单位", "姓名", "性别", "职务", "所在党组织", "任职时间", "联系电话", "参训期次"]
ADDRESSEES = "市直各单位党组（党委）、机关党委（党总支、党支部）："
MISSING = "【{}】"


def _missing(what: str) -> str:
    return MISSING.format(what)


def _date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _channel(slug: str) -> ChannelPage:
    channel = ChannelPage.objects.filter(slug=slug).order_by("depth", "path").first()
    if channel is None:
        raise ValidationError(_("The portal has no channel with the slug “%(slug)s”: create it in the editor "
                                "(/cms/) or load the demo.") % {"slug": slug})
    return channel


def _free_slug(parent, base: str) -> str:
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _create_draft(*, channel, page, by):
    """Add the page under the channel, not live, and save its first revision as a draft (for the workflow)."""
    page.live = False
    page.owner = by
    page.slug = _free_slug(channel, page.slug)
    channel.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    return page


def _phases(program) -> list:
    return list(training.program_phases(program=program))


def _venue_name(program) -> str:
    return program.venue.name_zh if program.venue_id else _missing("培训地点")


def _count(number: int) -> str:
    """A count in Chinese words: 两 for 2 (分两期), else 一, 三, 十二, …"""
    return "两" if number == 2 else chinese_numeral(number)


def _phase_lines(phases) -> list[str]:
    """第一期：2022年10月10日至10月14日（5天） — one line per phase."""
    return [f"第{chinese_numeral(phase.number)}期：{_date(phase.starts_on)}至{_date(phase.ends_on)}"
            f"（{phase.day_count}天）" for phase in phases]


def _days_sentence(phases) -> str:
    """培训分两期进行，每期5天 / 第一期5天、第二期4天."""
    if not phases:
        return _missing("期次安排")
    counts = [phase.day_count for phase in phases]
    if len(set(counts)) == 1:
        return f"培训分{_count(len(phases))}期进行，每期{counts[0]}天"
    parts = "、".join(f"第{chinese_numeral(p.number)}期{p.day_count}天" for p in phases)
    return f"培训分{_count(len(phases))}期进行，其中{parts}"


# Notice ---------------------------------------------------------------------------------------------------

def organ_quotas(*, program, by, on: datetime.date | None = None) -> list[dict]:
    """Quota per organ before any nomination: the program's planned participants split evenly over the organs
    that have newly appointed secretaries (registry: first secretary post within the rule newly_appointed_months
    before `on`, the first phase's first day by default; organizations.selectors.people_list), the remainder one
    each to the organs with the most new secretaries. Each row: organ, new_secretaries (the count), quota."""
    if on is None:
        first = program.phases.order_by("number").first()
        on = first.starts_on if first is not None else timezone.localdate()
    since = registry.newly_appointed_since_default(on)
    counts: dict[int, dict] = {}
    for person in registry.people_list(user=by, newly_appointed_since=since):
        row = counts.setdefault(person.organ_id, {"organ": person.organ, "new_secretaries": 0})
        row["new_secretaries"] += 1
    rows = sorted(counts.values(), key=lambda row: (-row["new_secretaries"], row["organ"].code))
    if not rows:
        return []
    share, remainder = divmod(program.planned_participants, len(rows))
    for index, row in enumerate(rows):
        row["quota"] = share + (1 if index < remainder else 0)
    return rows


def nomination_workbook(*, program, phases, quotas) -> bytes:
    """The nomination template (推荐人选汇总表): one header row to fill in, and the quota per organ."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "推荐人选汇总表"
    sheet.append([f"{program.title}参训人员推荐人选汇总表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(NOMINATION_COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (28, 10, 6, 20, 28, 14, 16, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([])
    sheet.append(["参训期次：" + "；".join(_phase_lines(phases))])
    quota_sheet = workbook.create_sheet("名额分配")
    quota_sheet.append(["单位", "新任党组织书记人数", "分配名额"])
    for cell in quota_sheet[1]:
        cell.font = Font(bold=True)
    quota_sheet.column_dimensions["A"].width = 32
    for row in quotas:
        quota_sheet.append([row["organ"].name_zh, row["new_secretaries"], row["quota"]])
    quota_sheet.append(["合计", sum(row["new_secretaries"] for row in quotas), sum(row["quota"] for row in quotas)])
    quota_sheet.append([])
    quota_sheet.append([f"说明：计划培训{program.planned_participants}人，在有新任党组织书记的"
                        f"{len(quotas)}个单位之间平均分配，余数优先分配给新任书记较多的单位。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _notice_body(*, program, phases, quotas, closing: datetime.date) -> str:
    organizer = program.organizer.name_zh
    target = program.target_population.strip() or _missing("培训对象")
    purpose = program.purpose.strip()
    contact = program.contact_name or _missing("联系人")
    phone = program.contact_phone or _missing("联系电话")
    phase_text = "；".join(_phase_lines(phases)) or _missing("期次安排")
    quota_text = (f"计划培训{program.planned_participants}人。名额分配：见附件（按有新任党组织书记的"
                  f"{len(quotas)}个单位平均分配）。" if quotas else
                  f"计划培训{program.planned_participants}人。名额分配：见附件。")
    paragraphs = [
        f"<p>{escape(ADDRESSEES)}</p>",
        f"<p>{escape('为' + purpose.rstrip('。') + '，' if purpose else '')}经研究，决定举办{escape(program.title)}。"
        "现将有关事项通知如下：</p>",
        "<h3>一、培训对象</h3>", f"<p>{escape(target)}</p>",
        "<h3>二、培训时间</h3>", f"<p>{escape(_days_sentence(phases))}。{escape(phase_text)}。</p>",
        "<h3>三、培训地点</h3>", f"<p>{escape(_venue_name(program))}</p>",
        "<h3>四、名额分配</h3>", f"<p>{escape(quota_text)}</p>",
        "<h3>五、报名要求</h3>",
        f"<p>请各单位认真做好参训人员推荐工作，于{_date(closing)}前将《参训人员推荐人选汇总表》（见附件）"
        f"报送{escape(organizer)}。</p>",
        "<h3>六、联系方式</h3>", f"<p>联系人：{escape(contact)}，联系电话：{escape(phone)}。</p>",
        f"<p>{escape(organizer)}</p>",
    ]
    return "".join(paragraphs)


def notice_draft(*, program, by, closing_date: datetime.date | None = None) -> NoticePage:
    """Draft the enrollment notice of `program` (a draft NoticePage in the notices channel, not live) with the
    nomination spreadsheet template attached."""
    channel = _channel(NOTICE_CHANNEL_SLUG)
    with translation.override("zh-hans"), transaction.atomic():
        phases = _phases(program)
        quotas = organ_quotas(program=program, by=by, on=phases[0].starts_on if phases else None)
        if closing_date is None:
            first_day = phases[0].starts_on if phases else timezone.localdate()
            closing_date = first_day - datetime.timedelta(days=NOMINATION_LEAD_DAYS)
        collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
        document = get_document_model()(title=f"{program.title}参训人员推荐人选汇总表", collection=collection,
                                        uploaded_by_user=by)
        document.file.save(f"nomination-template-{program.pk}.xlsx",
                           ContentFile(nomination_workbook(program=program, phases=phases, quotas=quotas)),
                           save=False)
        document.save()
        page = NoticePage(
            title=f"关于举办{program.title}的通知", slug=f"peixun-{program.pk}-tongzhi",
            published_at=timezone.now(), source=program.organizer.name_zh, closing_date=closing_date,
            body=_notice_body(program=program, phases=phases, quotas=quotas, closing=closing_date),
            attachments=[NoticeAttachment(document=document, title="参训人员推荐人选汇总表")],
        )
        _create_draft(channel=channel, page=page, by=by)
        audit_record(actor=by, action="create", instance=page, changes={"program": program.pk, "draft": "notice"})
    return page


# Report ---------------------------------------------------------------------------------------------------

def reported_participants(*, program) -> int:
    """How many took part, for the report. There are no enrollment records yet: the plan's number stands in
    (planned_participants) until the enrollment app counts the enrolled and completed."""
    return program.planned_participants


def feedback_lines(*, program) -> list[str]:
    """Participants' feedback for the report's last section: the overall satisfaction of the anonymous session
    cards and two or three quoted open answers (evaluation.analysis); no lines while the answers are too few to
    show, and the report leaves the section out."""
    from dangjian.evaluation.analysis import feedback_sentences

    return feedback_sentences(program)


def _hours(value) -> str:
    return f"{value.normalize():f}"


def _report_body(*, program, phases) -> list[dict]:
    venue = _venue_name(program)
    organizer = program.organizer.name_zh
    participants = reported_participants(program=program)
    mix = training.teaching_form_mix(program=program)
    forms = [row for row in mix["forms"] if row["category"] != "other"]
    lead = (f"近日，{program.title}在{venue}举办，共{participants}名学员参加培训。")
    if program.purpose.strip():
        lead = f"为{program.purpose.strip().rstrip('。')}，{lead}"
    basis = f"，按照{program.legal_basis.strip()}的要求" if program.legal_basis.strip() else ""
    second = f"此次培训由{organizer}组织{basis}开展。{_days_sentence(phases)}。"
    if len(phases) > 1:
        second += "其中" + "；".join(_phase_lines(phases)) + "。"
    if program.content.strip():
        second += program.content.strip()
    if forms:
        form_text = "、".join(f"{row['label']}{_hours(row['hours'])}学时" for row in forms)
        second += f"培训共安排{_hours(mix['total_hours'])}学时，其中{form_text}。"
    body = [{"type": "paragraph", "value": f"<p>{escape(lead)}</p>"},
            {"type": "section", "value": ""},
            {"type": "paragraph", "value": f"<p>{escape(second)}</p>"}]
    lines = feedback_lines(program=program)
    if lines:
        body.append({"type": "section", "value": ""})
        body.extend({"type": "paragraph", "value": f"<p>{escape(line)}</p>"} for line in lines)
    return body


def report_draft(*, program, by) -> ArticlePage:
    """Draft the news report of `program` in the seed article's structure (a draft ArticlePage in 市县动态)."""
    channel = _channel(REPORT_CHANNEL_SLUG)
    with translation.override("zh-hans"), transaction.atomic():
        phases = _phases(program)
        last_day = phases[-1].ends_on if phases else timezone.localdate()
        venue = program.venue.name_zh if program.venue_id else ""
        title = f"{program.title}在{venue}举办" if venue else f"{program.title}举办"
        body = _report_body(program=program, phases=phases)
        page = ArticlePage(
            title=title[:255], slug=f"peixun-{program.pk}-baodao",
            published_at=timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(17))),
            source=program.organizer.name_zh,
            summary=f"{reported_participants(program=program)}名学员参加{program.title}。"[:300],
            body=json.dumps(body),
        )
        _create_draft(channel=channel, page=page, by=by)
        audit_record(actor=by, action="create", instance=page, changes={"program": program.pk, "draft": "report"})
    return page


# Reflection ---------------------------------------------------------------------------------------------------

REFLECTION_CHANNEL_SLUG = "lilun-xuexi"  # 理论学习
REFLECTION_TITLE_PREFIX = "学员心得｜"


def _first_sentence(line: str, limit: int = 30) -> str:
    """The first sentence of a line (to 。！？), at most `limit` characters (then …)."""
    for end in "。！？!?":
        line = line.split(end, 1)[0]
    line = line.strip()
    return line if len(line) <= limit else line[:limit - 1] + "…"


def reflection_draft(reflection, by) -> ArticlePage:
    """Draft an article of the portal from a participant's reflection (心得体会): an ArticlePage in 理论学习, not
    live. Only an excellent reflection whose author agreed to publish it (refused in words otherwise); the author's
    name only when they agreed to be named, else "参训学员". Source: the program's organizer. The caller
    (completion.services.reflection_article_draft) asks the permission and makes it once per reflection."""
    from dangjian.completion.enums import Grade

    if reflection.grade != Grade.EXCELLENT:
        raise ValidationError(_("Only a reflection graded excellent can become a portal article."))
    if not reflection.consent_publish:
        raise ValidationError(_("The author has not agreed to publish this reflection."))
    channel = _channel(REFLECTION_CHANNEL_SLUG)
    program = reflection.nomination.program
    with translation.override("zh-hans"), transaction.atomic():
        heading = reflection.title.strip() or _first_sentence(reflection.first_line) or program.title
        author = reflection.nomination.person.name if reflection.consent_name else "参训学员"
        paragraphs = [line.strip() for line in reflection.text.splitlines() if line.strip()]
        if not paragraphs:
            paragraphs = [_missing("心得体会以附件提交，请编辑录入正文")]
        body = [{"type": "paragraph", "value": f"<p>{escape(line)}</p>"} for line in paragraphs]
        summary = f"{program.title}学员心得体会。"
        page = ArticlePage(
            title=f"{REFLECTION_TITLE_PREFIX}{heading}"[:255], slug=f"xinde-{reflection.pk}",
            published_at=timezone.now(), source=program.organizer.name_zh, author=author[:60],
            summary=summary[:300], body=json.dumps(body))
        _create_draft(channel=channel, page=page, by=by)
        audit_record(actor=by, action="create", instance=page,
                     changes={"reflection": reflection.pk, "draft": "reflection"})
    return page
