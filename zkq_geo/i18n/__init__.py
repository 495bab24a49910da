"""What planners read, in Chinese and English: the message table (:mod:`.messages`), the labels
of columns and codes (:mod:`.labels`, the same table shape) and the one value formatter
(:mod:`.format`: blanks, qualifiers, codes, numbers with units, sources).

May import: the rest of the core (``format`` uses :mod:`zkq_geo.units`). Import ``format`` as
``zkq_geo.i18n.format``: it is not re-exported here, because :mod:`zkq_geo.errors` imports this
package and ``units`` imports ``errors``.
"""

from zkq_geo.i18n.messages import LANGS, MESSAGES, Items, Message, listed, msg, text_of

__all__ = ["LANGS", "MESSAGES", "Items", "Message", "listed", "msg", "text_of"]
