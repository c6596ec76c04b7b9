from django.apps import AppConfig


class RegimesConfig(AppConfig):
    name = "regimes"

    def ready(self) -> None:
        from participants.mail import message_sent

        from .services.notices import on_message_sent

        message_sent.connect(on_message_sent, dispatch_uid="regimes.notice_sent")
