"""`manage.py seed_demo [--referrals N] [--today YYYY-MM-DD]`: demo data and a login per role."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from participants.errors import FlightpathError

from ...people import DEMO_PASSWORD
from ...services import seed_demo


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today: {value!r} is not a date (expected YYYY-MM-DD)") from exc


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise CommandError(f"--referrals: {value!r} is not a positive whole number")
    return int(value)


class Command(BaseCommand):
    help = (
        "Import realistic demo data (a WP, a WHP and a CAP contract, about two years of journeys to "
        "today) and create a demo login for every role. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--referrals",
            type=_positive,
            default=None,
            help="Referrals over the three contracts (default 3000, or the previous run's).",
        )
        parser.add_argument(
            "--today",
            type=_iso_date,
            default=None,
            help="The date the data ends (default today, or the previous run's).",
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed of the generator.")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="The password of every demo login.")

    def handle(self, *args, referrals, today, seed, password, **options):
        try:
            result = seed_demo(referrals=referrals, today=today, seed=seed, password=password)
        except FlightpathError as exc:
            raise CommandError(exc.message) from exc
        added = sum(counts["added"] for counts in result.import_counts.values())
        updated = sum(counts["updated"] for counts in result.import_counts.values())
        self.stdout.write(
            f"Demo data: {result.referrals} referrals to {result.today} (seed {result.seed}); "
            f"import added {added} rows, updated {updated}."
        )
        if any(result.workspace.values()):
            seeded = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.workspace.items())
            self.stdout.write(f"Key workers' workspace seeded: {seeded}.")
        rows = [("username", "role", "organisation", "password")]
        rows += [(login.username, login.role, login.organisation, login.password) for login in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for number, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
