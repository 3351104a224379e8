"""The bad inputs named in issue 12, each answered in Japanese without a server error (tests/test_fuzz.py
sends generated values everywhere; these are the cases found by hand)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.two_factor import TwoFactorClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fy", ["99999999", "-5", "１２", "2", "abc", "1e9"])
def test_roster_with_any_fiscal_year(client, intake_a, fy):
    client.force_login(intake_a)
    assert client.get("/governance/roster/", {"fy": fy}).status_code == 200
    assert client.get("/governance/roster/export.xlsx", {"fy": fy}).status_code == 200


@pytest.mark.parametrize("person_id", ["abc", "9" * 30, "-1", "１"])
def test_intake_with_a_bad_person_id(client, intake_a, person_id):
    client.force_login(intake_a)
    response = client.post("/intake/new/", {"person_id": person_id, "name": "", "chief_complaint": "x"})
    assert response.status_code in (200, 400) and "入力内容を確認してください" in response.content.decode()


@pytest.mark.parametrize("payload", [
    {"format": "tsunagu-stats/1", "municipality": {"code": {"x": [1]}, "name": ["射水市"]}, "fiscal_year": 2025,
     "figures": [{"code": {"a": {"b": {}}}, "unit": ["件"], "value": {"n": 1}}]},
    {"format": "tsunagu-stats/1", "municipality": {"name": "射水市"}, "fiscal_year": 2025,
     "figures": [{"name": "x"}, {"code": "a" * 500, "value": 1e300}, [[[]]]]},
    [[[[{"figures": None}]]]],
])
def test_prefecture_upload_of_nested_json(prefecture_user, payload):
    client = TwoFactorClient()
    client.force_login(prefecture_user)
    upload = SimpleUploadedFile("stats.json", json.dumps(payload).encode())
    response = client.post("/prefecture/", {"file": upload})
    assert response.status_code in (200, 400), response.status_code
    assert "取り込めません" in response.content.decode() or "形式" in response.content.decode()


def test_prefecture_upload_nested_too_deep(prefecture_user):
    client = TwoFactorClient()
    client.force_login(prefecture_user)
    upload = SimpleUploadedFile("stats.json", b"[" * 100_000 + b"]" * 100_000)
    response = client.post("/prefecture/", {"file": upload})
    assert response.status_code in (200, 400) and "入れ子が深すぎます" in response.content.decode()


def test_nul_characters_are_refused_in_japanese(client, intake_a):
    client.force_login(intake_a)
    assert client.get("/people/search/", {"q": "a\x00b"}).status_code == 400
    response = client.post("/intake/new/", {"name": "高橋\x00", "chief_complaint": "x"})
    assert response.status_code == 400 and "リクエスト" in response.content.decode()


def test_an_id_too_large_for_the_database_is_not_found(client, intake_a):
    client.force_login(intake_a)
    assert client.get("/intake/" + "9" * 25 + "/").status_code == 404
