from django.urls import path, register_converter

from mycity.lib.references import ReferenceConverter

from .views import claim, files, filing, following, proposals, public

register_converter(ReferenceConverter, "ref")

app_name = "appeals"

urlpatterns = [
    path("requests/", public.appeal_list, name="list"),
    path("requests/map/", public.appeal_map, name="map"),
    path("requests/map.json", public.map_data, name="map_data"),
    path("requests/statistics/", public.appeal_statistics, name="statistics"),
    path("requests/new/", filing.new, name="new"),
    path("requests/similar/", filing.similar, name="similar"),
    path("requests/<ref:ref>/", following.detail, name="detail"),
    path("requests/<ref:ref>/follow/", following.follow, name="follow"),
    path("requests/<ref:ref>/info/", following.add_info, name="add_info"),
    path("requests/<ref:ref>/rate/", following.rate, name="rate"),
    path("requests/<ref:ref>/reopen/", following.reopen, name="reopen"),
    path("requests/<ref:ref>/support/", proposals.support, name="support"),
    path("requests/<ref:ref>/files/<int:pk>/", files.answer_file, name="answer_file"),
    path("requests/<ref:ref>/photos/<int:pk>/", files.photo, name="photo"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("me/requests/", following.my_requests, name="mine"),
    path("me/requests/claim/", claim.claim, name="claim"),
]
