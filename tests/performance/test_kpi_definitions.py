"""A prime's KPI definitions (issue 12): shipped to every prime by migration and to a new prime by the
seed, honoured by the ratings (a changed direction, a retired KPI), kept to one direction per active source,
edited on the contract's definitions page by the prime's managers only, with the recompute queued."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from participants.errors import FlightpathError
from participants.models import Complaint, RecomputeRequest, Role
from performance.kpis import definitions, engine, selectors, services
from performance.models import KpiDefinition, KpiRating
from tests import factories as f

from .kpi_support import make_world, target

PAGE = "/performance/contracts/{ref}/kpis/definitions/"
EDIT = "/performance/contracts/{ref}/kpis/definitions/{pk}/"
SHIPPED_KEYS = {(role, source, direction) for role, _, source, direction in definitions.SHIPPED}


def _keys(prime) -> set[tuple[str, str, str]]:
    return set(KpiDefinition.objects.filter(prime=prime).values_list("applies_to", "source", "direction"))


def _definition(prime, role: str, source: str) -> KpiDefinition:
    return KpiDefinition.objects.get(prime=prime, applies_to=role, source=source)


def _rated(world, quarter="2025-06-01") -> dict:
    rows = KpiRating.objects.filter(contract=world.contract, quarter_end=dt.date.fromisoformat(quarter))
    return {(r.level, r.ref): r for r in rows}


@pytest.fixture
def world(db):
    w = make_world()
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-05", 1)
    target(w, "SITE", "S1", "STARTS", "2025-04", 2)
    target(w, "ORGANISATION", "SUB", "STARTS", "2025-04", 2)
    target(w, "CONTRACT", "", "COMPLAINTS", "2025-05", 0)
    definitions.seed_definitions(prime=w.prime)
    return w


# The migration and the seed ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_prime_its_own_copy_of_the_shipped_set():
    executor = MigrationExecutor(connection)
    before, latest = [("performance", "0006_merge_kpis_and_regimes")], executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        assert old.get_model("performance", "KpiDefinition").objects.count() == len(definitions.SHIPPED)
        Org = old.get_model("participants", "Organisation")
        one = Org.objects.create(ref="P-ONE", name="Prime One", kind="PRIME")
        two = Org.objects.create(ref="P-TWO", name="Prime Two", kind="PRIME")
        sub = Org.objects.create(ref="S-ONE", name="Sub One", kind="SUBCONTRACTOR", parent=one)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert _keys(one.pk) == _keys(two.pk) == SHIPPED_KEYS
    assert not KpiDefinition.objects.filter(prime=sub.pk).exists()
    assert KpiDefinition.objects.count() == 2 * len(definitions.SHIPPED)  # no product-wide rows left
    history = KpiDefinition.history.filter(prime=one.pk)
    assert history.count() == len(definitions.SHIPPED)
    assert set(history.values_list("history_change_reason", flat=True)) == {definitions.SHIPPED_REASON}


def test_a_new_prime_is_seeded_once_and_a_prime_keeps_its_own_set(db):
    prime = f.OrganisationFactory(ref="NEW-PRIME")
    assert selectors.kpi_rules(f.ContractFactory(prime=prime)) == definitions.SHIPPED_RULES  # none yet
    assert definitions.seed_definitions(prime=prime) == len(definitions.SHIPPED)
    assert _keys(prime) == SHIPPED_KEYS
    assert KpiDefinition.history.filter(prime=prime, history_type="+").count() == len(definitions.SHIPPED)
    KpiDefinition.objects.filter(prime=prime).update(active=False)
    assert definitions.seed_definitions(prime=prime) == 0  # every one retired: still its own set
    assert KpiDefinition.objects.filter(prime=prime).count() == len(definitions.SHIPPED)


def test_the_shipped_rules_are_domain_17_13():
    assert definitions.SHIPPED_RULES.maximum == engine.MAXIMUM_KPIS == {"COMPLAINTS"}
    assert definitions.SHIPPED_RULES.judged == {code for _, _, code, _ in definitions.SHIPPED}


def test_the_recompute_seeds_the_prime_it_rates(db):
    w = make_world()
    assert not KpiDefinition.objects.filter(prime=w.prime).exists()
    services.recompute_ratings(contract_id=w.contract.pk)
    assert _keys(w.prime) == SHIPPED_KEYS


def test_the_rules_are_read_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rules = selectors.kpi_rules(world.contract)
    assert rules == definitions.SHIPPED_RULES


# The engine honours the rules -------------------------------------------------------------------------------

MONTH = int(pd.Timestamp("2025-04-01").to_datetime64().astype("datetime64[M]").astype(int))


def _frames():
    actuals = pd.DataFrame(
        {
            "level": ["STAFF", "STAFF"],
            "ref": ["KW", "KW"],
            "kpi": ["COMPLAINTS", "JOB_STARTS"],
            "month": [MONTH, MONTH],
            "actual": [2, 3],
        }
    )
    targets = actuals.drop(columns="actual").assign(target=[1.0, 3.0])
    return actuals, targets


def test_judge_honours_a_changed_direction():
    actuals, targets = _frames()
    shipped = engine.judge(actuals, targets, 4).set_index("kpi")["met"]
    assert not shipped["COMPLAINTS"]  # two complaints against a maximum of one (17.13)
    changed = engine.judge(actuals, targets, 4, maximum_kpis=frozenset(), judged_kpis=None)
    assert changed.set_index("kpi")["met"]["COMPLAINTS"]  # as a minimum, two is at least one
    assert engine.rate(changed)["rag"].tolist() == ["GREEN"] and engine.rate(
        engine.judge(actuals, targets, 4)
    )["rag"].tolist() == ["AMBER"]


def test_judge_ignores_the_targets_of_a_retired_kpi():
    actuals, targets = _frames()
    judged = engine.judge(actuals, targets, 4, judged_kpis=frozenset({"JOB_STARTS"}))
    assert judged["kpi"].tolist() == ["JOB_STARTS"]
    assert engine.rate(judged)["rag"].tolist() == ["GREEN"]
    assert engine.judge(actuals, targets, 4, judged_kpis=frozenset()).empty  # nothing judged: no rating


def test_the_league_table_honours_the_rules():
    credited = pd.DataFrame(
        {
            "referral_id": [1, 2, 3],
            "kpi": ["COMPLAINTS", "COMPLAINTS", "JOB_STARTS"],
            "month": [MONTH] * 3,
            "site": ["S"] * 3,
            "key_worker": ["KW"] * 3,
        }
    )
    _, targets = _frames()
    shipped = engine.league_table(credited, targets, MONTH)
    assert shipped["score"].iloc[0] == pytest.approx(100 * (0.5 + 1 / 3) / 2)  # 1 of 2 complaints kept to
    as_minimum = engine.league_table(credited, targets, MONTH, maximum_kpis=frozenset())
    assert as_minimum["score"].iloc[0] == pytest.approx(100 * (1 + 1 / 3) / 2)
    retired = engine.league_table(credited, targets, MONTH, judged_kpis=frozenset({"JOB_STARTS"}))
    assert retired["kpi"].tolist() == ["JOB_STARTS"]


# The ratings of a contract follow its prime's definitions ---------------------------------------------------


def test_the_ratings_follow_a_changed_direction(world):
    Complaint.objects.create(referral=world.referrals[1], on=dt.date(2025, 5, 2), summary="Late call back")
    services.recompute_ratings(contract_id=world.contract.pk)
    assert _rated(world)[("CONTRACT", "K-1")].rag == "AMBER"  # the shipped maximum of no complaints
    complaints = _definition(world.prime, "KEY_WORKER", "COMPLAINTS")
    complaints.direction = KpiDefinition.Direction.MINIMUM
    definitions.save_definition(prime=world.prime, definition=complaints)
    services.recompute_ratings(contract_id=world.contract.pk)
    assert _rated(world)[("CONTRACT", "K-1")].rag == "GREEN"


def test_a_retired_kpi_is_not_judged(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    before = _rated(world)
    assert (before[("SITE", "S1")].rag, before[("ORGANISATION", "SUB")].rag) == ("GREEN", "AMBER")
    for role in ("ENGAGEMENT_OFFICER", "SUBCONTRACTOR"):
        starts = _definition(world.prime, role, "STARTS")
        starts.active = False
        definitions.save_definition(prime=world.prime, definition=starts)
    services.recompute_ratings(contract_id=world.contract.pk)
    after = _rated(world)
    assert ("SITE", "S1") not in after and ("ORGANISATION", "SUB") not in after  # only STARTS targets
    assert after[("STAFF", "KW-A")].rag == before[("STAFF", "KW-A")].rag == "GREEN"
    assert after[("CONTRACT", "K-1")].kpis == before[("CONTRACT", "K-1")].kpis


def test_another_primes_definitions_do_not_change_this_contracts_ratings(world):
    other = f.OrganisationFactory(ref="OTHER-PRIME")
    definitions.seed_definitions(prime=other)
    KpiDefinition.objects.filter(prime=other).update(active=False)
    services.recompute_ratings(contract_id=world.contract.pk)
    assert _rated(world)[("SITE", "S1")].rag == "GREEN"


def test_a_change_queues_the_kpi_recompute_of_every_contract_of_the_prime(
    world, django_capture_on_commit_callbacks
):
    second = f.ContractFactory(ref="K-2", prime=world.prime)
    f.ContractFactory(ref="ELSEWHERE")
    complaints = _definition(world.prime, "KEY_WORKER", "COMPLAINTS")
    complaints.direction = KpiDefinition.Direction.MINIMUM
    with django_capture_on_commit_callbacks(execute=False):
        definitions.save_definition(prime=world.prime, definition=complaints)
    queued = set(RecomputeRequest.objects.values_list("task", "contract_id"))
    assert queued == {
        (definitions.RECOMPUTE_TASK, world.contract.pk),
        (definitions.RECOMPUTE_TASK, second.pk),
    }
    RecomputeRequest.objects.all().delete()
    definitions.save_definition(prime=world.prime, definition=complaints)  # unchanged: nothing to do
    assert not RecomputeRequest.objects.exists()


def test_the_pip_reason_names_a_maximum_from_the_definitions(world):
    Complaint.objects.create(referral=world.referrals[1], on=dt.date(2025, 5, 2), summary="Late call back")
    services.recompute_ratings(contract_id=world.contract.pk)
    pip = services.accept_proposal(
        rating=_rated(world)[("CONTRACT", "K-1")], user=world.contract_manager.user
    )
    assert "COMPLAINTS: 1 against a maximum of 0" in pip.reason


# The one direction of a source, and one definition per role and source --------------------------------------


def test_the_service_refuses_a_duplicate_and_a_disagreeing_direction(world):
    duplicate = KpiDefinition(applies_to="KEY_WORKER", source="JOB_STARTS", name="More job starts")
    with pytest.raises(FlightpathError) as refused:
        definitions.save_definition(prime=world.prime, definition=duplicate)
    assert refused.value.field == "source"
    disagreeing = KpiDefinition(
        applies_to="ENGAGEMENT_OFFICER", source="COMPLAINTS", name="Complaints", direction="MINIMUM"
    )
    with pytest.raises(FlightpathError) as refused:
        definitions.save_definition(prime=world.prime, definition=disagreeing)
    assert refused.value.field == "direction" and "Key worker: Complaints" in refused.value.message
    disagreeing.active = False  # an inactive one is not judged, so it may differ
    definitions.save_definition(prime=world.prime, definition=disagreeing)
    assert KpiDefinition.objects.filter(prime=world.prime, source="COMPLAINTS").count() == 2


# The page ------------------------------------------------------------------------------------------------


def _as(client, staff):
    client.force_login(staff.user)
    return client


def test_the_page_lists_the_primes_definitions_by_role_with_their_history(world, client):
    response = _as(client, world.anna).get(PAGE.format(ref="K-1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "shared by all its contracts" in html and "Prime Ltd" in html
    assert [group.label for group in response.context["roles"]] == [
        "Key worker",
        "Engagement officer",
        "Employer account manager",
        "Subcontractor",
    ]
    some = _definition(world.prime, "KEY_WORKER", "COMPLAINTS")
    assert response.context["form"] is None and EDIT.format(ref="K-1", pk=some.pk) not in html
    changes = response.context["changes"]  # the shipped set, added at once: one change
    assert [(c.definition, c.what) for c in changes] == [
        ("Every role", f"Added: {len(definitions.SHIPPED)} KPIs")
    ]
    ratings = client.get("/performance/contracts/K-1/kpis/").content.decode()
    assert PAGE.format(ref="K-1") in ratings  # linked from the ratings page


def test_a_manager_edits_a_definition_and_the_history_says_who_changed_what(
    world, client, django_capture_on_commit_callbacks
):
    complaints = _definition(world.prime, "KEY_WORKER", "COMPLAINTS")
    _as(client, world.contract_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            EDIT.format(ref="K-1", pk=complaints.pk),
            {
                "name": "Complaints upheld",
                "applies_to": "KEY_WORKER",
                "source": "COMPLAINTS",
                "direction": "MINIMUM",
            },
        )
    assert response.status_code == 302 and response.url == PAGE.format(ref="K-1")
    complaints.refresh_from_db()
    assert (complaints.name, complaints.direction, complaints.active) == (
        "Complaints upheld",
        "MINIMUM",
        False,
    )
    change = client.get(EDIT.format(ref="K-1", pk=complaints.pk)).context["changes"][0]
    assert change.by == world.contract_manager.user.get_full_name()
    assert "Direction: Maximum \u2192 Minimum" in change.what
    assert (
        "Active: yes \u2192 no" in change.what and "Name: Complaints \u2192 Complaints upheld" in change.what
    )
    assert not RecomputeRequest.objects.exists()  # relayed and run on commit (eager in the tests)


def test_a_manager_adds_a_definition(world, client):
    _as(client, world.manager)  # the prime's performance manager
    data = {"name": "Job outcomes", "applies_to": "EMPLOYER_ACCOUNT_MANAGER", "source": "JOB_OUTCOMES"}
    response = client.post(PAGE.format(ref="K-1"), {**data, "direction": "MINIMUM", "active": "on"})
    assert response.status_code == 302
    assert _definition(world.prime, "EMPLOYER_ACCOUNT_MANAGER", "JOB_OUTCOMES").active


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        (
            {
                "name": "Job starts again",
                "applies_to": "KEY_WORKER",
                "source": "JOB_STARTS",
                "direction": "MINIMUM",
            },
            "source",
            "the key worker KPIs already read Job starts",
        ),
        (
            {"name": "Complaints handled", "applies_to": "ENGAGEMENT_OFFICER", "source": "COMPLAINTS"},
            "direction",
            "Complaints is a maximum in the prime's other active KPIs (Key worker: Complaints)",
        ),
    ],
)
def test_the_form_refuses_naming_the_field_and_keeps_what_was_typed(world, client, data, field, says):
    data = {"direction": "MINIMUM", "active": "on", **data}
    response = _as(client, world.contract_manager).post(PAGE.format(ref="K-1"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field] and says in form.errors[field][0]
    html = response.content.decode()
    assert f'value="{data["name"]}"' in html and says in html.replace("&#x27;", "'")
    assert KpiDefinition.objects.filter(prime=world.prime).count() == len(definitions.SHIPPED)


def test_an_edit_refused_keeps_what_was_typed(world, client):
    starts = _definition(world.prime, "SUBCONTRACTOR", "STARTS")
    data = {"name": "Starts (sub)", "applies_to": "SUBCONTRACTOR", "source": "STARTS", "direction": "MAXIMUM"}
    response = _as(client, world.contract_manager).post(
        EDIT.format(ref="K-1", pk=starts.pk), {**data, "active": "on"}
    )
    assert response.status_code == 400 and list(response.context["form"].errors) == ["direction"]
    html = response.content.decode()
    assert 'value="Starts (sub)"' in html and '<option value="MAXIMUM" selected>' in html
    starts.refresh_from_db()
    assert (starts.name, starts.direction) == ("Starts", "MINIMUM")


def test_permissions(world, client):
    complaints = _definition(world.prime, "KEY_WORKER", "COMPLAINTS")
    data = {"name": "X", "applies_to": "KEY_WORKER", "source": "COMPLAINTS", "direction": "MAXIMUM"}
    for viewer in (world.anna, world.partnerships, world.sub_worker):
        _as(client, viewer)
        assert client.get(PAGE.format(ref="K-1")).status_code == 200
        assert client.post(PAGE.format(ref="K-1"), data).status_code == 403
        assert client.get(EDIT.format(ref="K-1", pk=complaints.pk)).status_code == 403
        assert client.post(EDIT.format(ref="K-1", pk=complaints.pk), data).status_code == 403
    other_prime = f.OrganisationFactory(ref="OTHER")
    other_contract = f.ContractFactory(ref="K-OTHER", prime=other_prime)
    outsider = f.StaffFactory(organisation=other_prime, role=Role.CONTRACT_MANAGER)
    _as(client, outsider)
    assert client.get(PAGE.format(ref="K-1")).status_code == 404
    assert client.post(EDIT.format(ref="K-1", pk=complaints.pk), data).status_code == 404
    _as(client, world.contract_manager)
    definitions.seed_definitions(prime=other_prime)
    theirs = _definition(other_prime, "KEY_WORKER", "COMPLAINTS")
    assert client.get(EDIT.format(ref="K-1", pk=theirs.pk)).status_code == 404  # another prime's
    assert client.get(PAGE.format(ref=other_contract.ref)).status_code == 404
    complaints.refresh_from_db()
    assert complaints.name == "Complaints"
    client.logout()
    assert client.get(PAGE.format(ref="K-1")).status_code == 302  # to the login page


def test_the_admin_keeps_the_rule(world, client):
    admin_client = client
    admin_client.force_login(f.UserFactory(username="support", is_superuser=True, is_staff=True))
    data = {
        "prime": world.prime.pk,
        "name": "Complaints",
        "applies_to": "ENGAGEMENT_OFFICER",
        "source": "COMPLAINTS",
        "direction": "MINIMUM",
        "active": "on",
    }
    response = admin_client.post("/admin/performance/kpidefinition/add/", data)
    assert response.status_code == 200 and "direction" in response.context["adminform"].form.errors
    assert (
        admin_client.get(f"/admin/performance/kpidefinition/?prime__id__exact={world.prime.pk}").status_code
        == 200
    )
    response = admin_client.post("/admin/performance/kpidefinition/add/", {**data, "direction": "MAXIMUM"})
    assert response.status_code == 302
    added = _definition(world.prime, "ENGAGEMENT_OFFICER", "COMPLAINTS")
    assert added.direction == "MAXIMUM"
    change = f"/admin/performance/kpidefinition/{added.pk}/change/"
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, {**data, "prime": "", "active": ""})  # inactive: may differ
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.prime_id, added.direction, added.active) == (world.prime.pk, "MINIMUM", False)
