#!/usr/bin/env bash
# ansible_policy.sh - the example playbook docs/examples/ansible/procguard-policy.yml
# run by Debian's ansible-core (connection: local) against a procguardd that
# gates only a private tmpfs: the policy file it drops is picked up, decides
# real starts, a second run changes nothing, and a playbook that drops a bad
# policy fails naming the JSON pointer. Run as root by ctest:
#   ansible_policy.sh PROCGUARDD PROCGUARDCTL PLAYBOOK
set -u

procguardd=$1
procguardctl=$2
playbook=$3

if [ "$(id -u)" != 0 ]; then
  echo "needs root (fanotify, tmpfs mounts)"
  exit 77
fi
if ! command -v ansible-playbook >/dev/null; then
  echo "ansible-playbook is missing (tools/deps.sh installs ansible-core)"
  exit 1
fi

passed=0
failed=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "[ PASS ] $what"
    passed=$((passed + 1))
  else
    echo "[ FAIL ] $what"
    failed=$((failed + 1))
  fi
}

scratch=$(mktemp -d /tmp/pg-ansible.XXXXXX)
gate=$(mktemp -d /tmp/pg-ansible-gate.XXXXXX)
daemon=
cleanup() {
  if [ -n "$daemon" ]; then
    kill -TERM "$daemon" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon" 2>/dev/null
    wait "$daemon" 2>/dev/null
  fi
  umount "$gate" 2>/dev/null
  rmdir "$gate" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

mount -t tmpfs -o size=8m none "$gate" || { echo "cannot mount a private tmpfs"; exit 1; }
cp /bin/true "$gate/homework"
mkdir -p "$gate/games"
cp /bin/true "$gate/games/doom"
cp /bin/true "$gate/other"
mkdir -p "$scratch/policy.d"

sock="$scratch/pg.sock"
"$procguardd" --watch "$gate" --socket "$sock" --state-dir "$scratch/state" \
  --policy-dir "$scratch/policy.d" --no-memfd-noexec 2>"$scratch/daemon.log" &
daemon=$!
for _ in $(seq 100); do
  [ -S "$sock" ] && break
  sleep 0.1
done
check "procguardd is up" test -S "$sock"

export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
export ANSIBLE_HOME="$scratch/ansible" ANSIBLE_LOCAL_TEMP="$scratch/ansible/tmp"
# The policy: lockdown; homework allowed, the games folder blocked.
cat >"$scratch/vars.json" <<JSON
{
  "procguard_policy_dir": "$scratch/policy.d",
  "procguard_policy_name": "50-ansible.json",
  "procguardctl": "$procguardctl",
  "procguard_socket": "$sock",
  "procguard_policy": {
    "schema": 3, "mode": "lockdown", "default_verdict": "block", "local_rules": "block-only",
    "rules": [
      {"kind": "exact", "action": "allow", "pattern": "$gate/homework"},
      {"kind": "prefix", "action": "block", "pattern": "$gate/games/", "message": "No games."}
    ]
  }
}
JSON
run_play() {
  ansible-playbook -i localhost, -c local -e "@$1" "$playbook" >"$2" 2>&1
}

run_play "$scratch/vars.json" "$scratch/play1.log"
rc=$?
check "the playbook succeeds (it waits until procguardd has the file in force)" test "$rc" = 0
check "it dropped the file" test -f "$scratch/policy.d/50-ansible.json"
check "procguardctl status shows the file in force" \
  bash -c "'$procguardctl' --socket '$sock' status | grep -q '50-ansible.json: in force (2 rule(s))'"
check "mode is lockdown, from the file" \
  bash -c "'$procguardctl' --socket '$sock' status | grep -q '^Mode: *lockdown'"
check "rules list marks the rules as managed" \
  bash -c "'$procguardctl' --socket '$sock' rules list | grep -c '(managed)' | grep -qx 2"
check "homework runs" "$gate/homework"
check "the game is blocked" bash -c "! '$gate/games/doom' 2>/dev/null"
check "anything else is blocked (lockdown)" bash -c "! '$gate/other' 2>/dev/null"
check "a client cannot switch the managed mode" \
  bash -c "! '$procguardctl' --socket '$sock' mode monitor 2>'$scratch/mode.err' && grep -q 'mode is managed' '$scratch/mode.err'"

run_play "$scratch/vars.json" "$scratch/play2.log"
check "a second run succeeds and changes nothing" \
  bash -c "test $? = 0 && grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' '$scratch/play2.log'"

# A policy with a typo: the play fails, procguardd names the field, and
# the last good version stays in force.
sed 's/"kind": "prefix"/"kind": "prefx"/' "$scratch/vars.json" >"$scratch/bad.json"
run_play "$scratch/bad.json" "$scratch/play3.log"
rc=$?
check "a bad policy fails the play" test "$rc" != 0
check "procguardd names the file and the JSON pointer" \
  bash -c "'$procguardctl' --socket '$sock' status | grep -q '50-ansible.json: At /rules/1/kind'"
check "the last good version stays: the game is still blocked" \
  bash -c "! '$gate/games/doom' 2>/dev/null"
check "the daemon logged the rejection" grep -q "policy file rejected: .*50-ansible.json: At /rules/1/kind" "$scratch/daemon.log"

if [ "$failed" != 0 ]; then
  for f in play1 play2 play3; do echo "--- $f.log"; cat "$scratch/$f.log"; done
  echo "--- daemon.log"
  cat "$scratch/daemon.log"
fi
echo "ansible_policy: $passed passed, $failed failed"
[ "$failed" = 0 ]
