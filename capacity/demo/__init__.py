"""A seeded national demo dataset built from the Dutch fact sheet (see ``docs/demo-data.md``).

``build_demo_dataset(seed=..., as_of=...)`` returns a :class:`capacity.Dataset` with the
35 regions' supply, near-full occupancy and a waiting list of about 220 cases.
"""

from capacity.demo.build import DEMO_AS_OF, DEMO_SEED, build_demo_dataset, demo_facilities
from capacity.demo.profiles import ProfileClass, profile_class
from capacity.demo.summary import DemoSummary, summarise

__all__ = [
    "DEMO_AS_OF",
    "DEMO_SEED",
    "DemoSummary",
    "ProfileClass",
    "build_demo_dataset",
    "demo_facilities",
    "profile_class",
    "summarise",
]
