from tsunagu.privacy.actions import register

register({
    "consultation.created": "相談受付",
    "consultation.viewed": "相談の閲覧",
    "consultation.listed": "相談一覧の閲覧",
    "consultation.triaged": "対応方針の決定",
    "consultation.closed": "相談の終了",
    "consultation.taken_on": "受理したつなぎの記録（つなぎ先の相談）",
    "consultation.note_added": "支援経過の記録（相談）",
    "referral.sent": "つなぎの送付",
    "referral.accepted": "つなぎの受理",
    "referral.returned": "つなぎの差し戻し",
    "referral.resent": "つなぎの再送",
    "referral.listed": "つなぎ一覧の閲覧",
    "referral.viewed": "つなぎの閲覧",
    "person.created": "本人の登録",
    "person.updated": "本人情報の更新",
    "household.created": "世帯の登録",
})
