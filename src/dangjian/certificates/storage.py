"""Where certificate PDFs are kept: settings.CERTIFICATE_ROOT, a folder that is never served (a certificate names a
person). The download views hand a PDF to those who may see the certificate."""

from dangjian.core.storage import PrivateStorage


def certificate_storage() -> PrivateStorage:
    return PrivateStorage("CERTIFICATE_ROOT")
