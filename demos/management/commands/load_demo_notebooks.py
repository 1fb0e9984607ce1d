from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demos.models import Demo
from demos.services import load_site_demo
from papers.models import Paper

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"

# The notebooks written for this project and the papers they illustrate.
SITE_DEMOS = [
    {
        "file": "batchnorm.ipynb",
        "bibtex_key": "journals/corr/abs-1805-11604",
        "title": "BatchNorm and the smoothness of the loss",
        "description": (
            "The same small network trained on scikit-learn's digits without "
            "BatchNorm, with it, and with it plus injected noise: loss curves, "
            "a layer's activations over training, and how well the gradient "
            "predicts the loss along it."
        ),
        "limits": {"cell_timeout": 300, "run_timeout": 900, "memory_limit_mb": 4096},
    },
    {
        "file": "realnvp.ipynb",
        "bibtex_key": "journals/corr/DinhSB16",
        "title": "Real NVP on two moons",
        "description": (
            "Affine coupling layers with alternating masks trained by maximum "
            "likelihood on two-moons data: samples and the learned density."
        ),
        "limits": {"cell_timeout": 300, "run_timeout": 900, "memory_limit_mb": 4096},
    },
]


class Command(BaseCommand):
    help = (
        "Attach the demo notebooks written for this project (demos/notebooks/) "
        "to their papers, approved to run. Papers that are not loaded are "
        "skipped. Safe to run again: an unchanged notebook adds nothing."
    )

    def handle(self, *args, **options):
        attached = updated = unchanged = skipped = 0
        for entry in SITE_DEMOS:
            paper = Paper.objects.filter(bibtex_key=entry["bibtex_key"]).first()
            if paper is None:
                self.stdout.write(
                    f"Skipped {entry['file']}: no paper {entry['bibtex_key']}."
                )
                skipped += 1
                continue
            path = NOTEBOOK_DIR / entry["file"]
            if not path.is_file():
                raise CommandError(f"Missing demo notebook {path}.")
            existed = Demo.objects.filter(
                paper=paper, title=entry["title"], owner=None
            ).exists()
            _, changed = load_site_demo(
                paper=paper,
                title=entry["title"],
                description=entry["description"],
                notebook=path.read_bytes(),
                limits=entry["limits"],
            )
            if not existed:
                attached += 1
            elif changed:
                updated += 1
            else:
                unchanged += 1
        self.stdout.write(
            f"Demo notebooks: {attached} attached, {updated} updated, "
            f"{unchanged} already up to date, {skipped} skipped."
        )
