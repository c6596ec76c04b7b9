"""The contract performance page's filter forms: month, period and group; the slice (site, organisation,
key worker, DDA). They only draw the controls; the values are parsed by participants.params and
performance.selectors.slices (the one place for their rules and error messages)."""

from django import forms

from participants.journey import ALL
from participants.models import Contract, Organisation, Site

from . import engine
from .models import Period


class PerformanceFilterForm(forms.Form):
    month = forms.CharField(
        label="Month",
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )
    period = forms.ChoiceField(
        label="Period",
        choices=Period.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    group = forms.ChoiceField(
        label="Group", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, contract: Contract, groups: tuple[str, ...], month: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g, "All groups" if g == ALL else g) for g in groups]
        self.fields["month"].widget.attrs.update(
            min=f"{contract.start_date:%Y-%m}",
            max=engine.month_label(max(month, engine.month_of(contract.end_date))),
        )


class SliceFilterForm(forms.Form):
    """The slice controls of the performance page (selectors.slices): site, delivering organisation, key
    worker (by reference) and Devolution Deal Area, each limited to what the user may see. Two queries."""

    organisation = forms.ChoiceField(
        label="Organisation",
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    site = forms.ChoiceField(
        label="Site", required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    key_worker = forms.CharField(
        label="Key worker (staff ref)",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "e.g. KW-0042"}
        ),
    )
    dda = forms.ChoiceField(
        label="Devolution Deal Area",
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, contract: Contract, allowed: frozenset[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        delivering = [contract.prime_id, *contract.delivery_organisations.values_list("pk", flat=True)]
        orgs = Organisation.objects.filter(pk__in=delivering)
        if allowed is not None:
            orgs = orgs.filter(pk__in=allowed)
        self.fields["organisation"].choices = [("", "All I may see")] + [
            (ref, name) for ref, name in orgs.order_by("name").values_list("ref", "name")
        ]
        sites = Site.objects.filter(organisation__in=orgs.values("pk")).order_by("name")
        self.fields["site"].choices = [("", "All sites")] + list(sites.values_list("ref", "name"))
        if contract.devolution_deal_areas:
            self.fields["dda"].choices = [("", "All areas")] + [
                (a, a) for a in contract.devolution_deal_areas
            ]
        else:
            del self.fields["dda"]
