"""Forms of the participants app."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files (Django's documented pattern for <input type=file multiple>)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".zip,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportBundleForm(forms.Form):
    """An import bundle (DATA.md): one .zip of the bundle, or its CSV files selected together."""

    files = MultipleFileField(
        label="Bundle files",
        help_text="A .zip of the bundle folder, or its CSV files (referrals.csv and events.csv at least).",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        names = [f.name for f in files]
        zips = [n for n in names if n.lower().endswith(".zip")]
        if zips and len(files) > 1:
            raise forms.ValidationError("Upload one .zip, or CSV files, not both.")
        if not zips and not all(n.lower().endswith(".csv") for n in names):
            raise forms.ValidationError("Only .zip and .csv files can be imported.")
        if len(set(names)) != len(names):
            raise forms.ValidationError("Two files have the same name.")
        return files
