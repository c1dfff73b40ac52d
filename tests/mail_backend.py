"""The e-mail backend of the test suite: sending real e-mail fails the test.

tests/conftest.py installs it for every test. A test that checks the mail it sends asks for the `mailoutbox`
fixture, which switches to Django's in-memory backend and hands over `mail.outbox`.
"""

import pytest
from django.core.mail.backends.base import BaseEmailBackend


class RealEmailRefused(BaseEmailBackend):
    def send_messages(self, email_messages):
        subjects = ", ".join(repr(message.subject) for message in email_messages)
        # pytest.fail raises an exception that `except Exception` in the code under test does not swallow.
        pytest.fail(f"A test tried to send real e-mail ({subjects}); ask for the `mailoutbox` fixture to check mail.",
                    pytrace=True)
