from django.urls import re_path

from karbor_dashboard.operation_logs import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^(?P<operation_log_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
]
