"""The answer to a request Django could not read (handler400): a body too large to buffer,
a malformed multipart body, a suspicious header.

A person who sent a form from the desk is brought back to the same page with the reason
(the page puts a pasted text back from the tab's session storage, see static/js/app.js);
anyone else gets a short page, or JSON for the API, saying what went wrong.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render


def reason(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return (
            "What you sent is too large to read. Paste at most "
            f"{settings.IMPORT_MAX_TEXT_CHARS:,} characters, or upload the text as a file."
        )
    return "The request could not be read. Go back and try again."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = reason(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=400)
    user = getattr(request, "user", None)
    if request.method == "POST" and user is not None and user.is_authenticated:
        messages.error(request, message)
        back = HttpResponseRedirect(request.get_full_path())
        back.status_code = 303  # see other: the same page, fetched with GET
        return back
    return render(request, "400.html", {"message": message}, status=400)
