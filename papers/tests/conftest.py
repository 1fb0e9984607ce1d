import os
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def frontpage_bib() -> Path:
    """Return the path of the real ShortScience front-page BibTeX file.

    The shared data folder is SHORTSCIENCE_SHARED_DATA, by default the
    ``shared`` folder next to the project. Tests that need it are skipped
    when it is missing.
    """
    default = settings.BASE_DIR.parent / "shared"
    root = Path(os.environ.get("SHORTSCIENCE_SHARED_DATA", default))
    path = root / "data" / "shortscience-frontpage" / "papers.bib"
    if not path.is_file():
        pytest.skip(f"{path} is missing; set SHORTSCIENCE_SHARED_DATA")
    return path
