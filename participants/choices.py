"""The choices that the querysets share with the models: Django TextChoices in a module that imports no
model, because the models import the querysets (a queryset importing a model module would be a cycle)."""

from django.db import models


class Role(models.TextChoices):
    """DOMAIN.md section 1. Each role is also a Django group carrying its permissions."""

    KEY_WORKER = "KEY_WORKER", "Key worker"
    PERFORMANCE_MANAGER = "PERFORMANCE_MANAGER", "Team leader / performance manager"
    PARTNERSHIPS_MANAGER = "PARTNERSHIPS_MANAGER", "Partnerships manager"
    CONTRACT_MANAGER = "CONTRACT_MANAGER", "Contract manager"
    CLAIMS_OFFICER = "CLAIMS_OFFICER", "Claims officer"
    DWP_CONTACT = "DWP_CONTACT", "DWP contact"


class Stage(models.TextChoices):
    """The journey stage of a referral, derived from its events (DOMAIN.md 2, 4): the furthest reached."""

    REFERRED = "REFERRED", "Referred"
    FAILED_TO_ATTEND = "FAILED_TO_ATTEND", "Failed to attend"
    DID_NOT_START = "DID_NOT_START", "Did not start"
    STARTED = "STARTED", "On programme"
    IN_WORK = "IN_WORK", "In work"
    JOB_OUTCOME = "JOB_OUTCOME", "Job outcome"
    EXITED = "EXITED", "Exited"
