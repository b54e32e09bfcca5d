#!/usr/bin/env bash
# The restore drill: the README's *Disaster recovery* commands, word for word, on a small practice in an empty
# temporary folder: keep (backup, keys to the key safe, a copy off the machine), lose everything on the "server",
# restore, verify, and `serve --check`. `crates/cli/tests/drill.rs` runs it and checks that every command line of
# the README's block is in this script as written. Run by hand: `tests/ops/restore_drill.sh` with `alliance` on
# PATH (or ALLIANCE_BIN naming the binary); it takes a few seconds.
set -euo pipefail

if [[ -n "${ALLIANCE_BIN:-}" ]]; then
    PATH="$(dirname "$ALLIANCE_BIN"):$PATH"
fi
command -v alliance >/dev/null || { echo "restore drill: no alliance on PATH (build it, or set ALLIANCE_BIN)" >&2; exit 2; }

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
# The README's folders, inside the throw-away one: the server's, the key safe and the off-site copies.
DATA=$ROOT/srv/alliance BACKUP_KEY=$ROOT/etc/alliance/backup.key BACKUPS=$ROOT/var/backups/alliance
KEYSAFE=$ROOT/media/keysafe OFFSITE=$ROOT/mnt/offsite
mkdir -p "$(dirname "$BACKUP_KEY")" "$BACKUPS" "$KEYSAFE" "$OFFSITE"
unset ALLIANCE_DATA ALLIANCE_KEYS ALLIANCE_KEY_FILE ALLIANCE_BACKUP_KEY ALLIANCE_BACKUP_KEY_FILE ALLIANCE_DATABASE_URL
export ALLIANCE_LOG=warn

step() { echo "== $*"; }

step "a small practice: an administrator and a therapist"
alliance user create-admin --data "$DATA" --email admin@example.org --name "Practice Admin" >/dev/null
alliance user add --data "$DATA" --email therapist@example.org --name "Tess Therapist" --role therapist >/dev/null

step "keep: the first backup and the key safe, a daily backup and its off-site copy"
alliance backup --data "$DATA" --to "$BACKUPS/$(date -u +%F)-first.backup" --backup-key-file "$BACKUP_KEY" --new-key
cp "$DATA/keys/alliance.keys" "$BACKUP_KEY" "$KEYSAFE/"
alliance backup --data "$DATA" --to "$BACKUPS/$(date -u +%F).backup" --backup-key-file "$BACKUP_KEY"
cp "$BACKUPS"/*.backup "$OFFSITE/"

step "the machine is lost: the data folder, the backup key and the local backups are gone"
rm -rf "$ROOT/srv" "$ROOT/etc" "$ROOT/var"

step "restore on the new machine"
install -d -m 700 "$DATA" "$DATA/keys"
install -m 600 "$KEYSAFE/alliance.keys" "$DATA/keys/alliance.keys"
install -D -m 600 "$KEYSAFE/backup.key" "$BACKUP_KEY"
BACKUP=$(ls -1 "$OFFSITE"/*.backup | tail -n 1)
alliance restore --from "$BACKUP" --verify --backup-key-file "$BACKUP_KEY" --data "$DATA"
alliance restore --from "$BACKUP" --backup-key-file "$BACKUP_KEY" --data "$DATA" --to "sqlite:$DATA/alliance.db"
alliance serve --data "$DATA" --check

step "the restored practice holds the accounts: adding the therapist again is refused"
if alliance user add --data "$DATA" --email therapist@example.org --name "Tess" --role therapist 2>/dev/null; then
    echo "restore drill: the restored practice lacks the therapist's account" >&2
    exit 1
fi
echo "restore drill: passed ($BACKUP restored from the off-site copy)"
