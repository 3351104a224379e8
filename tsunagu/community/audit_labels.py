from tsunagu.privacy.actions import register

register({
    "community.usage_recorded": "拠点の利用実績の記録",
    "resource_gap.status_changed": "地域課題の状態変更",
})
