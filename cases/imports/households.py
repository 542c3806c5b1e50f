"""The sheet huishoudens: households by extern_id, created or their address updated."""
from __future__ import annotations

from cases.models import Household
from common.models import AuditAction

from . import bulk
from .cells import Column
from .context import ImportContext, Row, Sheet

MSG_HOUSEHOLD_NOT_YOURS = ("U mag dit huishouden niet wijzigen: het hoort bij een team waarvoor u niet mag "
                           "importeren.")
ADDRESS_FIELDS = ["postcode", "house_number", "house_number_addition", "street", "city", "wijk"]

# A household is named by its extern_id in the other sheets: a token ("db", pk) for one in Wijkregie, or
# ("new", extern_id) for one this file creates.
HouseholdToken = tuple


class HouseholdSheet(Sheet):
    name = "huishoudens"
    columns = (
        Column("extern_id", "key", required=True, max_length=64),
        Column("postcode", "postcode", required=True),
        Column("huisnummer", "int", required=True),
        Column("toevoeging", max_length=10),
        Column("straat", required=True),
        Column("plaats", required=True, max_length=100),
        Column("wijk", max_length=100),
    )

    def validate(self, context: ImportContext) -> None:
        self.by_key = context.unique_keys(self.name, "extern_id")
        refs = set(self.by_key) | context.referenced("household")
        self.db_households = {h.external_id: h for h in bulk.filter_in(Household.objects.all(), "external_id", refs)}
        self.by_pk = {h.pk: h for h in self.db_households.values()}
        self.changes: dict[str, dict] = {}
        for key, row in self.by_key.items():
            existing = self.db_households.get(key)
            if existing is None:
                continue
            changed = {f: value for f, value in self._address(row).items() if getattr(existing, f) != value}
            if changed:
                self.changes[key] = changed
        for row in self.by_key.values():
            if row.values.get("huisnummer") is not None and row.values["huisnummer"] < 1:
                context.error(self.name, row.number, "huisnummer", "Vul een huisnummer in (1 of hoger).")

    @staticmethod
    def _address(row: Row) -> dict:
        v = row.values
        return {
            "postcode": v.get("postcode"), "house_number": v.get("huisnummer"),
            "house_number_addition": v.get("toevoeging") or "", "street": v.get("straat"),
            "city": v.get("plaats"), "wijk": v.get("wijk") or "",
        }

    def token(self, key: str) -> HouseholdToken | None:
        if key in self.db_households:
            return ("db", self.db_households[key].pk)
        if key in self.by_key:
            return ("new", key)
        return None

    def resolve(self, context: ImportContext, sheet: str, row: Row) -> HouseholdToken | None:
        """The household a row's huishouden_id names; an error when it is in neither the file nor Wijkregie."""
        key = row.values.get("huishouden_id")
        if key is None:
            return None
        token = self.token(key)
        if token is None:
            context.error(sheet, row.number, "huishouden_id",
                          f"Onbekend huishouden '{key}': niet in het tabblad huishoudens en niet in Wijkregie.")
        return token

    def check(self, context: ImportContext) -> None:
        cases = context.sheet("casussen")
        for key, row in self.by_key.items():
            existing = self.db_households.get(key)
            if existing is not None and not cases.household_authorised(context, existing.pk):
                context.error(self.name, row.number, "extern_id", MSG_HOUSEHOLD_NOT_YOURS)

    def write(self, context: ImportContext) -> None:
        summary = context.summary[self.name]
        new = []
        for key, row in self.by_key.items():
            if key in self.db_households:
                continue
            new.append(Household(external_id=key, **self._address(row)))
        bulk.bulk_create(Household, new)
        self.created = {household.external_id: household for household in new}
        for household in new:
            context.audit(AuditAction.CREATE, household)
        changed = []
        for key, changes in self.changes.items():
            household = self.db_households[key]
            for name, value in changes.items():
                setattr(household, name, value)
            changed.append(household)
            context.audit(AuditAction.UPDATE, household)
        if changed:
            Household.objects.bulk_update(changed, ADDRESS_FIELDS, batch_size=bulk.BATCH)
        summary.created, summary.updated = len(new), len(changed)
        summary.unchanged = len(self.by_key) - len(new) - len(changed)

    def household(self, token: HouseholdToken) -> Household:
        """The household behind a token, once written."""
        return self.by_pk[token[1]] if token[0] == "db" else self.created[token[1]]
