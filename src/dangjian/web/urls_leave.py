"""URLs of leave (请假), withdrawal (退学) and the class attendance overview."""

from django.urls import path

from dangjian.web.views import leave

urlpatterns = [
    path("my/leave/", leave.my_leave, name="my_leave"),
    path("attendance/programs/<int:pk>/", leave.program_attendance, name="program_attendance"),
    path("attendance/programs/<int:pk>/leave/", leave.program_leave, name="program_leave"),
    path("attendance/programs/<int:pk>/withdrawals/", leave.program_withdrawals, name="program_withdrawals"),
    path("attendance/leave/<int:pk>/cancel/", leave.leave_cancel, name="leave_cancel"),
    path("attendance/leave/<int:pk>/approve/", leave.leave_approve, name="leave_approve"),
    path("attendance/leave/<int:pk>/refuse/", leave.leave_refuse, name="leave_refuse"),
    path("attendance/withdrawals/<int:pk>/confirm/", leave.withdrawal_confirm, name="withdrawal_confirm"),
    path("attendance/withdrawals/<int:pk>/clear/", leave.withdrawal_clear, name="withdrawal_clear"),
]
