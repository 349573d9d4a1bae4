"""The Thai national ID card library.

Layers, as in yubikit: a transport (:mod:`ucauth.card.transport`, PC/SC in
:mod:`ucauth.card.pcsc`, in-process in :mod:`ucauth.card.virtual.inprocess`) carries APDUs; the
APDU protocol (:mod:`ucauth.card.apdu`) handles status words and response chaining; the card
application (:mod:`ucauth.card.thai_id`) reads the MOI, NHSO and ADM applets and verifies the PIN
(:mod:`ucauth.card.pin`). :mod:`ucauth.card.events` reports readers and cards coming and going;
:mod:`ucauth.card.virtual` is a virtual Thai ID card for tests and demos.
"""
