"""factory-boy factories for the core models, shared by every test package."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from participants import models
from participants.roles import group_for


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("pass")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ("ref",)

    ref = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = models.Organisation.Kind.PRIME


class SubcontractorFactory(OrganisationFactory):
    kind = models.Organisation.Kind.SUBCONTRACTOR
    parent = factory.SubFactory(OrganisationFactory)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contract
        django_get_or_create = ("ref",)

    ref = factory.Sequence(lambda n: f"C-{n}")
    programme = factory.LazyFunction(lambda: models.Programme.objects.get(code="WHP"))
    name = factory.Sequence(lambda n: f"Contract {n}")
    prime = factory.SubFactory(OrganisationFactory)
    cpa = "CPA1"
    nation = "ENG"
    start_date = dt.date(2024, 4, 1)
    end_date = dt.date(2028, 3, 31)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Site

    ref = factory.Sequence(lambda n: f"SITE{n}")
    name = factory.Sequence(lambda n: f"Site {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Staff
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"KW{n}")
    name = factory.Faker("name")
    user = factory.SubFactory(UserFactory)
    role = models.Role.KEY_WORKER
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def in_role_group(self, create, extracted, **kwargs):
        if create and self.user_id:
            self.user.groups.add(group_for(self.role))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participant

    prime = factory.SubFactory(OrganisationFactory)
    ref = factory.Sequence(lambda n: f"P{n:07d}")


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Referral

    contract = factory.SubFactory(ContractFactory)
    ref = factory.Sequence(lambda n: f"R{n:07d}")
    participant = factory.LazyAttribute(lambda o: ParticipantFactory(prime=o.contract.prime))
    referral_date = dt.date(2025, 1, 6)
    group = "LTU"
    organisation = factory.LazyAttribute(lambda o: o.contract.prime)
    site = None
    key_worker = None


class JourneyEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.JourneyEvent

    referral = factory.SubFactory(ReferralFactory)
    contract = factory.LazyAttribute(lambda o: o.referral.contract)
    code = models.EventCode.STARTED
    event_date = factory.LazyAttribute(lambda o: o.referral.referral_date + dt.timedelta(days=7))


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Appointment

    referral = factory.SubFactory(ReferralFactory)
    kind = models.Appointment.Kind.ONE_TO_ONE
    starts_at = factory.LazyAttribute(  # two days after the referral, 10:00 UTC
        lambda o: dt.datetime.combine(o.referral.referral_date + dt.timedelta(days=2), dt.time(10), dt.UTC)
    )
