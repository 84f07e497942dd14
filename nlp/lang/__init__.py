"""Language data, one module per language (as spaCy's ``lang/ru/stop_words.py``): the rules,
the stemmer and the parser import it instead of retyping it inside their regexes."""
