from stories.models.pages import StoryIndexPage, StoryNeed, StoryPage, StoryUpdate
from stories.models.private import (
    AccessLogEntry,
    ConsentRecord,
    ConsentReminder,
    IdentifyingTerm,
    Storyteller,
)

__all__ = [
    "AccessLogEntry",
    "ConsentRecord",
    "ConsentReminder",
    "IdentifyingTerm",
    "StoryIndexPage",
    "StoryNeed",
    "StoryPage",
    "StoryUpdate",
    "Storyteller",
]
