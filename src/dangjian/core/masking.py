"""Masking of personal data in lists, exports and the API (revealed only on explicit request)."""


def mask_id_number(value: str) -> str:
    """Keep the region prefix and the last four characters: 411302********1234."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    """Keep the first three and last four digits: 138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(value: str) -> str:
    """Keep the first two characters of the name and the domain: zh***@example.org."""
    if not value:
        return ""
    name, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return name[:2] + "***" + at + domain
