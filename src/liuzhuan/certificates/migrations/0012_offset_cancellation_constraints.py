"""Constraints of the three-step offset completion, once 0011 filled the rows they check."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0011_offset_cancellation_data"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='offsetapplication',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'completed'), _negated=True), models.Q(('offset_fen__gt', 0), ('offset_fen__lte', models.F('amount_fen')), ('price_fen__isnull', False), models.Q(('delivery_ref', ''), _negated=True), ('cancellation_no__isnull', False)), _connector='OR'), name='offset_completed_consistent'),
        ),
        migrations.AddConstraint(
            model_name='offsetapplication',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['delivered', 'received']), _negated=True), models.Q(('delivered_at__isnull', False), models.Q(('delivery_ref', ''), _negated=True)), _connector='OR'), name='offset_delivery_recorded'),
        ),
        migrations.AddConstraint(
            model_name='offsetapplication',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'received'), _negated=True), ('received_at__isnull', False), _connector='OR'), name='offset_receipt_confirmed'),
        ),
        migrations.AddConstraint(
            model_name='offsetapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['applied', 'options', 'proposed', 'agreed', 'delivered', 'received'])), fields=('piece',), name='offset_one_open_per_piece'),
        ),
    ]
