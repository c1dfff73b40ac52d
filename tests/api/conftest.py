import pytest

from dangjian.accounts.models import ApiToken
from tests.api.helpers import ApiClient
from tests.enrollment.conftest import enrollment_world  # noqa: F401 (a fixture the enrollment API tests share)


@pytest.fixture
def api_as():
    """api_as(user) -> a client logged in as `user` (None: anonymous); api_as(user, token=True) uses a token."""

    def make(user, *, token: bool = False) -> ApiClient:
        if token and user is not None:
            return ApiClient(token=ApiToken.issue(user=user, name="test"))
        return ApiClient(user)

    return make
