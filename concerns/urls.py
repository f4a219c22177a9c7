from django.urls import path

from concerns import card_views, public, views

app_name = "concerns"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("t/<str:code>/", views.track_code, name="track_code"),
    path("register/", views.register, name="register"),
    path("patrol/", views.patrol, name="patrol"),
    path("queue/", views.queue, name="queue"),
    path("open/<str:code>/", public.open_matters_page, name="open_matters"),
    path("issues/", views.issues, name="issues"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/<slug:action>/", views.issue_action, name="issue_action"),
    path("photos/<int:pk>/<str:name>", views.photo, name="photo"),
    path("concern/<int:pk>/candidates/", views.concern_candidates, name="concern_candidates"),
    # Contact cards (居民联系卡) posted in every compound.
    path("cards/", card_views.index, name="cards_index"),
    path("cards/<str:code>/", card_views.community_cards, name="cards"),
    path("cards/<str:code>/contacts/", card_views.card_contacts, name="card_contacts"),
    path("cards/<str:code>/wechat-qr/", card_views.wechat_qr, name="card_wechat_qr"),
    path("cards/grid/<str:code>/", card_views.grid_contact, name="grid_contact"),
    path("cards/<str:code>/print/", card_views.card_print, name="card_print_all"),
    path("cards/<str:code>/print/<int:compound>/", card_views.card_print, name="card_print"),
]
