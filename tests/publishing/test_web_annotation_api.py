"""The W3C Web Annotation API as other tools use it: every annotation, collection and page
passes the MUST assertions of the W3C test suite's JSON Schemas (with formats really
checked), content negotiation and conditional requests behave, nothing unpublished leaks
to anonymous callers, and updates need the ETag that was read."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from annotations import permissions, roles
from annotations.models import Annotation, Article, Rating
from annotations.publishing.standards import ANNO_CONTENT_TYPE, ANNO_PAGE_SIZE
from annotations.review import services as review
from annotations.workspace import services
from tests.conftest import _user_with_role, shared_path
from tests.factories import TeamFactory, annotate, import_text
from tests.sql_fixtures import build_desk

pytestmark = pytest.mark.django_db

W3C_SUITE = "validators/w3c-web-annotation"  # under NEWSROOM_SHARED_DIR (tests/conftest.py)
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

URL = "https://wire.example/velmora-diesel-racket"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
INCOME = "the trade was worth about $2.5 million a day"
REDUCED = "diesel sales in the border districts fell by almost 40 percent"
BRANCU = "Governor Tomas Brancu of the Northern Province personally approved the depot licences"


# --- The W3C test suite's assertions, run with jsonschema ----------------------------------------


def suite() -> Path:
    """The W3C test suite, which is not part of this repository. The tests that validate
    against it call this first, so they skip without it (and fail under CI=true); every
    other test in this file runs on a bare checkout."""
    return shared_path(W3C_SUITE)


@cache
def schema_registry(root: Path) -> Registry:
    """Every schema of the suite under its `id`, which is what their `$ref`s name. The
    samples/ folder holds example annotations (some deliberately not JSON), not schemas."""
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(root.rglob("*.json")):
        if "samples" in path.relative_to(root).parts:
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        schema_id = contents["id"]
        # Two files are copied into two folders under one id; they must say the same thing.
        assert schemas.get(schema_id, contents) == contents, f"two different schemas {schema_id}"
        schemas[schema_id] = contents
    assert {"annotations.json", "bodyTarget.json", "id.json", "collections.json"} <= set(schemas)
    return Registry().with_resources(
        (schema_id, Resource.from_contents(contents, default_specification=DRAFT4))
        for schema_id, contents in schemas.items()
    )


def validator(schema: dict[str, Any], registry: Registry | None = None) -> Draft4Validator:
    return Draft4Validator(
        schema, registry=registry or Registry(), format_checker=Draft4Validator.FORMAT_CHECKER
    )


def _load(reference: str, here: Path) -> tuple[dict[str, Any], Path]:
    # The suite's rule: a relative URI with a slash is relative to the top of the suite,
    # one without a slash to the folder of the file that names it.
    path = suite() / reference if "/" in reference else here / reference
    return json.loads(path.read_text(encoding="utf-8")), path.parent


class Run:
    def __init__(self) -> None:
        self.evaluated: list[str] = []
        self.failures: list[str] = []


def _evaluate(entries: list[Any], instance: Any, here: Path, run: Run) -> str:
    """Evaluate an assertion list as the suite defines it (annotation-model CONTRIBUTING):
    entries are file URIs, inline assertion objects (possibly `assertionFile` plus
    overrides), condition objects with nested `assertions` and `compareWith`, or nested
    lists. An assertion's result is compared with its `expectedResult` (default valid);
    when they differ, `onUnexpectedResult` (default failAndContinue) says whether that is a
    failure or a pass, and whether to go on, skip the rest of the list or abort."""
    for entry in entries:
        if isinstance(entry, list):
            if _evaluate(entry, instance, here, run) == "abort":
                return "abort"
            continue
        where = here
        if isinstance(entry, str):
            name = entry
            assertion, where = _load(entry, here)
        elif "assertionFile" in entry:
            name = entry["assertionFile"]
            loaded, where = _load(name, here)
            assertion = {**loaded, **{k: v for k, v in entry.items() if k != "assertionFile"}}
        else:
            name, assertion = entry.get("title", "inline assertion"), entry
        if "assertions" in assertion:  # a condition object: its result is its children's
            inner = Run()
            _evaluate(assertion["assertions"], instance, where, inner)
            children = len(inner.evaluated)
            passed = children - len(inner.failures)
            valid = passed > 0 if assertion.get("compareWith") == "or" else passed == children
            detail = "; ".join(inner.failures)
        else:
            checker = validator(assertion, schema_registry(suite()))
            errors = list(checker.iter_errors(instance))
            valid = not errors
            detail = "; ".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:3])
        run.evaluated.append(name)
        if valid == (assertion.get("expectedResult", "valid") == "valid"):
            continue
        outcome = assertion.get("onUnexpectedResult", "failAndContinue")
        if outcome.startswith("fail"):
            run.failures.append(
                f"{assertion.get('assertionType', 'must').upper()} {name}: "
                f"{assertion.get('errorMessage', '')} [{detail}]"
            )
        if outcome.endswith("AndAbort"):
            return "abort"
        if outcome.endswith("AndSkip"):
            return "skip"
    return "done"


def conformance(test_file: str, instance: Any) -> Run:
    """Run one of the suite's test files (a path inside it) on `instance`."""
    path = suite() / test_file
    test = json.loads(path.read_text(encoding="utf-8"))
    run = Run()
    _evaluate(test["assertions"], instance, path.parent, run)
    # Nothing skipped silently: every listed assertion was evaluated.
    assert len(run.evaluated) >= len(test["assertions"]), run.evaluated
    return run


def assert_conforms(test_file: str, instance: Any) -> None:
    failures = conformance(test_file, instance).failures
    assert not failures, f"{test_file}:\n" + "\n".join(failures)


def test_format_checking_is_really_on() -> None:
    """Without rfc3339-validator and rfc3987 installed, jsonschema skips date-time and uri
    silently and every "Validated" assertion below would pass on garbage."""
    checker = Draft4Validator.FORMAT_CHECKER
    assert {"date-time", "uri"} <= set(checker.checkers)
    date_time = validator({"type": "string", "format": "date-time"})
    for bad in ("yesterday", "2026-13-01T10:00:00Z", "2026-01-01 10:00", "2026-01-01T10:00:00"):
        assert not date_time.is_valid(bad), bad
    assert date_time.is_valid("2026-01-01T10:00:00.123456+00:00")
    uri = validator({"type": "string", "format": "uri"})
    assert not uri.is_valid("not a uri")
    assert not uri.is_valid("/api/annotations/1")  # relative: not a URI
    assert uri.is_valid("http://localhost:8000/api/annotations/1")


def test_the_suite_rejects_broken_annotations_and_collections(article, factchecker) -> None:
    """The harness itself: a conforming annotation with one MUST broken at a time fails
    exactly where it should (so an empty failure list means something)."""
    suite()
    claim = draft(article, factchecker)
    good = logged_in(factchecker).get(api(claim)).json()
    assert not conformance(ANNOTATION_MUSTS, good).failures
    broken = {
        "3.1-annotationContextValidated": {**good, "@context": "http://example.org/ctx"},
        "3.1-annotationIdValidated": {**good, "id": "annotation 1"},
        "3.1-targetKeyFound": {k: v for k, v in good.items() if k != "target"},
        "3.3.1-annotationCreatedValidated": {**good, "created": "yesterday"},
        "3.3.1-annotationModifiedValidated": {**good, "modified": "2026-01-01 10:00"},
        "3.2.5-notBodyBodyValue": {**good, "bodyValue": "also a body"},
        "4.2.4-textQuoteSelectorValid": {
            **good,
            "target": {**good["target"], "selector": {"type": "TextQuoteSelector"}},
        },
    }
    for assertion, instance in broken.items():
        failures = conformance(ANNOTATION_MUSTS, instance).failures
        assert any(assertion in failure for failure in failures), (assertion, failures)

    collection = logged_in(factchecker).get(collection_path(article)).json()
    assert not conformance(COLLECTION_MUSTS, collection).failures
    broken_collections = {
        "5.1-collectionTypeValidated": {**collection, "type": "Collection"},
        "5.1-collectionTotalValidated": {**collection, "total": -1},
        "5.1-collectionFirstValidated": {k: v for k, v in collection.items() if k != "first"},
        "5.1-collectionLastValidated": {**collection, "last": "page 0"},
    }
    for assertion, instance in broken_collections.items():
        failures = conformance(COLLECTION_MUSTS, instance).failures
        assert any(assertion in failure for failure in failures), (assertion, failures)


# --- Fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def article(article_text, team):  # type: ignore[no-untyped-def]
    return import_text(article_text, team=team, url=URL, outlet="Wire service")


@pytest.fixture
def other_factchecker(team) -> User:  # type: ignore[no-untyped-def]
    user = _user_with_role("omar", roles.FACT_CHECKER)
    team.members.add(user)
    return user


def logged_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def api(annotation: Annotation) -> str:
    return f"/api/annotations/{annotation.pk}"


def collection_path(article) -> str:  # type: ignore[no-untyped-def]
    return f"/api/articles/{article[0].pk}/annotations/"


def draft(article, author: User, phrase: str = LORRIES, **fields: object) -> Annotation:  # type: ignore[no-untyped-def]
    fields.setdefault("claim", "1,140 full fuel lorries crossed Harrow Pass")
    fields.setdefault("claimant", "Chief Inspector Ilse Marrow")
    return annotate(article[1], phrase, author, **fields)


def publish(annotation: Annotation, author: User, editor: User, second: User) -> Annotation:
    review.claim_move(annotation_id=annotation.pk, user=author, action="submit")
    review.claim_move(annotation_id=annotation.pk, user=editor, action="approve")
    review.claim_move(annotation_id=annotation.pk, user=second, action="publish")
    annotation.refresh_from_db()
    assert annotation.state == Annotation.State.PUBLISHED
    return annotation


def bodies_by_purpose(data: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for body in data["body"]:
        found.setdefault(body.get("purpose", ""), []).append(body["value"])
    return found


def with_context(item: dict[str, Any]) -> dict[str, Any]:
    # Items embedded in a page inherit the page's @context; standing alone they need it.
    assert "@context" not in item
    return {"@context": ANNO_CONTEXT, **item}


def snapshot(annotation: Annotation) -> tuple[object, ...]:
    row = Annotation.objects.get(pk=annotation.pk)
    return (row.revision, row.rating_id, row.claim, row.rationale, row.tags, row.updated_at)


# --- 1. Annotations: what they say, and every MUST -------------------------------------------------


def publish_full_and_minimal(
    article, factchecker: User, editor: User, second_editor: User
) -> tuple[Annotation, Annotation]:  # type: ignore[no-untyped-def]
    full = publish(
        draft(
            article,
            factchecker,
            verdict="mostly-false",
            rationale="The directorate showed **no logs**; see [the dossier](https://customs.example/d).",
            tags=["diesel", "Velmora"],
        ),
        factchecker,
        editor,
        second_editor,
    )
    minimal = publish(
        draft(article, factchecker, INCOME, claim="The ring made $2.5m a day", claimant="Marrow"),
        factchecker,
        editor,
        second_editor,
    )
    return full, minimal


def test_published_annotations_give_target_selectors_and_bodies(
    article, factchecker, editor, second_editor
) -> None:
    full, minimal = publish_full_and_minimal(article, factchecker, editor, second_editor)
    anonymous = Client()
    for claim in (full, minimal):
        response = anonymous.get(api(claim))
        assert response.status_code == 200
        data = response.json()
        assert data["@context"] == ANNO_CONTEXT
        assert data["type"] == "Annotation"
        assert data["id"] == absolute(api(claim))
        assert data["target"]["source"] == URL
        selectors = {s["type"]: s for s in data["target"]["selector"]}
        assert selectors["TextQuoteSelector"]["exact"] == claim.exact
        position = selectors["TextPositionSelector"]
        assert (position["start"], position["end"]) == (claim.start, claim.end)

    full_bodies = bodies_by_purpose(anonymous.get(api(full)).json())
    assert full_bodies["assessing"] == ["Mostly false"]
    assert full_bodies["describing"] == ["1,140 full fuel lorries crossed Harrow Pass"]
    assert full_bodies["commenting"] == [full.rationale]
    assert sorted(full_bodies["tagging"]) == ["Velmora", "diesel"]
    minimal_bodies = bodies_by_purpose(anonymous.get(api(minimal)).json())
    assert set(minimal_bodies) == {"assessing", "describing"}


def test_published_annotations_pass_every_must_of_the_w3c_suite(
    article, factchecker, editor, second_editor
) -> None:
    suite()
    anonymous = Client()
    for claim in publish_full_and_minimal(article, factchecker, editor, second_editor):
        assert_conforms(ANNOTATION_MUSTS, anonymous.get(api(claim)).json())


def test_a_bare_draft_s_body_is_the_quoted_text(article, factchecker) -> None:
    bare = annotate(article[1], REDUCED, factchecker, verdict=None)  # no verdict, no claim
    response = logged_in(factchecker).get(api(bare))
    assert response.status_code == 200
    # With nothing else to say, the body is the quoted text itself.
    assert response.json()["body"] == [{"type": "TextualBody", "value": REDUCED}]


def test_a_draft_seen_by_a_team_member_passes_every_must(article, factchecker) -> None:
    suite()
    bare = annotate(article[1], REDUCED, factchecker, verdict=None)
    described = draft(article, factchecker, rationale="Unsourced.", tags=["diesel"])
    client = logged_in(factchecker)
    for claim in (bare, described):
        response = client.get(api(claim))
        assert response.status_code == 200
        assert_conforms(ANNOTATION_MUSTS, response.json())


# --- 2. Collections and pages ---------------------------------------------------------------------


def test_the_collection_and_its_page_list_the_published_annotations_in_text_order(
    article, factchecker, editor, second_editor
) -> None:
    published = [
        publish(draft(article, factchecker, phrase), factchecker, editor, second_editor)
        for phrase in (INCOME, LORRIES)
    ]
    anonymous = Client()
    path = collection_path(article)
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == ANNO_CONTENT_TYPE
    collection = response.json()
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"] == absolute(path)
    assert collection["total"] == 2
    assert collection["first"] == collection["last"] == absolute(f"{path}?page=0")

    page = anonymous.get(path, {"page": "0"}).json()
    assert page["type"] == "AnnotationPage"
    assert page["partOf"]["id"] == collection["id"]
    assert page["partOf"]["total"] == 2
    assert page["startIndex"] == 0
    assert "next" not in page and "prev" not in page
    # Ordered by position in the text: LORRIES comes before INCOME.
    expected = sorted(published, key=lambda a: a.start)
    assert expected[0].exact == LORRIES
    assert [item["id"] for item in page["items"]] == [absolute(api(a)) for a in expected]
    for item, claim in zip(page["items"], expected, strict=True):
        # The same annotation as its own URL serves, less the @context the page carries.
        assert with_context(item) == anonymous.get(api(claim)).json()


def test_the_collection_and_its_page_pass_every_must(
    article, factchecker, editor, second_editor
) -> None:
    suite()
    for phrase in (INCOME, LORRIES):
        publish(draft(article, factchecker, phrase), factchecker, editor, second_editor)
    anonymous = Client()
    path = collection_path(article)
    assert_conforms(COLLECTION_MUSTS, anonymous.get(path).json())
    page = anonymous.get(path, {"page": "0"}).json()
    assert_conforms(PAGE_MUSTS, page)
    assert len(page["items"]) == 2
    for item in page["items"]:
        assert_conforms(ANNOTATION_MUSTS, with_context(item))


def publish_more_than_a_page(article, factchecker: User) -> int:  # type: ignore[no-untyped-def]
    """Publishes a page and a bit of annotations; returns how many."""
    _article, version = article
    unproven = Rating.objects.get(slug="unproven")
    count = ANNO_PAGE_SIZE + 5
    for i in range(count):
        start = i * 30
        services.annotation_create(
            version=version,
            author=factchecker,
            start=start,
            end=start + 20,
            exact=version.text[start : start + 20],
            data=services.AnnotationInput(rating=unproven, claim=f"Claim {i}"),
        )
    # Cheap publication for a paging test: the workflow is covered elsewhere.
    Annotation.objects.filter(version=version).update(
        state=Annotation.State.PUBLISHED, published_at=timezone.now()
    )
    return count


def test_more_than_a_page_of_annotations_is_paged_with_next_and_prev(article, factchecker) -> None:
    _article, version = article
    count = publish_more_than_a_page(article, factchecker)
    anonymous = Client()
    path = collection_path(article)
    base = absolute(path)
    collection = anonymous.get(path).json()
    assert collection["total"] == count
    assert (collection["first"], collection["last"]) == (f"{base}?page=0", f"{base}?page=1")

    first = anonymous.get(path, {"page": "0"}).json()
    second = anonymous.get(path, {"page": "1"}).json()
    for page in (first, second):
        assert page["type"] == "AnnotationPage"
        assert page["partOf"]["id"] == base
        assert page["partOf"]["total"] == count
    assert len(first["items"]) == ANNO_PAGE_SIZE
    assert first["startIndex"] == 0
    assert first["next"] == f"{base}?page=1"
    assert "prev" not in first
    assert len(second["items"]) == count - ANNO_PAGE_SIZE
    assert second["startIndex"] == ANNO_PAGE_SIZE
    assert second["prev"] == f"{base}?page=0"
    assert "next" not in second

    items = first["items"] + second["items"]
    ids = [item["id"] for item in items]
    assert len(set(ids)) == count
    assert ids == [
        absolute(f"/api/annotations/{pk}")
        for pk in Annotation.objects.filter(version=version)
        .order_by("start", "id")
        .values_list("pk", flat=True)
    ]

    assert anonymous.get(path, {"page": "2"}).status_code == 404
    assert anonymous.get(path, {"page": "-1"}).status_code == 400
    assert anonymous.get(path, {"page": "one"}).status_code == 400


def test_a_paged_collection_and_both_its_pages_pass_every_must(article, factchecker) -> None:
    suite()
    count = publish_more_than_a_page(article, factchecker)
    anonymous = Client()
    path = collection_path(article)
    assert_conforms(COLLECTION_MUSTS, anonymous.get(path).json())
    items = []
    for number in ("0", "1"):
        page = anonymous.get(path, {"page": number}).json()
        assert_conforms(PAGE_MUSTS, page)
        items += page["items"]
    assert len(items) == count
    for item in items:
        assert_conforms(ANNOTATION_MUSTS, with_context(item))


def walk(client: Client, path: str) -> list[dict[str, Any]]:
    """Every item of the collection, page by page, as an integrator walks it."""
    total = client.get(path).json()["total"]
    items: list[dict[str, Any]] = []
    page = 0
    while len(items) < total:
        items += client.get(path, {"page": str(page)}).json()["items"]
        page += 1
    return items


def test_staff_read_every_annotation_of_an_article_in_one_page(article, factchecker) -> None:
    count = publish_more_than_a_page(article, factchecker)
    mine = draft(article, factchecker, REDUCED)  # the desk also sees its drafts here
    member = logged_in(factchecker)
    path = collection_path(article)
    response = member.get(path, {"page": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == ANNO_CONTENT_TYPE
    page = response.json()
    assert page["type"] == "AnnotationPage"
    assert page["id"] == absolute(f"{path}?page=all")
    assert page["partOf"]["id"] == absolute(path)
    assert page["partOf"]["total"] == count + 1
    assert page["startIndex"] == 0
    assert "next" not in page and "prev" not in page
    # The same annotations, in the same order, as walking the pages of 50.
    assert page["items"] == walk(member, path)
    assert absolute(api(mine)) in {item["id"] for item in page["items"]}
    plain = member.get(path, {"page": "all"}, headers={"Accept": "application/json"})
    assert plain["Content-Type"] == "application/json"
    assert plain.json() == page


def test_every_annotation_at_once_passes_every_must(article, factchecker) -> None:
    suite()
    publish_more_than_a_page(article, factchecker)
    draft(article, factchecker, REDUCED, rationale="Unsourced.", tags=["diesel"])
    page = logged_in(factchecker).get(collection_path(article), {"page": "all"}).json()
    assert_conforms(PAGE_MUSTS, page)
    for item in page["items"]:
        assert_conforms(ANNOTATION_MUSTS, with_context(item))


def test_every_annotation_at_once_is_for_staff_and_shows_only_what_they_may_see(
    article, factchecker, editor, second_editor
) -> None:
    path = collection_path(article)
    a_draft = draft(article, factchecker, INCOME)

    # The public walks the pages; asking for all at once says how, and lists nothing.
    anonymous = Client().get(path, {"page": "all"})
    assert anonymous.status_code == 401
    assert "page=0" in anonymous.json()["error"]

    # A fact-checker of another desk: the article's drafts are not found.
    outsider = _user_with_role("kai", roles.FACT_CHECKER)
    TeamFactory(name="Sports desk", slug="sports-desk").members.add(outsider)
    assert logged_in(outsider).get(path, {"page": "all"}).status_code == 404

    # Once a claim is published, they see it and still not the draft.
    published = publish(draft(article, factchecker), factchecker, editor, second_editor)
    seen = logged_in(outsider).get(path, {"page": "all"}).json()
    assert [item["id"] for item in seen["items"]] == [absolute(api(published))]
    assert seen["partOf"]["total"] == 1
    member = logged_in(factchecker).get(path, {"page": "all"}).json()
    assert {item["id"] for item in member["items"]} == {
        absolute(api(published)),
        absolute(api(a_draft)),
    }


def test_a_page_costs_the_same_queries_whatever_the_number_of_annotations(
    article, factchecker
) -> None:
    """Neither the queries nor what they read grow with the annotations: no version's text
    is read (300 KB on a long article, once per row before)."""
    member, path = logged_in(factchecker), collection_path(article)

    def queries(page: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert member.get(path, {"page": page}).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    draft(article, factchecker)
    few = {page: queries(page) for page in ("0", "all")}
    count = publish_more_than_a_page(article, factchecker)
    many = {page: queries(page) for page in ("0", "1", "all")}
    assert len(many["all"]) == len(few["all"]) and len(many["0"]) == len(few["0"])
    assert len(many["1"]) == len(many["0"])
    assert member.get(path, {"page": "all"}).json()["partOf"]["total"] == count + 1
    text_column = '"annotations_articleversion"."text"'
    for sql in few["0"] + few["all"] + many["0"] + many["1"] + many["all"]:
        assert text_column not in sql, sql
    with CaptureQueriesContext(connection) as single:
        assert member.get(api(Annotation.objects.first())).status_code == 200  # type: ignore[arg-type]
    assert not [q for q in single.captured_queries if text_column in q["sql"]]


# --- 3. Content negotiation and conditional GET ---------------------------------------------------


def test_content_type_etag_and_not_modified(article, factchecker, editor, second_editor) -> None:
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    anonymous = Client()
    default = anonymous.get(api(claim))
    assert default.status_code == 200
    assert default["Content-Type"] == ANNO_CONTENT_TYPE
    assert ANNO_CONTENT_TYPE == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    ld = anonymous.get(api(claim), headers={"Accept": "application/ld+json"})
    assert ld["Content-Type"] == ANNO_CONTENT_TYPE
    both = anonymous.get(api(claim), headers={"Accept": "application/ld+json, application/json"})
    assert both["Content-Type"] == ANNO_CONTENT_TYPE
    plain = anonymous.get(api(claim), headers={"Accept": "application/json"})
    assert plain["Content-Type"] == "application/json"
    assert plain.json() == default.json()
    assert "Accept" in default["Vary"]
    listing = anonymous.get(collection_path(article), headers={"Accept": "application/json"})
    assert listing["Content-Type"] == "application/json"

    etag = default["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert anonymous.get(api(claim))["ETag"] == etag  # stable while nothing changes
    unchanged = anonymous.get(api(claim), headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    other = anonymous.get(api(claim), headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200

    review.claim_correct(
        annotation_id=claim.pk,
        user=editor,
        note="The directorate later gave a lower count.",
        rating=Rating.objects.get(slug="false"),
        rationale="The directorate later said 500.",
    )
    changed = anonymous.get(api(claim), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert bodies_by_purpose(changed.json())["assessing"] == ["False"]


def test_the_collection_and_its_pages_answer_if_none_match(
    article, factchecker, editor, second_editor
) -> None:
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    path = collection_path(article)
    for client, queries in (
        (Client(), [{}, {"page": "0"}]),
        (logged_in(factchecker), [{}, {"page": "0"}, {"page": "all"}]),
    ):
        for query in queries:
            first = client.get(path, query)
            etag = first["ETag"]
            assert etag.startswith('"') and etag.endswith('"'), query
            unchanged = client.get(path, query, headers={"If-None-Match": etag})
            assert unchanged.status_code == 304, query
            assert unchanged.content == b""
            assert unchanged["ETag"] == etag
            assert "Accept" in unchanged["Vary"]
    # A member sees the desk's drafts: their page is not the public's.
    draft(article, factchecker, INCOME)
    public_etag = Client().get(path, {"page": "0"})["ETag"]
    assert logged_in(factchecker).get(path, {"page": "0"})["ETag"] != public_etag

    # A correction changes what the page shows, so its ETag.
    review.claim_correct(
        annotation_id=claim.pk,
        user=editor,
        note="The directorate later gave a lower count.",
        rating=Rating.objects.get(slug="false"),
        rationale="The directorate later said 500.",
    )
    changed = Client().get(path, {"page": "0"}, headers={"If-None-Match": public_etag})
    assert changed.status_code == 200
    assert changed["ETag"] != public_etag
    assert bodies_by_purpose(changed.json()["items"][0])["assessing"] == ["False"]


# --- 4. What anonymous callers and the desk see ---------------------------------------------------


def test_anonymous_callers_see_published_annotations_only(
    article, factchecker, editor, second_editor, reader
) -> None:
    published = publish(draft(article, factchecker), factchecker, editor, second_editor)
    a_draft = draft(article, factchecker, INCOME)
    in_review = draft(article, factchecker, REDUCED)
    review.claim_move(annotation_id=in_review.pk, user=factchecker, action="submit")
    approved = draft(article, factchecker, BRANCU)
    review.claim_move(annotation_id=approved.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=approved.pk, user=editor, action="approve")
    assert Annotation.objects.get(pk=approved.pk).state == Annotation.State.APPROVED
    deleted = publish(
        draft(article, factchecker, "Inspectors have raided 27 depots"),
        factchecker,
        editor,
        second_editor,
    )
    Annotation.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    hidden = {"draft": a_draft, "in_review": in_review, "approved": approved, "deleted": deleted}

    anonymous = Client()
    assert anonymous.get(api(published)).status_code == 200
    for state, claim in hidden.items():
        assert anonymous.get(api(claim)).status_code == 404, state
        assert anonymous.head(api(claim)).status_code == 404, state
    collection = anonymous.get(collection_path(article)).json()
    assert collection["total"] == 1
    page = anonymous.get(collection_path(article), {"page": "0"}).json()
    assert [item["id"] for item in page["items"]] == [absolute(api(published))]

    # Logged in but not on the desk: still the public view.
    reader.teams.clear()
    outsider = User.objects.get(pk=reader.pk)  # the desks are read once per user object
    for state, claim in hidden.items():
        assert logged_in(outsider).get(api(claim)).status_code == 404, state

    # A fact-checker of the team sees the desk's unpublished claims, never deleted ones.
    member = logged_in(factchecker)
    for state in ("draft", "in_review", "approved"):
        assert member.get(api(hidden[state])).status_code == 200, state
    assert member.get(api(deleted)).status_code == 404
    member_page = member.get(collection_path(article), {"page": "0"}).json()
    member_ids = {item["id"] for item in member_page["items"]}
    assert absolute(api(a_draft)) in member_ids
    assert absolute(api(deleted)) not in member_ids
    assert member_page["partOf"]["total"] == 4

    # A fact-checker of another desk does not see this desk's drafts.
    outsider = _user_with_role("kai", roles.FACT_CHECKER)
    TeamFactory(name="Sports desk", slug="sports-desk").members.add(outsider)
    assert logged_in(outsider).get(api(a_draft)).status_code == 404
    assert logged_in(outsider).get(api(published)).status_code == 200


def test_the_collection_applies_the_same_rule_as_the_single_annotation(team) -> None:
    """The collection decides the rule once per article (its claims share the article's
    desk); for every kind of caller and every state it lists exactly what
    `permissions.api_annotations` lets them read one by one."""
    member = _user_with_role("amira", roles.FACT_CHECKER)
    team.members.add(member)
    other_desk = _user_with_role("kai", roles.FACT_CHECKER)
    TeamFactory(name="Sports desk", slug="sports-desk").members.add(other_desk)
    admin = _user_with_role("ada", roles.ADMIN)
    no_role = _user_with_role("visitor", None)
    team.members.add(no_role)
    callers = [AnonymousUser(), member, other_desk, admin, no_role]
    for desk in (team, None):
        version, _author, claims = build_desk(desk)
        Annotation.objects.filter(pk=claims[-1].pk).update(deleted_at=timezone.now())
        article = version.article
        for caller in callers:
            expected = set(
                permissions.api_annotations(caller)
                .filter(version__article=article)
                .values_list("pk", flat=True)
            )
            listed = set(
                permissions.api_article_annotations(caller, article).values_list("pk", flat=True)
            )
            assert listed == expected, (desk, caller)
            assert expected, (desk, caller)  # everyone sees the published ones at least


def test_anonymous_collection_of_an_article_without_published_annotations_is_404(
    article, factchecker
) -> None:
    draft(article, factchecker)
    assert Client().get(collection_path(article)).status_code == 404
    assert Client().get(collection_path(article), {"page": "0"}).status_code == 404
    assert Client().get("/api/articles/999999/annotations/").status_code == 404
    # The desk sees its draft there.
    member = logged_in(factchecker).get(collection_path(article))
    assert member.status_code == 200
    assert member.json()["total"] == 1


# --- 5. Updates with If-Match ---------------------------------------------------------------------


NEW_BODY = {
    "@context": ANNO_CONTEXT,
    "type": "Annotation",
    "body": [
        {"type": "TextualBody", "purpose": "assessing", "value": "False"},
        {"purpose": "commenting", "value": "new rationale"},
    ],
}


def put(client: Client, annotation: Annotation, body: object, etag: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"If-Match": etag} if etag is not None else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.put(api(annotation), data=data, content_type="application/json", headers=headers)


def test_the_author_updates_her_draft_with_the_etag_she_read(article, factchecker) -> None:
    claim = draft(article, factchecker, rationale="old rationale", tags=["diesel"])
    client = logged_in(factchecker)
    etag = client.get(api(claim))["ETag"]

    response = put(client, claim, NEW_BODY, etag)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == ANNO_CONTENT_TYPE
    new_etag = response["ETag"]
    assert new_etag and new_etag != etag
    assert bodies_by_purpose(response.json())["assessing"] == ["False"]
    row = Annotation.objects.select_related("rating").get(pk=claim.pk)
    assert row.rating is not None and row.rating.slug == "false"
    assert row.rationale == "new rationale"
    assert row.claim == "1,140 full fuel lorries crossed Harrow Pass"  # not sent: kept
    assert row.claimant == "Chief Inspector Ilse Marrow"
    assert row.revision == claim.revision + 1
    assert client.get(api(claim))["ETag"] == new_etag

    # A second write from the stale read is refused and changes nothing.
    before = snapshot(claim)
    stale = put(
        client, claim, {**NEW_BODY, "body": [{"purpose": "commenting", "value": "x"}]}, etag
    )
    assert stale.status_code == 412
    assert stale.json()["error"]
    assert snapshot(claim) == before

    # Without If-Match: precondition required, nothing changes.
    missing = put(client, claim, NEW_BODY)
    assert missing.status_code == 428
    assert snapshot(claim) == before


def test_an_updated_annotation_passes_every_must(article, factchecker) -> None:
    suite()
    claim = draft(article, factchecker, rationale="old rationale", tags=["diesel"])
    client = logged_in(factchecker)
    response = put(client, claim, NEW_BODY, client.get(api(claim))["ETag"])
    assert response.status_code == 200, response.content
    assert_conforms(ANNOTATION_MUSTS, response.json())


def test_updates_are_refused_to_callers_who_may_not_edit(
    article, factchecker, other_factchecker, editor, second_editor
) -> None:
    mine = draft(article, factchecker)
    etag = logged_in(factchecker).get(api(mine))["ETag"]
    published = publish(draft(article, factchecker, INCOME), factchecker, editor, second_editor)
    published_etag = Client().get(api(published))["ETag"]

    # Anonymous: refused, nothing changes (the draft is not even visible to them).
    before, published_before = snapshot(mine), snapshot(published)
    assert put(Client(), published, NEW_BODY, published_etag).status_code in (401, 403)
    assert put(Client(), mine, NEW_BODY, etag).status_code in (401, 403, 404)
    assert (snapshot(mine), snapshot(published)) == (before, published_before)

    # Another fact-checker of the same desk sees the draft but may not change it.
    other = logged_in(other_factchecker)
    assert other.get(api(mine)).status_code == 200
    assert put(other, mine, NEW_BODY, etag).status_code == 403
    assert snapshot(mine) == before

    # The author may not rewrite a published verdict through the API either.
    author = logged_in(factchecker)
    assert put(author, published, NEW_BODY, published_etag).status_code == 403
    assert snapshot(published) == published_before


def test_bad_update_bodies_are_400_with_a_message(article, factchecker) -> None:
    claim = draft(article, factchecker, rationale="old rationale")
    client = logged_in(factchecker)
    etag = client.get(api(claim))["ETag"]
    before = snapshot(claim)

    unknown = put(
        client,
        claim,
        {"body": [{"type": "TextualBody", "purpose": "assessing", "value": "Pants on fire"}]},
        etag,
    )
    assert unknown.status_code == 400
    assert "Pants on fire" in unknown.json()["error"]
    assert snapshot(claim) == before

    for malformed in ('{"body": [', b"\xff\xfe not json", "[1, 2]", '"just a string"'):
        response = put(client, claim, malformed, etag)
        assert response.status_code == 400, malformed
        assert response.json()["error"], malformed
        assert snapshot(claim) == before, malformed

    # The ETag still works afterwards: nothing was consumed by the refusals.
    assert put(client, claim, NEW_BODY, etag).status_code == 200


def test_old_etag_is_refused_even_after_a_review_move(article, factchecker) -> None:
    """A state change is a change: an ETag read before a submit is stale after it."""
    claim = draft(article, factchecker)
    client = logged_in(factchecker)
    etag = client.get(api(claim))["ETag"]
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="withdraw")
    before = snapshot(claim)
    assert put(client, claim, NEW_BODY, etag).status_code == 412
    assert snapshot(claim) == before
    fresh = client.get(api(claim))["ETag"]
    assert fresh != etag
    assert put(client, claim, NEW_BODY, fresh).status_code == 200


def test_an_update_moves_modified_and_keeps_created(article, factchecker) -> None:
    claim = draft(article, factchecker)
    a_day_ago = timezone.now() - timedelta(days=1)
    Annotation.objects.filter(pk=claim.pk).update(created_at=a_day_ago, updated_at=a_day_ago)
    client = logged_in(factchecker)
    read = client.get(api(claim))
    updated = put(client, claim, NEW_BODY, read["ETag"]).json()
    assert updated["id"] == read.json()["id"]
    assert updated["created"] == read.json()["created"]
    assert datetime.fromisoformat(read.json()["modified"]) == a_day_ago
    assert datetime.fromisoformat(updated["modified"]) > a_day_ago


# --- App bugs these tests found (they fail until annotations/views/api.py is fixed) -----------


def test_a_page_number_in_other_digits_is_400_not_a_server_error(
    article, factchecker, editor, second_editor
) -> None:
    """`str.isdigit()` accepts "²" and "٣", which `int()` rejects or reads as 3: the view
    answers 500 (ValueError) for ?page=²."""
    publish(draft(article, factchecker), factchecker, editor, second_editor)
    client = Client(raise_request_exception=False)
    for page in ("²", "٣", "0x1"):
        response = client.get(collection_path(article), {"page": page})
        assert response.status_code == 400, (page, response.status_code)


def test_not_modified_keeps_the_representation_headers(
    article, factchecker, editor, second_editor
) -> None:
    """A cache that revalidates copies the 304's headers onto its stored response (RFC 9111
    §4.3.4): a 304 saying `Content-Type: text/html` turns the cached JSON-LD into HTML, and
    one without `Vary: Accept` (RFC 9110 §15.4.5) mixes up the JSON and JSON-LD variants."""
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    anonymous = Client()
    etag = anonymous.get(api(claim))["ETag"]
    response = anonymous.get(api(claim), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get("Content-Type") in (None, ANNO_CONTENT_TYPE)
    assert "Accept" in response.get("Vary", "")


def test_the_etag_changes_whenever_what_is_served_changes(
    article, factchecker, editor, second_editor
) -> None:
    """The ETag is the annotation's revision only, but the served annotation also shows the
    verdict's label (admins rename the scale) and the article's URL (added in the admin):
    after either change a client's If-None-Match still gets 304 and keeps the old text."""
    claim = publish(draft(article, factchecker), factchecker, editor, second_editor)
    anonymous = Client()
    etag = anonymous.get(api(claim))["ETag"]

    Rating.objects.filter(slug="unproven").update(label="Not proven")
    renamed = anonymous.get(api(claim))
    assert bodies_by_purpose(renamed.json())["assessing"] == ["Not proven"]
    assert anonymous.get(api(claim), headers={"If-None-Match": etag}).status_code == 200
    etag = renamed["ETag"]

    Article.objects.filter(pk=article[0].pk).update(canonical_url="https://wire.example/canonical")
    moved = anonymous.get(api(claim))
    assert moved.json()["target"]["source"] == "https://wire.example/canonical"
    assert anonymous.get(api(claim), headers={"If-None-Match": etag}).status_code == 200


def test_conditional_headers_accept_every_form_rfc_9110_allows(article, factchecker) -> None:
    """If-None-Match: * matches any current representation (→ 304 on GET); If-Match takes
    `*` or a list of ETags and is satisfied when any of them is current."""
    claim = draft(article, factchecker)
    client = logged_in(factchecker)
    etag = client.get(api(claim))["ETag"]
    assert client.get(api(claim), headers={"If-None-Match": "*"}).status_code == 304
    listed = put(client, claim, NEW_BODY, f'"a-stale-one", {etag}')
    assert listed.status_code == 200, listed.content
    assert put(client, claim, NEW_BODY, "*").status_code == 200
