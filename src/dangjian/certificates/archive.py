"""The ZIP of a program's certificates, streamed: each PDF (the stored one, or made now RENDER_BATCH at a time) is
written into the archive and sent as soon as it is in, so the download starts at once and memory holds one batch."""

import zipfile
from collections.abc import Iterator

from dangjian.certificates import documents, services
from dangjian.certificates.models import Certificate


class _Sink:
    """A write-only, unseekable file for zipfile (which then writes data descriptors): collects what is written."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def zip_stream(certificates: list[Certificate]) -> Iterator[bytes]:
    sink = _Sink()
    names: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for start in range(0, len(certificates), services.RENDER_BATCH):
            batch = certificates[start:start + services.RENDER_BATCH]
            services.pdfs_render(batch)
            for certificate in batch:
                name = documents.certificate_filename(certificate)
                if name in names:
                    name = f"{certificate.serial}.pdf"
                names.add(name)
                archive.writestr(name, services.certificate_pdf_bytes(certificate))
                yield sink.take()
    yield sink.take()
