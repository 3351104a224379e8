from tsunagu.privacy.actions import register

register({
    "identity.merged": "名寄せ（同一人物として確定）",
    "identity.unmerged": "名寄せの取り消し",
    "identity.rejected": "名寄せ候補の却下（別人）",
    "identity.household_linked": "同一世帯として確定",
    "identity.household_unlinked": "同一世帯の取り消し",
    "identity.queue_viewed": "名寄せ確認一覧の閲覧",
    "identity.candidate_viewed": "名寄せ候補の閲覧",
    "identity.intake_candidates": "相談受付での同一人物候補の表示",
    "identity.batch_run": "名寄せ一括照合",
    "identity.batch_requested": "名寄せ一括照合の開始（画面から）",
    "identity.linked_at_intake": "受付時の同一人物の結び付け",
})
