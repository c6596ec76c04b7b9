"""`python manage.py add_user USERNAME --role ROLE ...`: create or update a login (DATA.md "Command line")."""

import os

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from ...errors import FlightpathError
from ...models import Role
from ...users import add_user

PASSWORD_VARIABLE = "FLIGHTPATH_PASSWORD"
# The service names the field at fault; the command names the option a person typed.
OPTIONS = {
    "username": "USERNAME",
    "role": "--role",
    "organisation": "--organisation",
    "contract": "--contract",
    "site": "--site",
    "staff_ref": "--staff-ref",
    "email": "--email",
    "password": PASSWORD_VARIABLE,
}


class Command(BaseCommand):
    help = (
        "Create or update a login with one role, its organisation, the contracts a DWP contact is named on, "
        f"its sites and the imported staff record it is. The password comes from ${PASSWORD_VARIABLE} (a "
        "new login without it has an unusable password); on an update, options left out keep what is held."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--role", required=True, metavar="ROLE", help=f"One of {', '.join(Role.values)}.")
        parser.add_argument("--organisation", metavar="ORG_REF", help="The organisation's reference.")
        parser.add_argument(
            "--contract",
            dest="contracts",
            metavar="REF",
            action="extend",
            nargs="+",
            help="The contracts a DWP contact is named on (replaces those held).",
        )
        parser.add_argument(
            "--site",
            dest="sites",
            metavar="SITE_REF",
            action="extend",
            nargs="+",
            help="The sites of the organisation the login works at (replaces those held).",
        )
        parser.add_argument("--staff-ref", metavar="REF", help="The imported staff record the login is.")
        parser.add_argument("--email", metavar="ADDRESS")
        parser.add_argument("--token", action="store_true", help="Print the login's API token, last.")

    def handle(self, *args, username, role, organisation, contracts, sites, staff_ref, email, token, **_):
        try:
            added = add_user(
                username=username,
                role=role,
                organisation_ref=organisation,
                contract_refs=contracts,
                site_refs=sites,
                staff_ref=staff_ref,
                email=email,
                password=os.environ.get(PASSWORD_VARIABLE) or None,
            )
        except FlightpathError as exc:
            raise CommandError(f"{OPTIONS.get(exc.field, exc.field)}: {exc.message}") from exc
        staff = added.staff
        where = staff.organisation.ref if staff.organisation else "DWP"
        self.stdout.write(
            f"{'Created' if added.created else 'Updated'} login {added.user.username}: "
            f"{Role(staff.role).label} at {where}, staff record {staff.ref}"
        )
        sites = list(staff.sites.order_by("ref").values_list("ref", flat=True))
        if sites:
            self.stdout.write("Sites: " + ", ".join(sites))
        if added.contracts:
            self.stdout.write("Named on: " + ", ".join(contract.ref for contract in added.contracts))
        if not added.user.has_usable_password():
            self.stdout.write(f"No password: set {PASSWORD_VARIABLE} and run the command again to give one.")
        if token:
            self.stdout.write(Token.objects.get_or_create(user=added.user)[0].key)
