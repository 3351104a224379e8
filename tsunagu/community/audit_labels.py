from tsunagu.privacy.actions import register

register({
    "community.usage_recorded": "拠点の利用実績の記録",
    "resource_gap.status_changed": "地域課題の状態変更",
    "community.place_created": "拠点の登録（画面）",
    "community.place_updated": "拠点の編集（画面）",
    "community.place_retired": "拠点の廃止",
})
