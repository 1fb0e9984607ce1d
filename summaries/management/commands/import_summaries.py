from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from summaries.importing import import_summaries, read_index


class Command(BaseCommand):
    help = (
        "Import Markdown summaries listed in DIR/index.json (entries with 'file' "
        "and 'bibtex_key'). Import the papers first with import_bibtex. Exits 1 if "
        "some entries failed; the others are still imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder holding index.json.")

    def handle(self, *args, directory: Path, **options):
        try:
            read_index(directory)
        except ValueError as error:
            raise CommandError(str(error)) from error
        report = import_summaries(directory)
        for failure in report.failures:
            self.stderr.write(f"{directory}: {failure}")
        self.stdout.write(
            f"Summaries: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.failures)} failed."
        )
        if report.failures:
            raise SystemExit(1)
