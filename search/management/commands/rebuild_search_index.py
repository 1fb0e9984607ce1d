from django.core.management.base import BaseCommand

from search.services import rebuild_index


class Command(BaseCommand):
    help = (
        "Write the search text of every paper and summary again, for rows "
        "changed outside the site's services (raw SQL, data migrations)."
    )

    def handle(self, *args, **options):
        papers, summaries = rebuild_index()
        self.stdout.write(f"Indexed {papers} papers and {summaries} summaries.")
