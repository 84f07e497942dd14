"""Searching an index: requests, candidates, the ranking, the glossary, several shards as one."""
