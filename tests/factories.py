from __future__ import annotations

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from annotations.ingest import services as ingest
from annotations.ingest.documents import from_plain_text
from annotations.models import Article, ArticleVersion, CoverageJob, RelatedArticle, Team
from annotations.workspace import services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.example")
    password = factory.django.Password("correct horse battery staple")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Desk {n}")
    slug = factory.Sequence(lambda n: f"desk-{n}")


def import_text(text: str, **kwargs: object) -> tuple[Article, ArticleVersion]:
    """Import through the real service, as a fact-checker's paste would."""
    result = ingest.article_import(
        document=from_plain_text(text),
        source=ArticleVersion.Source.PASTE,
        **kwargs,  # type: ignore[arg-type]
    )
    return result.article, result.version


def annotate(version: ArticleVersion, phrase: str, author: User, **fields: object):  # type: ignore[no-untyped-def]
    """Annotate the first occurrence of `phrase` through the real service."""
    from annotations.models import Rating

    start = version.text.index(phrase)
    verdict = fields.pop("verdict", "unproven")
    data = services.AnnotationInput(
        rating=Rating.objects.get(slug=verdict) if verdict else None,
        claim=str(fields.pop("claim", "")),
        claimant=str(fields.pop("claimant", "")),
        rationale=str(fields.pop("rationale", "")),
        tags=list(fields.pop("tags", [])),  # type: ignore[call-overload]
    )
    annotation, _created = services.annotation_create(
        version=version,
        author=author,
        start=start,
        end=start + len(phrase),
        exact=phrase,
        data=data,
        **fields,
    )
    return annotation


def finished_coverage_job(version: ArticleVersion, user: User, query: str) -> CoverageJob:
    """A related-coverage search that has finished with one article found and read."""
    return CoverageJob.objects.create(
        version=version,
        query=query,
        providers=["archive"],
        state=CoverageJob.State.DONE,
        found=1,
        fetched=1,
        extracted=1,
        matched=1,
        created_by=user,
        finished_at=timezone.now(),
    )


def related_article(job: CoverageJob, *, url: str, title: str, text: str) -> RelatedArticle:
    """An extracted related article of two sentences (`text` holds one ". " between them)."""
    first_end = text.index(". ") + 1
    return RelatedArticle.objects.create(
        job=job,
        provider="archive",
        url=url,
        title=title,
        outlet="Other Outlet",
        status=RelatedArticle.Status.EXTRACTED,
        text=text,
        sentences=[[0, first_end], [first_end + 1, len(text)]],
        relevance=0.9,
    )
