"""Open Referral HSDS 3.0 export of the social-resource catalog and places (issue 14.5).

The required fields and enumerations below are transcribed from the HSDS 3.0 schema
(openreferral/specification, schema/*.json; "tabular required" foreign keys included), not from our code.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tsunagu.community.models import Place
from tsunagu.intake import services as intake
from tsunagu.ledgers import hsds
from tsunagu.participation import services as participation

from .conftest import agency_named

REQUIRED = {
    "organization": {"id", "name", "description"},
    "service": {"id", "name", "status", "organization_id"},
    "location": {"id", "location_type"},
    "service_at_location": {"id", "service_id", "location_id"},
    "address": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "phone": {"id", "number"},
    "schedule": {"id"},
}
ENUMS = {("service", "status"): {"active", "inactive", "defunct", "temporarily closed"},
         ("location", "location_type"): {"physical", "postal", "virtual"},
         ("address", "address_type"): {"physical", "postal", "virtual"},
         ("schedule", "freq"): {"", "WEEKLY", "MONTHLY"}}
REFERENCES = {"organization_id": "organization", "service_id": "service", "location_id": "location"}


@pytest.fixture
def catalog(imizu, make_staff):
    sanka = make_staff(imizu, "sanka", "participation", agency_named(imizu, "地域福祉課"))
    place = Place.objects.filter(municipality=imizu).order_by("id").first()
    participation.create_resource(sanka, name="農園の手伝い", kind="農福連携", host="NPO法人みなと農園",
                                  contact="担当 CANARYCONTACT 090-1234-5678", needs=["就労準備"], days=["火", "木"],
                                  schedule="9:00〜12:00", address="〒934-0011 射水市港町3-3", cost=0)
    participation.create_resource(sanka, name="サロンのお手伝い", kind="ボランティア", host="(福)射水市社会福祉協議会",
                                  needs=["居場所"], place=place, cost=100, description="お茶出し")
    worker = make_staff(imizu, "w", "intake", agency_named(imizu, "新湊西地域包括"))
    intake.record_consultation(worker, new_person={"name": "CANARYPERSON", "address": "射水市港町3-3"},
                               received_at=timezone.now(), channel="来所", consulter_type="本人",
                               chief_complaint="CANARYCOMPLAINT")
    return imizu


def unpack(data: bytes) -> tuple[dict, dict[str, list[dict]], str]:
    z = zipfile.ZipFile(io.BytesIO(data))
    package = json.loads(z.read("datapackage.json"))
    tables, raw = {}, ""
    for res in package["resources"]:
        text = z.read(res["path"]).decode("utf-8")
        raw += text
        rows = list(csv.DictReader(io.StringIO(text)))
        header = next(csv.reader(io.StringIO(text)))
        assert header == [f["name"] for f in res["schema"]["fields"]], res["name"]
        tables[res["name"]] = rows
    return package, tables, raw + z.read("datapackage.json").decode()


def test_the_package_conforms_to_hsds(catalog):
    data, counts = hsds.export_zip(catalog)
    package, tables, _ = unpack(data)
    assert package["profile"] == "tabular-data-package"
    assert set(tables) == set(REQUIRED)
    assert counts["service"] == 2 and counts["location"] >= Place.objects.filter(municipality=catalog).count()
    ids = {name: {r["id"] for r in rows} for name, rows in tables.items()}
    for name, rows in tables.items():
        assert len(ids[name]) == len(rows), f"{name}: ids are not unique"
        for row in rows:
            uuid.UUID(row["id"])
            for f in REQUIRED[name]:
                assert row.get(f), f"{name}.{f} missing in {row}"
            for f, table in REFERENCES.items():
                if row.get(f):
                    assert row[f] in ids[table], f"{name}.{f} → {table}: {row[f]} not found"
            for (t, f), allowed in ENUMS.items():
                if t == name:
                    assert row[f] in allowed, (name, f, row[f])
    assert {r["country"] for r in tables["address"]} == {"JP"}
    farm = next(s for s in tables["service"] if s["name"] == "農園の手伝い")
    schedule = next(s for s in tables["schedule"] if s["service_id"] == farm["id"])
    assert schedule["byday"] == "TU,TH" and schedule["freq"] == "WEEKLY"
    assert any(a["postal_code"] == "934-0011" for a in tables["address"])
    salon = next(s for s in tables["service"] if s["name"] == "サロンのお手伝い")
    assert any(sal["service_id"] == salon["id"] for sal in tables["service_at_location"])
    again, _ = hsds.export_zip(catalog)
    assert unpack(again)[1] == tables  # stable ids


def test_it_carries_no_personal_data(catalog):
    _, _, raw = unpack(hsds.export_zip(catalog)[0])
    for token in ("CANARYCONTACT", "090-1234-5678", "CANARYPERSON", "CANARYCOMPLAINT", "sanka"):
        assert token not in raw


def test_the_route_is_for_managers(client, catalog, manager, intake_a, tmp_path):
    client.force_login(manager)
    r = client.get(reverse("hsds_export"))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert "organization" in unpack(r.content)[1]
    client.force_login(intake_a)
    assert client.get(reverse("hsds_export")).status_code == 403
    out = tmp_path / "hsds.zip"
    call_command("hsds", "--municipality", catalog.code, "--output", str(out), stdout=io.StringIO())
    assert unpack(out.read_bytes())[1]["service"]
