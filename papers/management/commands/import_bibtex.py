"""The ``import_bibtex`` management command: import papers from .bib files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers import services
from papers.services import ImportReport


class Command(BaseCommand):
    help = (
        "Create or update papers from BibTeX files, matched by BibTeX key; "
        "importing a file again changes nothing. Files are read as UTF-8. "
        "Each entry that cannot be imported is printed to stderr as "
        "FILE:LINE: KEY: MESSAGE, and the other entries are still imported. "
        "Exit status: 0 when every entry was imported, 1 when some entries "
        "failed, 2 when a file cannot be read or is not UTF-8 (then nothing "
        "is imported)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="a .bib file")

    def handle(self, *args, files, verbosity, **options):
        texts = _read_files(files)
        reports = []
        for name, text in texts:
            progress = self._progress_printer(name) if verbosity > 0 else None
            report = services.import_bibtex(text, source_name=name, progress=progress)
            reports.append(report)
            for failure in report.failures:
                key = f" {failure.key}:" if failure.key else ""
                self.stderr.write(f"{name}:{failure.line}:{key} {failure.message}")
            if verbosity > 0:
                self.stdout.write(f"{name}: {_counts(report)}")
        total = ImportReport(
            created=sum(r.created for r in reports),
            updated=sum(r.updated for r in reports),
            unchanged=sum(r.unchanged for r in reports),
            failures=[f for r in reports for f in r.failures],
        )
        if verbosity > 0 and len(reports) > 1:
            self.stdout.write(f"All {len(reports)} files: {_counts(total)}")
        if total.failed:
            entries = "entry" if total.failed == 1 else "entries"
            raise CommandError(
                f"{total.failed} {entries} failed (listed above); "
                "the other entries were imported.",
                returncode=1,
            )

    def _progress_printer(self, name: str):
        """Return a callback that prints a line per batch of a multi-batch file."""

        def progress(done: int, total: int) -> None:
            if total > services.BATCH_SIZE:
                self.stdout.write(f"{name}: {done} of {total} entries written")

        return progress


def _read_files(paths: list[str]) -> list[tuple[str, str]]:
    """Read every file as UTF-8, or raise CommandError naming each bad one."""
    texts, errors = [], []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            errors.append(f"{path}: cannot read the file: {error.strerror}")
            continue
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            errors.append(
                f"{path}:{line}: the file contains NUL bytes, so it is not UTF-8 "
                "text (UTF-16 perhaps); convert it to UTF-8"
            )
            continue
        try:
            # utf-8-sig also accepts a byte order mark at the start.
            texts.append((path, data.decode("utf-8-sig")))
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            errors.append(
                f"{path}:{line}: the file is not valid UTF-8 (byte "
                f"0x{data[error.start]:02x}); convert it to UTF-8, for example "
                f"with iconv -f latin1 -t utf-8"
            )
    if errors:
        raise CommandError("\n".join([*errors, "Nothing was imported."]), returncode=2)
    return texts


def _counts(report: ImportReport) -> str:
    return (
        f"{report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} failed"
    )
