"""Ids of the objects Karbor creates, in newest-first order.

python-karborclient sorts every list it prints by its first column, the
id, unless ``--sort`` is given; the API lists newest first. So that both
agree, an id starts with the creation time counted down (48 bits of
milliseconds subtracted from their maximum): ids sort newest first, as
text and as UUIDs. The other 74 bits are random; the result is a valid
version-4 UUID.
"""

import time
import uuid

_MAX_MS = (1 << 48) - 1


def newest_first():
    countdown = _MAX_MS - int(time.time() * 1000)
    random_bits = uuid.uuid4().int & ((1 << 80) - 1)
    return str(uuid.UUID(int=(countdown << 80) | random_bits, version=4))
