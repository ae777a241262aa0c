"""Offsets completed before the three-step flow were cancelled on the debtor's word alone. They keep
their status and their pieces; their registration number becomes ``LEGACY-<offset number>``. They
have no holder confirmation (``received_at`` stays empty) and no evidence rows: nothing is invented.
``liuzhuan verify`` skips them in the receipt-and-evidence check by that prefix."""

from django.db import migrations


def legacy_number(number: str) -> str:
    return f"LEGACY-{number}"[:20]


def forwards(apps, schema_editor):
    OffsetApplication = apps.get_model("certificates", "OffsetApplication")
    for pk, number in OffsetApplication.objects.filter(status="completed", cancellation_no__isnull=True).values_list("pk", "number"):
        OffsetApplication.objects.filter(pk=pk).update(cancellation_no=legacy_number(number))


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0010_offset_cancellation"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
