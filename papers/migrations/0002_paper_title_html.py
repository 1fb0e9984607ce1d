from django.db import migrations, models

BATCH_SIZE = 500


def render_existing_titles(apps, schema_editor):
    """Fill ``title_html`` for the papers stored before it existed.

    This calls the site's renderer rather than a frozen copy, because the
    HTML must match what saving a paper stores today.
    """
    from shortscience.markup import render_title

    Paper = apps.get_model("papers", "Paper")
    batch = []
    for paper in Paper.objects.only("pk", "title").order_by("pk").iterator():
        paper.title_html = render_title(paper.title)
        batch.append(paper)
        if len(batch) == BATCH_SIZE:
            Paper.objects.bulk_update(batch, ["title_html"])
            batch = []
    Paper.objects.bulk_update(batch, ["title_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="title_html",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The title with its $..$ formulas as MathML, set on save.",
                verbose_name="title HTML",
            ),
        ),
        migrations.RunPython(render_existing_titles, migrations.RunPython.noop),
    ]
