"""The workstation agent: enrolment, card login, the localhost API and page, the token file.

``service`` holds the live state of the five login steps (no FastAPI); ``app`` is the locked-down
localhost HTTP layer over it; ``login`` is the card + protocol flow the CLI shares with the
service; ``store`` keeps the key, the enrolment, the session and the token file.
"""
