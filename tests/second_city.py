"""A second city, written from the profile format alone, whose every name differs from 射水市's: the render test
shows its pages and looks for 射水市's words. Its approving meeting is not called 重層的支援会議, it merges its
meetings (ひとまる会議), names its roles its own way and runs a sector meeting (介護保険法第115条の48)."""

from __future__ import annotations

from tsunagu.directory.profile_validation import parse_profile_text

PROFILE = """\
schema_version: 2
code: "999993"
name: 架空市
prefecture: 架空県
names: {program: かけはし事業, program_formal: 架空市包括的支援体制事業, department: 福祉部共生課}
plan: {title: 架空市包括的支援体制事業計画, from_year: 2025, to_year: 2027, review_body: suishin, review_cadence: 年1回}
districts:
  - {code: kita, name: 北部地区, match: [北原, 北野台]}
  - {code: minami, name: 南部地区, match: [南原]}
agencies:
  - code: care
    name: 高齢者あんしんセンター
    fields: [介護]
    kinds: [包括的相談支援]
    operators: [法人甲, 法人乙]
    management: 委託
    department: 高齢課
    sites:
      - {code: care-kita, name: 北部あんしんセンター, operator: 法人甲, districts: [kita], phone: 000-000-0001}
      - {code: care-minami, name: 南部あんしんセンター, operator: 法人乙, districts: [minami]}
  - {code: kurashi, name: くらし相談室, fields: [困窮], kinds: [包括的相談支援], management: 委託, districts: all}
  - {code: kyosei-ka, name: 共生課, fields: [その他], kinds: [多機関協働, アウトリーチ, 参加支援, 庁内各課],
     operator: 架空市, management: 直営, districts: all}
projects:
  - {code: seikatsu, name: 生活支援体制整備事業, area: 地域づくり, department: 高齢課, operator: 法人甲,
     management: 委託, agencies: [care]}
roles:
  - {code: uketsuke, kind: intake, name: よりそい受付員, agencies: [care, kurashi]}
  - {code: tsunagi, kind: liaison, name: つなぎ係長, agencies: [kyosei-ka]}
  - {code: kakehashi, kind: coordinator, name: かけはしコーディネーター, staffing: 3, agencies: [kyosei-ka]}
  - {code: todoke, kind: outreach, name: とどける支援員, staffing: 1, agencies: [kyosei-ka]}
  - {code: ibasho, kind: participation, name: いばしょ支援員, staffing: 1, agencies: [kyosei-ka]}
  - {code: machi, kind: community, name: まちづくり推進員, agencies: [kyosei-ka]}
  - {code: iin, kind: meeting_member, name: 会議の委員}
  - {code: jimu, kind: manager, name: 事業担当課長, agencies: [kyosei-ka]}
  - {code: kanri, kind: admin, name: 情報担当}
meeting_types:
  - {code: tsunagaru, name: つながる会議, kind: 重層的支援会議, consent_rule: required, takes_case_items: true,
     confidentiality_duty: true, duty_basis: 架空市つながる会議設置要綱}
  - {code: hitomaru, name: ひとまる会議, kind: 統合会議, statute: 社会福祉法第106条の6, consent_rule: per_item,
     confidentiality_duty: true, takes_case_items: true}
  - {code: mimamori, name: 見守りネット会議, kind: 分野別会議, statute: 介護保険法第115条の48, consent_rule: per_item,
     confidentiality_duty: true, takes_case_items: true}
  - {code: suishin, name: 架空市共生推進会議, kind: 全体会議, consent_rule: none}
outreach:
  sources: [新聞販売店, 民生委員, ガス検針]
kpis:
  - {code: uketsuke, name: かけはし受付, kind: multiagency_cases, area: 多機関協働, indicator: takikan_uketsuke,
     targets: {2025: 5}}
  - {code: hitomaru-kaisu, name: ひとまる会議の開催, kind: jusoteki_meetings_held, area: 多機関協働, unit: 回}
  - {code: salon, name: サロン数, kind: places_count, area: 地域づくり, unit: か所, filters: {place_kind: サロン}}
places:
  - {code: salon-kita, name: 北原ふれあいサロン, kind: サロン, district: kita, project: seikatsu}
"""


def second_city_profile():
    profile, problems = parse_profile_text(PROFILE, "second_city.yaml")
    assert problems == [], problems
    return profile
