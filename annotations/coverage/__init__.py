"""Related coverage: find other outlets' reporting on an article and line it up claim by
claim. `providers` discovers candidates, `figures` reads quantities, `matching` compares;
the pipeline's steps live in `annotations.services.coverage` and run as Celery tasks."""
