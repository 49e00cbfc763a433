from django.urls import re_path

from karbor_dashboard.services import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
]
