"""Outcome measures of a care episode: what each measure is and how it is scored (``measures``), and
how far a patient has come since the start of the episode (``progress``). Pure: no Flask, no database.
"""
