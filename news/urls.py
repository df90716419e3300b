from django.urls import path

from .views import alerts, feeds, items, subscriptions

app_name = "news"

urlpatterns = [
    path("news/", items.news_list, name="list"),
    path("news/subscriptions/", subscriptions.subscriptions, name="subscriptions"),
    path("news/feed/<str:lang>/rss/", feeds.NewsFeed(), name="feed_rss"),
    path("news/feed/<str:lang>/atom/", feeds.AtomNewsFeed(), name="feed_atom"),
    path("news/feed/<str:lang>/<slug:topic>/rss/", feeds.NewsFeed(), name="topic_feed_rss"),
    path("news/feed/<str:lang>/<slug:topic>/atom/", feeds.AtomNewsFeed(), name="topic_feed_atom"),
    path("news/<slug:slug>/", items.news_detail, name="detail"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/live/", alerts.alerts_live, name="alerts_live"),
    path("alerts/map.json", alerts.alerts_map_data, name="alerts_map_data"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert"),
]
