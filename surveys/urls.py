from django.urls import path

from .views import answering, public

app_name = "surveys"

urlpatterns = [
    path("surveys/", public.survey_list, name="list"),
    path("surveys/<slug:slug>/", public.survey_detail, name="detail"),
    path("surveys/<slug:slug>/answer/", answering.survey_answer, name="answer"),
    path("surveys/<slug:slug>/thanks/", public.survey_thanks, name="thanks"),
    path("surveys/<slug:slug>/results/", public.survey_results_page, name="results"),
    path("me/surveys/", public.my_surveys, name="mine"),
]
