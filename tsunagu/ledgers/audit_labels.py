from tsunagu.privacy.actions import register

register({
    "ledger.dry_run": "台帳の取り込み（確認のみ）",
    "ledger.imported": "台帳の取り込み",
    "ledger.failed": "台帳の取り込み（エラーで中止）",
    "ledger.run_viewed": "台帳の取り込み結果の閲覧",
    "hsds.exported": "社会資源・拠点の Open Referral (HSDS) 書き出し",
})
