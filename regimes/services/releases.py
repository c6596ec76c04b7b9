"""The DWP dashboard's monthly release and what it makes owed (DOMAIN.md 17.7): the monthly action plan update
5 working days after it while a plan is in force, and the CPR 15 working days after it.

Keys (one obligation per key, `owe` makes every run idempotent): `monthly_update:<contract>:<YYYY-MM>` and
`cpr:<contract>:<YYYY-MM>`, the month being the one the dashboard is released in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from participants.calendar import calendar_for
from participants.errors import FlightpathError
from participants.models import Contract

from ..models import DashboardRelease, Obligation, ProviderActionPlan
from .obligations import owe

UPDATE_WORKING_DAYS = 5  # DOMAIN.md 10: updated within 5 working days of the dashboard's release
CPR_WORKING_DAYS = 15  # DOMAIN.md 10: the CPR by the 15th working day after it
MONTHS_BACK = 2  # the job (re)writes the obligations of this many months before the current one


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def default_release(month: dt.date) -> dt.date:
    return month.replace(day=settings.FLIGHTPATH_DASHBOARD_RELEASE_DAY)


def release_dates(contract: Contract, months: list[dt.date]) -> dict[dt.date, dt.date]:
    """The release date of each month: the date entered for it, else the setting's day (one query)."""
    entered = dict(
        DashboardRelease.objects.filter(contract=contract, month__in=months).values_list(
            "month", "released_on"
        )
    )
    return {m: entered.get(m) or default_release(m) for m in months}


def after_working_days(contract: Contract, day: dt.date, n: int) -> dt.date:
    """`day` + n working days on the contract's calendar (DOMAIN.md 17: busday_offset, roll forward)."""
    return calendar_for(contract.nation).deadline(day, n).item()


def plan_in_force(contract: Contract, on: dt.date) -> bool:
    """A plan is in force from the first approval of any of its versions (its monthly updates follow)."""
    return ProviderActionPlan.objects.filter(
        contract=contract, status=ProviderActionPlan.Status.APPROVED, decided_on__lte=on
    ).exists()


def _first_approval(contract: Contract) -> dt.date | None:
    return (
        ProviderActionPlan.objects.filter(contract=contract, status=ProviderActionPlan.Status.APPROVED)
        .order_by("decided_on")
        .values_list("decided_on", flat=True)
        .first()
    )


def _owner(contract: Contract):
    return contract.dwp_contacts.order_by("pk").first()


@transaction.atomic
def refresh_review_obligations(
    *, contract: Contract, today: dt.date, months: list[dt.date] | None = None
) -> int:
    """Owe the CPR of each month (and the monthly plan update while a plan is in force), for the months
    given or the current one and MONTHS_BACK before it, inside the contract's dates. Re-running changes
    nothing but an OPEN obligation's due date (a release date entered since). Returns the obligations owed."""
    if months is None:
        months = [add_months(first_of(today), -n) for n in range(MONTHS_BACK, -1, -1)]
    months = [m for m in months if first_of(contract.start_date) <= m <= contract.end_date]
    releases = release_dates(contract, months)
    approved = _first_approval(contract)
    owner = _owner(contract)
    owed = 0
    for month in months:  # a handful of months, not rows of data
        release = releases[month]
        owe(
            contract=contract,
            key=f"cpr:{contract.pk}:{month_key(month)}",
            kind=Obligation.Kind.CPR_DUE,
            due_date=after_working_days(contract, release, CPR_WORKING_DAYS),
            source=f"Dashboard {month:%B %Y} released {release:%-d %b %Y}",
            owner=owner,
        )
        owed += 1
        if approved is not None and approved <= release:
            owe(
                contract=contract,
                key=f"monthly_update:{contract.pk}:{month_key(month)}",
                kind=Obligation.Kind.MONTHLY_ACTION_PLAN_UPDATE,
                due_date=after_working_days(contract, release, UPDATE_WORKING_DAYS),
                source=f"Dashboard {month:%B %Y} released {release:%-d %b %Y}",
            )
            owed += 1
    return owed


@transaction.atomic
def enter_release(
    *, contract: Contract, month: dt.date, released_on: dt.date, today: dt.date
) -> DashboardRelease:
    """Record the day the month's dashboard was released and move what it makes owed."""
    month = first_of(month)
    if first_of(released_on) != month:
        raise FlightpathError(
            f"released on: {released_on:%-d %b %Y} is not in {month:%B %Y}, the month it is entered for.",
            field="released_on",
        )
    if not first_of(contract.start_date) <= month <= contract.end_date:
        raise FlightpathError(f"month: {month:%B %Y} is outside the contract's dates.", field="month")
    release, _ = DashboardRelease.objects.update_or_create(
        contract=contract, month=month, defaults={"released_on": released_on}
    )
    refresh_review_obligations(contract=contract, today=today, months=[month])
    return release


def refresh_all(*, today: dt.date) -> int:
    """The daily job: every live contract's obligations for the recent months."""
    owed = 0
    for contract in Contract.objects.filter(
        start_date__lte=today, end_date__gte=add_months(first_of(today), -MONTHS_BACK)
    ):
        owed += refresh_review_obligations(contract=contract, today=today)
    return owed
