"""`python manage.py import_bundle PATH`: import a bundle folder or .zip (DATA.md "Import bundle")."""

from django.core.management.base import BaseCommand, CommandError

from participants.errors import FlightpathError

from ...imports.services import import_bundle


class Command(BaseCommand):
    help = "Import a bundle (a folder or .zip of CSV files) all-or-nothing; prints every bad row on failure."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A bundle folder or a .zip of one.")

    def handle(self, *args, path: str, **options):
        try:
            result = import_bundle(path=path, source=path)
        except FlightpathError as exc:
            raise CommandError(exc.message) from exc
        for name, counts in result.counts.items():
            self.stdout.write(
                f"{name}: {counts['added']} added, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        self.stdout.write(self.style.SUCCESS(f"Import {result.run.pk} succeeded."))
