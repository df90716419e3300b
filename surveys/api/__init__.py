"""The surveys resources of the REST API v1 (/api/v1/), registered in mycity/api_urls.py.

Thin views over the same querysets, selectors and service functions as the
web pages: views.py (the view set), serializers.py (shapes), answers.py (the
JSON answers as the web form's raw answers).
"""

from .views import SurveyViewSet

__all__ = ["SurveyViewSet"]
