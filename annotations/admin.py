from django.contrib import admin

from annotations.models import Article, ArticleVersion, ImportJob, Team


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
    readonly_fields = fields
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
