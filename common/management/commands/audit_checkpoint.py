"""Write a signed checkpoint of the audit chain outside the database (AUDIT_CHECKPOINT_SINK).

`make backup` runs it first (--reason backup); Celery beat writes one every hour. After restoring an older
backup, `--reason restore` records the restored head as the new reference.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common import audit_checkpoint


class Command(BaseCommand):
    help = "Schrijf een ondertekend checkpoint van het auditlog buiten de database."

    def add_arguments(self, parser):
        parser.add_argument("--reason", choices=("manual", "backup", "restore"), default="manual",
                            help="Waarom: met de hand, bij een back-up, of na het terugzetten van een back-up.")

    def handle(self, *args, **options):
        try:
            checkpoint = audit_checkpoint.write_checkpoint(options["reason"])
        except audit_checkpoint.CheckpointRefused as refused:
            raise CommandError(f"Geen checkpoint geschreven: {refused}") from refused
        where = settings.AUDIT_CHECKPOINT_FILE if settings.AUDIT_CHECKPOINT_SINK == "file" else "syslog"
        self.stdout.write(f"Checkpoint geschreven naar {where}: volgnummer {checkpoint.seq}, "
                          f"kop {checkpoint.head[:16]}… (sleutel {checkpoint.key}).")
