"""Index the papers and summaries that exist before search was added."""

from django.db import migrations

from search.text import details_text, html_to_text, index_text

CHUNK_SIZE = 500


def index_rows(apps, schema_editor):
    Paper = apps.get_model("papers", "Paper")
    Authorship = apps.get_model("papers", "Authorship")
    Summary = apps.get_model("summaries", "Summary")
    PaperDocument = apps.get_model("search", "PaperDocument")
    SummaryDocument = apps.get_model("search", "SummaryDocument")

    names: dict[int, list[str]] = {}
    authorships = Authorship.objects.order_by("paper_id", "position").values_list(
        "paper_id", "author__name"
    )
    for paper_id, name in authorships.iterator():
        names.setdefault(paper_id, []).append(name)
    fields = ("pk", "title", "abstract", "venue", "year", "bibtex_key", "arxiv_id")
    PaperDocument.objects.bulk_create(
        (
            PaperDocument(
                paper_id=row[0],
                title=index_text(row[1]),
                authors=index_text(", ".join(names.get(row[0], []))),
                abstract=index_text(row[2]),
                details=details_text(row[3:]),
            )
            for row in Paper.objects.values_list(*fields, "doi").iterator()
        ),
        batch_size=CHUNK_SIZE,
    )
    SummaryDocument.objects.bulk_create(
        (
            SummaryDocument(summary_id=pk, paper_id=paper_id, body=html_to_text(html))
            for pk, paper_id, html in Summary.objects.values_list(
                "pk", "paper_id", "html"
            ).iterator()
        ),
        batch_size=CHUNK_SIZE,
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_indexes")]

    operations = [migrations.RunPython(index_rows, migrations.RunPython.noop)]
