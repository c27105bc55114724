from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from annotations.markup import render_rationale
from annotations.models import Annotation, AnnotationEvent, Rating
from annotations.workspace import services
from annotations.workspace.anchoring import snap_to_words, suggest_claimant
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


@pytest.fixture
def version(article_text: str, team):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    return version


def test_annotation_keeps_position_and_quote_selectors(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker, claim="1,140 full lorries crossed")

    assert version.text[annotation.start : annotation.end] == LORRIES == annotation.exact
    assert annotation.prefix == version.text[annotation.start - 32 : annotation.start]
    assert annotation.suffix == version.text[annotation.end : annotation.end + 32]
    assert len(annotation.prefix) == len(annotation.suffix) == 32
    assert annotation.rating.slug == "unproven"
    assert annotation.revision == 1 and annotation.state == "draft"


def test_annotation_at_the_very_start_has_an_empty_prefix(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, "Customs chief", factchecker)
    assert annotation.prefix == "" and annotation.start == 0


@pytest.mark.parametrize(
    ("start", "end", "exact", "message"),
    [
        (5000, 5010, "x" * 10, "past the end of the text"),
        (10, 10, "", "empty"),
        (20, 10, "x", "empty or runs backwards"),
        (0, 7, "Velmora", "does not match"),
    ],
)
def test_bad_anchors_are_refused(version, factchecker, start, end, exact, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.AnnotationError, match=message):
        services.annotation_create(
            version=version,
            author=factchecker,
            start=start,
            end=end,
            exact=exact,
            data=services.AnnotationInput(),
        )
    assert not Annotation.objects.exists()


def test_database_refuses_offsets_that_disagree_with_the_quote(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            version=version, start=0, end=10, exact="Customs", author=factchecker
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(version=version, start=10, end=10, exact="", author=factchecker)


def test_double_submit_creates_one_annotation(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    token = uuid.uuid4()
    first = annotate(version, LORRIES, factchecker, client_token=token)
    second = annotate(version, LORRIES, factchecker, client_token=token)
    assert first == second
    assert Annotation.objects.count() == 1


def test_rationale_is_rendered_and_sanitised(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    hostile = (
        "**Unverified.** <script>alert(1)</script> <img src=x onerror=alert(2)> "
        '[click](javascript:alert(3)) <a href="/x" hx-get="/steal" onclick="evil()">x</a> [MoD](https://mil.example)'
    )
    annotation = annotate(version, LORRIES, factchecker, rationale=hostile)
    html = annotation.rationale_html
    assert "<strong>Unverified.</strong>" in html
    assert '<a href="https://mil.example" rel="noopener noreferrer nofollow">MoD</a>' in html
    assert_inert(html)
    assert annotation.rationale == hostile  # the source is kept as written


def assert_inert(html: str) -> None:
    """No element that runs code or fetches: only the allow-listed tags, only safe links."""
    from lxml import html as lxml_html

    tree = lxml_html.fragment_fromstring(html, create_parent="div")
    for element in tree.iter():
        assert element.tag in {
            "div",
            "p",
            "em",
            "strong",
            "a",
            "ul",
            "ol",
            "li",
            "blockquote",
            "code",
            "br",
        }
        for name, value in element.attrib.items():
            assert not name.startswith(("on", "hx-", "data-hx")), name
            if name == "href":
                assert value.startswith(("https://", "http://", "mailto:")), value


def test_huge_rationale_is_refused(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.AnnotationError, match="limit is 20,000"):
        annotate(version, LORRIES, factchecker, rationale="x" * 1_000_000)
    assert not Annotation.objects.exists()


def test_a_stale_edit_is_refused_and_overwrites_nothing(version, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(version, LORRIES, factchecker, claim="first")
    false = Rating.objects.get(slug="false")
    services.annotation_update(
        annotation_id=annotation.pk,
        editor=editor,
        revision=1,
        data=services.AnnotationInput(rating=false, claim="editor's"),
    )
    with pytest.raises(services.AnnotationConflict) as conflict:
        services.annotation_update(
            annotation_id=annotation.pk,
            editor=factchecker,
            revision=1,
            data=services.AnnotationInput(claim="mine"),
        )
    assert conflict.value.current.claim == "editor's"
    assert conflict.value.current.revision == 2
    annotation.refresh_from_db()
    assert (annotation.claim, annotation.rating, annotation.revision) == ("editor's", false, 2)


def test_fact_checker_edits_only_her_own_drafts(version, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    from annotations import roles
    from tests.conftest import _user_with_role

    colleague = _user_with_role("colleague", roles.FACT_CHECKER)
    mine = annotate(version, LORRIES, factchecker)
    with pytest.raises(PermissionDenied):
        services.annotation_update(
            annotation_id=mine.pk, editor=colleague, revision=1, data=services.AnnotationInput()
        )
    Annotation.objects.filter(pk=mine.pk).update(state=Annotation.State.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.annotation_update(
            annotation_id=mine.pk, editor=factchecker, revision=1, data=services.AnnotationInput()
        )
    updated = services.annotation_update(
        annotation_id=mine.pk,
        editor=editor,
        revision=1,
        data=services.AnnotationInput(claim="editor fix"),
    )
    assert updated.claim == "editor fix"


def test_readers_cannot_annotate(version, reader) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        annotate(version, LORRIES, reader)


def test_soft_delete_keeps_the_row_and_admin_restores(version, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    annotation = annotate(version, LORRIES, factchecker)
    services.annotation_delete(annotation_id=annotation.pk, user=factchecker)
    annotation.refresh_from_db()
    assert annotation.deleted_at is not None and annotation.deleted_by == factchecker
    assert not Annotation.objects.alive().exists()
    with pytest.raises(PermissionDenied):
        services.annotation_restore(annotation_id=annotation.pk, user=editor)
    admin = User.objects.create_superuser("boss", "boss@newsroom.example", "pw")
    assert services.annotation_restore(annotation_id=annotation.pk, user=admin).deleted_at is None


@pytest.mark.django_db(transaction=True)  # each service call commits, as in production
def test_history_records_who_changed_what_including_bulk_updates(
    version, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    from annotations.workspace import selectors

    annotation = annotate(version, LORRIES, factchecker, claim="first claim")
    services.annotation_update(
        annotation_id=annotation.pk,
        editor=editor,
        revision=1,
        data=services.AnnotationInput(claim="second claim"),
    )
    Annotation.objects.filter(pk=annotation.pk).update(
        claimant="Bulk Update"
    )  # no service, no signal
    services.annotation_delete(annotation_id=annotation.pk, user=editor)

    assert AnnotationEvent.objects.filter(pgh_obj_id=annotation.pk).count() == 4
    entries = selectors.annotation_history(annotation)
    actions = [(e["action"], getattr(e["who"], "username", None)) for e in entries]
    assert actions == [
        ("delete", "jonas"),
        ("update", None),
        ("update", "jonas"),
        ("insert", "amira"),
    ]
    assert ("claim", "first claim", "second claim") in entries[2]["changes"]
    assert ("claimant", "", "Bulk Update") in entries[1]["changes"]


def test_words_snap_and_whitespace_trims() -> None:
    text = "Over the past six months, the cameras at Harrow Pass logged 1,140 lorries."
    start = text.index("e cameras")
    assert text[slice(*snap_to_words(text, start, start + 17))] == "the cameras at Harrow"
    assert text[slice(*snap_to_words(text, 25, 30))] == "the"  # " the " → "the"
    assert snap_to_words(text, 5000, 6000) == (len(text), len(text))


def test_claimant_is_suggested_in_its_fullest_form(article_text: str) -> None:
    sentence = next(s for s in article_text.split("\n\n") if "1,140 lorries" in s)
    # "…, Marrow said": the name as the article gives it in full, title included.
    assert suggest_claimant(article_text, [sentence]) == "Chief Inspector Ilse Marrow"
    assert suggest_claimant(article_text, ["The customs directorate said nothing."]) == ""


def test_markdown_subset_keeps_lists_and_quotes() -> None:
    html = render_rationale("- one\n- two\n\n> quoted\n\n`code`")
    assert "<ul>" in html and "<blockquote>" in html and "<code>code</code>" in html
