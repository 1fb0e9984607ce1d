"""Import of summaries from a folder of Markdown files listed in ``index.json``.

``index.json`` is a list of objects with ``file`` (a Markdown file beside it)
and ``bibtex_key`` (a paper already imported), optionally ``author`` (a
username) and ``private``/``anonymous`` flags. An entry without ``author``
gets a placeholder member named after its file.
"""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model

from papers.models import Paper
from shortscience.exceptions import ServiceError

from . import services
from .models import Summary

logger = logging.getLogger(__name__)


@dataclass
class SummaryImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[str] = field(default_factory=list)


def read_index(directory: Path) -> list[dict]:
    """Load and check ``directory/index.json``; raise ValueError with the reason."""
    index_path = directory / "index.json"
    try:
        entries = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{index_path} does not exist.") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{index_path} is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ValueError(f"{index_path} must contain a JSON list of entries.")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not {"file", "bibtex_key"} <= entry.keys():
            raise ValueError(
                f"{index_path}: entry {number} needs both 'file' and 'bibtex_key'."
            )
    return entries


def _member_for(entry: dict):
    User = get_user_model()
    username = entry.get("author") or f"imported-{Path(entry['file']).stem}"
    member, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": entry.get("author_name", "")},
    )
    if created:
        member.set_unusable_password()
        member.save(update_fields=["password"])
    return member


def import_summaries(directory: Path) -> SummaryImportReport:
    """Create or update one summary per entry of ``directory/index.json``.

    Running it again changes nothing unless a file changed, in which case
    the summary gets a new revision. A missing paper or file, or a summary
    the renderer rejects, fails only its own entry.
    """
    report = SummaryImportReport()
    for entry in read_index(directory):
        label = f"{entry['file']} ({entry['bibtex_key']})"
        try:
            source = (directory / entry["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.failures.append(f"{label}: cannot read the file: {error}")
            continue
        paper = Paper.objects.filter(bibtex_key=entry["bibtex_key"]).first()
        if paper is None:
            report.failures.append(
                f"{label}: no paper has this BibTeX key; import the BibTeX first."
            )
            continue
        author = _member_for(entry)
        flags = {
            "private": bool(entry.get("private", False)),
            "anonymous": bool(entry.get("anonymous", False)),
        }
        existing = Summary.objects.filter(paper=paper, author=author).first()
        try:
            if existing is None:
                services.create_summary(
                    paper=paper, author=author, source=source, **flags
                )
                report.created += 1
            elif existing.source == source and all(
                getattr(existing, name) == value for name, value in flags.items()
            ):
                report.unchanged += 1
            else:
                services.update_summary(
                    summary=existing,
                    editor=author,
                    source=source,
                    base_version=existing.version,
                    **flags,
                )
                report.updated += 1
        except ServiceError as error:
            report.failures.append(f"{label}: {error.message}")
    logger.info(
        "Summaries imported from %s: created=%s updated=%s unchanged=%s failed=%s",
        directory,
        report.created,
        report.updated,
        report.unchanged,
        len(report.failures),
    )
    return report
