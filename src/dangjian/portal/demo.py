"""The portal part of the Nanyang demo: the home page as the default site's root, the seed's channels, the seed
article (../shared/seed/nanyang-training-article.txt, in Chinese as published, with the English text as given),
30 demo articles and notices across the channels, and the report drafted from the demo program (a draft).

Idempotent and fast: pages are looked up by slug under their parent and created (and published through a
revision) only when missing; existing pages are left as the editors left them.
"""

import datetime
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage, RelatedLink
from dangjian.portal.permissions import grant_portal_permissions

HOME_TITLE = "南阳市直机关党建网"
SEED_SOURCE = "中共南阳市委市直机关工委"

# (slug, title, English title as in the seed's breadcrumbs, parent slug or None for a top-level channel)
CHANNELS = [
    ("dangjian-dongtai", "党建动态", "Party building trends", None),
    ("dangjian-zixun", "党建资讯", "Party building information", "dangjian-dongtai"),
    ("shixian-dongtai", "市县动态", "City and County Dynamics", "dangjian-zixun"),
    ("tongzhi-gonggao", "通知公告", "Notices", None),
    ("lilun-xuexi", "理论学习", "Theory study", None),
]

SEED_SLUG = "xinren-shuji-peixunban-2022"
SEED_TITLE = "南阳市直机关新任党组织书记培训班在大别山干部学院举办"
SEED_BODY = [
    ("paragraph", "<p>为全面提升南阳市直机关党员干部党性观念，提高机关新任党组织书记聚焦基层党建的综合能力和素质，"
                  "以机关党建助力省域副中心城市建设，近日，南阳市直机关党员干部党性教育培训班在大别山干部学院举办，"
                  "市直机关110余名新任党组织书记参加培训。</p>"),
    ("section", ""),
    ("paragraph", "<p>此次培训由南阳市委市直机关工委报经市委同意，按照《中国共产党党和国家机关基层组织工作条例》"
                  "关于新任机关党组织负责人培训的要求组织开展。培训分两期进行，每期5天，在学习机关党建基本理论和"
                  "业务知识的基础上，重点依托大别山干部学院红色教育资源开展党性教育，引导党务干部进一步增强“四个意识”、"
                  "坚定“四个自信”、做到“两个维护”。通过理论教学、参观学习、现场教学、交流研讨等形式，"
                  "全面提升新任机关党务干部的综合素质。</p>"),
    ("section", ""),
    ("paragraph", "<p>参训学员纷纷表示，此次培训政治性强、内容丰富、形式灵活，5天的培训收获满满，为做好机关党建工作"
                  "提供了政治、理论和业务支撑，也增强了做好工作的使命感、荣誉感和责任感。下一步，将把培训成果落实到"
                  "机关党建日常工作中，以优异成绩迎接党的二十大胜利召开。</p>"),
]

# Demo items, not from the seed: short texts so that channels, lists and the front page have something in them.
# (channel slug, slug, kind, title, date, source, paragraphs, closing date for notices)
DEMO_ITEMS = [
    ("tongzhi-gonggao", "xinren-shuji-peixunban-tongzhi-2022", "notice",
     "关于举办市直机关新任党组织书记培训班的通知", datetime.date(2022, 9, 20), SEED_SOURCE,
     ["市直各单位党组（党委）、机关党委（党总支、党支部）：",
      "经市委同意，市委市直机关工委定于2022年10月在大别山干部学院举办市直机关新任党组织书记培训班，"
      "分两期进行，每期5天。请各单位按分配名额推荐参训人员，于9月30日前报送推荐人选名单。"],
     datetime.date(2022, 9, 30)),
    ("tongzhi-gonggao", "dangwu-ganbu-lunxun-tongzhi-2022", "notice",
     "关于开展2022年度机关党务干部轮训工作的通知", datetime.date(2022, 6, 8), SEED_SOURCE,
     ["为进一步提高机关党务干部业务能力，工委决定于下半年开展机关党务干部轮训，具体安排另行通知。"],
     datetime.date(2022, 6, 30)),
    ("tongzhi-gonggao", "youxiu-dangzuzhi-tuijian-2022", "notice",
     "关于推荐市直机关先进基层党组织的通知", datetime.date(2022, 5, 16), SEED_SOURCE,
     ["请各单位按照评选条件认真组织推荐，推荐材料经本单位党组（党委）审核后报工委组织部。"],
     datetime.date(2022, 6, 10)),
    ("shixian-dongtai", "jiaoyuju-zhutidangri-2022", "article",
     "市教育局机关党委开展“喜迎二十大”主题党日活动", datetime.date(2022, 9, 28), "南阳市教育局机关党委",
     ["近日，市教育局机关党委组织各支部党员开展主题党日活动，重温入党誓词，交流学习体会。"], None),
    ("shixian-dongtai", "kejiju-dangjian-yewu-ronghe-2022", "article",
     "市科技局推动机关党建与业务工作深度融合", datetime.date(2022, 9, 15), "南阳市科学技术局",
     ["市科技局坚持党建引领，围绕科技创新重点任务设立党员先锋岗，推动党建与业务同频共振。"], None),
    ("dangjian-zixun", "mofan-jiguan-chuangjian-2022", "article",
     "市直机关深入推进模范机关创建工作", datetime.date(2022, 8, 30), SEED_SOURCE,
     ["市直机关各级党组织以创建模范机关为抓手，持续加强机关党的政治建设、思想建设和组织建设。"], None),
    ("dangjian-zixun", "jiceng-dangzuzhi-huanjie-2022", "article",
     "市直机关基层党组织按期换届工作有序推进", datetime.date(2022, 7, 12), SEED_SOURCE,
     ["工委加强对基层党组织换届工作的指导，督促到期党组织按期换届，做到应换尽换。"], None),
    ("lilun-xuexi", "tiaoli-xuexi-fudao-2022", "article",
     "认真学习《中国共产党党和国家机关基层组织工作条例》", datetime.date(2022, 6, 20), SEED_SOURCE,
     ["《条例》是新时代加强和改进党和国家机关基层党组织建设的基本遵循。"], None),
]


# Further demo items (issue 4, item 7), marked demo by the slug prefix DEMO_PREFIX (Page.objects.filter(
# slug__startswith="demo-") finds them all). Invented, short, in the manner of the channels' real news.
DEMO_PREFIX = "demo-"
UNITS = {
    "jiaoyu": "南阳市教育局机关党委", "caizheng": "南阳市财政局机关党委", "gongan": "南阳市公安局机关党委",
    "weijian": "南阳市卫生健康委员会机关党委", "shuili": "南阳市水利局机关党委", "shangwu": "南阳市商务局机关党委",
    "zhufang": "南阳市住房和城乡建设局机关党委", "nongye": "南阳市农业农村局机关党委",
}
MORE_DEMO_ITEMS = [
    ("shixian-dongtai", "caizheng-dangke", "article", "市财政局开展“书记讲党课”活动",
     datetime.date(2022, 8, 5), UNITS["caizheng"],
     ["市财政局各支部书记围绕学习贯彻党章党规讲授专题党课，引导党员干部把党建成果转化为"
      "推动财政工作的实际成效。"],
     None),
    ("shixian-dongtai", "gongan-xianfenggang", "article", "市公安局机关党委评选表彰“党员先锋岗”",
     datetime.date(2022, 7, 28), UNITS["gongan"],
     ["市公安局机关党委开展“党员先锋岗”评选，20个岗位受到表彰，激励党员民警在急难险"
      "重任务中冲锋在前。"],
     None),
    ("shixian-dongtai", "weijian-yiliao-fuwu", "article", "市卫健委党员志愿服务队走进社区开展义诊",
     datetime.date(2022, 8, 19), UNITS["weijian"],
     ["市卫健委组织党员医务人员深入社区开展义诊和健康宣教，为群众提供血压测量、慢病咨询"
      "等服务。"],
     None),
    ("shixian-dongtai", "shuili-fangxun", "article", "市水利局党员干部坚守防汛一线",
     datetime.date(2022, 7, 6), UNITS["shuili"],
     ["入汛以来，市水利局成立党员突击队，分组驻守重点水库和河道，确保安全度汛。"],
     None),
    ("shixian-dongtai", "shangwu-youhua-huanjing", "article", "市商务局以党建引领优化营商环境",
     datetime.date(2022, 6, 24), UNITS["shangwu"],
     ["市商务局把支部建在项目上，党员干部包联重点企业，帮助企业解决用工、物流等实际困难"
      "。"],
     None),
    ("shixian-dongtai", "zhufang-zhuti-dangri", "article", "市住建局开展“红色教育基地行”主题党日",
     datetime.date(2022, 6, 30), UNITS["zhufang"],
     ["市住建局组织党员赴南阳革命纪念馆参观学习，重温入党誓词，接受革命传统教育。"],
     None),
    ("shixian-dongtai", "nongye-xiangcun-zhenxing", "article", "市农业农村局党员干部助力乡村振兴",
     datetime.date(2022, 9, 9), UNITS["nongye"],
     ["市农业农村局选派党员技术骨干深入乡村，开展种植技术培训和产业帮扶。"],
     None),
    ("shixian-dongtai", "jiaoyu-qingnian-lilun", "article", "市教育局青年理论学习小组开展交流研讨",
     datetime.date(2022, 5, 20), UNITS["jiaoyu"],
     ["市教育局青年理论学习小组围绕“青年干部如何担当作为”开展研讨，10名青年干部交流"
      "发言。"],
     None),
    ("dangjian-zixun", "dangwu-ganbu-peixun", "article", "市直机关党务干部业务培训班开班",
     datetime.date(2022, 7, 18), SEED_SOURCE,
     ["培训围绕党支部工作规范、党费收缴使用管理、发展党员程序等内容进行专题辅导。"],
     None),
    ("dangjian-zixun", "qingnian-ganbu-dushu", "article", "市直机关青年干部读书分享会举行",
     datetime.date(2022, 4, 23), SEED_SOURCE,
     ["在世界读书日之际，市直机关青年干部分享读书心得，倡导多读书、读好书。"],
     None),
    ("dangjian-zixun", "zhibu-biaozhunhua", "article", "市直机关推进党支部标准化规范化建设",
     datetime.date(2022, 5, 12), SEED_SOURCE,
     ["工委制定党支部标准化规范化建设工作清单，从组织设置、组织生活、党员管理等方面明确"
      "标准。"],
     None),
    ("dangjian-zixun", "dangfei-jiancha", "article", "工委开展党费收缴使用管理专项检查",
     datetime.date(2022, 8, 16), SEED_SOURCE,
     ["工委组成检查组，对市直机关党费收缴、使用和管理情况进行专项检查，督促问题整改。"],
     None),
    ("dangjian-zixun", "jiguan-dangjian-yantao", "article", "机关党建理论研讨会召开",
     datetime.date(2022, 9, 22), SEED_SOURCE,
     ["研讨会收到理论文章60余篇，与会同志围绕机关党建与业务融合进行交流。"],
     None),
    ("dangjian-zixun", "shuji-shuzhi-pingyi", "article", "市直机关党组织书记抓党建述职评议工作启动",
     datetime.date(2022, 1, 10), SEED_SOURCE,
     ["工委部署开展年度党组织书记抓基层党建工作述职评议，压实书记第一责任人责任。"],
     None),
    ("tongzhi-gonggao", "zhuti-dangri-tongzhi", "notice", "关于开展“喜迎二十大”主题党日活动的通知",
     datetime.date(2022, 9, 1), SEED_SOURCE,
     ["市直各单位党组（党委）、机关党委：", "请各单位结合实际组织开展主题党日活动，并于9月30日前报送活动开展情况。"],
     datetime.date(2022, 9, 30)),
    ("tongzhi-gonggao", "dangtuanzu-tongji-tongzhi", "notice", "关于报送2022年度党内统计数据的通知",
     datetime.date(2022, 11, 25), SEED_SOURCE,
     ["请各单位按照党内统计工作要求，认真核对党员和党组织信息，按时报送统计数据。"],
     datetime.date(2022, 12, 15)),
    ("tongzhi-gonggao", "youxiu-dangyuan-gongshi", "notice", "市直机关优秀共产党员拟表彰对象公示",
     datetime.date(2022, 6, 20), SEED_SOURCE,
     ["经各单位推荐、工委审核，现将拟表彰对象予以公示，公示期5个工作日。"],
     datetime.date(2022, 6, 27)),
    ("tongzhi-gonggao", "lilun-wenzhang-zhengji", "notice", "关于征集机关党建理论研究文章的通知",
     datetime.date(2022, 7, 1), SEED_SOURCE,
     ["为深化机关党建理论研究，现面向市直机关征集理论文章，欢迎广大党员干部踊跃投稿。"],
     datetime.date(2022, 8, 31)),
    ("lilun-xuexi", "dangzhang-xuexi", "article", "学习党章 遵守党章 贯彻党章 维护党章",
     datetime.date(2022, 3, 15), SEED_SOURCE,
     ["党章是党的根本大法，是全党必须共同遵守的根本行为规范。"],
     None),
    ("lilun-xuexi", "zhibu-gongzuo-tiaoli", "article", "《中国共产党支部工作条例（试行）》学习要点",
     datetime.date(2022, 4, 8), SEED_SOURCE,
     ["党支部是党的基础组织，是党在社会基层组织中的战斗堡垒。本文梳理条例的主要内容和学"
      "习要点。"],
     None),
    ("lilun-xuexi", "hongse-jiyin", "article", "传承大别山精神 赓续红色血脉",
     datetime.date(2022, 10, 20), SEED_SOURCE,
     ["大别山精神是党和人民宝贵的精神财富，机关党员干部要从中汲取奋进力量。"],
     None),
    ("lilun-xuexi", "zuofeng-jianshe", "article", "以优良作风推动机关党建高质量发展",
     datetime.date(2022, 11, 2), SEED_SOURCE,
     ["机关作风建设关系党的形象，要持续纠治形式主义、官僚主义，切实为基层减负。"],
     None),
]
MORE_DEMO_ITEMS = [(channel, DEMO_PREFIX + slug, *rest) for channel, slug, *rest in MORE_DEMO_ITEMS]

# The seed's English text as given in ../shared/seed/nanyang-training-article.txt (shown in English).
SEED_TITLE_EN = ("The training of new Party organization secretaries of Nanyang municipal organs was held in Dabie "
                 "Mountain Cadre College")
# The committee has one English name everywhere (the footers, organs.csv, the portal's header).
SEED_SOURCE_EN = "Working Committee of Organs Directly under the CPC Nanyang Municipal Committee"
FORMER_SOURCE_EN = "Working Committee of Nanyang Municipal Government Offices"  # the seed's own translation
SEED_BODY_EN = [
    ("paragraph", "<p>In order to comprehensively improve the Party spirit concept of the Party cadres of the organs "
                  "directly under Nanyang City, improve the comprehensive ability and quality of the new party "
                  "organization secretaries of the organs to focus on grass-roots party building, and help the "
                  "construction of provincial sub central cities with the party building of the organs, recently, "
                  "the party spirit education and training of the Party cadres of the organs directly under Nanyang "
                  "City was held in the Dabie Mountain Trunk College, and more than 110 new party organization "
                  "secretaries of the organs directly under the city participated in the training.</p>"),
    ("section", ""),
    ("paragraph", "<p>The training was carried out by the Working Committee of Organs Directly under the CPC "
                  "Nanyang Municipal Committee with the approval of the Municipal Party Committee, in accordance with "
                  "the requirements of the Regulations on the Work of Grass roots Organizations of the Communist "
                  "Party of China and State Organs for the training of party organization heads of newly appointed "
                  "organs. The training is carried out in two phases, each of which lasts for five days. On the basis "
                  "of learning the basic theory and business knowledge of the party building of the organ, it focuses "
                  "on relying on the red education resources of the Dabie Mountain Cadre College to carry out party "
                  "spirit education, guide party affairs cadres to further enhance the \"four consciousness\", "
                  "strengthen the \"four self-confidence\", and achieve the \"two maintenance\". Through theoretical "
                  "teaching, visiting and learning, on-site learning, exchange and research and other forms, the "
                  "comprehensive quality of party affairs cadres in newly appointed organs will be comprehensively "
                  "improved.</p>"),
    ("section", ""),
    ("paragraph", "<p>Participants said that the training was highly political, rich in content and flexible in "
                  "form, and the five-day training was fruitful, which provided political, theoretical and "
                  "professional support for the party building work of the organ, and also enhanced the sense of "
                  "mission, honor and responsibility of doing a good job. The next step will be to implement the "
                  "training results into the daily party building work of the organ, Welcome the 20th CPC National "
                  "Congress with outstanding achievements.</p>"),
]
SEED_ENGLISH = {
    "title_en": SEED_TITLE_EN, "source_en": SEED_SOURCE_EN,
    "body_en": json.dumps([{"type": kind, "value": value} for kind, value in SEED_BODY_EN]),
}


def _aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _home() -> HomePage:
    """The portal's home page, the default site's root (after a test flush the tree may be empty)."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    welcome = Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore",
                                  content_type__model="page")
    welcome.delete()
    root.refresh_from_db()
    home = HomePage(title=HOME_TITLE, slug="portal-home", live=False)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=HOME_TITLE)
    return home


def _child(parent: Page, model, slug: str, **fields):
    """The child page of this type and slug, created and published through a revision when missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, live=False, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


@transaction.atomic
def load_portal() -> dict:
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    home = _home()
    grant_portal_permissions(home_page_id=home.pk)
    channels: dict[str, ChannelPage] = {}
    created = 0
    for slug, title, title_en, parent_slug in CHANNELS:
        parent = channels[parent_slug] if parent_slug else home
        channels[slug], was_created = _child(parent, ChannelPage, slug, title=title, title_en=title_en,
                                             show_in_menus=parent_slug is None)
        if not channels[slug].title_en:  # a demo loaded before channels had English names
            channels[slug].title_en = title_en
            channels[slug].save_revision().publish()
        created += was_created
    items = {}
    for channel_slug, slug, kind, title, day, source, paragraphs, closing in DEMO_ITEMS + MORE_DEMO_ITEMS:
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        if kind == "notice":
            fields = {"body": body, "closing_date": closing}
            model = NoticePage
        else:
            fields = {"body": json.dumps([{"type": "paragraph", "value": body}]), "summary": paragraphs[0][:120]}
            model = ArticlePage
        items[slug], was_created = _child(channels[channel_slug], model, slug, title=title,
                                          published_at=_aware(day), source=source, **fields)
        created += was_created
    # The enrollment notice announced the training that the seed article reports (a demo related link).
    notice = items["xinren-shuji-peixunban-tongzhi-2022"]
    seed, was_created = _child(
        channels["shixian-dongtai"], ArticlePage, SEED_SLUG, title=SEED_TITLE,
        published_at=_aware(datetime.date(2022, 10, 12)), source=SEED_SOURCE,
        summary="市直机关110余名新任党组织书记在大别山干部学院参加党性教育培训。",
        body=json.dumps([{"type": kind, "value": value} for kind, value in SEED_BODY]),
        related_links=[RelatedLink(sort_order=0, title=notice.title, link_page=notice)], **SEED_ENGLISH)
    created += was_created
    if not seed.title_en or seed.source_en == FORMER_SOURCE_EN:
        # Loaded before the English text existed, or with the committee's former English name: add it, as an
        # editor would, and publish.
        for name, value in SEED_ENGLISH.items():
            setattr(seed, name, value)
        seed.save_revision().publish()
    if home.featured_article_id is None:
        home.featured_article = seed
        home.save_revision().publish()
    report = _demo_report()
    return {"channels": len(channels), "items": len(items) + 1, "created": created, "seed": seed, "report": report}


def _demo_report():
    """The news report drafted from the demo program (issue 4, item 7): a draft in 市县动态, not live, waiting
    for the review workflow. Drafted once; None when the training demo is not loaded."""
    from dangjian.accounts.models import User
    from dangjian.demo.training import demo_program
    from dangjian.portal.drafts import REPORT_CHANNEL_SLUG, report_draft

    program = demo_program()
    organizer = User.objects.filter(username="organizer").first()
    if program is None or organizer is None:
        return None
    existing = ArticlePage.objects.filter(slug__startswith=f"peixun-{program.pk}-baodao").first()
    if existing is not None:
        return existing
    if not ChannelPage.objects.filter(slug=REPORT_CHANNEL_SLUG).exists():
        return None
    return report_draft(program=program, by=organizer)
