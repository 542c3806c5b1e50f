"""Functioneel beheer of the MKBA price book: versions and their unit prices.

A version that a scenario has used is read-only (its results must stay reproducible); the action
"Nieuwe versie op basis van deze" copies it, valid from today, to be edited instead.
"""
import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from common.admin import AdministratorAdmin, AdministratorInlineMixin

from . import selectors, services
from .models import PriceBook, PriceBookItem


class PriceBookItemInline(AdministratorInlineMixin, admin.TabularInline):
    model = PriceBookItem
    extra = 0
    fields = ("key", "label", "amount", "unit", "source", "is_placeholder")

    def _locked(self, obj) -> bool:
        return obj is not None and selectors.price_book_in_use(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


@admin.register(PriceBook)
class PriceBookAdmin(AdministratorAdmin):
    list_display = ("version", "valid_from", "description", "in_use")
    fields = ("version", "valid_from", "description")
    inlines = (PriceBookItemInline,)
    actions = ("copy_to_new_version",)

    @admin.display(description="gebruikt in een berekening", boolean=True)
    def in_use(self, obj):
        return selectors.price_book_in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and selectors.price_book_in_use(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and selectors.price_book_in_use(obj))

    @admin.action(description="Nieuwe versie op basis van deze (geldig vanaf vandaag)")
    def copy_to_new_version(self, request, queryset):
        for book in queryset.order_by("version"):
            try:
                new = services.copy_price_book(book=book, valid_from=max(dt.date.today(), book.valid_from))
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Versie {new.version} aangemaakt als kopie van versie {book.version}.",
                                  messages.SUCCESS)
