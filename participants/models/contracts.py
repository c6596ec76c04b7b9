"""Programmes, organisations, contracts, sites, teams and staff (DOMAIN.md 1, 2)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .. import journey
from ..choices import Role
from ..querysets import ContractQuerySet


class Nation(models.TextChoices):
    ENGLAND = journey.ENGLAND, "England"
    WALES = journey.WALES, "Wales"
    SCOTLAND = journey.SCOTLAND, "Scotland"


class CohortBasis(models.TextChoices):
    REFERRAL = "REFERRAL", "Referral date"
    START = "START", "Start date"


class Programme(models.Model):
    """A programme template: groups, measured groups, cohort basis and outcome window (DOMAIN.md 2, 5)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    groups = models.JSONField(help_text="The programme's groups, in display order.")
    measured_groups = models.JSONField(help_text="Groups measured against MPL at quarterly reviews.")
    cohort_basis = models.CharField(max_length=10, choices=CohortBasis.choices)
    outcome_window_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="An outcome counts for its cohort at most this many days after start.",
    )
    has_quarterly_review = models.BooleanField(default=False, help_text="WP formal quarterly reviews.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PRIME = "PRIME", "Prime provider"
        SUBCONTRACTOR = "SUBCONTRACTOR", "Subcontractor"

    ref = models.CharField("organisation ref", max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subcontractors"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A prime's contract for one programme in one Contract Package Area (DATA.md contracts.csv)."""

    ref = models.CharField("contract ref", max_length=50, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="contracts")
    name = models.CharField(max_length=200)
    prime = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    cpa = models.CharField("contract package area", max_length=50)
    nation = models.CharField(max_length=3, choices=Nation.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    year_start_month = models.PositiveSmallIntegerField(
        default=journey.DEFAULT_YEAR_START_MONTH,
        help_text="Month the contract year starts (1-12); places the quarters.",
    )
    devolution_deal_areas = models.JSONField(default=list, blank=True)
    delivery_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="delivered_contracts",
        help_text="Organisations delivering referrals on this contract (the prime and its subcontractors).",
    )
    dwp_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="dwp_contracts",
        help_text="DWP performance and supplier managers named on the contract.",
    )
    history = HistoricalRecords(excluded_fields=["devolution_deal_areas"])

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_start_month__gte=1, year_start_month__lte=12),
                name="contract_year_start_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Site(models.Model):
    ref = models.CharField("site ref", max_length=50, unique=True)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=200)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="team_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"


class Staff(models.Model):
    """A member of staff. Key workers named in imports exist before they have a login (user is then null)."""

    ref = models.CharField("staff ref", max_length=80, unique=True)
    name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.KEY_WORKER)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="Empty for DWP contacts.",
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="staff")
    managed_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partnership_managers",
        limit_choices_to={"kind": Organisation.Kind.SUBCONTRACTOR},
        help_text="A partnerships manager's assigned subcontractors (of their own prime): they see and "
        "manage these, not every subcontractor of the prime (DOMAIN.md 1).",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "ref"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.name or self.ref
