from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from annotations.fetching import BlockedURL, check_url
from annotations.models import (
    Annotation,
    Article,
    ArticleVersion,
    CoverageFeed,
    CoverageJob,
    ImportJob,
    Rating,
    Team,
)
from annotations.workspace import selectors, services


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]
    search_fields = ["name"]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "source", "content_hash", "created_by", "created_at"]
    readonly_fields = ["number", "source", "content_hash", "created_by", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # versions come only from imports


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "team", "published_at", "created_at"]
    list_filter = ["team", "outlet"]
    search_fields = ["title", "outlet", "canonical_url"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ArticleVersionInline]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["url", "state", "created_by", "created_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "on_scale", "value", "colour", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["label"]}
    fields = [
        "label",
        "slug",
        "description",
        "colour",
        "on_scale",
        "value",
        "position",
        "is_active",
    ]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        selectors.forget_ratings()  # other processes pick the change up within seconds


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rating", "state", "author", "created_at", "deleted_at"]
    list_filter = ["state", "rating", "deleted_at"]
    search_fields = ["claim", "exact", "claimant"]
    readonly_fields = [
        "version",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "author",
        "revision",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    ]
    actions = ["restore"]

    @admin.action(description="Restore the selected deleted annotations")
    def restore(self, request, queryset):  # type: ignore[no-untyped-def]
        restored = 0
        for annotation in queryset.filter(deleted_at__isnull=False):
            try:
                services.annotation_restore(annotation_id=annotation.pk, user=request.user)
            except PermissionDenied:
                self.message_user(request, "Only admins can restore annotations.", messages.ERROR)
                return
            restored += 1
        self.message_user(request, f"Restored {restored} annotation(s).")


class CoverageFeedForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", label="Feed address")

    class Meta:
        model = CoverageFeed
        fields = ["name", "team", "url", "is_active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_url(url)  # a private or malformed address is refused here, not at fetch time
        except BlockedURL as exc:
            raise forms.ValidationError(f"That address is not allowed: {exc}.") from exc
        return url


@admin.register(CoverageFeed)
class CoverageFeedAdmin(admin.ModelAdmin):
    """The RSS/Atom feeds each desk searches for related coverage."""

    form = CoverageFeedForm
    list_display = ["name", "team", "url", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["name", "url"]


@admin.register(CoverageJob)
class CoverageJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "version",
        "state",
        "found",
        "extracted",
        "matched",
        "failed",
        "created_at",
    ]
    list_filter = ["state"]
    readonly_fields = [f.name for f in CoverageJob._meta.fields]
