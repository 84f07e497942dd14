"""Entities: the NER models, the rules (laws, agencies, figures, dates) and the pipeline."""
