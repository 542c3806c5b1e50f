"""Check the audit log's hash chain: exit 0 when intact, 1 naming the first broken row otherwise."""
import sys

from django.core.management.base import BaseCommand

from common.audit import verify_chain


class Command(BaseCommand):
    help = "Controleer de hashketen van het auditlog."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is None:
            self.stdout.write(f"Auditlog intact: {checked} regels gecontroleerd.")
            return
        self.stderr.write(f"Auditlog GEWIJZIGD: de keten breekt bij regel {broken} "
                          f"(na {checked} intacte regels).")
        sys.exit(1)
