import pytest

from ..oidc_provider import running_provider


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory):
    """One real provider for the session's Django test client (served as http://testserver)."""
    with running_provider(["http://testserver"], tmp_path_factory.mktemp("oidc")) as issuer:
        yield issuer
