"""A one-time enrolment code for an account's first authenticator app (common.enrolment), printed once.

For the operator with shell access: the first beheerder, or when no other beheerder is there. Beheerders
otherwise issue codes in /beheer/ (Gebruikers, action "Inschrijfcode voor tweestapsverificatie uitgeven").
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.audit import Actor
from common.enrolment import issue_enrolment_code


class Command(BaseCommand):
    help = "Geeft een eenmalige inschrijfcode voor de eerste koppeling van een authenticator-app (één keer getoond)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="gebruikersnaam van het account")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Geen account met gebruikersnaam {username}.")
        try:
            code = issue_enrolment_code(user=user, issued_by=None, actor=Actor(user=None, client="manage.py"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        hours = settings.WIJKREGIE["ENROLMENT_CODE_HOURS"]
        self.stdout.write(f"Inschrijfcode voor {username} (werkt één keer, {hours} uur geldig; wordt niet opnieuw "
                          f"getoond): {code}")
