"""The single write path: HTML views, the API and the CLI all change data through these modules.

Services load rows, ask the pure domain packages, add and flush; the caller commits.
"""
