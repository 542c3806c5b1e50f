"""Serializer fields every API shares: an id or a code in a request, resolved to an object the caller may use."""
from rest_framework import serializers


class _Unknown(Exception):
    pass


class _LookupMixin:
    """Resolves the value in `queryset`, narrowed per request by `scope(queryset, context)` to what the caller may
    use (need-to-know: another team's object reads as an unknown one). An unknown value is refused with `message`
    (code "unknown"; `{value}` is the value sent). With `deferred=True` it resolves to None instead and the miss
    is reported together with the service's refusal of the missing object (common.api.problems), so one response
    names every bad field; only for a top-level field of a serializer read by ProblemDetailsMixin.get_input."""

    def __init__(self, *, message: str, scope=None, deferred: bool = False, **kwargs):
        self.message, self.scope, self.deferred = message, scope, deferred
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        return self.scope(queryset, self.context) if self.scope is not None else queryset

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            raise _Unknown(self.message.format(value=kwargs.get("pk_value", kwargs.get("value"))))
        super().fail(key, **kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except _Unknown as unknown:
            unresolved = self.context.get("unresolved")
            if not self.deferred or unresolved is None:
                raise serializers.ValidationError(str(unknown), code="unknown") from None
            unresolved.append({"name": self.field_name, "code": "unknown", "reason": str(unknown)})
            return None


class KnownId(_LookupMixin, serializers.PrimaryKeyRelatedField):
    """An integer id of an object in the queryset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)


class KnownCode(_LookupMixin, serializers.SlugRelatedField):
    """The code (or another unique `slug_field`) of an object in the queryset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class OneReasonMixin:
    """A field refused with one reason and one code whatever was wrong with the value (missing, blank, unknown,
    malformed), for parameters whose refusal has always read that way."""

    def __init__(self, *args, reason: str, code: str = "invalid", **kwargs):
        self.reason, self.reason_code = reason, code
        super().__init__(*args, **kwargs)

    def fail(self, key, **kwargs):
        raise serializers.ValidationError(self.reason, code=self.reason_code)
