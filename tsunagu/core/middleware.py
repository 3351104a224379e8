"""Request scoping: every request knows its municipality (from the signed-in staff member)."""

from django.utils.functional import SimpleLazyObject


def _municipality(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.municipality
    return None


class MunicipalityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = SimpleLazyObject(lambda: _municipality(request))
        return self.get_response(request)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RejectNulMiddleware:
    """A NUL character is never legitimate in a query or a form, and PostgreSQL refuses it in text (a server
    error wherever a value reaches a query unchecked). Refused here once, with the Japanese 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from tsunagu.core.views import error_400

        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return error_400(request)
        if request.method == "POST" and "multipart" not in request.content_type:
            try:
                body = request.body
            except Exception:  # noqa: BLE001 — too large or unreadable: Django answers that itself later
                body = b""
            if b"\x00" in body or b"%00" in body:
                return error_400(request)
        elif request.method == "POST":
            if any("\x00" in v for values in request.POST.lists() for v in values[1]):
                return error_400(request)
        return self.get_response(request)
