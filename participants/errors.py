"""The one application error type: a message a user can act on, naming the field when there is one."""


class FlightpathError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {self.field or "detail": [self.message]} if self.field else {"detail": self.message}

    def add_to(self, form) -> None:
        """Show it on a form: on the field it names when the form has that field, else above the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
