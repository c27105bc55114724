"""Desks: the teams of people who share a review queue and see each other's drafts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Team(models.Model):
    """A desk: the people who share a review queue and see each other's drafts."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    required_approvals = models.PositiveSmallIntegerField(
        default=1,
        choices=[(1, "One editor approves"), (2, "Two different editors approve")],
        help_text="How many editors (never the author) must approve a verdict before it can be published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
