"""Fill the structured offset scope from the free text (``accepted_categories``), which is kept.

* Keywords (below, a frozen copy) map the text to asset categories when the certificate agreed
  asset offset, in table order, each match taken out of the text before the next category is
  looked for (so 商品房 is a house and not also 商品 goods); consumption is in scope exactly when it agreed consumption offset.
* Where asset offset was agreed but no keyword matched (blank or unrecognised text), the scope
  becomes every asset category — what the certificate allowed in practice — and
  ``offset_scope_inferred`` is set, so the operator can find these and confirm them with the parties.
"""

from django.db import migrations

#: frozen copy of the mapping as it stood when this migration was written (ledger/scope.py codes)
KEYWORDS = (
    ("house", ("商品房", "住宅", "住房", "房产", "房屋", "存量房", "公寓", "楼盘")),
    ("parking", ("车位", "车库", "停车")),
    ("shop", ("商铺", "门面", "门市", "底商", "商业用房")),
    ("goods", ("商品", "货物", "建材", "钢材", "水泥", "农机", "设备", "物资", "原料", "材料")),
)
ASSET_CODES = ("house", "parking", "shop", "goods", "other")


def infer_scope(text: str, by_asset: bool, by_consumption: bool) -> tuple[list[str], bool]:
    """(scope, inferred) for one application: keywords found in ``text`` among the asset
    categories when asset offset was agreed; every category (inferred) when none matched."""
    scope = []
    inferred = False
    if by_asset:
        rest = text or ""
        for code, words in KEYWORDS:  # in order, each match removed: 商品房 is a house, not 商品
            if any(w in rest for w in words):
                scope.append(code)
                for w in words:
                    rest = rest.replace(w, " ")
        if not scope:
            scope, inferred = list(ASSET_CODES), True
    if by_consumption:
        scope.append("consumption")
    return [c for c in (*ASSET_CODES, "consumption") if c in scope], inferred


def forwards(apps, schema_editor):
    Application = apps.get_model("certificates", "Application")
    for app in Application.objects.all().only("pk", "accepted_categories", "settle_by_asset", "settle_by_consumption").iterator():
        scope, inferred = infer_scope(app.accepted_categories, app.settle_by_asset, app.settle_by_consumption)
        Application.objects.filter(pk=app.pk).update(offset_scope=scope, offset_scope_inferred=inferred)


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0008_application_offset_scope"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
