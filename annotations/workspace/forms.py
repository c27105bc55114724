"""The annotation and source forms of the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.models import Annotation, Rating, Source
from annotations.workspace import selectors
from annotations.workspace.services import (
    MAX_CLAIM_CHARS,
    MAX_CLAIMANT_CHARS,
    MAX_RATIONALE_CHARS,
    MAX_TAG_CHARS,
    AnnotationInput,
    SourceInput,
    source_digest,
)


class AnnotationForm(forms.Form):
    """The verdict form. Field names are a stable contract for outside test tools:
    verdict, claim, claimant, rationale, tags."""

    verdict = forms.ChoiceField(required=False, label=_("Verdict"))
    claim = forms.CharField(
        label=_("Claim summary"),
        required=False,
        max_length=MAX_CLAIM_CHARS,
        help_text=_("One line, in your words. Aim for 75 characters or fewer."),
        widget=forms.TextInput(attrs={"data-counter": "75", "autocomplete": "off"}),
    )
    claimant = forms.CharField(
        label=_("Claimant"),
        required=False,
        max_length=MAX_CLAIMANT_CHARS,
        help_text=_("Who made the claim."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=MAX_RATIONALE_CHARS,
        help_text=_("Markdown: *emphasis*, **bold**, [links](https://…), lists, > quotes."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated, e.g. oil, Syria, casualties."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scale comes from a short-lived per-process cache, not a query per request.
        self.ratings = selectors.ratings_by_slug()
        verdict = self.fields["verdict"]
        assert isinstance(verdict, forms.ChoiceField)
        verdict.choices = [("", gettext("No verdict yet"))] + [
            (slug, gettext(rating.label)) for slug, rating in self.ratings.items()
        ]

    def clean_verdict(self) -> Rating | None:
        slug = self.cleaned_data.get("verdict")
        return self.ratings.get(slug) if slug else None

    def clean_tags(self) -> list[str]:
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        for tag in tags:
            if len(tag) > MAX_TAG_CHARS:
                raise forms.ValidationError(
                    gettext("“%(tag)s…” is %(length)d characters; a tag has at most %(limit)d.")
                    % {"tag": tag[:30], "length": len(tag), "limit": MAX_TAG_CHARS}
                )
        return tags

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


# Several of these forms can be open on one page (two cards being edited, an add-source form
# beside them): each form's ids carry its claim, so no id repeats and every label points at
# its own field. Only the ids change; the field names, which forms post, stay as they are.


class NewAnnotationForm(AnnotationForm):
    """One new claim at a time: the workspace has a single slot for this form."""

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, widget=forms.HiddenInput)
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "new-annotation-%s")
        super().__init__(*args, **kwargs)


class EditAnnotationForm(AnnotationForm):
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, annotation_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"annotation-{annotation_id}-edit-%s")
        super().__init__(*args, **kwargs)


class SourceForm(forms.Form):
    url = forms.URLField(label=_("Address"), max_length=2000, assume_scheme="https")
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    publisher = forms.CharField(label=_("Publisher"), required=False, max_length=200)
    quote = forms.CharField(
        label=_("Quoted passage"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The words you rely on; we look for them in the archived copy."),
    )
    stance = forms.ChoiceField(
        label=_("Stance"), choices=Source.Stance.choices, initial=Source.Stance.SUPPORTS
    )

    def __init__(self, *args: Any, annotation_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"annotation-{annotation_id}-source-%s")
        super().__init__(*args, **kwargs)

    def to_input(self) -> SourceInput:
        data = self.cleaned_data
        return SourceInput(
            url=data["url"],
            title=data["title"],
            publisher=data["publisher"],
            quote=data["quote"],
            stance=data["stance"],
        )


class SourceEditForm(SourceForm):
    """Editing one source. Its fields' ids start with the source's ("source-12-url"), so two
    forms open on one page never share an id; `loaded` is what the form was opened with."""

    loaded = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, source: Source, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"source-{source.pk}-%s")
        if not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "url": source.url,
                "title": source.title,
                "publisher": source.publisher,
                "quote": source.quote,
                "stance": source.stance,
                "loaded": source_digest(source),
            }
        super().__init__(*args, annotation_id=source.annotation_id, **kwargs)
