"""BSN encrypted at rest with a keyed lookup hash (issue 8). Existing numbers are encrypted in place."""
import django.core.validators  # noqa: F401
from django.db import migrations, models

import cases.fields
import common.validators


def encrypt_existing(apps, schema_editor):
    from cases.crypto import bsn_lookup_hash, encrypt_bsn

    Person = apps.get_model("cases", "Person")
    for pk, plain in Person.objects.filter(bsn__isnull=False).values_list("pk", "bsn").iterator(chunk_size=2000):
        Person.objects.filter(pk=pk).update(bsn=encrypt_bsn(plain), bsn_hash=bsn_lookup_hash(plain))


def decrypt_existing(apps, schema_editor):
    from cases.crypto import decrypt_bsn

    Person = apps.get_model("cases", "Person")
    for pk, token in Person.objects.filter(bsn__isnull=False).values_list("pk", "bsn").iterator(chunk_size=2000):
        Person.objects.filter(pk=pk).update(bsn=decrypt_bsn(token), bsn_hash=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_machine_actors")]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_unique_bsn"),
        migrations.RemoveConstraint(model_name="person", name="person_bsn_nine_digits"),
        migrations.AlterField(model_name="person", name="bsn", field=models.TextField(null=True, blank=True)),
        migrations.AddField(model_name="person", name="bsn_hash",
                            field=models.CharField(max_length=64, null=True, blank=True, editable=False)),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="person", name="bsn",
            field=cases.fields.EncryptedBSNField(blank=True, null=True, validators=[common.validators.validate_bsn],
                                                 verbose_name="BSN"),
        ),
        migrations.AlterField(model_name="person", name="bsn_hash",
                              field=cases.fields.BSNHashField(blank=True, editable=False, max_length=64, null=True)),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(condition=models.Q(("bsn_hash__isnull", False)),
                                               fields=("bsn_hash",), name="person_unique_bsn_hash"),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("bsn__isnull", True), ("bsn_hash__isnull", True)),
                                   models.Q(("bsn__isnull", False), ("bsn_hash__isnull", False)), _connector="OR"),
                name="person_bsn_has_hash"),
        ),
    ]
