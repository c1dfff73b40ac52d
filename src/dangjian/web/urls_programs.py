"""URLs of the training programs pages."""

urlpatterns = []
