#!/bin/sh
# Run a command inside a private D-Bus session with an unlocked GNOME Keyring (a real
# Secret Service), then stop the daemon. Nothing outside temp dirs is touched.
#
# usage: tests/e2e/with_keyring.sh COMMAND [ARGS...]
#
#   WITH_KEYRING_DATA_HOME  where the keyring files go (default: a temp dir, removed after)
#   KEYRING_TEST_PW         the keyring password (default: testpw), fed on stdin
#
# Needs Debian's gnome-keyring and dbus (dbus-run-session, dbus-send). Exit code 127 when
# they are missing, else the command's exit code.
set -u

if [ -z "${_WITH_KEYRING_INNER:-}" ]; then
    for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "with_keyring.sh: $tool not found (apt install gnome-keyring dbus)" >&2
            exit 127
        fi
    done
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/efile-keyring.XXXXXX") || exit 1
    chmod 700 "$tmp"
    XDG_DATA_HOME=${WITH_KEYRING_DATA_HOME:-$tmp/data}
    XDG_RUNTIME_DIR=$tmp/run
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    export XDG_DATA_HOME XDG_RUNTIME_DIR
    _WITH_KEYRING_INNER=1 dbus-run-session -- sh "$0" "$@"
    rc=$?
    rm -rf "$tmp"
    exit $rc
fi

# Inside the D-Bus session: the daemon runs in the foreground (in the background of this
# shell) so it can be killed; otherwise it would outlive the session.
{ printf %s "${KEYRING_TEST_PW:-testpw}" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 & }
GK=$!
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then
        echo "with_keyring.sh: the Secret Service did not start" >&2
        kill $GK 2>/dev/null
        exit 1
    fi
    sleep 0.05
done
"$@"
rc=$?
kill $GK 2>/dev/null
wait $GK 2>/dev/null
exit $rc
