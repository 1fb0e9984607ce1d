from django.db import migrations, models

BATCH_SIZE = 500


def derive_existing_skeletons(apps, schema_editor):
    """Fill ``display_name_skeleton`` for members who have a display name.

    This calls the site's ``skeleton`` rather than a frozen copy, because
    new names are compared with what it returns today. Names are not changed.
    """
    from accounts.display_names import skeleton

    User = apps.get_model("accounts", "User")
    members = User.objects.exclude(display_name="").only("pk", "display_name")
    batch = []
    for member in members.order_by("pk").iterator():
        member.display_name_skeleton = skeleton(member.display_name)
        batch.append(member)
        if len(batch) == BATCH_SIZE:
            User.objects.bulk_update(batch, ["display_name_skeleton"])
            batch = []
    User.objects.bulk_update(batch, ["display_name_skeleton"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name_skeleton",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="The form that look-alike display names share, set on save.",
                max_length=400,
            ),
        ),
        migrations.RunPython(derive_existing_skeletons, migrations.RunPython.noop),
    ]
