"""For test modules with transactional tests (a real worker, a subprocess, a second connection): a
transactional test ends with a flush of every table, seeded rows (programmes, standards, schedules) included.
`restore_seeded_rows` puts them back once the module is done, for the tests after it and for --reuse-db:
`from tests.transactional import restore_seeded_rows  # noqa: F401`."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection


@pytest.fixture(scope="module", autouse=True)
def restore_seeded_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(saved)
        # The flush reset the id sequences; move them past the restored rows.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)
