"""Privacy rules in plain Python: what an erasure request erases and keeps, and how long records are kept.

Nothing here imports Flask or SQLAlchemy; ``clinic.services.privacy`` applies these rules to the database.
"""
