from pathlib import Path

import pytest


@pytest.fixture
def frontpage_bib(frontpage_dir) -> Path:
    """Return the path of the real ShortScience front-page BibTeX file."""
    return frontpage_dir / "papers.bib"
