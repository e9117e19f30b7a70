"""The allow-list of places a story may name, with the point the map shows for each.

Only ISO 3166-1 countries and ISO 3166-2 first-level subdivisions: never a town, a village or
a street. A story's region is bounded by its storyteller's consent (country only, region, or
none at all), and the map shows the region's centroid, never anything finer.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Precision(StrEnum):
    NONE = "none"
    COUNTRY = "country"
    REGION = "region"


@dataclass(frozen=True)
class Region:
    code: str  # "TH" or "TH-50"
    name: str | Promise  # translated when shown (gettext_lazy)
    latitude: float  # centroid, rounded to 0.1 degree (about 11 km): coarse on purpose
    longitude: float

    @property
    def precision(self) -> Precision:
        return Precision.REGION if "-" in self.code else Precision.COUNTRY

    @property
    def country_code(self) -> str:
        return self.code.split("-", 1)[0]


_REGIONS = [
    Region("TH", _("Thailand"), 15.1, 101.0),
    Region("TH-10", _("Bangkok, Thailand"), 13.8, 100.6),
    Region("TH-50", _("Chiang Mai, Thailand"), 18.8, 98.9),
    Region("TH-57", _("Chiang Rai, Thailand"), 19.9, 99.8),
    Region("TH-63", _("Tak, Thailand"), 16.9, 98.6),
    Region("TH-84", _("Surat Thani, Thailand"), 9.1, 99.3),
    Region("KH", _("Cambodia"), 12.6, 104.9),
    Region("KH-12", _("Phnom Penh, Cambodia"), 11.6, 104.9),
    Region("KH-17", _("Siem Reap, Cambodia"), 13.4, 103.9),
    Region("KH-2", _("Battambang, Cambodia"), 13.1, 103.2),
    Region("MM", _("Myanmar"), 21.9, 95.9),
    Region("MM-06", _("Yangon, Myanmar"), 16.9, 96.2),
    Region("MM-17", _("Shan State, Myanmar"), 21.5, 97.9),
    Region("MM-11", _("Kachin State, Myanmar"), 25.9, 97.4),
    Region("VN", _("Viet Nam"), 16.1, 107.8),
    Region("VN-SG", _("Ho Chi Minh City, Viet Nam"), 10.8, 106.7),
    Region("VN-HN", _("Ha Noi, Viet Nam"), 21.0, 105.8),
    Region("LA", _("Lao PDR"), 19.9, 102.5),
    Region("LA-VT", _("Vientiane Prefecture, Lao PDR"), 18.1, 102.6),
    Region("MY", _("Malaysia"), 4.2, 102.0),
    Region("ID", _("Indonesia"), -2.5, 118.0),
    Region("PH", _("Philippines"), 12.9, 121.8),
]

REGIONS: dict[str, Region] = {region.code: region for region in _REGIONS}
REGION_CHOICES = [(region.code, region.name) for region in _REGIONS]
COUNTRY_CHOICES = [
    (region.code, region.name) for region in _REGIONS if region.precision == Precision.COUNTRY
]


def region_get(code: str) -> Region | None:
    return REGIONS.get(code)
