"""URLs of certificates (结业证书): a program's certificates (issue, ZIP), one certificate's PDF, revoke and reissue,
and the public verification page."""

from django.urls import path

from dangjian.web.views import certificates

urlpatterns = [
    path("certificates/programs/<int:pk>/", certificates.program_certificates, name="program_certificates"),
    path("certificates/programs/<int:pk>/issue/", certificates.certificates_issue, name="certificates_issue"),
    path("certificates/programs/<int:pk>/certificates.zip", certificates.certificates_zip, name="certificates_zip"),
    path("certificates/<int:pk>.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", certificates.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/reissue/", certificates.certificate_reissue, name="certificate_reissue"),
    path("verify/", certificates.verify, name="certificate_verify_form"),
    path("verify/<str:serial>/", certificates.verify, name="certificate_verify"),
]
