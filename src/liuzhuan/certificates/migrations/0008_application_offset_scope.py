"""The agreed offset scope as a structured choice (ledger/scope.py codes) beside the old free text;
0009 fills it from the text (docs/design/certificate-lifecycle.md, "Offset scope")."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0007_piece_status_set_off'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='offset_scope',
            field=models.JSONField(blank=True, default=list, verbose_name='可抵付范围'),
        ),
        migrations.AddField(
            model_name='application',
            name='offset_scope_inferred',
            field=models.BooleanField(default=False, verbose_name='范围由迁移推定'),
        ),
        migrations.AlterField(
            model_name='application',
            name='accepted_categories',
            field=models.CharField(blank=True, max_length=300, verbose_name='原可抵付范围（文字，迁移前）'),
        ),
    ]
