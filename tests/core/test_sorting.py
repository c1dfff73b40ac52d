"""Sort keys of Chinese names (core.sorting): pinyin, tone, numerals by value."""

import pytest

from dangjian.core.sorting import chinese_numeral_value, sort_key


def ordered(names, **options):
    return sorted(names, key=lambda name: sort_key(name, **options))


def test_pinyin_order_not_code_point_order():
    # By code point: 张 (U+5F20) < 李 (U+674E) < 王 (U+738B) < 陈 (U+9648); by pinyin: chen, li, wang, zhang.
    assert ordered(["张伟", "李娜", "王芳", "陈强"]) == ["陈强", "李娜", "王芳", "张伟"]


def test_tone_then_character_group_the_same_reading():
    assert ordered(["王伟", "汪洋", "王芳"]) == ["汪洋", "王芳", "王伟"]  # wāng before wáng
    assert ordered(["王伟东", "王伟"]) == ["王伟", "王伟东"]  # a name before its longer namesakes


def test_syllable_boundaries_sort_before_longer_syllables():
    assert ordered(["先锋", "西安"]) == ["西安", "先锋"]  # xi'an before xian


def test_surnames_read_as_surnames_in_person_names():
    assert sort_key("曾静", person_name=True).startswith("zeng1.")
    assert sort_key("单雄信", person_name=True).startswith("shan4.")
    assert sort_key("曾经", person_name=False).startswith("ceng2.")
    assert ordered(["曾静", "张伟", "陈强"], person_name=True) == ["陈强", "曾静", "张伟"]


@pytest.mark.parametrize("numeral, value", [
    ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21), ("一百零五", 105), ("两", 2),
    ("二〇二二", 2022),
])
def test_chinese_numerals(numeral, value):
    assert chinese_numeral_value(numeral) == value


def test_numerals_sort_by_value_in_organization_names():
    names = ["第十党支部", "第二党支部", "第一党支部", "第三党支部", "第十二党支部", "第11党支部"]
    assert ordered(names, numbers=True) == ["第一党支部", "第二党支部", "第三党支部", "第十党支部", "第11党支部",
                                            "第十二党支部"]
    assert ordered(["机关三支部", "机关一支部", "机关二支部"], numbers=True) == [
        "机关一支部", "机关二支部", "机关三支部"]
    assert ordered(["第一组", "第十组", "第二组"], numbers=True) == ["第一组", "第二组", "第十组"]
    # Not a number where a numeral is part of a word: 三门峡 reads san.
    assert sort_key("三门峡市教育局", numbers=True).startswith("san1.men2.xia2.")


def test_keys_are_ascii_before_the_name_and_fit_the_column():
    key = sort_key("阿依古丽·买买提", person_name=True)
    assert key == "a1.yi1.gu3.li4.mai3.mai3.ti2 阿依古丽·买买提"
    assert sort_key("Ann  Lee") == "ann.lee Ann  Lee"
    assert len(sort_key("党" * 200)) == 255
    assert sort_key("") == " " and sort_key(None) == " "
