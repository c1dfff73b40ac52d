"""Share-to on the article page (WeChat QR code, Weibo, QQ, copy link) and the print view."""

import base64
from urllib.parse import unquote

import pytest
import segno

from dangjian.portal.templatetags.share_tags import qr_data_uri
from tests.portal.conftest import make_article

pytestmark = pytest.mark.django_db


def test_qr_data_uri_is_an_svg_of_the_address():
    uri = qr_data_uri("http://example.org/portal/a/")
    assert uri.startswith("data:image/svg+xml")
    svg = unquote(uri.split(",", 1)[1]) if ";base64" not in uri else base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert uri == segno.make("http://example.org/portal/a/", error="m", micro=False).svg_data_uri(
        scale=4, border=2, dark="#1f2328")


def test_article_page_has_wechat_qr_weibo_qq_copy_and_print(client, channel):
    article = make_article(channel, "南阳培训班举办")
    response = client.get(article.url)
    html = response.content.decode()
    full_url = f"http://testserver{article.url}"
    assert f'src="{qr_data_uri(full_url)}"' in html.replace("&#x27;", "'").replace("&quot;", '"') or \
        'class="share-qr" src="data:image/svg+xml' in html
    assert "service.weibo.com/share/share.php" in html and "connect.qq.com/widget/shareqq" in html
    assert f'data-copy="{full_url}"' in html
    assert 'href="?print=1"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "data:" in policy.split("img-src")[1].split(";")[0]
    assert "<script>" not in html and "style=" not in html


def test_print_view_has_the_text_without_navigation_or_share(client, channel):
    article = make_article(channel, "南阳培训班举办", body=[{"type": "paragraph", "value": "<p>正文内容</p>"},
                                                         {"type": "section", "value": "收获"}])
    response = client.get(article.url, {"print": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "南阳培训班举办" in html and "正文内容" in html and "一、收获" in html
    assert 'class="share"' not in html and "channel-nav" not in html and "masthead-title" not in html
    assert "portal/print.js" in html and "print-now" in html
    assert f"http://testserver{article.url}" in html  # the address printed at the foot
    assert "<script>" not in html and "style=" not in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_portal_stylesheet_hides_navigation_and_share_in_print():
    from pathlib import Path

    import dangjian.portal

    css = (Path(dangjian.portal.__file__).parent / "static/portal/portal.css").read_text()
    print_rules = css[css.index("@media print {"):]
    for selector in (".masthead", ".channel-nav", ".share", ".portal-footer", ".portal-crumbs"):
        assert selector in print_rules
