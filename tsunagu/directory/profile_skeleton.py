"""`tsunagu profile new`: a commented skeleton of a version 2 profile that validates as written, so a city starts
from something correct and replaces the examples with the facts of its 実施計画 (docs/onboarding.md)."""

from __future__ import annotations

from .statutes import STATUTES

TEMPLATE = """\
# {name}（{prefecture}）自治体プロファイル — `tsunagu profile new` のひな形
#
# 書き方は docs/onboarding.md。実施計画のどの行から書いたかを「# L123」のようにコメントに残してください。
# 「例」と書いた値はすべて、計画の内容に置き換えるか消してください。検証: tsunagu profile validate このファイル
schema_version: 2
code: "{code}"                # 全国地方公共団体コード（検査数字付き6桁）
name: {name}
kind: municipality            # 都道府県なら prefecture（municipalities に管内市町村を書く）
prefecture: {prefecture}
names:
  program: {name}重層的支援体制整備事業        # 事業の愛称（なければ正式名と同じ）
  program_formal: {name}重層的支援体制整備事業 # 正式名
  department: 福祉部地域福祉課                # 所管課（例）
source: 実施計画の名前と策定年月（例）

# 実施計画の期間（西暦の年度: 令和7年度 = 2025）と、毎年度の評価を行う会議（meeting_types のコード）。
plan:
  title: 実施計画の名前（例）
  from_year: 2025
  to_year: 2027
  review_body: zentai-kaigi
  review_cadence: 年1回

# 追加の課題タグ（SPEC の語彙にないもの）。
issue_tags: []

# 地区・圏域。match は住所（市名の後ろ）の町名・字名。町名の区切り（丁目・番地・数字）まで一致したときだけ当たる。
districts:
  - {{code: kita, name: 北地区, area: 北圏域, match: [北町, 北本町]}}
  - {{code: minami, name: 南地区, area: 南圏域, match: [南町]}}

# 機関（つなぎ先）。同じ種別を複数か所で行い受託法人が違うときは sites に1か所ずつ書く。
agencies:
  - code: hokatsu
    name: 地域包括支援センター
    fields: [介護]            # 介護 / 障がい / 子ども / 困窮 / その他
    kinds: [包括的相談支援]    # 包括的相談支援 / 多機関協働 / アウトリーチ / 参加支援 / 地域づくり / 庁内各課 / 外部
    operators: [社会福祉法人A会, 社会福祉法人B会]
    management: 委託          # 直営 / 委託 / 補助 / 指定 / その他
    legal_basis: 介護保険法第115条の45第2項第1号から第3号まで
    department: 地域包括支援課
    sites:
      - {{code: hokatsu-kita, name: 北地域包括支援センター, operator: 社会福祉法人A会, districts: [kita]}}
      - {{code: hokatsu-minami, name: 南地域包括支援センター, operator: 社会福祉法人B会, districts: [minami]}}
  - code: fukushi-ka
    name: 地域福祉課
    fields: [その他]
    kinds: [多機関協働, 庁内各課]
    operator: {name}
    management: 直営
    department: 福祉部地域福祉課
    districts: all

# 事業（つなぎ先にはならない）。担当課・実施主体・直営／委託を書く。
projects:
  - code: takikan-kyodo
    name: 多機関協働事業
    area: 多機関協働          # 包括的相談支援 / 多機関協働 / アウトリーチ / 参加支援 / 地域づくり / 全体
    department: 地域福祉課
    operator: {name}
    management: 直営
    agencies: [fukushi-ka]

# 役割: kind は intake / liaison / coordinator / outreach / participation / community / meeting_member /
# manager / prefecture / admin。画面には name がそのまま出る（市の職名で書く）。
roles:
  - {{code: madoguchi, kind: intake, name: 窓口担当, agencies: [hokatsu]}}
  - {{code: coordinator, kind: coordinator, name: 相談支援コーディネーター（例）, staffing: 2, agencies: [fukushi-ka]}}
  - {{code: kanrisha, kind: manager, name: 事業担当（例）, agencies: [fukushi-ka]}}
  - {{code: admin, kind: admin, name: システム管理者}}

# 会議: statute は法令の表のキー（{statutes}）。
# 本人同意なしで共有する会議（consent_rule: not_required / per_item）は statute と confidentiality_duty: true が必要。
meeting_types:
  - code: jusoteki
    name: 重層的支援会議
    kind: 重層的支援会議
    consent_rule: required
    takes_case_items: true
    confidentiality_duty: true
    duty_basis: 設置要綱（例。守秘義務の根拠が法令でないときに書く）
  - code: shien
    name: 支援会議
    kind: 支援会議
    statute: 社会福祉法第106条の6
    consent_rule: not_required
    confidentiality_duty: true
    takes_case_items: true
  - code: zentai-kaigi
    name: 全体会議（例）
    kind: 全体会議
    consent_rule: none

# アウトリーチの情報源（計画に書かれた情報提供元）。
outreach:
  sources: [民生委員・児童委員, 自治会, 水道検針, 郵便局, 関係機関, その他]

# 評価指標: kind は算出方法、indicator は都道府県が比べる共通指標、targets は年度ごとの目標（null = 設定なし）。
kpis:
  - code: takikan-uketsuke
    name: 多機関協働事業の受付件数
    kind: multiagency_cases
    area: 多機関協働
    indicator: takikan_uketsuke
    targets: {{2025: 10, 2026: 15, 2027: 20}}

# 拠点（地域づくり）: opened_on（開設日）を書くと年度ごとの拠点数が正しく数えられる。
places: []
"""


def skeleton(*, name: str, code: str, prefecture: str) -> str:
    return TEMPLATE.format(name=name, code=code, prefecture=prefecture, statutes="、".join(STATUTES))
