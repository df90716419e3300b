# Being written in this session (notifications issue); see urls.py for the routes.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


subscribe = unsubscribe = service_worker = _todo
