from tsunagu.privacy.actions import register

register({
    "notice.digest_sent": "お知らせの日次メールの送信",
})
