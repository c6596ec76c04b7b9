"""Pages of the participants app: home, contracts, referrals, participants. Thin: parse, select, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django_tables2 import RequestConfig

from . import selectors
from .audit import log_access
from .exports import REFERRAL_CSV_COLUMNS, csv_response
from .filtersets import ContractFilterSet, ReferralFilterSet
from .tables import ContractTable, ReferralTable, search_pagination

# The list's export: the referral columns and the stage each has reached (selectors.visible_referrals).
CSV_COLUMNS = [*REFERRAL_CSV_COLUMNS, ("stage", "stage")]


@login_required
def home(request):
    contracts = selectors.visible_contracts(request.user)
    return render(request, "participants/home.html", {"contracts": contracts})


@login_required
def contract_list(request):
    filterset = ContractFilterSet(request.GET, queryset=selectors.visible_contracts(request.user))
    table = ContractTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "participants/contract_list.html", {"table": table, "filter": filterset})


@login_required
def contract_detail(request, ref):
    contract = selectors.visible_contract(request.user, ref)
    return render(
        request,
        "participants/contract_detail.html",
        {
            "contract": contract,
            **selectors.contract_summary(contract),
            # Panels of the compliance, performance and regimes apps, fetched by the page with htmx (by URL
            # name: this app imports nothing from the apps above it).
            "standing_panels": [
                (reverse(f"{app}:standing", args=[contract.ref]), reverse(page, args=[contract.ref]), label)
                for app, page, label in (
                    ("compliance", "compliance:standards", "Customer service standards"),
                    ("performance", "performance:contract", "Performance against MPL"),
                    ("regimes", "regimes:regime", "Regime, recommendations and what's due"),
                )
            ],
        },
    )


@login_required
def referral_list(request):
    filterset = ReferralFilterSet(
        request.GET, queryset=selectors.visible_referrals(request.user), request=request
    )
    if request.GET.get("export") == "csv" and filterset.is_valid():
        rows = filterset.qs.order_by("contract__ref", "referral_date", "ref").values_list(
            *[field for _, field in CSV_COLUMNS]
        )
        header = [name for name, _ in CSV_COLUMNS]
        log_access(request, rows=rows)
        return csv_response("referrals.csv", header, rows.iterator(chunk_size=5000))
    valid = filterset.is_valid()
    referrals = filterset.qs if valid else filterset.queryset.none()
    paginate = {"per_page": 50}
    if valid and filterset.form.cleaned_data.get("q", "").strip():
        paginate |= search_pagination(referrals)
    table = ReferralTable(referrals)
    RequestConfig(request, paginate=paginate).configure(table)
    return render(request, "participants/referral_list.html", {"table": table, "filter": filterset})
