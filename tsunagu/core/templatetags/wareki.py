from django import template
from django.utils import timezone

from tsunagu.core import wareki as w

register = template.Library()


@register.filter
def wareki(value):
    """{{ date|wareki }} → 令和7年4月1日."""
    if value is None or value == "":
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return w.format_wareki(value)


@register.filter
def wareki_datetime(value):
    if not value:
        return ""
    value = timezone.localtime(value)
    return f"{w.format_wareki(value)} {value:%H:%M}"


@register.filter
def fiscal_year(value):
    """{{ 2025|fiscal_year }} → 令和7年度."""
    if value in (None, ""):
        return ""
    return w.format_fiscal_year(int(value))
