from django import template

from tsunagu.privacy import access

from .. import services
from ..forms import AttachmentForm
from ..targets import may_add

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachment_panel(context, target_type: str, record):
    """添付ファイル of a record as far as the reader may see them, and the upload form for who may add."""
    user = context["request"].user
    person = record.person
    sight = access.sight(user, person)
    if target_type == "consultation":
        from tsunagu.intake.policy import consultation_classes

        classes = consultation_classes(sight, record)
    else:
        from tsunagu.casework.policy import case_classes

        classes = case_classes(sight, record)
    if access.CONTENT not in classes:  # the record's content is not the reader's to see: no panel at all
        return {"hidden": True}
    return {"items": services.visible(services.attachments_of(target_type, record), classes, person),
            "form": AttachmentForm(id_prefix=f"attach-{target_type}") if may_add(user, target_type, record) else None,
            "target_type": target_type, "record": record, "csrf_token": context.get("csrf_token"),
            "max_mb": services.max_bytes() // (1024 * 1024)}
