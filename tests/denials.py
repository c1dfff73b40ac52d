"""What every refusal must look like, asserted by the permission matrices (tests/web/test_*permissions.py,
tests/api/test_*permissions.py; docs/security.md, "Denials"):

- a page the role may not use: 403, our own 403 page in the site's layout (templates/403.html);
- a record outside the user's scope: 404, our own 404 page;
- the API answers both as problem details (the matrices check the status and content type);
- no refusal writes a traceback to the server log.
"""

import logging

from django.urls import reverse


def assert_denial_page(response) -> None:
    """A 403 or 404 of a staff page is our own page in the site's layout, not Django's bare text."""
    names = [template.name for template in response.templates]
    if response.status_code == 403:
        assert "403.html" in names, names
        assert b'class="footer"' in response.content
    elif response.status_code == 404:
        assert "404.html" in names, names
        assert b'class="footer"' in response.content


def assert_no_traceback_logged(caplog) -> None:
    """Refusals (403, 404) are logged in one line at most, never with an exception's traceback."""
    for record in caplog.records:
        if record.levelno < logging.ERROR:
            assert record.exc_info is None and not record.exc_text, record.getMessage()


def assert_matrix_answer(response, *, status: int, role: str, caplog) -> None:
    """What each row of a page matrix checks of the answer: the status expected for the role, a refusal as our own
    page, no traceback logged, and an anonymous visitor sent to sign in."""
    assert response.status_code == status, response.content.decode()[:2000]
    assert_denial_page(response)
    assert_no_traceback_logged(caplog)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
