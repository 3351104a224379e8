"""Regenerate the sample ledgers of this folder: `python examples/ledgers/make_samples.py`.

- consultations-r6-shinminato-nishi.xlsx: one agency's yearly 相談受付台帳 as cities keep it in Excel — a title
  line, the agency's name, a header over two rows (「本人」 merged over 氏名・フリガナ・…), 和暦 dates written
  several ways, a free-text 主訴 and a 備考 column. Read with consultations-mapping.yaml.
- consultations-broken.csv (Shift_JIS/CP932, as Excel saves CSV): the same kind of ledger with bad dates, an
  unknown agency and worker, a duplicated row and no 相談経路 column; broken-report.txt is its expected report.
- persons-households.csv (UTF-8 with BOM), places.csv, resources.csv: the other kinds.

All names, addresses and phone numbers are invented.
"""

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2025, 4, 1, 9, 0)

HEADER_TOP = ["No", "受付日", "担当者", "相談経路", "相談者", "本人", "", "", "", "", "", "主訴", "課題", "緊急度", "備考"]
HEADER_SUB = ["", "", "", "", "", "氏名", "フリガナ", "生年月日", "性別", "住所", "電話", "", "", "", ""]
ROWS = [
    ["1", "R6.4.3", "窓口 花子", "TEL", "長男", "海野 トメ", "ウミノ トメ", "昭和15年5月1日", "女", "射水市放生津町3-12",
     "0766-82-1111", "物忘れが増え、火の不始末が心配と長男から電話。介護保険の申請を希望。", "介護", "中",
     "長男は県外在住。月1回帰省"],
    ["2", dt.date(2024, 4, 10), "窓口 花子", "来所", "本人", "浜田 正", "ハマダ タダシ", "S28.11.3", "男",
     "射水市中央町7番5号", "0766-84-2222", "妻の介護に疲れている。自分も腰痛で通院中。", "介護、孤立", "中", ""],
    ["3", "令和6年5月8日", "窓口 花子", "訪問", "民生委員", "小島 ミヨ", "コジマ ミヨ", "昭和8年1月20日", "女",
     "射水市港町2-1", "", "一人暮らしで食事がとれていない様子。民生委員から相談。", "介護、孤立", "高",
     "訪問時、冷蔵庫が空。配食サービスを案内"],
    ["4", "R6.6.14", "窓口 花子", "TEL", "ケアマネ", "海野 トメ", "ウミノ トメ", "昭和15年5月1日", "女",
     "射水市放生津町3-12", "0766-82-1111", "デイサービス利用開始後の様子について担当ケアマネから報告。", "介護", "低", ""],
    ["5", "令和6年7月2日", "窓口 花子", "来所", "長男", "高岡 一男", "タカオカ カズオ", "昭和47年3月3日", "男",
     "射水市桜町10-2", "", "50代の息子が仕事を辞めて家にこもっている。80代の母の年金で生活。", "ひきこもり、8050、生活困窮", "中",
     "母（84）は要介護1。本人は相談に来ていない"],
    ["6", "R6.9.30", "窓口 花子", "関係機関", "関係機関", "浜田 和子", "ハマダ カズコ", "昭和30年2月14日", "女",
     "射水市中央町7番5号", "0766-84-2222", "退院後の生活について病院の MSW から相談。", "介護", "中", "夫（No.2）と同一世帯"],
    ["7", "令和7年1月15日", "窓口 花子", "TEL", "近隣", "小島 ミヨ", "コジマ ミヨ", "昭和8年1月20日", "女",
     "射水市港町2-1", "", "夜間に大声が聞こえると近所から。", "介護、孤立", "中", ""],
    ["8", "R7.3.21", "窓口 花子", "来所", "本人", "新田 ゆり", "ニッタ ユリ", "平成2年8月8日", "女",
     "射水市本町1-4-3", "090-0000-0008", "母の介護と子育てが重なり仕事を続けられるか不安。", "介護、子育て、ダブルケア", "中", ""],
]


def consultations_xlsx() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "相談台帳"
    width = len(HEADER_TOP)
    ws.append(["令和6年度 総合相談受付台帳"])
    ws.append(["新湊西地域包括支援センター"])
    ws.append(HEADER_TOP)
    ws.append(HEADER_SUB)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.merge_cells("F3:K3")  # 本人 over its six columns
    for col in range(1, width + 1):
        if not HEADER_SUB[col - 1]:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for row in ROWS:
        ws.append(row)
    ws["A1"].font = Font(size=14, bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.fill, cell.alignment = fill, Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws["B"][4:]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "[$-ja-JP-x-gannen]ggge年m月d日"
    for col, w in zip("ABCDEFGHIJKLMNO", (5, 12, 10, 8, 10, 12, 14, 14, 5, 22, 14, 44, 18, 6, 30), strict=True):
        ws.column_dimensions[col].width = w
    wb.properties.created = wb.properties.modified = FIXED
    wb.save(HERE / "consultations-r6-shinminato-nishi.xlsx")


BROKEN_HEADER = ["受付番号", "受付日", "受付機関", "担当者", "相談者", "氏名", "フリガナ", "生年月日", "主訴", "備考"]
BROKEN_ROWS = [
    ["101", "令和6年4月5日", "新湊西地域包括支援センター", "窓口 花子", "本人", "岩瀬 進", "イワセ ススム", "昭和22年7月7日",
     "膝が悪く買い物に行けない", ""],
    ["102", "令和6年2月30日", "新湊西地域包括支援センター", "窓口 花子", "家族", "堀岡 千代", "ホリオカ チヨ", "S12.4.1",
     "認知症の母の徘徊", "日付は台帳の書き誤り"],
    ["103", "R6.5.1", "新湊南地域包括支援センター", "窓口 花子", "本人", "片口 勇", "カタグチ イサム", "昭和30年1月1日",
     "生活費が足りない", ""],
    ["104", "R6.5.9", "新湊西地域包括支援センター", "窓口 花子", "本人", "七美 ハル", "シチミ ハル", "平成元年1月1日",
     "ひとり親で仕事が見つからない", ""],
    ["105", "R6.13.1", "新湊西地域包括支援センター", "山田 太郎", "近隣", "本江 次郎", "ホンゴウ ジロウ", "昭和40年5月5日",
     "", ""],
    ["101", "令和6年4月5日", "新湊西地域包括支援センター", "窓口 花子", "本人", "岩瀬 進", "イワセ ススム", "昭和22年7月7日",
     "膝が悪く買い物に行けない", ""],
]


def broken_csv() -> None:
    with open(HERE / "consultations-broken.csv", "w", encoding="cp932", newline="") as f:
        w = csv.writer(f)
        w.writerow(BROKEN_HEADER)
        w.writerows(BROKEN_ROWS)


def persons_csv() -> None:
    rows = [["世帯番号", "続柄", "氏名", "フリガナ", "生年月日", "性別", "住所", "電話", "記録機関"],
            ["H001", "本人", "高岡 ハナ", "タカオカ ハナ", "昭和15年6月1日", "女", "射水市桜町10-2", "", "新湊西地域包括支援センター"],
            ["H001", "子", "高岡 一男", "タカオカ カズオ", "1972-03-03", "男", "射水市桜町10-2", "", "新湊西地域包括支援センター"],
            ["H002", "本人", "新田 ゆり", "ニッタ ユリ", "H2.8.8", "女", "射水市本町1-4-3", "090-0000-0008",
             "新湊西地域包括支援センター"],
            ["H002", "母", "新田 キヨ", "ニッタ キヨ", "昭和25年12月24日", "女", "射水市本町1-4-3", "",
             "新湊西地域包括支援センター"]]
    with open(HERE / "persons-households.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def places_and_resources_csv() -> None:
    places = [["コード", "名称", "種類", "地区", "運営主体", "所在地", "電話", "対象", "開催日時", "開設日", "備考"],
              ["ib-001", "放生津いきいき百歳体操", "通いの場", "放生津町", "放生津町自治会", "射水市放生津町5-1 公民館", "",
               "高齢者", "毎週火曜 10:00〜11:00", "平成30年4月1日", "世話役は自治会長宅に連絡"],
              ["ib-002", "みなとまち多世代サロン", "サロン", "港町", "(福)射水市社会福祉協議会", "〒934-0011 射水市港町3-3",
               "0766-00-0002", "多世代", "第2・第4土曜 13:30〜15:30", "R2.6.1", ""]]
    resources = [["名称", "種類", "受け入れ先", "対応するニーズ", "拠点", "曜日", "日時", "定員", "費用", "参加の条件", "内容"],
                 ["みなとまち農園の手伝い", "農福連携", "NPO法人みなと農園", "就労準備、生活リズム", "", "火、木",
                  "9:00〜12:00", "5", "0", "軽作業ができる方", "野菜の収穫と袋詰め"],
                 ["多世代サロンのお手伝い", "ボランティア", "(福)射水市社会福祉協議会", "居場所、人との交流", "ib-002", "土",
                  "13:30〜15:30", "", "100", "", "お茶出しと片付け"]]
    for name, rows in (("places.csv", places), ("resources.csv", resources)):
        with open(HERE / name, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)


if __name__ == "__main__":
    consultations_xlsx()
    broken_csv()
    persons_csv()
    places_and_resources_csv()
    print(f"{HERE} に見本の台帳を書き出しました")
