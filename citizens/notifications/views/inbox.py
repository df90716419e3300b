# Being written in this session (notifications issue); see urls.py for the routes.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


inbox = open_notification = read_all = preferences = send_test = unsubscribe = _todo
