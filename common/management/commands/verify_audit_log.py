"""Check the audit log: every seal recomputed with its key, and the chain compared with the latest signed
checkpoint outside the database. Exit 0 when intact, 1 naming what was changed, cut or forged."""
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from common import audit_chain, audit_checkpoint


class Command(BaseCommand):
    help = "Controleer het auditlog: de verzegelde keten (met de sleutels) en het laatste checkpoint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint-file",
            help="Checkpoints uit dit bestand (bijvoorbeeld een export uit syslog) in plaats van "
                 "AUDIT_CHECKPOINT_FILE.")

    def handle(self, *args, **options):
        source = options["checkpoint_file"] or (
            settings.AUDIT_CHECKPOINT_FILE if settings.AUDIT_CHECKPOINT_SINK == "file" else None)
        lines = audit_checkpoint.read(source) if source else []
        latest = audit_checkpoint.latest_trusted(lines)
        report = audit_chain.verify_chain(checkpoint=latest)
        for line in lines:
            if line.problem:
                report.add("checkpoint-forged", f"regel {line.number} van {source}: {line.problem}; dit checkpoint "
                                                f"is niet door Wijkregie geschreven (checkpoint forged).")
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(f"{audit_chain.HEADLINES[problem.code]} [{problem.code}]: {problem.message}")
            self.stderr.write(f"{report.sealed} verzegelde regels gelezen, {report.unsealed} nog niet verzegeld.")
            sys.exit(1)
        self.stdout.write(f"Auditlog intact: {report.sealed} regels gecontroleerd "
                          f"(sleutel {', '.join(sorted(report.key_ids)) or '-'}).")
        self.stdout.write(f"Nog niet verzegeld: {report.unsealed} regels "
                          f"(de sealer verzegelt ze binnen enkele seconden).")
        if latest is not None:
            self.stdout.write(f"Checkpoint van {latest.at} ({latest.kind}, volgnummer {latest.seq}) klopt; de keten "
                              f"staat nu op volgnummer {report.head_seq}.")
        elif source:
            self.stdout.write(f"Geen checkpoint in {source}: of er regels aan het eind zijn verwijderd is niet vast te "
                              f"stellen. Schrijf er een met `manage.py audit_checkpoint`.")
        else:
            self.stdout.write("De checkpoints gaan naar syslog: vergelijk met een export via --checkpoint-file.")
