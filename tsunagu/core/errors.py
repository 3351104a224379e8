class DomainError(Exception):
    """A rule of the domain was broken. `message` is Japanese and shown to the user; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
