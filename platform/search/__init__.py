"""Site-wide search of a province: the documents every module publishes, found by meaning of
their words with or without diacritics."""
