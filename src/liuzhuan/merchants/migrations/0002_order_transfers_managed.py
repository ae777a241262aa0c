"""Offers paying for merchant orders placed before certificates 0019 belong to their orders too."""

from django.db import migrations
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat


def forwards(apps, schema_editor):
    Order = apps.get_model("merchants", "Order")
    Transfer = apps.get_model("certificates", "Transfer")
    number = Order.objects.filter(transfer_id=OuterRef("pk")).values("number")[:1]
    Transfer.objects.filter(managed_by="", merchant_order__isnull=False).update(  # one statement
        managed_by=Concat(Value("特约商户订单 "), Subquery(number), output_field=CharField()))


class Migration(migrations.Migration):

    dependencies = [
        ("merchants", "0001_initial"),
        ("certificates", "0019_transfer_managed_by"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
