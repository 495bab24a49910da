"""What planners read, in Chinese and English: the message table (:mod:`.messages`).

May import: nothing else of zkq_geo (every other module uses it).
"""

from zkq_geo.i18n.messages import LANGS, MESSAGES, Items, Message, listed, msg, text_of

__all__ = ["LANGS", "MESSAGES", "Items", "Message", "listed", "msg", "text_of"]
