"""Private file storage: a folder named by a setting that is never served over HTTP. Files there (an admission
notice with a personal activation link, a closing pack with everyone's attendance) are handed out only by views
that check who may see them."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self, root_setting: str):
        self.root_setting = root_setting
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(getattr(settings, self.root_setting))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(f"files under {self.root_setting} are never served")
