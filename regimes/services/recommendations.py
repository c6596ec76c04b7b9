"""Refreshing a contract's recommendations (DOMAIN.md 17.6) from performance's snapshots, set-based: a handful
of reads of small snapshot tables (quarters x groups rows, whatever the referral count), one bulk insert, one
bulk update, one withdrawal. Keys: `PIN_CANDIDATE:<group>:<YYYY-MM>`, `PIN_RISK:<group>:<YYYY-MM>`,
`MPL_RISK:<group>:<YYYY-MM>`, `CANCEL_PIN:<pin>`, `LIFT_PIN:<pin>`, `ESCALATE_PIN:<pin>`,
`PICAN_CANDIDATE:<indicator>`.

Decided ones (CONFIRMED, DISMISSED) are a person's and never change. An OPEN one the figures no longer support
is WITHDRAWN (and reopened should they support it again), except the projection's warnings for a quarter end
that has passed: those are kept until decided."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from participants.models import Contract
from performance.models import AssessmentSnapshot, PerformanceSnapshot, ProjectionSnapshot

from .. import rules
from ..models import Pin, Recommendation

R = Recommendation.Kind
FIELDS = ("kind", "group", "quarter_end", "indicator", "pin_id", "pct_of_mpl", "message", "evidence")


def _pct(actual: float, required: float) -> float | None:
    return actual / required * 100.0 if required else None


def _review_candidates(contract: Contract, pins: list[Pin], as_of: dt.date | None) -> dict[str, dict]:
    """PIN_CANDIDATE: each failed (final false) quarterly review of a measured group up to the latest data,
    unless a PIN on the group was OPEN on Q's last day or one was issued on that review."""
    measured = set(contract.programme.measured_groups)
    out = {}
    rows = AssessmentSnapshot.objects.filter(contract=contract, final=False, met=False, group__in=measured)
    for a in rows.values("group", "quarter_end", "adjusted_outcomes", "mpl_required"):
        last_day = rules.month_last_day(a["quarter_end"])
        if as_of is None or last_day > as_of:
            continue
        covered = any(
            p.group == a["group"]
            and (
                p.quarter_end == a["quarter_end"]
                or (p.issued_on <= last_day and (p.closed_on is None or p.closed_on > last_day))
            )
            for p in pins
        )
        if covered:
            continue
        pct = _pct(a["adjusted_outcomes"], a["mpl_required"])
        label = a["quarter_end"].strftime("%B %Y")
        out[f"PIN_CANDIDATE:{a['group']}:{a['quarter_end']:%Y-%m}"] = {
            "kind": R.PIN_CANDIDATE,
            "group": a["group"],
            "quarter_end": a["quarter_end"],
            "pct_of_mpl": pct,
            "message": f"{a['group']} failed the {label} review"
            + (f" at {pct:.0f}% of MPL" if pct is not None else "")
            + ": PIN candidate",
            "evidence": {
                "adjusted_outcomes": round(a["adjusted_outcomes"], 2),
                "mpl_required": round(a["mpl_required"], 2),
                "quarter_end": f"{a['quarter_end']:%Y-%m}",
            },
        }
    return out


def _projection_warnings(contract: Contract, as_of: dt.date | None) -> tuple[dict[str, dict], set[dt.date]]:
    """PIN_RISK (WP) / MPL_RISK: the latest projection's groups projected below MPL at a coming quarter end;
    also the quarter ends that projection looks at (a warning for any other is kept, not withdrawn)."""
    if as_of is None:
        return {}, set()
    wp = contract.programme.has_quarterly_review
    kind = R.PIN_RISK if wp else R.MPL_RISK
    rows = list(
        ProjectionSnapshot.objects.filter(contract=contract, as_of=as_of).values(
            "group",
            "quarter_end",
            "projected",
            "mpl_required",
            "projected_pct",
            "low_pct",
            "high_pct",
            "below_mpl",
        )
    )
    out = {}
    for p in rows:
        if not p["below_mpl"]:
            continue
        when = p["quarter_end"].strftime("%B %Y")
        pct = p["projected_pct"] or 0.0
        message = (
            f"{p['group']} rolling-12 projected at {pct:.0f}% of MPL at the {when} review: PIN candidate"
            if wp
            else f"{p['group']} rolling-12 projected at {pct:.0f}% of MPL at the end of {when}: MPL at risk"
        )
        out[f"{kind}:{p['group']}:{p['quarter_end']:%Y-%m}"] = {
            "kind": kind,
            "group": p["group"],
            "quarter_end": p["quarter_end"],
            "pct_of_mpl": p["projected_pct"],
            "message": message,
            "evidence": {
                "as_of": as_of.isoformat(),
                "projected": round(p["projected"], 2),
                "mpl_required": round(p["mpl_required"], 2),
                "low_pct": p["low_pct"] and round(p["low_pct"], 2),
                "high_pct": p["high_pct"] and round(p["high_pct"], 2),
            },
        }
    return out, {p["quarter_end"] for p in rows}


def _pin_outcomes(contract: Contract, pins: list[Pin], today: dt.date) -> dict[str, dict]:
    """CANCEL_PIN: an OPEN PIN whose quarter's final assessment is met. LIFT_PIN / ESCALATE_PIN: an OPEN PIN
    whose remedy_end month has ended: lift when the job outcomes of the twelve months ending remedy_end reach
    its jo_target, else escalate (once those months' figures exist)."""
    open_pins = [p for p in pins if p.status == Pin.Status.OPEN]
    if not open_pins:
        return {}
    finals = set(
        AssessmentSnapshot.objects.filter(contract=contract, final=True, met=True).values_list(
            "group", "quarter_end"
        )
    )
    ended = [p for p in open_pins if rules.remedy_over(remedy_end=p.remedy_end, on=today)]
    outcomes = {
        (g, m): jo
        for g, m, jo in PerformanceSnapshot.objects.filter(
            contract=contract,
            period="rolling_12",
            group__in={p.group for p in ended},
            month__in={p.remedy_end for p in ended},
        ).values_list("group", "month", "job_outcomes")
    }
    out = {}
    for p in open_pins:
        common = {"group": p.group, "quarter_end": p.quarter_end, "pin_id": p.pk}
        if (p.group, p.quarter_end) in finals:
            out[f"CANCEL_PIN:{p.pk}"] = {
                **common,
                "kind": R.CANCEL_PIN,
                "message": f"PIN {p.pk} on {p.group}: the final assessment of {p.quarter_end:%B %Y} is met: "
                "cancel",
                "evidence": {"final_assessment_met": True, "quarter_end": f"{p.quarter_end:%Y-%m}"},
            }
        elif p in ended and (p.group, p.remedy_end) in outcomes:
            jo = outcomes[(p.group, p.remedy_end)]
            kind = R.LIFT_PIN if jo >= p.jo_target else R.ESCALATE_PIN
            verb = "met: lift" if kind == R.LIFT_PIN else "missed: escalate"
            out[f"{kind}:{p.pk}"] = {
                **common,
                "kind": kind,
                "pct_of_mpl": _pct(jo, p.jo_target),
                "message": f"PIN {p.pk} on {p.group}: {jo} job outcomes to {p.remedy_end:%B %Y} against "
                f"a target of {p.jo_target:.1f}: {verb}",
                "evidence": {
                    "job_outcomes": jo,
                    "jo_target": p.jo_target,
                    "remedy_end": f"{p.remedy_end:%Y-%m}",
                },
            }
    return out


def _pican_candidates(contract: Contract) -> dict[str, dict]:
    """PICAN_CANDIDATE (WHP): each indicator of settings.FLIGHTPATH_PICAN_INDICATORS whose latest rolling-12
    figure is below its threshold: `pct_of_mpl` of a group, or a ratio of two flows (e.g. earnings starts per
    start) in percent."""
    if contract.programme.code != "WHP":
        return {}
    latest = PerformanceSnapshot.objects.filter(contract=contract, period="rolling_12").aggregate(
        m=Max("month")
    )["m"]
    if latest is None:
        return {}
    indicators = settings.FLIGHTPATH_PICAN_INDICATORS
    rows = {
        r["group"]: r
        for r in PerformanceSnapshot.objects.filter(
            contract=contract,
            period="rolling_12",
            month=latest,
            group__in={i["group"] for i in indicators.values()},
        ).values()
    }
    out = {}
    for name, spec in indicators.items():
        row = rows.get(spec["group"])
        if row is None:
            continue
        if spec["measure"] == "pct_of_mpl":
            value = row["pct_of_mpl"]
        else:
            numerator, denominator = spec["measure"].split("/")
            value = _pct(row[numerator], row[denominator])
        if value is None or value >= spec["below"]:
            continue
        out[f"PICAN_CANDIDATE:{name}"] = {
            "kind": R.PICAN_CANDIDATE,
            "group": spec["group"],
            "indicator": name,
            "pct_of_mpl": value if spec["measure"] == "pct_of_mpl" else None,
            "message": f"{spec['label']}: {value:.1f}% in the twelve months to {latest:%B %Y}, below "
            f"{spec['below']:.0f}%: PICAN candidate",
            "evidence": {
                "value_pct": round(value, 2),
                "threshold_pct": spec["below"],
                "month": f"{latest:%Y-%m}",
            },
        }
    return out


@transaction.atomic
def refresh(*, contract: Contract, today: dt.date | None = None) -> dict[str, int]:
    """Bring the contract's recommendations in line with its figures (17.6). Returns counts."""
    today = today or timezone.localdate()
    pins = list(Pin.objects.filter(contract=contract))
    as_of = ProjectionSnapshot.objects.filter(contract=contract).aggregate(d=Max("as_of"))["d"]
    warnings, projected_quarters = _projection_warnings(contract, as_of)
    wanted = {
        **_review_candidates(contract, pins, as_of),
        **warnings,
        **_pin_outcomes(contract, pins, today),
        **_pican_candidates(contract),
    }
    existing = {r.key: r for r in Recommendation.objects.select_for_update().filter(contract=contract)}
    new, changed, withdrawn, now = [], [], [], timezone.now()
    for key, values in wanted.items():
        values = {
            "group": "",
            "quarter_end": None,
            "indicator": "",
            "pin_id": None,
            "pct_of_mpl": None,
            **values,
        }
        row = existing.get(key)
        if row is None:
            new.append(Recommendation(contract=contract, key=key, **values))
        elif row.status in (Recommendation.Status.OPEN, Recommendation.Status.WITHDRAWN):
            for name, value in values.items():
                setattr(row, name, value)
            row.status, row.updated = Recommendation.Status.OPEN, now
            changed.append(row)
    for key, row in existing.items():
        if key in wanted or row.status != Recommendation.Status.OPEN:
            continue
        kept = row.kind in (R.PIN_RISK, R.MPL_RISK) and row.quarter_end not in projected_quarters
        if not kept:
            withdrawn.append(row.pk)
    Recommendation.objects.bulk_create(new)
    if changed:
        Recommendation.objects.bulk_update(changed, [*FIELDS, "status", "updated"])
    Recommendation.objects.filter(pk__in=withdrawn).update(
        status=Recommendation.Status.WITHDRAWN, updated=now
    )
    return {"created": len(new), "updated": len(changed), "withdrawn": len(withdrawn)}
