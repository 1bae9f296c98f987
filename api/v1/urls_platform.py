from django.urls import path

from api.v1 import operator
from api.v1.urls import common

app_name = "api-v1"

urlpatterns = [
    *common,
    path("operator/provinces/", operator.ProvinceListCreateView.as_view(), name="provinces"),
]
