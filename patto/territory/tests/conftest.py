import pytest

from patto.territory.services import sync_comuni


@pytest.fixture
def comuni(world):
    """The district's comuni as data (Rimini 099014, Santarcangelo 099018) and Forlì's in the other district."""
    sync_comuni()
    from patto.territory.models import Comune

    return {c.istat_code: c for c in Comune.objects.all()}
