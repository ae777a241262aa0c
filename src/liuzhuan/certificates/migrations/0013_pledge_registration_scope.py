"""Registration scope by rule (pledge/rules.py): receivable pledges are in the unified registration's
scope, so the pledgor's old choice is no longer honoured.

* Pledges still pending registration that the pledgor had marked "not in scope" are brought into
  scope: they take effect only when the pledgee records the registration number and date.
* Pledges that already took effect (or ended) without registration keep their record as it was;
  the pledge page says they were confirmed without registration under the old rule. Nothing is
  invented and no pledge is undone.
"""

from django.db import migrations

STATUSES_BROUGHT_INTO_SCOPE = ("pending_registration",)


def forwards(apps, schema_editor):
    Pledge = apps.get_model("certificates", "Pledge")
    Pledge.objects.filter(status__in=STATUSES_BROUGHT_INTO_SCOPE, registration_required=False).update(registration_required=True)


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0012_offset_cancellation_constraints"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
