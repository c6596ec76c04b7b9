"""The MI API's browsable documentation (Swagger UI), for signed-in users only."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served from this URL (`?script`) rather than inline, and no inline
    style (the content security policy allows neither); an anonymous visitor is sent to sign in, not shown
    a JSON 403. A token works too, as on the schema."""

    template_name = "api/swagger_ui.html"

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
