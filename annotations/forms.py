from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.text import capfirst

from annotations import selectors
from annotations.fetching import BlockedURL, check_url
from annotations.models import Annotation, Rating, Source, Team
from annotations.services.annotations import MAX_RATIONALE_CHARS, AnnotationInput


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing for a while after repeated failures for one username
    from one address, so passwords cannot be guessed at speed."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait a few minutes and try again.",
    }

    def _throttle_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return f"login-failures:{address}:{username}"

    def clean(self) -> dict[str, Any]:
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            raise


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
    outlet = forms.CharField(required=False, max_length=200)
    published = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Published on"
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
        return data


# --- Annotation workspace ------------------------------------------------------------------


class AnnotationForm(forms.Form):
    """The verdict form. Field names are a stable contract for outside test tools:
    verdict, claim, claimant, rationale, tags."""

    verdict = forms.ChoiceField(required=False, label="Verdict")
    claim = forms.CharField(
        label="Claim summary",
        required=False,
        max_length=300,
        help_text="One line, in your words. Aim for 75 characters or fewer.",
        widget=forms.TextInput(attrs={"data-counter": "75", "autocomplete": "off"}),
    )
    claimant = forms.CharField(required=False, max_length=200, help_text="Who made the claim.")
    rationale = forms.CharField(
        required=False,
        max_length=MAX_RATIONALE_CHARS,
        help_text="Markdown: *emphasis*, **bold**, [links](https://…), lists, > quotes.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated, e.g. oil, Syria, casualties."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scale comes from a short-lived per-process cache, not a query per request.
        self.ratings = selectors.ratings_by_slug()
        verdict = self.fields["verdict"]
        assert isinstance(verdict, forms.ChoiceField)
        verdict.choices = [("", "No verdict yet")] + [
            (slug, rating.label) for slug, rating in self.ratings.items()
        ]

    def clean_verdict(self) -> Rating | None:
        slug = self.cleaned_data.get("verdict")
        return self.ratings.get(slug) if slug else None

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def to_input(self) -> AnnotationInput:
        data = self.cleaned_data
        return AnnotationInput(
            rating=data["verdict"],
            claim=data["claim"],
            claimant=data["claimant"],
            rationale=data["rationale"],
            tags=data["tags"],
        )

    @classmethod
    def initial_from(cls, annotation: Annotation) -> dict[str, Any]:
        return {
            "verdict": annotation.rating.slug if annotation.rating else None,
            "claim": annotation.claim,
            "claimant": annotation.claimant,
            "rationale": annotation.rationale,
            "tags": ", ".join(annotation.tags),
        }


class NewAnnotationForm(AnnotationForm):
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, widget=forms.HiddenInput)
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class EditAnnotationForm(AnnotationForm):
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SourceForm(forms.Form):
    url = forms.URLField(label="Address", max_length=2000, assume_scheme="https")
    title = forms.CharField(required=False, max_length=300)
    publisher = forms.CharField(required=False, max_length=200)
    quote = forms.CharField(
        label="Quoted passage",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The words you rely on; we look for them in the archived copy.",
    )
    stance = forms.ChoiceField(choices=Source.Stance.choices, initial=Source.Stance.SUPPORTS)
