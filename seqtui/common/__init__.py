"""The leaf layer: small helpers every other seqtui package may use, and that import no other seqtui package.

`errors` (the one error type), `names` (unknown names with close-match suggestions), `files` (atomic
writes), `paths` (Keras' cache root) and `keras_door` (the lazy Keras import).
"""
