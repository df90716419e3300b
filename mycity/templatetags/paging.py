"""`{% page_href %}`: the link to another page of a list (templates/includes/_pagination.html)."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_href(context, number, param="page", query=None) -> str:
    """`?…&<param>=<number>`, keeping the other parameters.

    They come from `query` (a query string the view made, e.g. for a cached
    fragment rendered without a request) or else from the request's own, so
    that a filter, a sort or another list's page survives paging. An unset
    template variable arrives as "": the request's then.
    """
    if not query:
        request = context.get("request")
        params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    else:
        params = QueryDict(query, mutable=True)
    params[param or "page"] = number
    return f"?{params.urlencode()}"
