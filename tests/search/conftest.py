from tests.portal.conftest import channel, home  # noqa: F401  (the portal's fixtures, shared)
