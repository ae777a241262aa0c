"""Seed the LPR table from the history shipped in ``liuzhuan/bridge/data/lpr.csv``.

Rows already present (same effective date) are left alone, so re-running never overwrites a
correction the finance bureau has made. Reversing removes nothing (the table is business data).
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from importlib import resources

from django.db import migrations


def shipped_rows():
    text = resources.files("liuzhuan.bridge").joinpath("data/lpr.csv").read_text(encoding="utf-8-sig")
    for rec in csv.DictReader(io.StringIO(text)):
        if not (rec.get("effective_date") or "").strip():
            continue
        yield (
            dt.date.fromisoformat(rec["effective_date"].strip()),
            Decimal(rec["lpr_1y_percent"].strip()),
            Decimal(rec["lpr_5y_percent"].strip()),
        )


def seed(apps, schema_editor):
    LprRate = apps.get_model("bridge", "LprRate")
    existing = set(LprRate.objects.values_list("effective_date", flat=True))
    LprRate.objects.bulk_create(
        [
            LprRate(effective_date=day, lpr_1y=one, lpr_5y=five, note="内置历史数据（全国银行间同业拆借中心公布）")
            for day, one, five in shipped_rows()
            if day not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("bridge", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
