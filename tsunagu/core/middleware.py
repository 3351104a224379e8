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
