"""bench/certificates.py keeps working: its in-memory certificates lay out and cut into one-page PDFs."""

import io
import sys
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import certificates as bench


def test_the_bench_certificates_make_one_page_each():
    rows = bench.certificates(3)
    pdfs, cpu = bench.render_batch(rows)
    assert len(pdfs) == 3 and cpu > 0
    assert all(len(PdfReader(io.BytesIO(pdf)).pages) == 1 for pdf in pdfs)
    assert len({row.serial for row in rows}) == 3
