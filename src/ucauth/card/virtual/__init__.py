"""A virtual Thai ID card: profiles, the card model, and ways to attach it.

:mod:`.profile` loads a JSON profile; :mod:`.card` answers the card's APDUs; :mod:`.inprocess`
is a transport straight to the model; :mod:`.vpcd` attaches it to pcscd's vpcd virtual reader;
:mod:`.pcscd` runs a private pcscd that serves vpcd readers.
"""
