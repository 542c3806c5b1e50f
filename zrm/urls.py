app_name = "zrm"

urlpatterns: list = []
