"""Import registrations from a documented CSV/XLSX file (docs/import-format.md).

Validates the whole file first; prints every error with sheet, row and column and exits non-zero
when anything is wrong (nothing is written then); otherwise writes everything in one transaction and
prints a summary per sheet.
"""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.models import Team
from common.audit import Actor
from zrm.imports import SHEETS, ImportRejected, import_registrations


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class Command(BaseCommand):
    help = ("Importeer huishoudens, personen, casussen, ZRM-metingen en trajecten uit een XLSX-bestand, een zip "
            "met CSV-bestanden, een map met CSV-bestanden of één CSV-bestand (zie docs/import-format.md).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="XLSX-bestand, zip, map met CSV-bestanden of één CSV-bestand")
        parser.add_argument("--team-limit", help="komma-gescheiden teamnamen: alleen casussen van deze teams "
                                                 "mogen in het bestand staan (zoals bij een API-client)")
        parser.add_argument("--user", help="gebruikersnaam van de medewerker namens wie wordt geïmporteerd "
                                           "(audit en tijdlijn); zonder: de regisseur van elke casus")
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")

    def handle(self, *args, path, team_limit=None, user=None, dry_run=False, **options):
        if not Path(path).exists():
            raise CommandError(f"Bestand of map niet gevonden: {path}")
        allowed = None
        if team_limit:
            names = _split(team_limit)
            teams = list(Team.objects.filter(name__in=names))
            missing = sorted(set(names) - {team.name for team in teams})
            if missing:
                raise CommandError(f"Onbekend team: {', '.join(missing)}")
            allowed = {team.pk for team in teams}
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Onbekende gebruiker: {user}")
        actor = Actor(user=account, client="beheer:import_registrations")
        try:
            summary = import_registrations(path, actor=actor, allowed_team_ids=allowed, dry_run=dry_run)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Import geweigerd: {len(rejected.errors)} fout(en); er is niets opgeslagen.")
        for warning in summary.warnings:
            self.stdout.write(f"Waarschuwing: {warning}")
        if dry_run:
            self.stdout.write(f"Controle geslaagd: {summary.rows} rijen zonder fouten; er is niets opgeslagen.")
            return
        self.stdout.write(f"{'tabblad':<14} {'rijen':>7} {'nieuw':>7} {'gewijzigd':>10} {'ongewijzigd':>12}")
        for name in SHEETS:
            if name in summary.sheets:
                s = summary.sheets[name]
                self.stdout.write(f"{name:<14} {s.rows:>7} {s.created:>7} {s.updated:>10} {s.unchanged:>12}")
        self.stdout.write(self.style.SUCCESS(
            f"Import geslaagd: {summary.rows} rijen in {summary.seconds:.1f} s "
            f"({summary.rows_per_second:.0f} rijen/s)."))
