"""JAX-native replay: pure ``init / insert / sample`` over a NamedTuple state."""
from pgkit.replay.buffer import (ReplayState, bytes_per_item, bytes_per_transition, init,
                                 insert, sample)
