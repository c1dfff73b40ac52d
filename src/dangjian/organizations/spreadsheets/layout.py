"""What the registry workbooks look like: kinds, sheets, columns and the Chinese vocabularies.

Sheet names, headers and choice labels are fixed Chinese text, not translations: they are the
exchange format that users fill in Excel and that the import matches, whatever the interface
language. The explanations in the instructions sheet (说明) are translated.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

# Cell types: how a cell is read and written.
TEXT = "text"
CODE = "code"  # an organ code (slug)
DATE = "date"
INTEGER = "integer"
DECIMAL = "decimal"  # a number of 0 or more with at most one decimal place (hours)
CHOICE = "choice"
ID_NUMBER = "id_number"
MOBILE = "mobile"
PERSON_NAME = "person_name"  # text without blanks between Chinese characters, one middle dot (core.validators)


class Vocabulary:
    """A model's choices with the Chinese labels used in the workbooks.

    Import accepts the Chinese label, the stored code (e.g. "secretary"), the English label and
    the label in the current interface language, plus a few common synonyms.
    """

    def __init__(self, choices_class, chinese: dict[str, str], synonyms: dict[str, str] | None = None):
        self.choices_class = choices_class
        self.chinese = chinese
        self.synonyms = synonyms or {}
        missing = set(choices_class.values) - set(chinese)
        assert not missing, f"no Chinese label for {missing}"

    @property
    def labels(self) -> list[str]:
        return [self.chinese[value] for value in self.choices_class.values]

    def label(self, value: str) -> str:
        return self.chinese.get(value, value) if value else ""

    def lookup(self) -> dict[str, str]:
        """Normalized spelling -> stored value."""
        table = {}
        for value, label in self.choices_class.choices:
            table[value.lower()] = value
            table[str(label).strip().lower()] = value
            with override("en"):
                table[str(label).strip().lower()] = value
        for value, label in self.chinese.items():
            table[label] = value
        for spelling, value in self.synonyms.items():
            table[spelling] = value
        return table


SECTORS = Vocabulary(Organ.Sector, {
    "party": "党委机关",
    "peoples_congress": "人大机关",
    "government": "政府部门",
    "cppcc": "政协机关",
    "judicial": "法院检察院",
    "mass_organization": "群团组织",
    "public_institution": "事业单位",
}, synonyms={"法院、检察院": "judicial", "人大": "peoples_congress", "政协": "cppcc", "群团": "mass_organization"})

PARTY_ORG_TYPES = Vocabulary(PartyOrganization.Type, {
    "committee": "机关党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "temporary_branch": "临时党支部",
}, synonyms={"党委": "committee", "党总支部": "general_branch", "总支": "general_branch", "支部": "branch"})

GENDERS = Vocabulary(Person.Gender, {"male": "男", "female": "女"}, synonyms={"男性": "male", "女性": "female"})

EDUCATION = Vocabulary(Person.Education, {
    "doctorate": "博士研究生",
    "master": "硕士研究生",
    "bachelor": "大学本科",
    "college": "大学专科",
    "secondary": "中专及以下",
}, synonyms={"博士": "doctorate", "研究生（博士）": "doctorate", "硕士": "master", "研究生": "master",
             "本科": "bachelor", "大专": "college", "专科": "college", "中专": "secondary", "高中": "secondary"})

RANK_LEVELS = Vocabulary(Person.RankLevel, {
    "bureau_chief": "厅局级正职",
    "bureau_deputy": "厅局级副职",
    "division_chief": "县处级正职",
    "division_deputy": "县处级副职",
    "researcher": "一至四级调研员",
    "section_chief": "乡科级正职",
    "section_deputy": "乡科级副职",
    "principal_staff": "一至四级主任科员",
    "staff": "科员",
    "clerk": "办事员",
})

POST_ROLES = Vocabulary(Post.Role, {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
}, synonyms={"党支部书记": "secretary", "党委书记": "secretary", "支部委员": "committee_member"})

PORTFOLIOS = Vocabulary(Post.Portfolio, {
    "organization": "组织委员",
    "publicity": "宣传委员",
    "discipline": "纪检委员",
}, synonyms={"组织": "organization", "宣传": "publicity", "纪检": "discipline"})

METHODS = Vocabulary(Post.Method, {"elected": "选举", "appointed": "任命"},
                     synonyms={"选举产生": "elected", "上级任命": "appointed", "任命产生": "appointed"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = TEXT
    required: bool = False
    help: str = ""
    vocabulary: Vocabulary | None = None
    max_length: int | None = None
    width: int = 14
    # A DATE column that also takes a year and month alone (1975.03), stored as the first of that month:
    # cadre tables write dates so. Not where the day matters (the end of a post decides overlaps).
    month_precision_ok: bool = False


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    sheets: tuple[Sheet, ...]
    model: type = field(repr=False)
    file_stem: str = ""


DATE_HELP = _("A date: an Excel date, or text such as 2024-03-01, 2024/3/1, 2024.3.1, 20240301 or 2024年3月1日.")
MONTH_HELP = _("Columns whose allowed values say “or year and month” also take a year and month alone, as cadre "
               "tables write them: 1975.03, 1975年3月, 2001-07 or 197503. Such a date is stored as the first day of "
               "that month (a birth date takes its day from the ID number). Type the month with two digits in a "
               "cell formatted as text: Excel stores 1975.10 typed into a number cell as 1975.1.")

ORGAN_SHEET = Sheet("单位", (
    Column("code", "单位代码", CODE, required=True, width=18, max_length=_max_length(Organ, "code"),
           help=_("Short code of the organ, unique: letters, digits, hyphens and underscores (e.g. nyswzzb).")),
    Column("name_zh", "单位名称", required=True, width=30, max_length=_max_length(Organ, "name_zh"),
           help=_("Full Chinese name of the organ, unique.")),
    Column("name_en", "英文名称", width=30, max_length=_max_length(Organ, "name_en"),
           help=_("English name, optional.")),
    Column("sector", "单位类别", CHOICE, required=True, vocabulary=SECTORS, width=14,
           help=_("Which group of organs it belongs to.")),
    Column("parent", "上级单位代码", CODE, width=18, max_length=_max_length(Organ, "code"),
           help=_("Code of the parent organ, if any: an organ in this file or already registered.")),
))

PARTY_ORG_SHEET = Sheet("党组织", (
    Column("organ", "单位代码", CODE, required=True, width=18,
           help=_("Code of the organ the party organization belongs to (already registered).")),
    Column("name", "党组织名称", required=True, width=30, max_length=_max_length(PartyOrganization, "name"),
           help=_("Name of the party organization, unique within its organ.")),
    Column("org_type", "类型", CHOICE, required=True, vocabulary=PARTY_ORG_TYPES, width=14,
           help=_("Type of the party organization.")),
    Column("parent", "上级党组织", width=30, max_length=_max_length(PartyOrganization, "name"),
           help=_("Name of the parent party organization, in this file or already registered. A branch sits under "
                  "a committee or general branch; a general branch under a committee; a committee has no parent.")),
    Column("parent_organ", "上级党组织所在单位代码", CODE, width=20,
           help=_("Only for a temporary branch whose parent belongs to another organ; otherwise leave empty.")),
    Column("founded_on", "成立日期", DATE, width=13, month_precision_ok=True,
           help=_("Date the organization was founded.")),
    Column("term_started_on", "本届任期开始", DATE, width=14, month_precision_ok=True,
           help=_("Date the current term of office began.")),
    Column("term_years", "任期年限", INTEGER, width=10,
           help=_("Length of the term in years; leave empty for the default of the type.")),
    Column("member_count", "党员人数", INTEGER, width=10, help=_("Number of party members; empty means 0.")),
))

PEOPLE_SHEET = Sheet("人员", (
    Column("name", "姓名", PERSON_NAME, required=True, width=12, max_length=_max_length(Person, "name"),
           help=_("Full name.")),
    Column("gender", "性别", CHOICE, vocabulary=GENDERS, width=8,
           help=_("Taken from the ID number when left empty; must match it when given.")),
    Column("id_number", "身份证号", ID_NUMBER, required=True, width=22,
           help=_("18-character resident ID number (GB 11643) with a valid check digit; unique. Format the "
                  "column as text so that Excel keeps every digit.")),
    Column("birth_date", "出生日期", DATE, width=13, month_precision_ok=True,
           help=_("Taken from the ID number when left empty; must match it when given.")),
    Column("ethnicity", "民族", width=10, max_length=_max_length(Person, "ethnicity"), help=_("e.g. 汉族.")),
    Column("party_joined_on", "入党时间", DATE, width=13, month_precision_ok=True,
           help=_("Date of joining the party; after the birth date.")),
    Column("mobile", "手机号", MOBILE, width=14, help=_("11-digit mobile phone number, optional.")),
    Column("education", "学历", CHOICE, vocabulary=EDUCATION, width=12, help=_("Highest education.")),
    Column("position", "职务", width=20, max_length=_max_length(Person, "position"),
           help=_("Position in the organ, e.g. 办公室主任.")),
    Column("rank_level", "职级", CHOICE, vocabulary=RANK_LEVELS, width=16, help=_("Rank level.")),
    Column("organ", "所在单位代码", CODE, required=True, width=18,
           help=_("Code of the organ the person works in (already registered).")),
))

POST_SHEET = Sheet("任职", (
    Column("id_number", "身份证号", ID_NUMBER, required=True, width=22,
           help=_("ID number of the person: a person on the 人员 sheet of this file or already registered.")),
    Column("person_name", "姓名", PERSON_NAME, width=12,
           help=_("Optional check: when given, it must be the name of the person with this ID number.")),
    Column("organ", "单位代码", CODE, required=True, width=18,
           help=_("Code of the organ of the party organization.")),
    Column("party_organization", "党组织名称", required=True, width=30,
           help=_("Name of the party organization within that organ (already registered).")),
    Column("role", "职务", CHOICE, required=True, vocabulary=POST_ROLES, width=10, help=_("Post held.")),
    Column("portfolio", "分工", CHOICE, vocabulary=PORTFOLIOS, width=12,
           help=_("Only for a committee member (委员).")),
    Column("started_on", "任职开始", DATE, required=True, width=13, month_precision_ok=True,
           help=_("First day of the post.")),
    Column("ended_on", "任职结束", DATE, width=13,
           help=_("Last day of the post; leave empty while it is held. Not before the start.")),
    Column("method", "产生方式", CHOICE, vocabulary=METHODS, width=10, help=_("Elected or appointed; empty means "
                                                                               "elected.")),
    Column("approval_reference", "批准文号", width=20, max_length=_max_length(Post, "approval_reference"),
           help=_("Number of the working committee's approval document, optional.")),
))

KINDS: dict[str, Kind] = {
    "organs": Kind("organs", _("Organs"), (ORGAN_SHEET,), Organ, "单位"),
    "party-organizations": Kind("party-organizations", _("Party organizations"), (PARTY_ORG_SHEET,),
                                PartyOrganization, "党组织"),
    "people": Kind("people", _("People and posts"), (PEOPLE_SHEET, POST_SHEET), Person, "人员和任职"),
}

INSTRUCTIONS_SHEET = "说明"


class UnknownKind(LookupError):
    """The kind of spreadsheet is not one of KINDS."""


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise UnknownKind(key) from None
