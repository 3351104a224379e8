"""The audit log (監査ログ): one append-only, hash-chained table of events (R7)."""

import hashlib
import json

from django.conf import settings
from django.db import models

from tsunagu.core.models import Municipality

from .actions import label_for


class AuditEvent(models.Model):  # 監査ログ
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="自治体")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作者")
    actor_label = models.CharField("操作者（記録時）", max_length=200, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("対象種別", max_length=64, blank=True)
    object_id = models.CharField("対象ID", max_length=64, blank=True)
    object_repr = models.CharField("対象", max_length=300, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    created_at = models.DateTimeField("日時", db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-id"]
        indexes = [models.Index(fields=["municipality", "-id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.label}"

    @property
    def label(self) -> str:
        return label_for(self.action)

    def payload(self) -> str:
        return json.dumps(
            {
                "m": self.municipality_id, "a": self.actor_id, "al": self.actor_label, "ac": self.action,
                "ot": self.object_type, "oi": self.object_id, "or": self.object_repr, "r": self.reason,
                "d": self.detail, "ip": self.ip_address, "t": self.created_at.isoformat(),
            },
            ensure_ascii=False, sort_keys=True, default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row, locked while appending, so concurrent writers cannot fork the chain."""

    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash
