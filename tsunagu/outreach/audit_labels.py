from tsunagu.privacy.actions import register

register({
    "outreach.target_created": "アウトリーチ対象者の登録",
    "outreach.target_viewed": "アウトリーチ対象者の閲覧",
    "outreach.target_listed": "アウトリーチ対象者一覧の閲覧",
    "outreach.contact_recorded": "接触の試みの記録",
    "outreach.stage_changed": "アウトリーチの段階の変更",
    "outreach.consent_obtained": "アウトリーチ対象者の同意取得・相談受付への引継ぎ",
    "outreach.put_on_agenda": "アウトリーチ対象者を支援会議の議題に追加",
    "outreach.agreement_recorded": "情報提供協定の記録",
})
