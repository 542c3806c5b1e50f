"""Create an API client and print its token once (for deployment scripts)."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.models import Team
from common.services import OPERATOR, create_api_client


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class Command(BaseCommand):
    help = "Maak een API-client aan en toon het token eenmalig."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help="komma-gescheiden, bijv. aggregaten.lezen,mkba.lezen")
        parser.add_argument("--teams", help="komma-gescheiden teamnamen (verplicht voor registratie-scopes)")

    def handle(self, *args, name, scopes, teams=None, **options):
        team_names = _split(teams)
        found = list(Team.objects.filter(name__in=team_names))
        missing = sorted(set(team_names) - {team.name for team in found})
        if missing:
            raise CommandError(f"Onbekend team: {', '.join(missing)}")
        try:
            client, token = create_api_client(name=name, scopes=_split(scopes), teams=found, actor=OPERATOR)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()))
        self.stdout.write(f"API-client '{client.name}' aangemaakt met scopes {', '.join(client.scopes)}.")
        self.stdout.write("Token (wordt niet opnieuw getoond; bewaar het veilig):")
        self.stdout.write(token)
