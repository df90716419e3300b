"""Open311 GeoReport v2 under /open311/v2/, in XML and JSON (the `.xml`/`.json` suffix).

Every answer, errors included, is in the format asked for and never an HTML
page: an error is the spec's error list with 400, 403, 404 (or 405, 429).
Reads are open to everyone, rate-limited per IP; POST requests needs an
API key (rate-limited per key) and files an appeal that waits for moderation.
Every GET also answers HEAD, and reads carry `Access-Control-Allow-Origin: *`
(as FixMyStreet's Open311 does) so a web page anywhere may read them; an
OPTIONS preflight is answered for GET and HEAD only: POST, which carries an
API key, is never opened to other sites' pages.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from mycity import pagecache
from mycity.lib import ratelimit
from mycity.lib.pagination import read_slice
from mycity.middleware import checks_own_input

from ..services import AppealError
from . import keys, params, reads
from .models import Open311Submission
from .render import FORMATS, render, render_errors
from .services import open311_request_submit

logger = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed in a way clients may care about (discovery's changeset).
CHANGESET = "2026-11-23T00:00:00+02:00"
CACHE_SECONDS = 60
# Read methods other sites' pages may use (CORS); POST is never among them.
CORS_METHODS = ("GET", "HEAD")
# A preflight answer is kept by the browser this long (seconds).
CORS_MAX_AGE = 86400


def _open_to_every_origin(response: HttpResponse) -> HttpResponse:
    """A read anyone's page may make: no credentials, so the wildcard is safe."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _preflight(request, methods) -> HttpResponse:
    """OPTIONS: what the resource allows; CORS approval only for reads."""
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join([*methods, "OPTIONS"])
    wanted = request.headers.get("Access-Control-Request-Method", "")
    if "GET" in methods and wanted in CORS_METHODS:
        _open_to_every_origin(response)
        response["Access-Control-Allow-Methods"] = ", ".join(CORS_METHODS)
        # Accept-Language picks the language of the texts; nothing else is needed to read.
        response["Access-Control-Allow-Headers"] = "Accept-Language"
        response["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    return response


def open311(*methods):
    """Format, jurisdiction, method, rate limits and errors for one Open311 view."""

    if "GET" in methods:
        methods = (*methods, "HEAD")

    def decorate(view):
        @checks_own_input
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, fmt, **kwargs):
            response = _answer(request, fmt, **kwargs)
            if request.method in CORS_METHODS:
                _open_to_every_origin(response)
            return response

        def _answer(request, fmt, **kwargs):
            if fmt not in FORMATS:
                return render_errors("xml", 404, _("Use the .xml or .json format."))
            if request.method == "OPTIONS":
                return _preflight(request, methods)
            try:
                params.refuse_bad_input(request, kwargs.values())
                if request.method not in methods:
                    response = render_errors(
                        fmt,
                        405,
                        _("Method %(method)s is not allowed here.") % {"method": request.method},
                    )
                    response["Allow"] = ", ".join([*methods, "OPTIONS"])
                    return response
                query = request.POST if request.method == "POST" else request.GET
                jurisdiction = query.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
                if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
                    raise params.Open311Error(404, _("jurisdiction_id was not found."))
                client = None
                key = query.get("api_key") or request.GET.get("api_key")
                if key:
                    client = keys.client_for_key(key)
                    if client is None:
                        raise params.Open311Error(403, _("The api_key is not valid."))
                    wait = keys.rate_hit(f"key:{client.pk}", keys.client_rate(client))
                else:
                    wait = keys.rate_hit(
                        f"ip:{ratelimit.address_bucket(request)}", settings.OPEN311_ANON_RATE
                    )
                if wait:
                    response = render_errors(
                        fmt, 429, _("Too many requests: try again in %(n)d seconds.") % {"n": wait}
                    )
                    response["Retry-After"] = str(wait)
                    return response
                return view(request, fmt, client=client, **kwargs)
            except params.Open311Error as exc:
                return render_errors(fmt, exc.status, exc.description)
            except Exception:  # never an HTML 500 page for an API client
                logger.exception("Open311 %s failed", request.path)
                return render_errors(fmt, 500, _("Something went wrong on our side."))

        return wrapped

    return decorate


@checks_own_input  # reads no input: always the error list, in Open311's format
def not_found(request, rest=""):
    """Anything else under /open311/v2/: the error list, not an HTML page."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    response = render_errors(fmt, 404, _("There is no such Open311 resource."))
    return _open_to_every_origin(response) if request.method in CORS_METHODS else response


@open311("GET")
def discovery(request, fmt, client):
    base = settings.SITE_URL + "/open311/v2"
    data = {
        "changeset": CHANGESET,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        # POST requests takes a place as lat/long or address_string only.
        "unsupported_parameters": ["address_id"],
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


def _cached(request, fmt, name: str, build):
    digest = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24]
    # With the appeals' version: a hidden or moderated request leaves the answer at once.
    version = pagecache.version("appeals")
    key = f"open311:{name}:{fmt}:{version}:{get_language()}:{digest}"
    body = cache.get(key)
    if body is None:
        response = build()
        if response.status_code == 200:
            cache.set(key, response.content, CACHE_SECONDS)
        return response
    return HttpResponse(body, content_type=FORMATS[fmt])


@open311("GET")
def service_list(request, fmt, client):
    return _cached(
        request,
        fmt,
        "services",
        lambda: render(fmt, "services", [reads.service_dict(c) for c in reads.services()]),
    )


@open311("GET")
def service_definition(request, fmt, client, code):
    category = reads.service_for_code(code)
    if category is None:
        raise params.Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return render(fmt, "service_definition", reads.service_definition(category))


@open311("GET", "POST")
def requests(request, fmt, client):
    if request.method == "POST":
        return _post_request(request, fmt, client)
    filters = params.request_filters(request.GET)

    def build():
        queryset = params.filtered(reads.requests_queryset(client), filters)
        size, number = filters["page_size"], filters["page"]
        # A page past the end is empty (not the last page, as Paginator.get_page gives).
        page = read_slice(queryset, (number - 1) * size, number * size)
        to_request = reads.RequestRows(client=client)
        rows = [to_request(row) for row in page]
        return render(fmt, "service_requests", rows)

    if client is not None:  # a client's own requests in moderation: not for the shared cache
        return build()
    return _cached(request, fmt, "requests", build)


def _post_request(request, fmt, client):
    if client is None:
        raise params.Open311Error(403, _("An api_key is required to post a service request."))
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise params.Open311Error(400, _("service_code is required."))
    category = reads.service_for_code(code)
    if category is None:  # as GET services/{code}: the service does not exist
        raise params.Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    kwargs = params.submission(request.POST, category)
    # Per reporter when the client names one (its app's users), else per key; and per address.
    reporter = next(
        (
            request.POST.get(n, "").strip().lower()
            for n in ("email", "account_id", "device_id")
            if request.POST.get(n, "").strip()
        ),
        "",
    )
    try:
        grant = ratelimit.acquire(request, "appeal", account=f"open311:{client.pk}:{reporter}")
    except ratelimit.RateLimitedError as limited:
        response = render_errors(fmt, 429, limited.message)
        response["Retry-After"] = str(limited.wait)
        return response
    try:
        appeal, submission = open311_request_submit(client=client, category=category, **kwargs)
    except AppealError as exc:
        grant.give_back()
        raise params.Open311Error(400, str(exc)) from None
    # The spec gives either the id or a token. Every posted request waits for a
    # moderator before it is public, so the answer is a token; tokens/{token}
    # gives the id (the client reads its own request by it with its key).
    data = [
        {
            "token": str(submission.token),
            "service_notice": _(
                "Registered as %(reference)s. A moderator checks it before it is public; "
                "the answer is due by %(deadline)s."
            )
            % {"reference": appeal.reference, "deadline": appeal.deadline.isoformat()},
            "account_id": submission.account_id or None,
        }
    ]
    return render(fmt, "service_requests", data, status=201)


@open311("GET")
def request_detail(request, fmt, client, service_request_id):
    row = params.filtered(reads.requests_queryset(client), {"ids": [service_request_id]}).first()
    if row is None:
        raise params.Open311Error(
            404, _("service_request_id %(id)s was not found.") % {"id": service_request_id}
        )
    return render(fmt, "service_requests", [reads.RequestRows(client=client)(row)])


@open311("GET")
def token(request, fmt, client, token):
    submission = (
        Open311Submission.objects.filter(token=token)
        .select_related("appeal")
        .only("token", "appeal__reference")
        .first()
    )
    if submission is None:
        raise params.Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    data = [{"service_request_id": submission.appeal.reference, "token": str(submission.token)}]
    return render(fmt, "service_requests", data)
