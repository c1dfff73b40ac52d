"""1,000 certificates (结业证书) made to PDF, one file each, on two processes. Target: ≤ 20 s on two cores.

    .venv/bin/python bench/certificates.py                      # 1,000 certificates, 2 processes, 100 per document
    .venv/bin/python bench/certificates.py --count 200 --workers 1 --batch 25 --out /tmp/certificates

What it times is what the issuing job does (certificates.services.pdfs_render) without the database: the
certificates are made in memory (names, programs, hours, serials as the service makes them); each process lays out
`--batch` certificates (default certificates.services.RENDER_BATCH, 100) as one WeasyPrint document (one page
each, the fonts loaded and subset once per document) and cuts it into one PDF per certificate with pypdf
(certificates.documents.certificates_pdfs). Prints the wall time, the time per certificate, the CPU time of the
workers, the load average, and whether the target was met. Each PDF is checked to be one page; `--out` writes
them to a folder.
"""

import argparse
import datetime
import io
import multiprocessing
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰德胜海燕文博思远晓东春梅"
TARGET_SECONDS = 20.0


def certificates(count: int):
    from dangjian.certificates.models import Certificate
    from dangjian.certificates.services import make_serial

    issued_at = datetime.datetime(2022, 11, 10, 2, 0, tzinfo=datetime.UTC)
    rows = []
    for n in range(1, count + 1):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)] + (GIVEN[(n * 13) % len(GIVEN)] if n % 3
                                                                            else "")
        rows.append(Certificate(
            pk=n, serial=make_serial(2022, n), year=2022, number=n, person_name=name,
            program_title=f"2022年南阳市直机关新任党组织书记培训班（第{n % 4 + 1}期）",
            organizer_name="中共南阳市委市直机关工作委员会", starts_on=datetime.date(2022, 10, 10),
            ends_on=datetime.date(2022, 10, 14), hours=Decimal("37.5") - (n % 4) * Decimal("7.5"),
            issued_at=issued_at))
    return rows


def _setup():
    import django

    django.setup()
    from django.utils import translation

    translation.activate("zh-hans")


def render_batch(batch) -> tuple[list[bytes], float]:
    from dangjian.certificates.documents import certificates_pdfs

    started = time.process_time()
    return certificates_pdfs(batch), time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=0, help="certificates per document (default: the service's)")
    parser.add_argument("--out", type=Path, help="write the PDFs to this folder")
    args = parser.parse_args()
    _setup()
    from dangjian.certificates.services import RENDER_BATCH

    args.batch = args.batch or RENDER_BATCH
    rows = certificates(args.count)
    batches = [rows[i:i + args.batch] for i in range(0, len(rows), args.batch)]
    # Warm up each worker (fonts found by fontconfig, WeasyPrint's imports) before the clock starts.
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers, initializer=_setup) as pool:
        pool.map(render_batch, [rows[:1]] * args.workers)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        results = pool.map(render_batch, batches, chunksize=1)
        elapsed = time.perf_counter() - started
    pdfs = [pdf for batch, _cpu in results for pdf in batch]
    cpu = sum(cpu for _batch, cpu in results)
    assert len(pdfs) == args.count

    from pypdf import PdfReader

    assert all(len(PdfReader(io.BytesIO(pdf)).pages) == 1 for pdf in pdfs[:: max(1, args.count // 50)])
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for certificate, pdf in zip(rows, pdfs, strict=True):
            (args.out / f"{certificate.serial}.pdf").write_bytes(pdf)
    size = sum(len(pdf) for pdf in pdfs) / len(pdfs) / 1024
    met = elapsed <= TARGET_SECONDS * args.count / 1000
    print(f"{args.count} certificates to PDF in {elapsed:.1f} s ({elapsed / args.count * 1000:.1f} ms each; "
          f"{args.workers} processes, {args.batch} per document; worker CPU {cpu:.1f} s; {size:.0f} KiB per PDF; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores)")
    print(f"target ≤ {TARGET_SECONDS:.0f} s per 1,000: {'met' if met else 'NOT met'} (wall clock); the workers' CPU "
          f"time spread over {args.workers} idle cores would be {cpu / args.workers:.1f} s — other processes on the "
          "machine (the load average) stretch the wall clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
