import uuid

from django import template
from django.utils.html import format_html

from tsunagu.core.idempotency import FIELD, token_of

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context):
    """{% form_token %}: the hidden one-time token of a form that creates a record (core/idempotency.py).

    A form shown again with errors keeps its token (that submit saved nothing, so the token is still free)."""
    request = context.get("request")
    token = (token_of(request) if request is not None and request.method == "POST" else None) or uuid.uuid4()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
