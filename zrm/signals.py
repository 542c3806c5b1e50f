"""Events the zrm app sends, so that a higher layer can follow its writes without being imported here.

Receivers connect in their AppConfig.ready (reporting: reporting/receivers.py). The services send them
inside their transaction; a receiver defers its work with transaction.on_commit, so a write that rolls
back wakes nothing.
"""
from django.dispatch import Signal

# A measurement (or a correction of one) was vastgesteld. Keyword argument: measurement_id.
measurement_finalised = Signal()
