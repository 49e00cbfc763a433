from django.urls import re_path

from karbor_dashboard.restores import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^create/(?P<provider_id>[^/]+)/(?P<checkpoint_id>[^/]+)/$',
            views.CreateView.as_view(), name='create'),
    re_path(r'^(?P<restore_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
]
