"""Words the users see: a person's name is 姓名, our catalog does not spoil Wagtail's editor, groups and
classrooms have English names in English, and the committee has one English name everywhere."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import wagtail
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import dangjian
from dangjian.demo import training as demo_training
from dangjian.organizations.models import Person
from dangjian.training.models import Instructor
from tests.factories import ClassroomFactory, GroupFactory, UserFactory

SOURCE = Path(dangjian.__file__).parent
COMMITTEE_EN = "Working Committee of Organs Directly under the CPC Nanyang Municipal Committee"


def _catalog(path: Path) -> dict:
    with open(path, "rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def test_a_persons_name_is_xingming():
    with translation.override("zh-hans"):
        assert str(Person._meta.get_field("name").verbose_name) == "姓名"
        assert str(Instructor._meta.get_field("name").verbose_name) == "姓名"
    with translation.override("en"):
        assert str(Person._meta.get_field("name").verbose_name) == "name"


@pytest.mark.django_db
def test_the_people_list_heads_the_name_column_xingming(client, organizer):
    client.force_login(organizer)
    page = client.get(reverse("person_list")).content.decode()
    assert ">姓名</a></th>" in page


# Our catalog comes first (LOCALE_PATHS): where it translates one of Wagtail's own words differently, the
# editor shows ours. These differences are fine in both places; any other is a word of ours that needs a
# context (pgettext), as "Pages" (分页, our pagination) once turned Wagtail's menu item into 分页.
SYNONYMS_ACCEPTED = {
    "Action", "Add", "All types", "Changes", "Created", "Deleted", "Filter", "From", "To", "Latest", "Log out",
    "Login", "Name", "Next", "Previous", "Updated", "created at", "document", "name", "Origin",
}


def test_our_catalog_does_not_change_wagtails_words():
    ours = _catalog(SOURCE / "locale/zh_Hans/LC_MESSAGES/django.mo")
    wagtail_root = Path(wagtail.__file__).parent
    spoiled = []
    for path in wagtail_root.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"):
        for key, value in _catalog(path).items():
            if key and value and key in ours and ours[key] != value and key not in SYNONYMS_ACCEPTED:
                spoiled.append((str(path.relative_to(wagtail_root)).split("/locale")[0], key, ours[key], value))
    assert spoiled == []


@pytest.mark.django_db
def test_the_editor_speaks_chinese(client, users_by_role):
    client.force_login(users_by_role["editor"])
    page = client.get("/cms/").content.decode()
    for words in ("搜索所有页面…", "个页面", "编辑指南"):
        assert words in page, words
    assert "Search all pages" not in page and "editor guide" not in page
    # The dashboard counts pages only (portal/wagtail_hooks.py): no counts of images and documents.
    assert "张图片" not in page and "个文档" not in page and "Images <span" not in page
    from dangjian.portal.models import HomePage
    from tests.portal.conftest import make_channel

    home = HomePage.objects.get()
    make_channel(home)
    listing = client.get(f"/cms/pages/{home.pk}/").content.decode()
    assert "第 1–1 项，共 1 个页面" in listing  # not "1-1 of 1 页面"
    with translation.override("zh-hans"):  # the main menu (rendered in the browser from these labels)
        assert [translation.gettext(word) for word in ("Pages", "Images", "Documents", "Privacy and access")] == [
            "页面", "图片", "文档", "隐私与访问权限"]


@pytest.mark.django_db
def test_groups_and_classrooms_have_english_names_in_english():
    room = ClassroomFactory(name="研讨室A", name_en="Seminar Room A")
    group = GroupFactory(name="第一组", name_en="Group 1")
    chinese_only = GroupFactory(name="第二组", name_en="", number=2)
    unnamed = GroupFactory(name="", name_en="", number=3)
    with translation.override("zh-hans"):
        assert (room.display_name, str(group), str(chinese_only), str(unnamed)) == (
            "研讨室A", "第一组", "第二组", "第3组")
    with translation.override("en"):
        assert (room.display_name, str(group), str(chinese_only), str(unnamed)) == (
            "Seminar Room A", "Group 1", "第二组", "Group 3")
        assert str(room).endswith(" Seminar Room A")
        assert ClassroomFactory(name="第一教室", name_en="").display_name == "第一教室"


def test_the_demo_names_every_group_and_classroom_in_english():
    assert all(name_en for _name, name_en, _seats in demo_training.CLASSROOMS)
    assert all(name_en for _name, name_en in demo_training.GROUP_NAMES)


def _committee_names(text: str) -> list[str]:
    """Every proper name of the committee in `text` ("Working Committee of …", "Working Committee for …")."""
    flat = re.sub(r'"\s*\n\s*"', "", text)  # .po files and Python code wrap long strings
    found = re.findall(r"Working Committee (?:of|for)(?: (?:[A-Z][\w']*|of|the|under|for|and))+", flat)
    return [re.sub(r"( (?:of|the|under|for|and))+$", "", name) for name in found]


def test_the_committee_has_one_english_name_everywhere():
    files = [SOURCE / "locale/en/LC_MESSAGES/django.po", SOURCE / "demo/data/organs.csv", SOURCE / "portal/demo.py",
             *SOURCE.glob("**/templates/**/*.html")]
    names = {}
    for path in files:
        for name in _committee_names(path.read_text(encoding="utf-8")):
            names.setdefault(name, set()).add(str(path.relative_to(SOURCE)))
    names.pop("Working Committee of Nanyang Municipal Government Offices", None)  # portal.demo.FORMER_SOURCE_EN
    assert set(names) == {COMMITTEE_EN}, names


@pytest.mark.django_db
def test_the_committee_is_named_alike_on_the_staff_pages_and_the_portal(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(UserFactory(roles=["participant"]))
    assert COMMITTEE_EN in client.get(reverse("home"), follow=True).content.decode()  # a participant: /my/
    assert COMMITTEE_EN in client.get("/portal/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "中共南阳市委市直机关工作委员会" in client.get(reverse("home"), follow=True).content.decode()


def _without_creation_date(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: .*\\n"$', "", text, flags=re.M)


def test_the_catalogs_are_in_step_with_the_source(tmp_path):
    """`make translations` on a copy of the source changes nothing: every word of the interface is in both
    catalogs, none is left over, and every Chinese entry is translated (none fuzzy, none empty)."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext is missing (scripts/system-deps.sh installs it)")
    copy = tmp_path / "dangjian"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    subprocess.run([Path(sys.executable).parent / "django-admin", "makemessages", "-l", "zh_Hans", "-l", "en",
                    "--add-location=file", "--no-obsolete", "--ignore=static/*", "-v0"],
                   cwd=copy, check=True, capture_output=True)
    for language in ("zh_Hans", "en"):
        committed = (SOURCE / f"locale/{language}/LC_MESSAGES/django.po").read_text()
        regenerated = (copy / f"locale/{language}/LC_MESSAGES/django.po").read_text()
        assert _without_creation_date(regenerated) == _without_creation_date(committed), (
            f"locale/{language} is not in step with the source: run `make translations` and translate what it adds")
    chinese = (SOURCE / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    assert "#, fuzzy" not in chinese
    entries = chinese.split("\n\n")[1:]  # after the header
    untranslated = [entry for entry in entries if re.search(r'^msgstr(\[0\])? ""$(?!\n")', entry, re.M)]
    assert untranslated == []
