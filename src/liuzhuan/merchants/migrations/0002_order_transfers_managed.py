"""Offers paying for merchant orders placed before certificates 0019 belong to their orders too."""

from django.db import migrations


def forwards(apps, schema_editor):
    Order = apps.get_model("merchants", "Order")
    Transfer = apps.get_model("certificates", "Transfer")
    for transfer_id, number in Order.objects.filter(transfer__isnull=False).values_list("transfer_id", "number").iterator():
        Transfer.objects.filter(pk=transfer_id, managed_by="").update(managed_by=f"特约商户订单 {number}"[:60])


class Migration(migrations.Migration):

    dependencies = [
        ("merchants", "0001_initial"),
        ("certificates", "0019_transfer_managed_by"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
