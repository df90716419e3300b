"""Headers every response carries: who may cache it, and which browser powers pages may use."""

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

# The header allauth's headless API reads the session token from.
SESSION_TOKEN_HEADER = "X-Session-Token"
PERSONAL = "private, no-store"


class PrivacyHeadersMiddleware:
    """Personal answers are never stored by a cache; powerful browser features are off.

    - A response made for a signed-in person (a web session or an API session
      token) is `Cache-Control: private, no-store`: every such page shows
      their data, at least their name in the header, and a shared phone or a
      proxy must not keep it. A view that chose its own caching (the public
      map data, the alerts poll revalidated by ETag, file downloads) keeps it.
    - API responses vary on the session-token header, so no cache hands one
      app user's answer to another.
    - `Permissions-Policy` (settings.PERMISSIONS_POLICY) on every response:
      the map may ask for the location; camera, microphone, payment and the
      other powerful features are off (photos come through a file input).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, [SESSION_TOKEN_HEADER])
        if "Cache-Control" not in response and _for_a_signed_in_person(request):
            response["Cache-Control"] = PERSONAL
        return response


def _for_a_signed_in_person(request) -> bool:
    user = getattr(request, "user", None)
    # Never made the lazy user: the view did not look at who is asking, and
    # looking now would read the session (and add Vary: Cookie) for nothing.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return False
    return bool(user.is_authenticated)
