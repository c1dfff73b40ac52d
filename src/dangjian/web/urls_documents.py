"""URLs of the training documents pages."""

urlpatterns = []
