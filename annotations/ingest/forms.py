"""The import form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from annotations.fetching import BlockedURL, check_url
from annotations.models import Team
from annotations.text import CONTROL


class OriginalURLField(forms.URLField):
    """The address where the outlet published the article: http or https, never fetched
    here (the change watch fetches it later, through the guarded fetcher)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {
        "invalid": _("Give the full address of the article, starting with http:// or https://.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("widget", forms.URLInput(attrs={"placeholder": "https://"}))
        super().__init__(**kwargs)


def published_not_in_future(value: date | None) -> date | None:
    """A publication date of an article the desk already reads cannot lie ahead; one that
    does is a typo (2052 for 2025) that would reach ClaimReview's datePublished. A day of
    slack covers outlets whose "today" is already tomorrow here."""
    if value is not None and value > timezone.localdate() + timedelta(days=1):
        raise forms.ValidationError(
            _("The publication date %(date)s is in the future; check the year."),
            params={"date": value.isoformat()},
        )
    return value


def no_control_characters(value: str, what: str) -> str:
    if CONTROL.search(value):
        raise forms.ValidationError(
            _("The %(what)s contains an invisible control character; remove it and try again."),
            params={"what": what},
        )
    return " ".join(value.split())


class ArticleImportForm(forms.Form):
    """One form, three ways in: pasted text, an uploaded file, or a URL (exactly one)."""

    text = forms.CharField(
        label="Paste the article",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "Headline\n\nFirst paragraph…"}),
    )
    file = forms.FileField(
        label="…or upload a file",
        required=False,
        help_text="A .txt, .md or .html file, UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,.html,.htm"}),
    )
    url = forms.CharField(
        label="…or fetch a URL",
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    title = forms.CharField(
        required=False, max_length=500, help_text="Leave empty to use the headline."
    )
    original_url = OriginalURLField(
        required=False,
        label=_("Original address"),
        help_text=_("Where the outlet published it. Needed to publish a verdict."),
    )
    outlet = forms.CharField(required=False, max_length=200)
    published = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Published on")
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Desk")

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is not None:
            team_field = self.fields["team"]
            assert isinstance(team_field, forms.ModelChoiceField)
            team_field.queryset = teams
            first = teams.first()
            if first is not None:
                self.fields["team"].initial = first.pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            limit_mb = settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024)
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit_mb:.0f} MB."
            )
        return upload

    def clean_published(self) -> date | None:
        return published_not_in_future(self.cleaned_data.get("published"))

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if url:
            try:
                check_url(url)
            except BlockedURL as exc:
                raise forms.ValidationError(capfirst(str(exc)) + ".") from exc
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [
            name
            for name in ("text", "file", "url")
            if (str(data[name]).strip() if isinstance(data.get(name), str) else data.get(name))
        ]
        if not given and not self.errors:
            raise forms.ValidationError("Paste the article text, upload a file or give a URL.")
        if len(given) > 1:
            raise forms.ValidationError("Use one way in at a time: paste, upload or URL.")
        data["source"] = given[0] if given else None
        if data["source"] == "url" and data.get("original_url"):
            # A fetched page is its own original address (or names its canonical one).
            self.add_error(
                "original_url",
                _("Leave this empty when you fetch a URL: the fetched address is the original."),
            )
        return data


class NewVersionForm(forms.Form):
    """The edited text of an article the desk already has: pasted or uploaded."""

    text = forms.CharField(
        label="Paste the new text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(
        label="…or upload it",
        required=False,
        help_text="A .txt, .md or .html file, UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,.html,.htm"}),
    )
    confirm_short = forms.BooleanField(
        required=False, label="Import it anyway: this is what the outlet publishes now"
    )

    clean_file = ArticleImportForm.clean_file

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool(str(data.get("text") or "").strip())
        if has_text and data.get("file"):
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if not has_text and not data.get("file") and not self.errors:
            raise forms.ValidationError("Paste the new text or upload it as a file.")
        return data


class ArticleDetailsForm(forms.Form):
    """Where and when the outlet published the article: added or fixed on its page."""

    original_url = OriginalURLField(
        required=False,
        label=_("Original address"),
        help_text=_("The page where the outlet published the article."),
    )
    outlet = forms.CharField(required=False, max_length=200, label=_("Outlet"))
    published = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Published on")
    )

    def clean_outlet(self) -> str:
        return no_control_characters(self.cleaned_data.get("outlet", ""), str(_("outlet")))

    def clean_published(self) -> date | None:
        return published_not_in_future(self.cleaned_data.get("published"))


# --- Annotation workspace ------------------------------------------------------------------
