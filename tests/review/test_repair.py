"""The repair queue: claims the outlet's edit moved or removed, and an editor's decisions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Annotation, Notification, Placement
from annotations.review import repair
from annotations.workspace.placements import version_reanchor
from tests.factories import annotate, import_text
from tests.workspace.test_placements import BRANCU, LORRIES, PERCENT, URL, edited

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_article(article_text: str, team, factchecker):  # type: ignore[no-untyped-def]
    """Three claims on the wire story; the outlet then edits it (one claim each anchored,
    changed and orphaned on version 2)."""
    _article, version = import_text(article_text, team=team, url=URL)
    claims = {p: annotate(version, p, factchecker) for p in (LORRIES, PERCENT, BRANCU)}
    _article, second = import_text(edited(version.text), team=team, url=URL)
    placements = {p.annotation_id: p for p in version_reanchor(second.pk)}
    return second, {phrase: placements[claim.pk] for phrase, claim in claims.items()}


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def test_the_queue_lists_changed_and_orphaned_claims_and_the_navigation_counts_them(
    changed_article, editor_client: Client
) -> None:  # type: ignore[no-untyped-def]
    _second, placed = changed_article
    html = editor_client.get("/review/repair/").content.decode()
    assert f'id="repair-{placed[LORRIES].pk}"' in html
    assert f'id="repair-{placed[BRANCU].pk}"' in html
    assert f'id="repair-{placed[PERCENT].pk}"' not in html  # found unchanged: nothing to do
    assert "1,104 lorries" in html and "Not found" in html
    assert 'id="nav-repair-count" aria-label="2 claims to repair"' in html


def test_another_desk_sees_nothing_of_the_queue(changed_article, db) -> None:  # type: ignore[no-untyped-def]
    from annotations import roles
    from tests.conftest import _user_with_role
    from tests.factories import TeamFactory

    _second, placed = changed_article
    outsider = _user_with_role("other-editor", roles.EDITOR)
    TeamFactory(name="Sports", slug="sports").members.add(outsider)
    client = Client()
    client.force_login(outsider)
    assert "repair-" not in client.get("/review/repair/").content.decode().split("</nav>", 2)[-1]
    assert client.post(f"/review/repair/{placed[BRANCU].pk}/gone/").status_code == 404


def test_a_fact_checker_sees_the_queue_but_only_editors_settle_it(
    changed_article, factchecker_client: Client
) -> None:  # type: ignore[no-untyped-def]
    _second, placed = changed_article
    html = factchecker_client.get("/review/repair/").content.decode()
    assert "An editor of the desk settles this." in html
    response = factchecker_client.post(f"/review/repair/{placed[BRANCU].pk}/gone/")
    assert response.status_code == 403
    assert Placement.objects.get(pk=placed[BRANCU].pk).resolution == ""


def test_an_orphan_is_re_placed_on_the_selected_words_and_the_author_told(
    changed_article, editor_client: Client, editor: User, factchecker: User
) -> None:  # type: ignore[no-untyped-def]
    second, placed = changed_article
    orphan = placed[BRANCU]
    words = "Brancu’s office did not answer calls"
    start = second.text.index(words)
    # The workspace opens in repair mode; selecting text asks to confirm the words.
    page = editor_client.get(f"/articles/{second.article_id}/?repair={orphan.pk}").content.decode()
    assert "Re-placing a claim." in page and f"/review/repair/{orphan.pk}/place/" in page
    confirm = editor_client.get(
        f"/review/repair/{orphan.pk}/place/", {"start": start + 1, "end": start + len(words) - 2}
    ).content.decode()
    assert f'<q class="selected-quote">{words}</q>' in confirm  # snapped to whole words
    response = editor_client.post(
        f"/review/repair/{orphan.pk}/place/", {"start": start, "end": start + len(words)}
    )
    assert response.status_code == 302

    orphan.refresh_from_db()
    assert (orphan.status, orphan.resolution, orphan.resolved_by) == (
        "anchored",
        "replaced",
        editor,
    )
    assert second.text[orphan.start : orphan.end] == words
    note = Notification.objects.get(recipient=factchecker, kind=Notification.Kind.REPAIRED)
    assert "re-placed on version 2" in note.text
    # It is drawn on the new version now, and gone from the queue.
    page = editor_client.get(f"/articles/{second.article_id}/").content.decode()
    assert f'data-annotation-id="{orphan.annotation_id}"' in page.split('id="article-text"')[1]
    assert f'id="repair-{orphan.pk}"' not in editor_client.get("/review/repair/").content.decode()
    # The history of the placement keeps who did it.
    from annotations.models import PlacementEvent  # type: ignore[attr-defined]

    events = PlacementEvent.objects.filter(pgh_obj_id=orphan.pk).order_by("pgh_id")
    assert [e.status for e in events] == ["orphaned", "anchored"]
    assert events.last().pgh_context.metadata["user"] == editor.pk


def test_a_bad_selection_is_refused_with_a_message(changed_article, editor_client: Client) -> None:  # type: ignore[no-untyped-def]
    second, placed = changed_article
    orphan = placed[BRANCU]
    for params in ({}, {"start": "x", "end": "9"}, {"start": 10, "end": 5}):
        response = editor_client.post(f"/review/repair/{orphan.pk}/place/", params)
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    response = editor_client.post(
        f"/review/repair/{orphan.pk}/place/", {"start": 0, "end": len(second.text) + 50}
    )
    assert "Select the words in the article" in response.content.decode()
    assert Placement.objects.get(pk=orphan.pk).resolution == ""


def test_a_changed_claim_still_stands_and_a_removed_one_is_no_longer_drawn(
    changed_article, editor_client: Client
) -> None:  # type: ignore[no-untyped-def]
    second, placed = changed_article
    editor_client.post(f"/review/repair/{placed[LORRIES].pk}/confirm/")
    editor_client.post(f"/review/repair/{placed[PERCENT].pk}/gone/")
    assert Placement.objects.get(pk=placed[LORRIES].pk).resolution == "confirmed"
    page = editor_client.get(f"/articles/{second.article_id}/").content.decode()
    text = page.split('id="article-text"')[1].split("</section>")[0]
    assert f'data-annotation-id="{placed[LORRIES].annotation_id}"' in text
    assert f'data-annotation-id="{placed[PERCENT].annotation_id}"' not in text
    assert "marked no longer in the article" in page
    # An orphan cannot be "still standing": there are no words to stand on.
    response = editor_client.post(f"/review/repair/{placed[BRANCU].pk}/confirm/", follow=True)
    assert "Only a claim whose words changed" in response.content.decode()


def test_a_correction_is_opened_only_for_a_published_verdict(
    changed_article, editor_client: Client
) -> None:  # type: ignore[no-untyped-def]
    _second, placed = changed_article
    lorries = placed[LORRIES]
    response = editor_client.post(f"/review/repair/{lorries.pk}/correction/", follow=True)
    assert "Only a published verdict is corrected" in response.content.decode()
    Annotation.objects.filter(pk=lorries.annotation_id).update(state="published")
    response = editor_client.post(f"/review/repair/{lorries.pk}/correction/")
    assert response["Location"].endswith(
        f"/review/claims/{lorries.annotation_id}/?correct=1#correct"
    )
    assert Placement.objects.get(pk=lorries.pk).resolution == "correction"


def test_a_placement_on_a_superseded_version_is_repaired_on_the_newest(
    changed_article, team, editor: User
) -> None:  # type: ignore[no-untyped-def]
    second, placed = changed_article
    import_text(second.text + "\n\nUpdate: the ministry declined to comment.", team=team, url=URL)
    with pytest.raises(repair.RepairError, match="newer version"):
        repair.placement_gone(placement_id=placed[BRANCU].pk, user=editor)


def test_no_longer_in_the_article_carries_over_to_the_next_version(
    changed_article, team, editor: User
) -> None:  # type: ignore[no-untyped-def]
    second, placed = changed_article
    repair.placement_gone(placement_id=placed[LORRIES].pk, user=editor)
    _article, third = import_text(second.text + "\n\nUpdate: more to follow.", team=team, url=URL)
    on_third = {p.annotation_id: p for p in version_reanchor(third.pk)}
    lorries = on_third[placed[LORRIES].annotation_id]
    assert (lorries.status, lorries.resolution, lorries.resolved_by) == ("orphaned", "gone", editor)
    assert on_third[placed[PERCENT].annotation_id].status == "anchored"
    # The orphan nobody settled is looked for again, and waits in the queue again.
    assert on_third[placed[BRANCU].annotation_id].resolution == ""
    assert [p.pk for p in repair.repair_queue(editor)] == [
        on_third[placed[BRANCU].annotation_id].pk
    ]
