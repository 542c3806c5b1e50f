"""`manage.py apply_retention [--dry-run] [--date YYYY-MM-DD]`: the retention job by hand (counts only)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cases import retention


class Command(BaseCommand):
    help = ("Anonimiseer huishoudens waarvan de laatste casus WIJKREGIE_RETENTION_YEARS jaar geleden is "
            "afgesloten; met --dry-run alleen tellen.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Alleen tellen, niets wijzigen.")
        parser.add_argument("--date", help="Peildatum (JJJJ-MM-DD); standaard vandaag.")

    def handle(self, *args, dry_run=False, date=None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError("Geef de peildatum als JJJJ-MM-DD.") from exc
        report = retention.apply_retention(today=today, dry_run=dry_run)
        verb = "Zou anonimiseren" if dry_run else "Geanonimiseerd"
        self.stdout.write(f"{verb}: {report.households} huishoudens, {report.persons} personen, "
                          f"{report.cases} casussen (laatste casus afgesloten op of vóór {report.cutoff:%d-%m-%Y}).")
