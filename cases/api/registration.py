"""Registration endpoints under /api/v1: households, persons and cases (issue 6).

Who may call them: staff sessions of a sociaal werker or teamleider (their own teams), and machine
clients with `registratie.lezen` (reads) or `registratie.schrijven` (writes), limited to the teams the
beheerder gave them (cases.selectors.team_ids_of). Lists hold only the caller's teams' data; a detail of
another team's household, person or case answers 403, an unknown id 404.

Every write goes through cases/services/ (validated, transactional, audited); every read of personal
data is a READ row in the audit log, a BSN search a SEARCH row, with the client's name for machines.

Machine clients and the "who" of a write: a client has no user account and can never be a director or an
assessor (a director is a staff membership id, checked by the service). Where the timeline or the
director history records who acted, a client's writes carry its name ("api:<name>") instead of a user
(CaseEvent.actor_client, DirectorAssignment.assigned_by_client; migration 0010_machine_actors).

Data minimisation: no response holds a BSN, only `bsnBekend`; a BSN travels only in a POST body. A search
(POST /personen/zoeken) answers `person: null` alike for an unknown BSN and for one known only to other
teams.
"""
from __future__ import annotations

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from common import audit
from common.api.problems import problem, problem_for
from common.api.views import api_actor
from common.models import AuditAction, Scope

from .. import selectors, services
from ..models import Case, CaseStatus, Household, HouseholdMembership
from .registration_serializers import (
    CaseCreateSerializer,
    CaseSerializer,
    CloseSerializer,
    FirstContactSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    MemberSerializer,
    NewMemberSerializer,
    PersonSearchResultSerializer,
    PersonSearchSerializer,
    PersonSerializer,
    ReopenSerializer,
    TransferSerializer,
)
from .views import StaffAPIView

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json) met invalid-params.")
NOT_FOUND = OpenApiResponse(description="Problem details: onbekende id, of een pagina voorbij de laatste.")
FORBIDDEN = OpenApiResponse(description="Problem details: geen toegang (scope of rol), of de gegevens horen bij "
                                        "een ander team.")
CONFLICT = OpenApiResponse(description="Problem details: het huishouden heeft al een open casus (code "
                                       "open_case_exists, met existingCase: de id van die casus), of de casus of het "
                                       "huishouden staat niet in de status die deze actie vraagt.")
# Fields of a new household in register_melding's errors; they sit under `newHousehold` in the request.
_NEW_HOUSEHOLD_FIELDS = {"postcode", "house_number", "house_number_addition", "street", "city", "wijk", "members"}


# --- Errors ------------------------------------------------------------------------------------------

def _camel(key: str) -> str:
    first, *rest = key.split("_")
    return first + "".join(part.title() for part in rest)


def _api_name(key: str, *, new_household: bool = False) -> str:
    """A service's error key as the API's parameter name (`members-1-bsn` -> `newHousehold.members.1.bsn`)."""
    if key == "__all__":
        return "nonFieldErrors"
    member = re.fullmatch(r"members-(\d+)-(\w+)", key)
    if member:
        return f"newHousehold.members.{member[1]}.{_camel(member[2])}"
    name = _camel(key)
    return f"newHousehold.{name}" if new_household and key in _NEW_HOUSEHOLD_FIELDS else name


@problem_for(services.OpenCaseExists)
def _open_case_exists(exc: services.OpenCaseExists, request) -> Response:
    """A second open case for a household: 409 naming the case that is open (existingCase)."""
    response = problem(status.HTTP_409_CONFLICT, detail=exc.messages[0], instance=request.path,
                       code="open_case_exists")
    response.data["existingCase"] = exc.case.pk
    return response


class RegistrationAPIView(StaffAPIView):
    # A service's refusal naming no field is a conflict with the case's or household's state (409, with the
    # error's code or invalid_state); field errors are 400 under the API's (camelCase) names.
    service_state_conflict = "invalid_state"

    def service_field_names(self, key: str) -> str:
        return _api_name(key)


def _location(response: Response, name: str, pk: int) -> Response:
    response["Location"] = reverse(name, kwargs={"pk": pk})
    return response


# --- Reads of personal data are audited ----------------------------------------------------------------

def _audit_reads(request, rows) -> None:
    """One READ row per (object, person, case), in one INSERT; the client's name for machines."""
    rows = list(rows)
    if rows:
        audit.record_many(api_actor(request), AuditAction.READ, rows)


def _latest_case(household):
    cases = getattr(household, "visible_cases", [])
    return cases[0] if cases else None


# --- Filters -------------------------------------------------------------------------------------------

class IdFilter(filters.NumberFilter):
    """An integer id (NumberFilter would accept 1.5)."""

    field_class = forms.IntegerField


class HouseholdFilter(filters.FilterSet):
    team = IdFilter(method="filter_team", help_text="Alleen huishoudens met een casus van dit team.")
    externalId = filters.CharFilter(field_name="external_id", help_text="Extern kenmerk (bronsysteem).")

    class Meta:
        model = Household
        fields = []

    def filter_team(self, queryset, name, value):
        return queryset.filter(Exists(Case.objects.filter(household=OuterRef("pk"), team_id=value)))


class CaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    team = IdFilter(field_name="team_id", help_text="Id van een van uw teams.")
    externalId = filters.CharFilter(field_name="external_id", help_text="Extern kenmerk (bronsysteem).")

    class Meta:
        model = Case
        fields = []


# --- Households ----------------------------------------------------------------------------------------

class HouseholdListView(RegistrationAPIView):
    """Households with a case of the caller's teams."""

    serializer_class = HouseholdSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return selectors.households_visible_to(self.request.user)

    @extend_schema(operation_id="huishoudens_list", summary="Huishoudens",
                   description="De huishoudens met een casus van uw teams, te filteren op team en extern kenmerk.",
                   responses={200: HouseholdSerializer(many=True), 400: PROBLEM, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_reads(request, [(household, None, _latest_case(household)) for household in page])
        return self.get_paginated_response(HouseholdSerializer(page, many=True).data)


class HouseholdDetailView(RegistrationAPIView):
    serializer_class = HouseholdSerializer

    @extend_schema(operation_id="huishoudens_retrieve", summary="Huishouden ophalen",
                   description="Een huishouden met een casus van uw teams: adres, wijk en huishoudtype.",
                   responses={200: HouseholdSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, pk: int):
        household = selectors.get_household_for(request.user, pk)
        _audit_reads(request, [(household, None, _latest_case(household))])
        return Response(HouseholdSerializer(household).data)

    @extend_schema(
        operation_id="huishoudens_partial_update",
        description="Wijzig het adres. Alleen de meegestuurde velden veranderen; gecontroleerd als in het "
                    "meldingsscherm (postcode 1234AB, huisnummer 1 of hoger, straat en plaats verplicht). Het "
                    "huishouden moet een open casus van uw team hebben.",
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        household = selectors.get_household_for(request.user, pk)
        data = self.get_input(HouseholdUpdateSerializer, partial=True)
        case = selectors.household_case_for_write(request.user, household)
        services.update_household_address(actor=api_actor(request), household=household, case=case,
                                          changes=dict(data))
        return Response(HouseholdSerializer(selectors.get_household_for(request.user, pk)).data)


# --- Persons -------------------------------------------------------------------------------------------

class HouseholdMembersView(RegistrationAPIView):
    """GET: the current members of the household. POST: add a new person to it (in its open case)."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        self.household = selectors.get_household_for(self.request.user, self.kwargs["pk"])
        return selectors.household_members(self.household)

    @extend_schema(operation_id="huishouden_personen_list", summary="Leden van een huishouden",
                   description="De huidige leden van het huishouden met hun rol. Geen BSN: alleen bsnBekend.",
                   responses={200: MemberSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, pk: int):
        page = self.paginate_queryset(self.get_queryset())
        case = _latest_case(self.household)
        _audit_reads(request, [(m.person, m.person, case) for m in page])
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        operation_id="huishouden_personen_create",
        description="Voeg een nieuwe persoon toe aan het huishouden; dat moet een open casus van uw team hebben. "
                    "Het BSN staat alleen in de body en komt in geen antwoord terug (bsnBekend).",
        request=NewMemberSerializer,
        responses={201: MemberSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        household = selectors.get_household_for(request.user, pk)
        data = dict(self.get_input(NewMemberSerializer))
        valid_from = data.pop("valid_from", None)
        case = selectors.household_case_for_write(request.user, household)
        person = services.add_household_member(
            actor=api_actor(request), case=case, valid_from=valid_from,
            data=services.PersonData(**{**data, "bsn": "".join((data.get("bsn") or "").split()) or None}))
        membership = HouseholdMembership.objects.select_related("person").get(
            household=household, person=person, valid_to__isnull=True)
        return _location(Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED),
                         "api-person-detail", person.pk)


class PersonDetailView(RegistrationAPIView):
    serializer_class = PersonSerializer

    @extend_schema(operation_id="personen_retrieve", responses={200: PersonSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
                   description="Een persoon en zijn lidmaatschappen van huishoudens van uw teams. Geen BSN: "
                               "alleen bsnBekend.")
    def get(self, request, pk: int):
        person = selectors.get_person_for(request.user, pk)
        _audit_reads(request, [(person, person, None)])
        return Response(PersonSerializer(person).data)


class PersonSearchView(RegistrationAPIView):
    """Find a person by BSN. A read (registratie.lezen), sent as POST so the BSN stays out of every URL."""

    required_scopes = Scope.REGISTRATION_READ
    serializer_class = PersonSearchResultSerializer

    @extend_schema(
        operation_id="personen_zoeken",
        summary="Persoon zoeken op BSN",
        description="Geeft de id van de persoon en van de huishoudens van uw teams waarvan hij lid is (geweest). "
                    "Een onbekend BSN en een BSN dat alleen bij andere teams bekend is geven hetzelfde antwoord "
                    "(person: null). Elke zoekvraag staat in het auditlog.",
        request=PersonSearchSerializer,
        responses={200: PersonSearchResultSerializer, 400: PROBLEM, 403: FORBIDDEN},
    )
    def post(self, request):
        bsn = self.get_input(PersonSearchSerializer)["bsn"]
        person, household_ids = selectors.find_person_in_teams(request.user, bsn)
        actor = api_actor(request)
        if person is None:
            audit.record_call(actor, AuditAction.SEARCH, "person", purpose=audit.PURPOSE_CASEWORK)
        else:  # the log names whom the search was about, also when the caller does not get to know
            audit.record(actor, AuditAction.SEARCH, person, person=person)
        found = person is not None and bool(household_ids)
        return Response({"person": person.pk if found else None, "households": household_ids if found else []})


# --- Cases ---------------------------------------------------------------------------------------------

def _case_body(request, pk: int) -> dict:
    return CaseSerializer(selectors.registration_cases(request.user).get(pk=pk)).data


class CaseListView(RegistrationAPIView):
    """GET: the cases of the caller's teams. POST: register a melding."""

    serializer_class = CaseSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.registration_cases(self.request.user)

    def service_field_names(self, key: str) -> str:
        # register_melding names a new household's fields as its own; they sit under newHousehold in the request.
        return _api_name(key, new_household=self.input_serializer.validated_data["new_household"] is not None)

    @extend_schema(operation_id="casussen_list", summary="Casussen",
                   description="De casussen van uw teams, te filteren op status, team en extern kenmerk.",
                   responses={200: CaseSerializer(many=True), 400: PROBLEM, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _audit_reads(request, [(case, None, case) for case in page])
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(
        operation_id="casussen_create",
        summary="Melding registreren",
        description="Voor een bestaand huishouden van uw teams (household) of een nieuw huishouden met zijn leden "
                    "(newHousehold). Het team moet een van uw teams zijn; de regisseur is een teamlidmaatschap "
                    "(sociaal werker of teamleider) van dat team. Heeft het huishouden al een open casus, dan volgt "
                    "409 met existingCase. Een melding binnen de heropeningstermijn wordt als heropening gekoppeld.",
        request=CaseCreateSerializer,
        responses={201: CaseSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request):
        data = self.get_input(CaseCreateSerializer)
        team = data["team"]
        if team.pk not in selectors.team_ids_of(request.user):
            raise PermissionDenied("U kunt alleen meldingen registreren voor uw eigen teams.")
        household = new_household = None
        if data["household"] is not None:
            household = selectors.get_household_for(request.user, data["household"].pk)
        else:
            new = data["new_household"]
            new_household = services.HouseholdData(
                postcode=new["postcode"], house_number=new["house_number"], street=new["street"], city=new["city"],
                house_number_addition=new["house_number_addition"], wijk=new["wijk"],
                members=[services.PersonData(**{**m, "bsn": "".join((m.get("bsn") or "").split()) or None})
                         for m in new["members"]],
            )
        case = services.register_melding(
            actor=api_actor(request), team=team, melding_date=data["melding_date"],
            melding_source=data["melding_source"], regisseur=data["regisseur"], household=household,
            new_household=new_household, safety_flag=data["safety_flag"])
        return _location(Response(_case_body(request, case.pk), status=status.HTTP_201_CREATED),
                         "api-case-detail", case.pk)


class CaseDetailView(RegistrationAPIView):
    serializer_class = CaseSerializer

    @extend_schema(operation_id="casussen_retrieve", summary="Casus ophalen",
                   description="Een casus van uw teams: status, melding, regisseur, eerste contact en afsluiting.",
                   responses={200: CaseSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, pk: int):
        case = selectors.get_case_for(request.user, pk)
        _audit_reads(request, [(case, None, case)])
        return Response(CaseSerializer(case).data)


class CaseActionView(RegistrationAPIView):
    """A state change of a case through its service; 409 when the case's status does not allow it."""

    serializer_class = CaseSerializer
    input_serializer_class = None
    created = False

    def act(self, request, case, data):  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def post(self, request, pk: int):
        case = selectors.get_case_for(request.user, pk)
        result = self.act(request, case, self.get_input(self.input_serializer_class))
        if self.created:
            return _location(Response(_case_body(request, result.pk), status=status.HTTP_201_CREATED),
                             "api-case-detail", result.pk)
        return Response(_case_body(request, result.pk))


class CaseFirstContactView(CaseActionView):
    input_serializer_class = FirstContactSerializer

    @extend_schema(operation_id="casussen_eerste_contact", summary="Eerste contact registreren",
                   description="De casus gaat naar in behandeling.", request=FirstContactSerializer,
                   responses={200: CaseSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, case, data):
        return services.register_first_contact(actor=api_actor(request), case=case,
                                               contact_date=data["contact_date"])


class CaseTransferView(CaseActionView):
    input_serializer_class = TransferSerializer

    @extend_schema(operation_id="casussen_regie_overdragen", summary="Regie overdragen",
                   description="Aan een ander actief teamlid (sociaal werker of teamleider) van het team, met reden.",
                   request=TransferSerializer,
                   responses={200: CaseSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, case, data):
        return services.transfer_director(actor=api_actor(request), case=case, regisseur=data["regisseur"],
                                          reason=data["reason"], on=data.get("on"))


class CaseCloseView(CaseActionView):
    input_serializer_class = CloseSerializer

    @extend_schema(operation_id="casussen_afsluiten", summary="Casus afsluiten",
                   description="Met een reden uit de codelijst; als de instelling het vraagt, eerst een vastgestelde "
                               "afsluitende ZRM per gemeten gezinslid (anders 409).",
                   request=CloseSerializer,
                   responses={200: CaseSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, case, data):
        return services.close_case(actor=api_actor(request), case=case, reason=data["reason"],
                                   closed_on=data["closed_on"])


class CaseReopenView(CaseActionView):
    input_serializer_class = ReopenSerializer
    created = True

    @extend_schema(operation_id="casussen_heropenen", summary="Casus heropenen",
                   description="Een nieuwe casus voor hetzelfde huishouden, gekoppeld aan de afgesloten casus.",
                   request=ReopenSerializer,
                   responses={201: CaseSerializer, 400: PROBLEM, 403: FORBIDDEN, 409: CONFLICT, 404: NOT_FOUND})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, case, data):
        return services.reopen_case(actor=api_actor(request), case=case, melding_date=data["melding_date"],
                                    melding_source=data["melding_source"], regisseur=data["regisseur"])
