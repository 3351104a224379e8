"""Vocabularies of the 相談受付・申込票 (SPEC §2 step 1). A profile may add issue tags."""

CHANNELS = ["来所", "電話", "訪問", "メール", "関係機関から", "その他"]
CONSULTERS = ["本人", "家族", "民生委員", "関係機関", "近隣", "その他"]
ISSUE_TAGS = [
    "介護", "障がい", "子育て", "生活困窮", "ひきこもり", "8050", "ダブルケア", "ヤングケアラー", "DV", "虐待",
    "自殺リスク", "ごみ屋敷", "債務", "住まい", "就労", "孤立", "外国人", "消費者被害",
]
URGENCIES = [("high", "高（すぐに対応）"), ("normal", "中"), ("low", "低")]
# 要配慮個人情報 (個人情報保護法第2条第3項): visible only to the recording agency and the consented team (R6).
SENSITIVE_CATEGORIES = ["心身の機能の障害", "病歴・健康", "犯罪歴", "虐待", "DV（所在を含む）", "その他の要配慮情報"]
TRIAGE_CHOICES = [
    ("self", "自機関で対応"),
    ("refer", "他機関へつなぐ"),
    ("multiagency", "多機関協働へ"),
    ("info", "情報提供で終了"),
]


def issue_tags_for(municipality) -> list[str]:
    extra = [t for t in (municipality.issue_tags or []) if t not in ISSUE_TAGS]
    return ISSUE_TAGS + extra


# Which field (分野, directory.lookup.FIELDS) an issue tag points to, for choosing the responsible agency.
TAG_FIELDS = {
    "介護": "介護", "8050": "介護", "ダブルケア": "介護",
    "障がい": "障がい",
    "子育て": "子ども", "ヤングケアラー": "子ども", "虐待": "子ども",
    "生活困窮": "困窮", "債務": "困窮", "住まい": "困窮", "就労": "困窮", "ひきこもり": "困窮",
}
