"""URLs of the training timetable pages."""

urlpatterns = []
