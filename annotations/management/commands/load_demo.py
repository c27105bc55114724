"""python manage.py load_demo: a small demo newsroom (desks, people, articles).

Safe to run again: it creates what is missing and keeps what is there. Passwords are random,
kept in .data/demo-credentials.json (git-ignored) and printed on every run.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser

from annotations import roles
from annotations.ingest.documents import from_upload
from annotations.ingest.services import article_import
from annotations.models import ArticleVersion, Rating, Team
from annotations.review import services as review
from annotations.scale import ensure_default_scale
from annotations.workspace.placements import version_reanchor
from annotations.workspace.services import AnnotationInput, annotation_create

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

PEOPLE = [
    # username, first, last, role, staff, superuser
    ("factchecker", "Amira", "Haddad", roles.FACT_CHECKER, False, False),
    ("editor", "Jonas", "Berg", roles.EDITOR, True, False),
    ("admin", "Priya", "Natarajan", roles.ADMIN, True, True),
]
DEMO_ANNOTATIONS = [
    (
        'maintenance costs had "tripled in under a decade"',
        "unproven",
        "Bridge maintenance costs tripled in under ten years",
        "The council's published accounts only go back to 2019. Asked for the earlier figures.",
    ),
    (
        "the bridge now loses about £1.8 million a year",
        "half-true",
        "The bridge loses £1.8m a year",
        "The 2025 accounts show a **£1.1m** operating loss; £1.8m includes a one-off repair.",
    ),
]
DEMO_ARTICLES = [  # fictional outlets, on reserved .example addresses
    (
        "harbour-bridge-tolls.txt",
        "Eastgate Evening Post",
        "2026-11-17",
        "https://eastgate-evening-post.example/news/harbour-bridge-tolls",
    ),
    (
        "school-meals-pilot.md",
        "Northern Ledger",
        "2026-11-20",
        "https://northern-ledger.example/education/school-meals-pilot",
    ),
]


class Command(BaseCommand):
    help = "Create (or top up) the demo newsroom and print its logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--credentials",
            default=str(settings.BASE_DIR / ".data" / "demo-credentials.json"),
            help="where the demo passwords are kept",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_default_scale(Rating)  # an admin may have retired ratings; the demo needs them
        desk, _ = Team.objects.get_or_create(slug="world-desk", defaults={"name": "World desk"})
        Team.objects.get_or_create(slug="politics-desk", defaults={"name": "Politics desk"})

        path = Path(options["credentials"])
        saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for username, first, last, role, staff, superuser in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@newsroom.example",
                },
            )
            if created or username not in saved or not user.check_password(saved[username]):
                saved[username] = secrets.token_urlsafe(9)
                user.set_password(saved[username])
            user.is_staff = staff
            user.is_superuser = superuser
            user.save()
            user.groups.add(Group.objects.get(name=role))
            desk.members.add(user)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=2))
        path.chmod(0o600)

        factchecker = User.objects.get(username="factchecker")
        versions = {}
        for filename, outlet, published, url in DEMO_ARTICLES:
            data = (DEMO_DIR / filename).read_bytes()
            versions[filename] = article_import(
                document=from_upload(filename, data),
                source=ArticleVersion.Source.CLI,
                user=factchecker,
                team=desk,
                outlet=outlet,
                url=url,
                published=date.fromisoformat(published),
            ).version
        self._annotate(versions["harbour-bridge-tolls.txt"], factchecker)
        self._outlet_edits(versions["harbour-bridge-tolls.txt"], factchecker, desk)

        self.stdout.write(self.style.SUCCESS("Demo newsroom ready. Logins:"))
        for username, _first, _last, role, _staff, _superuser in PEOPLE:
            self.stdout.write(f"  {role:<13} username: {username:<12} password: {saved[username]}")

    def _outlet_edits(self, version: ArticleVersion, user: User, desk: Team) -> None:
        """Two days later the outlet revises the bridge story: a note on top, a new loss
        figure, and the maintenance quote cut. Version 2 places one claim with changed
        words and orphans the other, so the repair queue and the public change note show."""
        text = version.text
        headline, body = text.split("\n\n", 1)
        body = body.replace("£1.8 million a year", "£1.6 million a year").replace(
            'maintenance costs had "tripled in under a decade" and ', ""
        )
        note = (
            "Update, 19 November: this article was revised after the council corrected "
            "its figure for the bridge's annual loss."
        )
        result = article_import(
            document=from_upload(
                "harbour-bridge-tolls.txt", f"{headline}\n\n{note}\n\n{body}".encode()
            ),
            source=ArticleVersion.Source.CLI,
            user=user,
            team=desk,
            url=DEMO_ARTICLES[0][3],
        )
        version_reanchor(result.version.pk)  # here and now, as the command line does

    def _annotate(self, version: ArticleVersion, author: User) -> None:
        """Two verdicts on the bridge story: one waiting for review, one published.
        Fixed client tokens make a second run find them instead of adding copies."""
        ratings = {rating.slug: rating for rating in Rating.objects.all()}
        for number, (phrase, verdict, claim, rationale) in enumerate(DEMO_ANNOTATIONS):
            start = version.text.find(phrase)
            if start < 0:
                continue
            annotation, _created = annotation_create(
                version=version,
                author=author,
                start=start,
                end=start + len(phrase),
                exact=phrase,
                data=AnnotationInput(
                    rating=ratings.get(verdict),
                    claim=claim,
                    claimant="Maria Okafor",
                    rationale=rationale,
                    tags=["tolls", "budget"],
                ),
                client_token=uuid.uuid5(
                    uuid.NAMESPACE_URL, f"demo-annotation-{version.pk}-{number}"
                ),
            )
            # The first waits in the editors' queue and the second is published, so
            # /review/ and /checks/ both show something at once.
            if annotation.transitions.exists():
                continue
            review.claim_move(annotation_id=annotation.pk, user=author, action="submit")
            if number == 1:
                editor = User.objects.get(username="editor")
                for action in ("approve", "publish"):
                    review.claim_move(annotation_id=annotation.pk, user=editor, action=action)
