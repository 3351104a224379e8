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
    "consent.recorded": "本人同意の記録",
    "consent.changed": "本人同意の変更（範囲の拡大・縮小）",
    "consent.withdrawn": "本人同意の撤回",
    "disclosure.recorded": "情報提供の記録",
    "person.viewed": "本人の記録の閲覧",
    "person.searched": "本人の検索",
    "person.access_report_viewed": "「この方の記録を見た人」の閲覧",
    "emergency.granted": "緊急時の閲覧の開始",
    "emergency.reviewed": "緊急時の閲覧の確認",
    "emergency.listed": "緊急時の閲覧一覧の表示",
    "emergency.not_found": "緊急時の閲覧（該当する記録なし）",
    "address.released": "秘匿住所の開示",
    "address.release_revoked": "秘匿住所の開示の取消",
    "grants.rebuilt": "閲覧の根拠の再構築",
}


def label_for(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def register(labels: dict[str, str]) -> None:
    """Apps add their own codes (e.g. consultation.viewed) at import time."""
    ACTION_LABELS.update(labels)
