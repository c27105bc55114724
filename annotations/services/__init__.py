"""Writes and rules of the desk. Views, tasks and commands call these; nothing else writes.

Grouped by capability; the names callers need are re-exported here.
"""

from annotations.services import coverage, review
from annotations.services.annotations import (
    AnnotationConflict,
    AnnotationError,
    AnnotationInput,
    annotation_create,
    annotation_delete,
    annotation_restore,
    annotation_update,
)
from annotations.services.ingest import (
    ImportResult,
    article_import,
    content_hash,
    document_from_fetch,
    import_job_create,
    import_job_fail,
    import_job_retrying,
    import_job_run,
)
from annotations.services.sources import (
    SourceError,
    quote_match,
    source_add,
    source_archive,
    source_archive_gave_up,
    source_move,
    source_remove,
)

__all__ = [
    "AnnotationConflict",
    "AnnotationError",
    "AnnotationInput",
    "ImportResult",
    "SourceError",
    "annotation_create",
    "annotation_delete",
    "annotation_restore",
    "annotation_update",
    "article_import",
    "content_hash",
    "document_from_fetch",
    "import_job_create",
    "import_job_fail",
    "import_job_retrying",
    "import_job_run",
    "coverage",
    "quote_match",
    "review",
    "source_add",
    "source_archive",
    "source_archive_gave_up",
    "source_move",
    "source_remove",
]
