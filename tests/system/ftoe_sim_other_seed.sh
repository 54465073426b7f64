#!/bin/sh
# ftoe-sim ($FTOE_SIM) with its seed replaced (the last --seed wins): a build that
# behaves differently, for system.compare_sim.finds_a_change.
exec "$FTOE_SIM" "$@" --seed 99
