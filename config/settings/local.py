"""Local trial and development: `make run`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# Serve static files straight from the finders; no collectstatic needed to try it out or test.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
