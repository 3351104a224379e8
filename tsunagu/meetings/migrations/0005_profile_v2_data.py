"""Data of rows written before profile version 2: the statute of each meeting type and of each 法106条の6 agenda
item, whether a meeting type takes case items, and the renamed consent purpose (R9). Reloading a profile sets
the same values; this only spares a database the gap until then."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tsunagu.directory.profile_upgrade import statute_in

    MeetingType = apps.get_model("directory", "MeetingType")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    Consent = apps.get_model("privacy", "Consent")
    for mt in MeetingType.objects.all():
        mt.statute = mt.statute or statute_in(mt.legal_basis) or ""
        mt.takes_case_items = mt.consent_rule != "none"
        mt.save(update_fields=["statute", "takes_case_items"])
    AgendaItem.objects.filter(legal_basis="support_meeting", statute="").update(statute="社会福祉法第106条の6")
    for consent in Consent.objects.all():
        if "重層的支援会議" in (consent.purposes or []):
            consent.purposes = ["会議での協議" if p == "重層的支援会議" else p for p in consent.purposes]
            consent.save(update_fields=["purposes"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_agendaitem_statute_alter_agendaitem_legal_basis"),
        ("directory", "0002_meetingtype_duty_basis_meetingtype_statute_and_more"),
        ("privacy", "0002_alter_disclosure_basis"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
