"""Who's who in the demo: a login per role of DOMAIN.md section 1 (DEMO_PEOPLE, with the superuser), each
with a Staff profile and their role's group, and names for what the bundle carries by reference only (the
other imported key workers, the sites). Updated in place on a re-run."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from participants.models import Contract, Organisation, Role, Site, Staff
from participants.roles import group_for

from .generator import key_worker_ref
from .specs import BRADFORD, CONTRACTS, GLASGOW, LEEDS, PRIME_REF, SUB1, SUB2

DEMO_PASSWORD = "flightpath-demo"  # demo data only; printed at the end of seed_demo
SUPERUSER = "admin"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    role: Role
    organisation_ref: str | None  # None: a DWP contact
    site_refs: tuple[str, ...] = ()
    key_worker_ref: str | None = None  # the imported key worker this login is (their caseload)
    manages: tuple[str, ...] = ()  # a partnerships manager's assigned subcontractors


# At least one login per role of DOMAIN.md section 1; the last two are staff of one subcontractor.
DEMO_PEOPLE = (
    DemoPerson("kw.leeds", "Amira Hussain", Role.KEY_WORKER, PRIME_REF, (LEEDS,), key_worker_ref(LEEDS, 1)),
    DemoPerson(
        "kw.glasgow", "Callum Fraser", Role.KEY_WORKER, PRIME_REF, (GLASGOW,), key_worker_ref(GLASGOW, 1)
    ),
    DemoPerson("pm.prime", "Priya Patel", Role.PERFORMANCE_MANAGER, PRIME_REF, (LEEDS, GLASGOW)),
    # Assigned two of the three subcontractors: a partnerships manager sees those, not SUB3's referrals.
    DemoPerson("partnerships", "Gareth Evans", Role.PARTNERSHIPS_MANAGER, PRIME_REF, manages=(SUB1, SUB2)),
    DemoPerson("contracts", "Helen Walsh", Role.CONTRACT_MANAGER, PRIME_REF),
    DemoPerson("claims", "Tom Okafor", Role.CLAIMS_OFFICER, PRIME_REF),
    DemoPerson("dwp", "Sarah Mitchell", Role.DWP_CONTACT, None),
    DemoPerson("sub1.manager", "Dave Holroyd", Role.PERFORMANCE_MANAGER, SUB1, (BRADFORD,)),
    DemoPerson("sub1.kw", "Nadia Khan", Role.KEY_WORKER, SUB1, (BRADFORD,), key_worker_ref(BRADFORD, 1)),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    password: str


@transaction.atomic
def name_demo_sites() -> None:
    """The demo sites' names (the bundle carries site references only): "Site: Leeds Central" on pages."""
    for spec in CONTRACTS:
        for site in spec.sites:
            if site.name:
                Site.objects.filter(ref=site.ref).update(name=site.name)


def create_demo_people(*, password: str) -> list[DemoLogin]:
    """The superuser and DEMO_PEOPLE, each with a Staff profile and their role's group; updated in place
    when they exist. Key workers are the imported key worker records, so they come with a caseload."""
    users = get_user_model().objects
    # One hash for every demo login: the password hasher is slow by design (about 1.5 s a hash).
    hashed = make_password(password)
    admin, _ = users.get_or_create(username=SUPERUSER)
    admin.is_staff = admin.is_superuser = True
    admin.email, admin.password = f"{SUPERUSER}@example.org", hashed
    admin.save()
    logins = [DemoLogin(SUPERUSER, "Superuser", "-", password)]
    organisations = {org.ref: org for org in Organisation.objects.all()}
    sites = {site.ref: site for site in Site.objects.all()}
    demo_contracts = list(Contract.objects.filter(ref__in=[spec.ref for spec in CONTRACTS]))
    for person in DEMO_PEOPLE:
        first, _, last = person.name.partition(" ")
        user, _ = users.get_or_create(username=person.username)
        user.first_name, user.last_name, user.email = first, last, f"{person.username}@example.org"
        user.is_staff = user.is_superuser = False
        user.password = hashed
        user.save()
        user.groups.set([group_for(person.role)])
        organisation = organisations.get(person.organisation_ref) if person.organisation_ref else None
        staff, _ = Staff.objects.update_or_create(
            ref=person.key_worker_ref or f"demo:{person.username}",
            defaults={"user": user, "name": person.name, "role": person.role, "organisation": organisation},
        )
        staff.sites.set([sites[ref] for ref in person.site_refs if ref in sites])
        staff.managed_organisations.set([organisations[r] for r in person.manages if r in organisations])
        if person.role == Role.DWP_CONTACT:
            for contract in demo_contracts:
                contract.dwp_contacts.add(user)
        where = organisation.name if organisation else "DWP"
        logins.append(DemoLogin(person.username, person.role.label, where, password))
    name_demo_key_workers()
    return logins


# Names for the demo's other key workers (the bundle names them by reference only), in reference order.
KEY_WORKER_NAMES = (
    "Ben Walsh",
    "Chloe Evans",
    "Daniel Okafor",
    "Emma Jones",
    "Farah Ali",
    "George Murray",
    "Hannah Price",
    "Imran Shah",
    "Jade Robertson",
    "Kwame Mensah",
    "Laura Hughes",
    "Marek Nowak",
    "Niamh Kelly",
    "Owen Davies",
    "Priti Desai",
    "Ross Campbell",
    "Sian Morgan",
    "Tom Fletcher",
    "Usha Patel",
    "Victoria Reid",
    "Wes Thomas",
    "Yasmin Begum",
    "Zac Wilson",
)


def name_demo_key_workers() -> None:
    """Give the demo's imported key workers without a login a person's name instead of their reference."""
    unnamed = Staff.objects.filter(ref__startswith="DEMO-", user__isnull=True, name="")
    for number, staff in enumerate(unnamed.order_by("ref")):
        first, last = KEY_WORKER_NAMES[number % len(KEY_WORKER_NAMES)].split(" ")
        staff.name = f"{first} {last}" if number < len(KEY_WORKER_NAMES) else f"{first} {last} {number}"
        staff.save(update_fields=["name"])
