"""Vocabularies, ontology and shapes of kg: data files, installed as the package `kg.ontology`."""
