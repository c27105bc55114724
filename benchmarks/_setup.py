"""Shared set-up for benchmark scripts: Django on a throwaway database next to DATABASE_URL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def setup_django(database: str = "newsroom_bench") -> None:
    import django
    from django.conf import settings

    settings.DATABASES["default"]["TEST"] = {"NAME": database}
    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def teardown_django(database: str = "newsroom_bench") -> None:
    from django.db import connection

    connection.creation.destroy_test_db(database, verbosity=0)
