"""Re-encrypt every BSN under the newest key and recompute every lookup hash (key rotation)."""
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from cases.crypto import bsn_lookup_hash, decrypt_bsn, reencrypt_bsn
from cases.models import Person


class Command(BaseCommand):
    help = "Versleutel alle BSN's opnieuw met de nieuwste sleutel en bereken de zoekhashes opnieuw."

    def handle(self, *args, **options):
        table = connection.ops.quote_name(Person._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            # Raw SQL on purpose: the ORM field would decrypt on read and encrypt again on write.
            cursor.execute(f"SELECT id, bsn FROM {table} WHERE bsn IS NOT NULL")
            rows = [(reencrypt_bsn(token), bsn_lookup_hash(decrypt_bsn(token)), pk) for pk, token in cursor.fetchall()]
            cursor.executemany(f"UPDATE {table} SET bsn = %s, bsn_hash = %s WHERE id = %s", rows)
        self.stdout.write(f"{len(rows)} BSN's opnieuw versleuteld en gehasht.")
