"""Django's model backend, fetching with each request's user whether they have an authenticator, so the
two-factor step (TwoFactorMiddleware) costs no query of its own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .services import HAS_AUTHENTICATOR


class AuthenticatorAwareBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(has_authenticator=HAS_AUTHENTICATOR)
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
