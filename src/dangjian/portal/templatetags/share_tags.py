"""Share-to-WeChat: a QR code of the page's address, as an SVG data: URI (the strict CSP allows img-src data:).

WeChat has no web share link: a reader scans the code with WeChat ("扫一扫") and shares from there.
"""

import segno
from django import template

register = template.Library()


@register.simple_tag
def qr_data_uri(url: str, scale: int = 4) -> str:
    """An SVG QR code of `url` as a data: URI, for <img src>. Error correction M survives a blurred print."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2, dark="#1f2328")
