import pytest

from tests.conftest import _staff


@pytest.fixture
def editor(db):
    return _staff("editor", email="editor@example.com")
