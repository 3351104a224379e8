from tsunagu.privacy.actions import register

register({
    "participation.resource_created": "社会資源の登録",
    "participation.resource_updated": "社会資源の編集",
    "participation.resource_retired": "社会資源の受け入れ終了",
    "participation.resource_reopened": "社会資源の受け入れ再開",
    "participation.resources_searched": "社会資源の検索",
    "participation.viewed": "参加支援の閲覧",
    "participation.listed": "参加支援一覧の閲覧",
    "participation.needs_saved": "ニーズシートの保存",
    "participation.matched": "マッチング結果の表示",
    "participation.proposed": "社会資源の提案",
    "participation.status_changed": "参加支援の状態変更",
    "participation.checkin_done": "定着支援の記録",
    "participation.host_support_recorded": "受け入れ先支援の記録",
    "participation.gap_recorded": "合う資源がないことを地域課題として記録",
})
