"""Offset completion in three steps: the debtor records delivery with documents (OffsetEvidence),
the holder confirms receipt, the operator registers the cancellation (注销登记). Schema only;
0011 fills the rows completed before, 0012 adds the constraints."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0009_offset_scope_data'),
        ('members', '0004_organisation_classification'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OffsetEvidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('delivery', '资产交付确认'), ('title', '权属转移登记'), ('settlement', '消费结算单'), ('top_up', '补足款凭证'), ('other', '其他')], max_length=20, verbose_name='材料类别')),
                ('file', models.FileField(upload_to='offsets/%Y/%m/')),
                ('original_name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=60)),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': '抵付证明材料',
                'ordering': ['id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='offsetapplication',
            name='offset_completed_consistent',
        ),
        migrations.RemoveConstraint(
            model_name='offsetapplication',
            name='offset_one_open_per_piece',
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='cancellation_no',
            field=models.CharField(blank=True, max_length=20, null=True, unique=True, verbose_name='注销登记编号'),
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='delivered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='交付登记时间'),
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='delivered_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='received_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='持有人确认时间'),
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='received_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='offsetapplication',
            name='returned_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='退回补正理由'),
        ),
        migrations.AlterField(
            model_name='offsetapplication',
            name='status',
            field=models.CharField(choices=[('applied', '待债务人核查'), ('options', '待商定价款'), ('proposed', '价款待对方确认'), ('agreed', '待交付登记'), ('delivered', '待持有人确认'), ('received', '待注销登记'), ('completed', '已抵付注销'), ('refused', '债务人不予办理'), ('withdrawn', '已撤回')], default='applied', max_length=20),
        ),
        migrations.AddField(
            model_name='offsetevidence',
            name='offset',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evidence', to='certificates.offsetapplication'),
        ),
        migrations.AddField(
            model_name='offsetevidence',
            name='uploaded_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='offsetevidence',
            constraint=models.UniqueConstraint(fields=('offset', 'sha256'), name='offset_evidence_unique_content'),
        ),
        migrations.AddConstraint(
            model_name='offsetevidence',
            constraint=models.CheckConstraint(condition=models.Q(('size__gt', 0)), name='offset_evidence_not_empty'),
        ),
    ]
