"""Dotted audit action codes and their Japanese labels."""

ACTION_LABELS = {
    "auth.login": "ログイン",
    "auth.login_failed": "ログイン失敗",
    "auth.logout": "ログアウト",
    "profile.loaded": "プロファイル読込",
    "staff.created": "職員登録",
    "staff.updated": "職員情報更新",
    "staff.password_changed": "パスワード変更",
    "directory.address_lookup": "住所から担当機関を検索",
    "audit.viewed": "監査ログ閲覧",
    "audit.verified": "監査ログ検証",
    "demo.loaded": "デモデータ投入",
}


def label_for(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def register(labels: dict[str, str]) -> None:
    """Apps add their own codes (e.g. consultation.viewed) at import time."""
    ACTION_LABELS.update(labels)
