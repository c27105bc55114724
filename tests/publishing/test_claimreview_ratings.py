"""ClaimReview's ratings: verdicts on the true-to-false scale carry whole numbers from 1 (worst)
to N (best); verdicts off it (Unproven, Misleading) carry their name only. Checked on the
default scale the migrations create and on every ClaimReview the desk emits: the claim page's
JSON-LD and the ClaimReview data feed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from lxml import html as lxml_html

from annotations.models import Annotation, Rating
from annotations.publishing import standards
from annotations.review import services as review
from annotations.scale import DEFAULT_SCALE
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
NUMBERS = ("ratingValue", "bestRating", "worstRating")


def assert_valid_review_rating(data: dict[str, Any], rating: Rating) -> None:
    """What Google's ClaimReview guidance asks of reviewRating, and our scale's promise."""
    assert data["@type"] == "Rating"
    assert data["alternateName"] == data["name"] == rating.label
    numbers = [key for key in NUMBERS if key in data]
    if not rating.on_scale:
        assert numbers == [], f"{rating.label} is off the scale but carries {numbers}"
        return
    assert numbers == list(NUMBERS), f"{rating.label} lacks some of {NUMBERS}: {data}"
    for key in NUMBERS:
        assert type(data[key]) is int, (key, data[key])  # whole numbers, never "3" or 3.0
    assert data["worstRating"] == 1
    assert 1 <= data["ratingValue"] <= data["bestRating"]


def test_the_default_scale_numbers_its_true_to_false_verdicts_one_to_five() -> None:
    # The test database was built by the migrations: these are the rows they leave.
    ratings = list(Rating.objects.order_by("position"))
    assert [r.slug for r in ratings] == [slug for _l, slug, *_rest in DEFAULT_SCALE]
    on_scale = [r for r in ratings if r.on_scale]
    assert [(r.slug, r.value) for r in on_scale] == [
        ("true", 5),
        ("mostly-true", 4),
        ("half-true", 3),
        ("mostly-false", 2),
        ("false", 1),
    ]
    off_scale = [r for r in ratings if not r.on_scale]
    assert [(r.slug, r.value) for r in off_scale] == [("misleading", None), ("unproven", None)]
    best = standards.scale_best()
    assert best == len(on_scale) == 5
    for rating in ratings:
        assert_valid_review_rating(standards.review_rating(rating, best), rating)
        rating.full_clean()  # each default passes the admin's own checks, contrast included
    assert standards.review_rating(Rating.objects.get(slug="true"), best)["ratingValue"] == 5
    assert standards.review_rating(Rating.objects.get(slug="false"), best)["ratingValue"] == 1


def test_every_emitted_claimreview_is_valid_for_every_default_verdict(
    article_text: str, team, factchecker: User, editor: User, second_editor: User
) -> None:  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team, url="https://wire.example/diesel")
    claim = annotate(
        version, LORRIES, factchecker, claim="1,140 lorries crossed", claimant="Ilse Marrow"
    )
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    reader = Client()
    seen: dict[str, dict[str, Any]] = {}
    for rating in Rating.objects.all():
        claim = Annotation.objects.get(pk=claim.pk)
        claim.rating = rating
        claim.save()  # as a correction would: the public pages see it at once
        page = reader.get(standards.claim_url(claim))
        assert page.status_code == 200
        blocks = lxml_html.fromstring(page.content).xpath(
            '//script[@type="application/ld+json"]/text()'
        )
        assert len(blocks) == 1
        feed = reader.get("/api/claimreview.json").json()["dataFeedElement"]
        assert len(feed) == 1
        for emitted in (json.loads(blocks[0]), feed[0]):
            assert emitted["@type"] == "ClaimReview"
            assert_valid_review_rating(emitted["reviewRating"], rating)
        seen[rating.slug] = feed[0]["reviewRating"]
    assert seen["half-true"] == {
        "@type": "Rating",
        "alternateName": "Half true",
        "name": "Half true",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert seen["unproven"] == {"@type": "Rating", "alternateName": "Unproven", "name": "Unproven"}
    assert seen["misleading"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "name": "Misleading",
    }


def test_a_retired_top_rating_still_fits_inside_its_bounds() -> None:
    Rating.objects.filter(slug="true").update(is_active=False)
    assert standards.scale_best() == 4
    retired = standards.review_rating(Rating.objects.get(slug="true"), standards.scale_best())
    assert (retired["worstRating"], retired["ratingValue"], retired["bestRating"]) == (1, 5, 5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"on_scale": "on", "value": "0"}, "1 or more", id="zero-on-the-scale"),
        pytest.param({"on_scale": "on", "value": ""}, "1 or more", id="no-number-on-the-scale"),
        pytest.param({"value": "2"}, "off the scale has no number", id="number-off-the-scale"),
        pytest.param(
            {"on_scale": "on", "value": "3", "colour": "#ffb000"}, "at least 4.5:1", id="pale"
        ),
    ],
)
def test_the_admin_refuses_a_rating_claimreview_could_not_carry(
    admin_client: Client, fields: dict[str, str], message: str
) -> None:
    form = {
        "label": "Pants on fire",
        "slug": "pants-on-fire",
        "description": "",
        "colour": "#7d1a12",
        "position": "9",
        "is_active": "on",
        **fields,
    }
    response = admin_client.post("/admin/annotations/rating/add/", form)
    assert response.status_code == 200  # the form again, with the reason
    assert message in response.content.decode()
    assert not Rating.objects.filter(slug="pants-on-fire").exists()


def test_the_admin_adds_a_verdict_off_the_scale(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/annotations/rating/add/",
        {
            "label": "Satire",
            "slug": "satire",
            "colour": "#5a32a3",
            "position": "9",
            "is_active": "on",
            "value": "",
        },
    )
    assert response.status_code == 302
    satire = Rating.objects.get(slug="satire")
    assert (satire.on_scale, satire.value) == (False, None)
    assert standards.review_rating(satire, 5) == {
        "@type": "Rating",
        "alternateName": "Satire",
        "name": "Satire",
    }


def test_the_database_refuses_a_number_below_one_on_the_scale() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.filter(slug="false").update(value=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.filter(slug="unproven").update(value=1)
