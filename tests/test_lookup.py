"""この住所の担当は?: every 担当地区 of 射水市's six 地域包括支援センター (seed 000, 参考資料 ①) resolves."""

import pytest

from tsunagu.directory.lookup import responsible_agencies

# Copied from the seed's table, not from our profile, so the profile is checked against the source.
SEED_TABLE = {
    "新湊西地域包括支援センター": "庄西町、港町、庄川本町、本町、放生津町、中央町、桜町、西新湊、三日曾根、善光寺、緑町、塚原地区、作道地区",
    "新湊東地域包括支援センター": "立町、八幡町、中新湊、二の丸町、越の潟町、海王町、片口地区、堀岡地区、海老江地区、本江地区、七美地区",
    "小杉・下地域包括支援センター": "三ヶ地区、戸破地区、大江地区、下地区",
    "小杉南地域包括支援センター": "橋下条地区、金山地区、黒河地区、池多地区、太閤山地区、中太閤山地区、南太閤山地区",
    "大門地域包括支援センター": "浅井地区、櫛田地区、水戸田地区、二口地区、大門地区",
    "大島地域包括支援センター": "大島地区",
}
CASES = [
    (centre, district)
    for centre, districts in SEED_TABLE.items()
    for district in districts.split("、")
]


def address_for(district: str) -> str:
    place = district.removesuffix("地区")
    return f"射水市{place}1番地"


def test_the_seed_lists_41_districts():
    assert len(CASES) == 41


@pytest.mark.django_db
@pytest.mark.parametrize(("centre", "district"), CASES)
def test_every_seed_district_resolves_to_its_centre(imizu, centre, district):
    result = responsible_agencies(imizu, address_for(district))
    assert result.district is not None and result.district.name == district
    assert [a.name for a in result.by_field["介護"]] == [centre]


@pytest.mark.django_db
@pytest.mark.parametrize("address", [
    "射水市放生津町1-2", "富山県射水市放生津町１－２", "射水市 放生津町 1番2号", "放生津町12", "ｲﾐｽﾞ市放生津町",
])
def test_address_spellings_resolve(imizu, address):
    result = responsible_agencies(imizu, address)
    if address.startswith("ｲﾐｽﾞ"):
        assert result.district is None
    else:
        assert result.district.name == "放生津町"
        assert result.by_field["介護"][0].name == "新湊西地域包括支援センター"


@pytest.mark.django_db
def test_longest_match_wins(imizu):
    assert responsible_agencies(imizu, "射水市南太閤山3丁目2番地1").district.name == "南太閤山地区"
    assert responsible_agencies(imizu, "射水市中太閤山1丁目").district.name == "中太閤山地区"
    assert responsible_agencies(imizu, "射水市庄川本町5").district.name == "庄川本町"
    assert responsible_agencies(imizu, "射水市本町三丁目12番28号").district.name == "本町"


@pytest.mark.django_db
def test_city_wide_fields_are_listed_for_every_address(imizu):
    result = responsible_agencies(imizu, "射水市放生津町1")
    assert len(result.by_field["障がい"]) == 4
    assert any("すてっぷ" in a.name for a in result.by_field["困窮"])


@pytest.mark.django_db
def test_unknown_address_gives_city_wide_agencies_only(imizu):
    result = responsible_agencies(imizu, "東京都千代田区霞が関1-2-2")
    assert result.district is None
    assert "介護" not in result.by_field
    assert len(result.by_field["障がい"]) == 4


@pytest.mark.django_db
def test_a_one_character_key_matches_only_up_to_the_town_boundary(imizu):
    """Issue 15: 下地区's key 「下」 took every address starting with 下 (下条…, 下若…)."""
    assert responsible_agencies(imizu, "射水市下1234番地").district.name == "下地区"
    assert responsible_agencies(imizu, "射水市下条100").district is None
    assert responsible_agencies(imizu, "射水市下若10").district is None


@pytest.mark.django_db
def test_kojima_is_in_oshima_district(imizu):
    """Issue 15: 小島700番地1 is 大島地域包括支援センター's own address (seed L468), in 大島地区."""
    result = responsible_agencies(imizu, "射水市小島700番地1")
    assert result.district.name == "大島地区"
    assert [a.name for a in result.by_field["介護"]] == ["大島地域包括支援センター"]


@pytest.mark.django_db
def test_an_unresolved_address_lists_every_district_bound_candidate(imizu):
    """An address of the city whose town no district lists: the six centres are candidates, said so on the page,
    rather than no 介護 agency at all."""
    result = responsible_agencies(imizu, "射水市殿村115番地")
    assert result.district is None and "介護" in result.candidates
    assert len(result.by_field["介護"]) == 6


@pytest.mark.django_db
def test_a_city_without_districts_says_so(fussa, client, make_staff):
    user = make_staff(fussa, "fussa-look", "intake")
    client.force_login(user)
    body = client.get("/directory/lookup/", {"address": "福生市本町5"}).content.decode()
    assert "地区（担当区域）がないため、全市を担当する機関を表示します" in body
    assert "地区を特定できませんでした" not in body


@pytest.mark.django_db
def test_ichikawa_two_words_town_resolves(db):
    from tsunagu.directory.services import load_profile

    from .conftest import parsed_profile

    ichikawa = load_profile(parsed_profile("ichikawa"))
    assert responsible_agencies(ichikawa, "市川市二俣新町17").district.name == "信篤・二俣地区"
    assert responsible_agencies(ichikawa, "市川市二俣1丁目").district.name == "信篤・二俣地区"
    # 行徳駅前 is not a town of any district the plan names: unresolved, with the 15 centres as candidates.
    result = responsible_agencies(ichikawa, "市川市行徳駅前2丁目")
    assert result.district is None and len(result.by_field["介護"]) == 15
