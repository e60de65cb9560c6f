#!/bin/bash
# netreflex's switch CLI for an Open vSwitch host: the login shell of the user netreflex logs in
# as, so that an OVS bridge is managed the way a switch is (platform `openvswitch`). It maps a
# few switch commands onto the OVS tools and nothing else:
#   show version | show lag [BOND] | show lacp [BOND] | show interfaces [PORT]
#   configure terminal, interface PORT, shutdown | no shutdown, exit, end
#   interface PORT shutdown | no shutdown      (one line, from exec mode or `ssh host '...'`)
# `shutdown` is an OpenFlow port-mod (ovs-ofctl mod-port BRIDGE PORT down): the port goes admin
# down and its bond disables it. `ovs-appctl bond/disable-member` is not used: under LACP the bond
# re-enables the member at its next run.
# Settings come from the environment (a wrapper sets them; see docs/scenarios/lag.md):
#   NRX_SWITCH_NAME   the prompt's hostname        NRX_SWITCH_BRIDGE  the bridge this CLI manages
#   NRX_SWITCH_BONDS  bonds shown (space-separated; default every bond on the bridge)
#   OVS_RUNDIR        where ovs-vswitchd's control socket and the bridge's .mgmt socket are
# Input is never evaluated: words are compared with fixed keywords, and a port name must be one
# of the bridge's ports before it reaches a command line.
set -u
NAME=${NRX_SWITCH_NAME:-switch}
BRIDGE=${NRX_SWITCH_BRIDGE:?NRX_SWITCH_BRIDGE is not set}
RUNDIR=${OVS_RUNDIR:-/var/run/openvswitch}
CTL="$RUNDIR/ovs-vswitchd.ctl"
[ -S "$CTL" ] || CTL=$(ls "$RUNDIR"/ovs-vswitchd.*.ctl 2>/dev/null | head -n 1)
export OVS_RUNDIR="$RUNDIR"
MODE=exec
CUR_IF=

appctl() { ovs-appctl -t "$CTL" "$@"; }

# The bridge's ports, one per line (from the OpenFlow port table: " 1(lagx1-a): addr:...").
ports() { ovs-ofctl show "$BRIDGE" 2>/dev/null | sed -n 's/^ *[0-9]*(\([^)]*\)): addr:.*/\1/p'; }

is_port() {
  local p
  for p in $(ports); do [ "$p" = "$1" ] && return 0; done
  return 1
}

# Bonds of this bridge: those named in NRX_SWITCH_BONDS, else every bond with a member on the bridge.
bonds() {
  if [ -n "${NRX_SWITCH_BONDS:-}" ]; then
    printf '%s\n' $NRX_SWITCH_BONDS
    return
  fi
  local all mine b
  mine=" $(ports | tr '\n' ' ') "
  appctl bond/list 2>/dev/null | tail -n +2 | while IFS=$'\t' read -r b _ _ members; do
    case "$mine" in *" ${members%%,*} "*) echo "$b" ;; esac
  done
}

is_bond() {
  local b
  for b in $(bonds); do [ "$b" = "$1" ] && return 0; done
  return 1
}

show_lag() {
  local b
  if [ -n "${1:-}" ]; then
    is_bond "$1" || { echo "% No such LAG: $1"; return; }
    appctl bond/show "$1"
    return
  fi
  for b in $(bonds); do appctl bond/show "$b"; done
}

show_lacp() {
  local b
  if [ -n "${1:-}" ]; then
    is_bond "$1" || { echo "% No such LAG: $1"; return; }
    appctl lacp/show "$1"
    return
  fi
  for b in $(bonds); do appctl lacp/show "$b"; done
}

# One line per port: admin and oper state, then the kernel's counters (how traffic is spread).
show_interfaces() {
  local p s admin oper
  printf '%-16s %-5s %-5s %14s %16s %14s %16s\n' Interface Admin Oper tx_packets tx_bytes rx_packets rx_bytes
  for p in $(ports); do
    [ -n "${1:-}" ] && [ "$p" != "$1" ] && continue
    s=/sys/class/net/$p
    [ -d "$s" ] || continue
    admin=down
    (($(cat "$s/flags") & 1)) && admin=up
    oper=$(cat "$s/operstate" 2>/dev/null)
    [ "$oper" = up ] || oper=down
    printf '%-16s %-5s %-5s %14s %16s %14s %16s\n' "$p" "$admin" "$oper" \
      "$(cat "$s/statistics/tx_packets")" "$(cat "$s/statistics/tx_bytes")" \
      "$(cat "$s/statistics/rx_packets")" "$(cat "$s/statistics/rx_bytes")"
  done
  if [ -n "${1:-}" ] && ! is_port "$1"; then echo "% No such interface: $1"; fi
}

port_state() {
  is_port "$1" || { echo "% No such interface: $1"; return; }
  ovs-ofctl mod-port "$BRIDGE" "$1" "$2" || echo "% Error: could not set $1 $2"
}

# One command line; returns 1 when the session should end.
handle() {
  local -a w
  read -r -a w <<<"$1"
  [ ${#w[@]} -eq 0 ] && return 0
  local line="${w[*]}"
  case "$MODE:$line" in
    *:'terminal length 0' | *:'terminal width '[0-9]*) ;;
    exec:'show version')
      echo "netreflex switch CLI 1.0 ($NAME, bridge $BRIDGE)"
      ovs-vswitchd --version | head -n 1
      ;;
    exec:'show lag' | exec:'show lag '*) show_lag "${w[2]:-}" ;;
    exec:'show lacp' | exec:'show lacp '*) show_lacp "${w[2]:-}" ;;
    exec:'show interfaces' | exec:'show interfaces '*) show_interfaces "${w[2]:-}" ;;
    exec:'configure terminal' | exec:'conf t') MODE=config ;;
    exec:'interface '*' shutdown' | config:'interface '*' shutdown') [ ${#w[@]} -eq 3 ] && port_state "${w[1]}" down || echo "% Invalid input: $line" ;;
    exec:'interface '*' no shutdown' | config:'interface '*' no shutdown') [ ${#w[@]} -eq 4 ] && port_state "${w[1]}" up || echo "% Invalid input: $line" ;;
    config:'interface '* | config-if:'interface '*)
      if [ ${#w[@]} -eq 2 ] && is_port "${w[1]}"; then
        MODE=config-if
        CUR_IF=${w[1]}
      else
        echo "% No such interface: ${w[1]:-}"
      fi
      ;;
    config-if:shutdown) port_state "$CUR_IF" down ;;
    config-if:'no shutdown') port_state "$CUR_IF" up ;;
    config-if:exit) MODE=config ;;
    config:exit | config-if:end | config:end) MODE=exec ;;
    exec:exit | exec:quit | exec:logout) return 1 ;;
    *) echo "% Unknown command: $line" ;;
  esac
  return 0
}

prompt() {
  case $MODE in
    exec) printf '%s# ' "$NAME" ;;
    config) printf '%s(config)# ' "$NAME" ;;
    config-if) printf '%s(config-if)# ' "$NAME" ;;
  esac
}

# `ssh host 'show lag'` arrives as `-c 'show lag'`: one command, no prompt.
if [ "${1:-}" = "-c" ]; then
  handle "${2:-}"
  exit 0
fi
while prompt && IFS= read -r input; do
  handle "$input" || break
done
echo
