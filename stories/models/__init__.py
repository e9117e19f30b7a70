from stories.models.pages import StoryIndexPage, StoryNeed, StoryPage, StoryUpdate
from stories.models.private import AccessLogEntry, ConsentRecord, IdentifyingTerm, Storyteller

__all__ = [
    "AccessLogEntry",
    "ConsentRecord",
    "IdentifyingTerm",
    "StoryIndexPage",
    "StoryNeed",
    "StoryPage",
    "StoryUpdate",
    "Storyteller",
]
