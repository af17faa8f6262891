from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trustnet.accounts.access import operator_required
from trustnet.audit.forms import AuditFilterForm
from trustnet.audit.models import Entry


@operator_required
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = Entry.objects.select_related("actor").order_by("-id")
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/_entries.html" if request.htmx else "audit/entry_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
