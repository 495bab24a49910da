"""Per-mu evaluation (亩均评价) of an enterprise ledger: the ledger (:mod:`.ledger`), schemes
(:mod:`.scheme`) and their formulas (:mod:`.formula`), scoring and classes (:mod:`.evaluate`),
control indicators (:mod:`.control`), Excel/HTML reports (:mod:`.report`) and the class map
(:mod:`.class_map`).

May import: the core, i18n, analysis, importing (tables) and render (the class map).
"""
