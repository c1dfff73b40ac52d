"""Excel workbooks of the registry: downloadable templates, all-or-nothing import, scoped export.

Kinds: "organs" (sheet 单位), "party-organizations" (sheet 党组织) and "people" (sheets 人员 and
任职). Each workbook also has an instructions sheet (说明). Views, the API and the `import` and
`export` management commands all go through the three functions exported here.
"""

from dangjian.organizations.spreadsheets.importing import COUNT_LABELS, ImportResult, registry_import
from dangjian.organizations.spreadsheets.layout import KINDS, Kind, UnknownKind, get_kind
from dangjian.organizations.spreadsheets.reading import RowError
from dangjian.organizations.spreadsheets.writing import (
    XLSX_CONTENT_TYPE,
    export_filename,
    registry_export,
    registry_export_counted,
    registry_template,
    template_filename,
)

__all__ = [
    "COUNT_LABELS",
    "KINDS",
    "XLSX_CONTENT_TYPE",
    "ImportResult",
    "Kind",
    "RowError",
    "UnknownKind",
    "export_filename",
    "get_kind",
    "registry_export",
    "registry_export_counted",
    "registry_import",
    "registry_template",
    "template_filename",
]
