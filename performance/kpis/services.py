"""Write paths of the KPIs (DOMAIN.md 17.12-15): recomputing a contract's KPI ratings (claimed and recorded
with participants.jobs.job_run), a manager's decision on the PIP a rating proposes, PIPs with their SMART
actions, reviews and outcome, and the daily scores on the doors email through the outbox."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from participants import mail
from participants.errors import FlightpathError
from participants.jobs import job_run
from participants.models import Contract, KpiCode, Staff

from ..engine.months import month_of
from ..models import KpiRating, Pip, PipAction, PipReview
from ..models.kpis import PipLevel
from . import definitions, engine, selectors

JOB_KIND = "performance.kpis"
PROPOSING = (engine.AMBER, engine.RED)  # DOMAIN.md 17.15: these ratings propose a PIP


def recompute_ratings(*, contract_id: int, months: list[str] | None = None) -> int:
    """Recompute every KPI rating of a contract from its events, records and targets, idempotently (one
    transaction; rows updated by key, so a manager's decision on a proposed PIP stays with its rating).
    Every quarter is rewritten whatever `months` an import touched: a change of assignment moves actuals
    between units in any month, and the ratings are a few rows per unit. Returns the ratings written."""
    del months  # every quarter, see above
    with job_run(JOB_KIND, contract_id=contract_id) as run:
        contract = Contract.objects.get(pk=contract_id)
        inputs = selectors.kpi_inputs(contract)
        run.report(40, "actuals computed")
        actuals = engine.monthly_actuals(inputs.credited, contract.ref)
        definitions.seed_definitions(prime=contract.prime)
        rules = selectors.kpi_rules(contract)  # the prime's active KPI definitions and their directions
        judged = engine.judge(
            actuals,
            inputs.targets,
            contract.year_start_month,
            maximum_kpis=rules.maximum,
            judged_kpis=rules.judged,
        )
        # DOMAIN.md 11: a rating is given at the end of a quarter; one still in progress is not rated yet.
        rated = engine.rate(judged)
        rated = rated.loc[rated["quarter_end"] < month_of(timezone.localdate())]
        tables = engine.kpi_tables(judged)
        return _write_ratings(contract, rated, tables)


def _proposal(rag: str, held: str) -> str:
    """DOMAIN.md 17.15 as SQL over the columns `rag` (the new rating) and `held` (its proposal so far, ''
    for a new one): an AMBER or RED rating proposes a PIP; a proposal the figures no longer support is
    withdrawn; a manager's decision (accepted, dismissed) stays."""
    proposing = ", ".join(f"'{code}'" for code in PROPOSING)
    none, proposed = KpiRating.Proposal.NONE.value, KpiRating.Proposal.PROPOSED.value
    return (
        f"CASE WHEN {rag} IN ({proposing}) AND {held} = '{none}' THEN '{proposed}' "
        f"WHEN {rag} NOT IN ({proposing}) AND {held} = '{proposed}' THEN '{none}' ELSE {held} END"
    )


_NEW_RATINGS = "kpi_rating_new"  # a temporary table, dropped at commit
_SAME_KEY = (
    "r.contract_id = %(contract)s AND (r.level, r.ref, r.quarter_end) = (n.level, n.ref, n.quarter_end)"
)


@transaction.atomic
def _write_ratings(contract: Contract, rated, tables) -> int:
    """Write the ratings of `rated` (level, ref, quarter_end, rag) with their KPI tables: copied into a
    temporary table, then one UPDATE of the held ratings that changed (their pk and the manager's decision
    kept), one INSERT of the new ones, and the held ratings no longer rated deleted (through the ORM, for
    the PIPs that point at them). An unchanged rating is not written again."""
    levels, refs, ends, rags = (rated[column].tolist() for column in ("level", "ref", "quarter_end", "rag"))
    names = selectors.unit_names(contract, set(zip(levels, refs, strict=True)))
    days = np.asarray(ends, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").tolist()
    table, key = KpiRating._meta.db_table, {"contract": contract.pk}
    first = _proposal("n.rag", "''")  # a new rating has no proposal yet
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_NEW_RATINGS}")
        cursor.execute(
            f"CREATE TEMP TABLE {_NEW_RATINGS} (level varchar(12), ref varchar(80), quarter_end date, "
            "rag varchar(5), kpis jsonb, name varchar(200)) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {_NEW_RATINGS} FROM STDIN") as copy:
            for level, ref, end, day, rag in zip(levels, refs, ends, days, rags, strict=True):
                kpis = json.dumps(tables[(level, ref, end)])
                copy.write_row((level, ref, day, rag, kpis, names.get((level, ref), ref)))
        cursor.execute(
            f"SELECT r.id FROM {table} r WHERE r.contract_id = %(contract)s "
            f"AND NOT EXISTS (SELECT 1 FROM {_NEW_RATINGS} n WHERE {_SAME_KEY})",
            key,
        )
        gone = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            f"UPDATE {table} r SET rag = n.rag, kpis = n.kpis, name = n.name, "
            f"proposal = {_proposal('n.rag', 'r.proposal')}, computed_at = now() "
            f"FROM {_NEW_RATINGS} n WHERE {_SAME_KEY} AND (r.rag, r.kpis, r.name, r.proposal) "
            f"IS DISTINCT FROM (n.rag, n.kpis, n.name, {_proposal('n.rag', 'r.proposal')})",
            key,
        )
        cursor.execute(
            f"INSERT INTO {table} (contract_id, level, ref, quarter_end, rag, kpis, name, proposal, "
            "dismissed_reason, computed_at) "
            f"SELECT %(contract)s, n.level, n.ref, n.quarter_end, n.rag, n.kpis, n.name, {first}, '', now() "
            f"FROM {_NEW_RATINGS} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE {_SAME_KEY})",
            key,
        )
    KpiRating.objects.filter(pk__in=gone).delete()
    return len(levels)


def _missed_text(rating: KpiRating) -> str:
    maximum = selectors.kpi_rules(rating.contract).maximum

    def bound(kpi: str) -> str:
        return "maximum" if kpi in maximum else "target"

    lines = [
        f"{row['kpi']}: {row['actual']} against a {bound(row['kpi'])} of {row['target']:g}"
        for row in rating.missed
    ]
    return (
        f"KPI rating {rating.get_rag_display()} for the quarter ending {rating.quarter_end:%B %Y}.\n"
        + "\n".join(lines)
    )


@transaction.atomic
def accept_proposal(*, rating: KpiRating, user, opened_on: dt.date | None = None) -> Pip:
    """The manager accepts the PIP an AMBER or RED rating proposes: a PIP for the unit, pre-filled with the
    missed KPIs, with its first review scheduled a month on."""
    rating = KpiRating.objects.select_for_update().get(pk=rating.pk)
    if rating.proposal != KpiRating.Proposal.PROPOSED:
        raise FlightpathError("This rating proposes no PIP (it was decided already, or is on target).")
    opened_on = opened_on or timezone.localdate()
    pip = Pip.objects.create(
        contract=rating.contract,
        level=rating.level,
        ref=rating.ref,
        name=rating.name,
        rating=rating,
        reason=_missed_text(rating),
        opened_on=opened_on,
        opened_by=user,
    )
    PipReview.objects.create(pip=pip, scheduled_on=_month_on(opened_on))
    rating.proposal, rating.decided_by, rating.decided_at = KpiRating.Proposal.ACCEPTED, user, timezone.now()
    rating.save(update_fields=["proposal", "decided_by", "decided_at"])
    return pip


@transaction.atomic
def dismiss_proposal(*, rating: KpiRating, user, reason: str) -> KpiRating:
    reason = (reason or "").strip()
    if not reason:
        raise FlightpathError("Say why the PIP is not needed.", field="reason")
    rating = KpiRating.objects.select_for_update().get(pk=rating.pk)
    if rating.proposal != KpiRating.Proposal.PROPOSED:
        raise FlightpathError("This rating proposes no PIP (it was decided already, or is on target).")
    rating.proposal, rating.dismissed_reason = KpiRating.Proposal.DISMISSED, reason[:500]
    rating.decided_by, rating.decided_at = user, timezone.now()
    rating.save(update_fields=["proposal", "dismissed_reason", "decided_by", "decided_at"])
    return rating


def _month_on(day: dt.date) -> dt.date:
    """DOMAIN.md 17: the same day a month on, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def raise_pip(
    *, contract: Contract, level: str, ref: str, name: str, reason: str, user, opened_on: dt.date
) -> Pip:
    """A PIP a manager raises without a proposal (a TEAM, or a unit between quarter ends)."""
    if level not in PipLevel.values:
        raise FlightpathError(f"Unknown level {level!r}.", field="level")
    if not reason.strip():
        raise FlightpathError("Say what the plan must change.", field="reason")
    pip = Pip.objects.create(
        contract=contract, level=level, ref=ref, name=name, reason=reason, opened_on=opened_on, opened_by=user
    )
    PipReview.objects.create(pip=pip, scheduled_on=_month_on(opened_on))
    return pip


@transaction.atomic
def add_action(*, pip: Pip, action: str, measure: str, owner, due_date: dt.date) -> PipAction:
    if pip.status != Pip.Status.OPEN:
        raise FlightpathError("The PIP is closed.")
    return PipAction.objects.create(pip=pip, action=action, measure=measure, owner=owner, due_date=due_date)


@transaction.atomic
def set_action_status(*, action: PipAction, status: str) -> PipAction:
    if status not in PipAction.Status.values:
        raise FlightpathError(f"Unknown status {status!r}.", field="status")
    action.status = status
    action.save(update_fields=["status"])
    return action


@transaction.atomic
def record_review(*, pip: Pip, held_on: dt.date, note: str, next_review: dt.date | None) -> PipReview:
    """Hold the next scheduled review (or an unscheduled one) and schedule the one after."""
    review = pip.reviews.filter(held_on__isnull=True).order_by("scheduled_on").first()
    if review is None:
        review = PipReview(pip=pip, scheduled_on=held_on)
    review.held_on, review.note = held_on, note
    review.save()
    if next_review is not None:
        if next_review <= held_on:
            raise FlightpathError("The next review must be after this one.", field="next_review")
        PipReview.objects.create(pip=pip, scheduled_on=next_review)
    return review


@transaction.atomic
def close_pip(*, pip: Pip, outcome: str, note: str, closed_on: dt.date) -> Pip:
    if outcome not in (o for o in Pip.Outcome.values if o):
        raise FlightpathError("Choose the PIP's outcome.", field="outcome")
    pip.status, pip.outcome, pip.outcome_note, pip.closed_on = Pip.Status.CLOSED, outcome, note, closed_on
    pip.save(update_fields=["status", "outcome", "outcome_note", "closed_on"])
    pip.reviews.filter(held_on__isnull=True).delete()
    return pip


def send_scores_on_the_doors(*, today: dt.date | None = None) -> int:
    """Queue the morning league table (DOMAIN.md 14) to every member of staff with an email address at a site
    that has one: one message per person and day (the idempotency key), holding each of their sites' tables.
    Returns how many were queued (a second run the same day queues none)."""
    today = today or timezone.localdate()
    month = month_of(today)
    sections: dict[int, list[dict]] = {}
    people: dict[int, Staff] = {}
    for contract in Contract.objects.filter(start_date__lte=today, end_date__gte=today):
        tables = {league.site_ref: league for league in selectors.leagues(contract, month)}
        if not tables:
            continue
        staff = (
            Staff.objects.filter(Q(sites__ref__in=tables) | Q(team__site__ref__in=tables), user__isnull=False)
            .exclude(user__email="")
            .select_related("user")
            .prefetch_related("sites", "team__site")
            .distinct()
        )
        labels = {code: label for code, label in KpiCode.choices}
        for person in staff:
            people[person.pk] = person
            refs = {site.ref for site in person.sites.all()} | (
                {person.team.site.ref} if person.team else set()
            )
            for ref in sorted(refs & set(tables)):
                league = tables[ref]
                sections.setdefault(person.pk, []).append(
                    {"contract": contract, "league": league, "labels": [labels[k] for k in league.kpis]}
                )
    messages = []
    for pk, person_sections in sections.items():
        person = people[pk]
        context = {
            "name": person.name or person.user.get_username(),
            "staff_ref": person.ref,
            "today": today,
            "month_label": f"{today:%B %Y}",
            "sections": person_sections,
            "site_url": settings.SITE_URL,
            "link": reverse("performance:kpi-scores", args=[person_sections[0]["contract"].ref]),
        }
        messages.append(
            mail.Outgoing(
                key=f"scores-on-the-doors:{person.user_id}:{today.isoformat()}",
                to=[person.user.email],
                subject=f"Scores on the doors, {today:%a %-d %b}",
                text=render_to_string("performance/kpis/email/scores.txt", context),
                html=render_to_string("performance/kpis/email/scores.html", context),
                kind="scores_on_the_doors",
                user=person.user,
            )
        )
    return mail.queue_many(messages=messages)
