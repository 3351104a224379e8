"""The menu by role (issue 17): each role kind sees the few places it works in, grouped, with counts of what is
waiting — and no link that would answer it 403 or 404 (a browser test follows every link as every demo role).

Lazy: the counts are queried only when a page renders the menu.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass
class Link:
    label: str
    url: str
    count: int = 0
    count_title: str = ""
    warn: bool = False


@dataclass
class Group:
    title: str
    links: list[Link] = field(default_factory=list)


def _counts(user) -> dict:
    from tsunagu.intake.views import referral_counts

    return referral_counts(user)


def menu(user, municipality) -> list[Group]:
    if not getattr(user, "is_authenticated", False) or municipality is None:
        return []
    kind = user.role_kind
    groups: list[Group] = []
    if municipality.is_prefecture:
        groups.append(Group("都道府県", [Link("管内市町村", reverse("prefecture_dashboard")),
                                     Link("支援者支援・調査・研修", reverse("prefecture_activities"))]))
        return groups
    if user.is_casework:
        counts = _counts(user)
        from tsunagu.people.emergency import reviewable

        to_review = reviewable(user).filter(reviewed_at__isnull=True).count()
        groups.append(Group("相談", [
            Link("今日やること", reverse("today"), to_review, "確認待ちの緊急時の閲覧"),
            Link("相談受付", reverse("consultation_new")),
            Link("相談一覧", reverse("consultation_list")),
            Link("受信トレイ", reverse("referral_inbox"), counts.get("inbox_waiting", 0), "回答待ち"),
            Link("送信済み", reverse("referral_outbox"), counts.get("outbox_returned", 0), "差し戻し", warn=True),
            Link("本人検索", reverse("person_search")),
        ]))
        work = [Link("事例", reverse("case_list")), Link("会議", reverse("meeting_list")),
                Link("推進体制", reverse("governance_home"))]
        if kind == "coordinator":
            work.append(Link("評価", reverse("evaluation_dashboard")))
        groups.append(Group("多機関協働", work))
    elif kind == "outreach":
        groups.append(Group("アウトリーチ", [Link("アウトリーチ", reverse("outreach_target_list")),
                                        Link("情報提供協定", reverse("outreach_agreements")),
                                        Link("会議", reverse("meeting_list"))]))
    elif kind == "participation":
        groups.append(Group("参加支援", [Link("参加支援", reverse("participation_home")),
                                     Link("社会資源", reverse("resource_list")),
                                     Link("会議", reverse("meeting_list"))]))
    elif kind == "community":
        groups.append(Group("地域づくり", [Link("地区別の状況", reverse("district_view")),
                                      Link("拠点の登録", reverse("place_new")),
                                      Link("地域課題", reverse("gap_list")),
                                      Link("社会資源", reverse("resource_list"))]))
    elif kind == "meeting_member":
        groups.append(Group("会議", [Link("会議", reverse("meeting_list"))]))
    elif kind == "steward":
        from tsunagu.identity.models import MatchCandidate

        waiting = MatchCandidate.objects.filter(municipality_id=municipality.pk, status=MatchCandidate.OPEN).count()
        groups.append(Group("名寄せ", [Link("名寄せ確認", reverse("identity_review"), waiting, "確認待ち")]))
    elif kind == "manager":
        from tsunagu.people.emergency import reviewable

        to_review = reviewable(user).filter(reviewed_at__isnull=True).count()
        groups.append(Group("事業の管理", [
            Link("評価", reverse("evaluation_dashboard")), Link("目標と実績の入力", reverse("evaluation_manage")),
            Link("推進体制", reverse("governance_home")),
            Link("緊急時の閲覧の確認", reverse("emergency_list"), to_review, "確認待ち", warn=True),
            Link("地区別の状況", reverse("district_view")), Link("拠点の登録", reverse("place_new")),
            Link("社会資源", reverse("resource_list")), Link("台帳の取り込み", reverse("ledger_import"))]))
    elif kind == "admin":
        groups.append(Group("システム", [Link("職員アカウント", reverse("staff_list")),
                                     Link("職員の登録", reverse("staff_new")),
                                     Link("APIトークン", reverse("api_tokens")),
                                     Link("台帳の取り込み", reverse("ledger_import")),
                                     Link("監査ログ", reverse("audit_log"))]))
    # 体制・会議 (the programme's organisation) is one click away on 機関一覧.
    groups.append(Group("調べる", [Link("機関一覧", reverse("agency_list")),
                                Link("住所から担当を探す", reverse("address_lookup"))]))
    return groups
