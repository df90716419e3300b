"""collectstatic without the parts of vendored packages that no page loads."""

from django.contrib.staticfiles import finders

# swagger-ui-dist ships four builds, a demo page and size logs (12 MB); the
# API docs page (templates/api/docs.html) loads its CSS and browser bundle.
UNUSED = [
    "swagger-ui-es-bundle*",
    "swagger-ui.js*",
    "swagger-ui-standalone-preset.js*",
    "swagger-initializer.js",
    "log.*.swagger-ui.txt",
    "oauth2-redirect.*",
]


class FileSystemFinder(finders.FileSystemFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED])
