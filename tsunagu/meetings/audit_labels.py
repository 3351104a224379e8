from tsunagu.privacy.actions import register

register({
    "meeting.scheduled": "会議の登録",
    "meeting.viewed": "会議の閲覧",
    "meeting.listed": "会議一覧の閲覧",
    "meeting.member_added": "構成員の追加",
    "meeting.confidentiality_acknowledged": "守秘義務の確認",
    "meeting.item_added": "議題の追加",
    "meeting.item_decided": "議題の決定",
    "meeting.item_closed": "支援会議での共有終了",
    "meeting.minutes_saved": "議事録の保存",
    "meeting.held": "会議の開催の記録（開催日・出席者）",
    "meeting.item_minutes_saved": "議題の議事録の保存",
    "meeting.agenda_printed": "会議の次第の印刷",
    "resource_gap.recorded": "地域課題の記録",
    "governance.topic_added": "全体会議等の議題の追加",
    "governance.difficult_case_recorded": "困難事例の記録",
    "governance.roster_entry_added": "業務担当名簿の追加",
    "governance.training_recorded": "研修の記録",
})
