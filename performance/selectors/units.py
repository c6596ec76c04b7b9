"""The performance page's "by unit" table (issue 12): one row per site, delivering organisation, key worker
or Devolution Deal Area of a slice, for one month, period and group (engine.unit_table), named and linked.
Two queries for the frames (the slice's referrals with their unit, their events), one for the names."""

from __future__ import annotations

import numpy as np

from participants.journey import rounded
from participants.models import Contract, Organisation, Site, Staff
from participants.querysets import name_or_ref

from .. import engine
from ..rag import mpl_rag
from . import figures as selectors
from .slices import DIMENSIONS, Slice

BY_DEFAULT = "organisation"
NAMED = {"site": Site, "organisation": Organisation, "key_worker": Staff}


def dimensions(contract: Contract) -> tuple[str, ...]:
    """The dimensions a contract's figures are shown by: DDA only where it has Devolution Deal Areas."""
    return tuple(d for d in DIMENSIONS if d != "dda" or contract.devolution_deal_areas)


def unit_rows(
    contract: Contract, part: Slice, *, by: str, month: int, period: str, group: str, amber_margin: float
) -> list[dict]:
    """The slice's units of dimension `by` with referrals, starts, job starts, job outcomes and % of the
    (indicative) MPL in the period ending `month`, largest referrals first; "(none)" collects the
    referrals without a site or key worker."""
    inputs = selectors.contract_inputs(contract)
    ddas = tuple(contract.devolution_deal_areas)
    referrals, events = selectors.engine_frames(
        contract.pk, inputs.rules.groups, where=part.where(), units=(by,), ddas=ddas
    )
    facts = engine.referral_facts(referrals, events)
    table = engine.unit_table(
        facts,
        referrals[by].to_numpy(dtype=np.int64),
        inputs.rules,
        inputs.terms,
        inputs.profiles,
        month=month,
        period=period,
        group=group,
    )
    ids = table["unit"].tolist()
    if by == "dda":
        names = {i + 1: (name, name) for i, name in enumerate(ddas)}
    else:
        names = {
            pk: (ref, name)
            for pk, ref, name in NAMED[by]
            .objects.filter(pk__in=ids)
            .annotate(shown=name_or_ref())
            .values_list("pk", "ref", "shown")
        }
    rows = []
    for record in table.to_dict("records"):  # units, not referrals
        ref, name = names.get(int(record["unit"]), (None, "(none)"))
        rows.append(
            {
                "ref": ref,
                "name": name,
                **{f: int(record[f]) for f in ("referrals", "starts", "job_starts", "job_outcomes")},
                "mpl_required": rounded(record["mpl_required"]),
                "pct_of_mpl": rounded(record["pct_of_mpl"]),
                "rag": mpl_rag(record["pct_of_mpl"], amber_margin=amber_margin),
            }
        )
    rows.sort(key=lambda r: (-r["referrals"], r["name"]))
    return rows
