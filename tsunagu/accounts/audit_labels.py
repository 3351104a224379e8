from tsunagu.privacy.actions import register

register({
    "auth.locked_out": "ログインのロック（失敗の繰り返し）",
    "auth.session_idle": "無操作によるログアウト",
    "auth.session_expired": "ログイン時間の上限によるログアウト",
    "auth.session_revoked": "すべての端末からのログアウトによる終了",
    "auth.2fa_enrolled": "二要素認証の登録",
    "auth.2fa_verified": "二要素認証の確認",
    "auth.2fa_failed": "二要素認証の失敗",
    "auth.recovery_codes_renewed": "回復コードの再発行",
    "staff.password_reset": "パスワードの再設定（管理者）",
    "staff.unlocked": "ログインロックの解除",
    "staff.2fa_reset": "二要素認証の解除（管理者）",
    "staff.logged_out_everywhere": "すべての端末からログアウト",
    "staff.listed": "職員アカウント一覧の閲覧",
    "api_token.issued": "APIトークンの発行",
    "api_token.revoked": "APIトークンの失効",
    "api_token.listed": "APIトークン一覧の閲覧",
})
