from tests.actions.conftest import domain  # noqa: F401  (the domain, for the actions)
from tests.officer.conftest import *  # noqa: F403  (the console's fixtures)
