"""Each piece gets the random verification code its paper copy prints beside the QR code; the
public verify page shows a piece only with it. Pieces that exist already get theirs here (one
random code each: a callable default in AddField would give every existing row the same one).
Copies printed before this change carry no code: reprint them to verify them online."""

import secrets

from django.db import migrations, models

import liuzhuan.certificates.ledger.models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as ledger.models.VERIFY_CODE_ALPHABET, frozen here


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def forwards(apps, schema_editor):
    Piece = apps.get_model("certificates", "Piece")
    batch = []
    for piece in Piece.objects.filter(verify_code="").only("pk").iterator(chunk_size=2000):
        piece.verify_code = _code()
        batch.append(piece)
        if len(batch) >= 2000:
            Piece.objects.bulk_update(batch, ["verify_code"])
            batch = []
    Piece.objects.bulk_update(batch, ["verify_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0014_contract_review_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="piece",
            name="verify_code",
            field=models.CharField(default="", editable=False, max_length=10, verbose_name="纸质凭证核验码"),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="piece",
            name="verify_code",
            field=models.CharField(default=liuzhuan.certificates.ledger.models.new_verify_code, editable=False,
                                   max_length=10, verbose_name="纸质凭证核验码"),
        ),
    ]
