from django.urls import re_path

from karbor_dashboard.plans import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^create/$', views.CreateView.as_view(), name='create'),
    re_path(r'^(?P<plan_id>[^/]+)/$', views.DetailView.as_view(),
            name='detail'),
    re_path(r'^(?P<plan_id>[^/]+)/update/$', views.UpdateView.as_view(),
            name='update'),
]
