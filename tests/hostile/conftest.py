# The service-provider fixtures of the members tests, for the corpus run through the API.
from tests.members.conftest import provider_a, tech_provider_a  # noqa: F401
