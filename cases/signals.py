"""Events the cases app sends, so that a higher layer can follow its writes without being imported here.

Receivers connect in their AppConfig.ready (reporting: reporting/receivers.py). The services send them
inside their transaction; a receiver defers its work with transaction.on_commit, so a write that rolls
back wakes nothing.
"""
from django.dispatch import Signal

# A case's figures may have changed: melding, first contact, director, member, plan, intervention,
# escalation, closing, household address. Keyword argument: case_id.
case_changed = Signal()

# The nightly retention job ran (not a dry run): the layers above clear their own free text older than the
# cut-off (reporting: the purposes research clients stated). Keyword argument: cutoff (a date).
retention_applied = Signal()
