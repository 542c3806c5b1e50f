"""The admin's changelist search as a POST form: a search term (a BSN, a name) never appears in a URL.

Django's changelist searches with `GET ?q=...`, which puts the term in browser history and server logs
(and common.middleware refuses `q` in any query string). Here the search box posts the term; it is kept in
the session per changelist (it expires with the session) and applied from there, so paging, sorting and
filtering keep it without a URL ever carrying it. The beheerder site (cases.admin_site) mixes this into
every ModelAdmin it registers. No model imports: the admin site module loads this before the app registry
is ready.
"""
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect

SESSION_KEY = "wijkregie_admin_search"
SEARCH_FIELD = "_zoeken"
CLEAR_FIELD = "_zoeken_wissen"


def stored_search(request, model_admin) -> str:
    session = getattr(request, "session", None)
    return (session.get(SESSION_KEY) or {}).get(model_admin.opts.label_lower, "") if session is not None else ""


class PostSearchChangeList(ChangeList):
    """A changelist whose search term comes from the session, not from `?q=`."""

    def get_queryset(self, request, exclude_parameters=None):
        self.query = stored_search(request, self.model_admin)
        return super().get_queryset(request, exclude_parameters)


class PostSearchMixin:
    """For a ModelAdmin: the search box (templates/admin/search_form.html) posts; the term never enters a URL."""

    def get_changelist(self, request, **kwargs):
        return PostSearchChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and (SEARCH_FIELD in request.POST or CLEAR_FIELD in request.POST):
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            term = "" if CLEAR_FIELD in request.POST else request.POST.get(SEARCH_VAR, "").strip()
            searches = dict(request.session.get(SESSION_KEY) or {})
            if term:
                searches[self.opts.label_lower] = term
            else:
                searches.pop(self.opts.label_lower, None)
            request.session[SESSION_KEY] = searches
            # Back to the same list (filters and sorting kept, first page), by GET: reloading does not re-post.
            query = request.GET.copy()
            query.pop(PAGE_VAR, None)
            return HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        return super().changelist_view(request, extra_context)
