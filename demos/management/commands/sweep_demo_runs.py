from django.core.management.base import BaseCommand

from demos.services import sweep_stale_runs


class Command(BaseCommand):
    help = (
        "Mark demo runs that are still 'running' past their deadline as failed: "
        "their worker was killed or lost. The demos.sweep_stale_runs task does "
        "the same every five minutes where Celery beat runs."
    )

    def handle(self, *args, **options):
        count = sweep_stale_runs()
        self.stdout.write(f"Stale demo runs marked failed: {count}.")
