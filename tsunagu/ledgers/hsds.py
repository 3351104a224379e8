"""The social-resource catalog (participation.Resource) and places (community.Place) as an Open Referral
HSDS 3.0 tabular data package: datapackage.json and one CSV per table (organization, service, location,
service_at_location, address, phone, schedule), zipped — for the prefecture or a 社協 directory.

No personal data: a resource's free-text contact (連絡先, often a person's name), a place's 備考 and who
recorded what are left out. Ids are UUIDs derived from the municipality and the record (uuid5), so a second
export of the same catalog gives the same ids.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

from tsunagu.community.models import Place
from tsunagu.core.spreadsheet import CsvWriter
from tsunagu.participation.models import Resource

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("6f1c1a52-3b7e-4d5e-9c55-2b7f0e7a9d10")
DAYS = dict(zip("月火水木金土日", ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
_POSTCODE = re.compile(r"^〒?\s*([0-9]{3}-?[0-9]{4})\s*")

TABLES = {  # table → (fields, required fields), names and requirements per the HSDS 3.0 schema
    "organization": (["id", "name", "alternate_name", "description", "email", "website"], ["id", "name", "description"]),
    "service": (["id", "organization_id", "name", "alternate_name", "description", "status", "fees_description",
                 "eligibility_description"], ["id", "organization_id", "name", "status"]),
    "location": (["id", "location_type", "organization_id", "name", "description"], ["id", "location_type"]),
    "service_at_location": (["id", "service_id", "location_id", "description"], ["id", "service_id", "location_id"]),
    "address": (["id", "location_id", "address_1", "address_2", "city", "region", "state_province", "postal_code",
                 "country", "address_type"], ["id", "address_1", "city", "state_province", "postal_code", "country",
                                              "address_type"]),
    "phone": (["id", "location_id", "service_id", "organization_id", "number", "type", "description"],
              ["id", "number"]),
    "schedule": (["id", "service_id", "location_id", "freq", "byday", "timezone", "description"], ["id"]),
}
FOREIGN = {  # field → table it points at
    "organization_id": "organization", "service_id": "service", "location_id": "location",
}


def _id(municipality, *parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join([municipality.code, *map(str, parts)])))


def build(municipality) -> dict[str, list[dict]]:
    """table → rows (dicts) of the municipality's active catalog."""
    m = municipality
    t: dict[str, list[dict]] = {name: [] for name in TABLES}
    orgs: dict[str, str] = {}

    def org(name: str) -> str:
        name = (name or "").strip() or m.name
        if name not in orgs:
            orgs[name] = _id(m, "organization", name)
            t["organization"].append({"id": orgs[name], "name": name, "description": (
                f"{m.name}の重層的支援体制整備事業で登録された運営団体" if name != m.name else f"{m.prefecture_name}{m.name}")})
        return orgs[name]

    def address(location_id: str, text: str) -> str:
        """An address row when the postal code (required by HSDS) is known; else the text for the location's
        description."""
        text = (text or "").strip()
        pm = _POSTCODE.match(text)
        if not pm:
            return f"所在地: {text}" if text else ""
        postal = pm.group(1)
        t["address"].append({"id": _id(m, "address", location_id), "location_id": location_id,
                             "address_1": text[pm.end():] if pm else text, "city": m.name,
                             "state_province": m.prefecture_name, "postal_code": postal, "country": "JP",
                             "address_type": "physical"})
        return ""

    locations: dict[int, str] = {}
    places = Place.objects.filter(municipality=m, active=True).select_related("district").order_by("sort_order", "id")
    for p in places:
        lid = locations[p.pk] = _id(m, "place", p.pk)
        parts = [p.kind, p.audience and f"対象: {p.audience}", p.district and f"地区: {p.district.name}",
                 address(lid, p.address)]
        t["location"].append({"id": lid, "location_type": "physical", "organization_id": org(p.operator),
                              "name": p.name, "description": "／".join(x for x in parts if x)})
        if p.phone:
            t["phone"].append({"id": _id(m, "phone", lid), "location_id": lid, "number": p.phone, "type": "voice"})
        if p.schedule:
            t["schedule"].append({"id": _id(m, "schedule", lid), "location_id": lid, "timezone": 9,
                                  "description": p.schedule})
    resources = Resource.objects.filter(municipality=m).select_related("place").order_by("id")
    for r in resources:
        sid = _id(m, "resource", r.pk)
        t["service"].append({
            "id": sid, "organization_id": org(r.host), "name": r.name, "alternate_name": r.kind,
            "description": "\n".join(x for x in (r.description, r.needs and f"対応するニーズ: {'、'.join(r.needs)}") if x),
            "status": "active" if r.active else "inactive",
            "fees_description": "無料" if not r.cost else f"1回 {r.cost:,} 円",
            "eligibility_description": r.conditions})
        lid = locations.get(r.place_id) if r.place_id and r.place.active else None
        if lid is None and r.address:
            lid = _id(m, "resource-location", r.pk)
            t["location"].append({"id": lid, "location_type": "physical", "organization_id": org(r.host),
                                  "name": r.name, "description": address(lid, r.address)})
        if lid:
            t["service_at_location"].append({"id": _id(m, "sal", r.pk), "service_id": sid, "location_id": lid})
        days = [DAYS[d] for d in r.days if d in DAYS]
        if r.schedule or days:
            t["schedule"].append({"id": _id(m, "schedule", sid), "service_id": sid, "timezone": 9,
                                  "freq": "WEEKLY" if days else "", "byday": ",".join(days),
                                  "description": r.schedule})
    return t


def datapackage(municipality) -> dict:
    return {
        "name": f"tsunagu-hsds-{municipality.code}",
        "title": f"{municipality.name} 社会資源・拠点（Open Referral HSDS {HSDS_VERSION}）",
        "profile": "tabular-data-package",
        "hsds_version": HSDS_VERSION,
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [{
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": f, "type": "number" if f == "timezone" else "string",
                                   "constraints": {"required": f in required}} for f in fields],
                       "primaryKey": "id",
                       "foreignKeys": [{"fields": f, "reference": {"resource": FOREIGN[f], "fields": "id"}}
                                       for f in fields if f in FOREIGN]},
        } for name, (fields, required) in TABLES.items()],
    }


def export_zip(municipality) -> tuple[bytes, dict[str, int]]:
    """The zipped data package, and the number of rows of each table."""
    tables = build(municipality)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(datapackage(municipality), ensure_ascii=False, indent=2))
        for name, (fields, _required) in TABLES.items():
            out = io.StringIO(newline="")
            w = CsvWriter(out)
            w.writerow(fields)
            for row in tables[name]:
                w.writerow(["" if row.get(f) is None else row.get(f, "") for f in fields])
            z.writestr(f"{name}.csv", out.getvalue())
    return buf.getvalue(), {name: len(rows) for name, rows in tables.items()}
