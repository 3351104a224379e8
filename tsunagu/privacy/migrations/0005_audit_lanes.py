"""Audit lanes: several independent chains, so concurrent writers do not queue on one head row.

Every existing event and the existing head row (id 1) become lane 0: the payload leaves lane 0 out, so their
hashes stay valid, and checkpoints written before lanes existed are checkpoints of lane 0.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_corrections")]
    operations = [
        migrations.AddField(model_name="auditevent", name="lane",
                            field=models.PositiveIntegerField(default=0, verbose_name="レーン")),
        migrations.AddField(model_name="auditchainhead", name="lane",
                            field=models.PositiveIntegerField(default=0, unique=True)),
    ]
