"""AuditEvent and ApiClient, moved here from the cases app (cases/migrations/0013).

The models keep their tables (db_table): creating them is a change of migration state only, nothing
in the database changes (the audit log's append-only trigger stays on cases_auditevent). Their
content types are renamed to this app, so admin history and permissions follow them.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("auditevent", "apiclient")


def rename_content_types(apps, schema_editor, old="cases", new="common"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    rename_content_types(apps, schema_editor, old="common", new="cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("cases", "0013_move_shared_models_to_common"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True)),
                        ("user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("on_behalf_of", models.CharField(blank=True, max_length=200)),
                        ("client", models.CharField(blank=True, help_text="API-client of 'web'", max_length=200)),
                        ("action", models.CharField(choices=[
                            ("create", "aanmaken"), ("read", "inzien"), ("search", "zoeken"), ("update", "wijzigen"),
                            ("delete", "verwijderen"), ("export", "exporteren"), ("print", "afdrukken"),
                        ], max_length=10)),
                        ("object_type", models.CharField(max_length=50)),
                        ("object_id", models.CharField(max_length=64)),
                        ("person", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.PROTECT,
                                                     related_name="+", to="cases.person")),
                        ("case", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+", to="cases.case")),
                        ("purpose", models.CharField(max_length=200)),
                        ("source_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("prev_hash", models.CharField(default="", editable=False, max_length=64)),
                        ("row_hash", models.CharField(default="", editable=False, max_length=64)),
                    ],
                    options={
                        "verbose_name": "auditregel",
                        "verbose_name_plural": "auditlog",
                        "db_table": "cases_auditevent",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="ApiClient",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="naam")),
                        ("token_prefix", models.CharField(db_index=True, editable=False, max_length=8)),
                        ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                        ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                        ("teams", models.ManyToManyField(blank=True, db_table="cases_apiclient_teams",
                                                         related_name="api_clients", to="cases.team",
                                                         verbose_name="teams (voor registratie-scopes)")),
                        ("pseudonym_key", models.CharField(
                            editable=False, max_length=64,
                            help_text="Sleutel voor de pseudoniemen in het onderzoeksbestand van deze client.")),
                        ("active", models.BooleanField(default=True, verbose_name="actief")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.ForeignKey(blank=True, null=True,
                                                         on_delete=django.db.models.deletion.PROTECT,
                                                         related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                    ],
                    options={
                        "verbose_name": "API-client",
                        "verbose_name_plural": "API-clients",
                        "db_table": "cases_apiclient",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
