"""Signing in: two-factor sign-in with an authenticator app (TOTP, django-otp) from the Security page, the
code asked at sign-in, the client address the sign-in lockout (django-axes) counts by, and the API docs page.

The lockout, password rules, session lifetime and content security policy are settings (config/settings)."""
