/* store_schema.c: the SQLite schema as numbered migrations. PRAGMA
 * user_version says which have run; each runs once, in its own
 * transaction, and a database newer than this binary is refused. */
#include "server/store_internal.h"

#include <stdio.h>

static const char *const migrations[] = {
    /* 1: users, sessions, reference data, alarms, events, audit. */
    "CREATE TABLE users("
    " id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN('operator','supervisor','admin')),"
    " password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id), created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE clients("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, phone TEXT,"
    " contract TEXT);"
    "CREATE TABLE sites("
    " id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients(id),"
    " name TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',"
    " country TEXT NOT NULL DEFAULT 'FR', lat REAL, lon REAL,"
    " timezone TEXT NOT NULL DEFAULT 'Europe/Paris', phone TEXT,"
    " arm_state TEXT NOT NULL DEFAULT 'unknown', arm_since INTEGER, schedule TEXT,"
    " notes TEXT, validated_by TEXT, validated_at INTEGER);"
    "CREATE TABLE panels("
    " id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id),"
    " account TEXT NOT NULL UNIQUE, model TEXT, protocol TEXT);"
    "CREATE TABLE zones("
    " panel_id INTEGER NOT NULL REFERENCES panels(id), number INTEGER NOT NULL,"
    " name TEXT NOT NULL, PRIMARY KEY(panel_id, number));"
    "CREATE TABLE keyholders("
    " id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id),"
    " position INTEGER NOT NULL, name TEXT NOT NULL, phone TEXT NOT NULL,"
    " availability TEXT NOT NULL DEFAULT '24/7');"
    "CREATE TABLE procedures("
    " id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id),"
    " site_id INTEGER REFERENCES sites(id), alarm_class TEXT NOT NULL,"
    " step INTEGER NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX procedures_lookup ON procedures(alarm_class, site_id, client_id);"
    "CREATE TABLE victims("
    " id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,"
    " birth_date TEXT, phone TEXT NOT NULL, address_home TEXT, address_other TEXT,"
    " order_court TEXT, order_date TEXT, order_expiry TEXT, order_prohibition TEXT,"
    " aggressor_name TEXT, aggressor_description TEXT, aggressor_vehicle TEXT,"
    " aggressor_plate TEXT, association TEXT, notes TEXT,"
    " contacts TEXT NOT NULL DEFAULT '[]');"
    "CREATE TABLE devices("
    " id INTEGER PRIMARY KEY, device_uid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " victim_id INTEGER REFERENCES victims(id), site_id INTEGER REFERENCES sites(id),"
    " token_hash TEXT, test_interval_s INTEGER NOT NULL DEFAULT 1296000,"
    " last_test_at INTEGER);"
    "CREATE TABLE agents("
    " id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,"
    " site_id INTEGER REFERENCES sites(id), name TEXT NOT NULL, phone TEXT, email TEXT,"
    " lat REAL, lon REAL, vetted INTEGER NOT NULL DEFAULT 0, vetted_by TEXT,"
    " vetted_at INTEGER, duty TEXT NOT NULL DEFAULT '24/7');"
    "CREATE TABLE resolutions("
    " code TEXT PRIMARY KEY, label TEXT NOT NULL, position INTEGER NOT NULL);"
    "INSERT INTO resolutions VALUES"
    " ('false-alarm','False alarm',1),('police-dispatched','Police dispatched',2),"
    " ('guard-dispatched','Guard dispatched',3),('keyholder-attended','Keyholder attended',4),"
    " ('handled-by-phone','Handled by phone',5),('technical','Technical fault',6),"
    " ('test','Test',7),('cancelled-by-client','Cancelled by the client',8),"
    " ('duplicate','Duplicate of another alarm',9);"
    "CREATE TABLE alarms("
    " id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, source TEXT NOT NULL,"
    " account TEXT, site_id INTEGER REFERENCES sites(id),"
    " device_id INTEGER REFERENCES devices(id), victim_id INTEGER REFERENCES victims(id),"
    " event_code TEXT, class TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',"
    " priority INTEGER NOT NULL CHECK(priority BETWEEN 1 AND 5), zone INTEGER,"
    " received_at INTEGER NOT NULL, raw TEXT,"
    " state TEXT NOT NULL DEFAULT 'new', claim_user_id INTEGER REFERENCES users(id),"
    " claim_session_id INTEGER, claim_expires_at INTEGER,"
    " resolution TEXT, closed_at INTEGER, flags INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX alarms_by_seq ON alarms(seq);"
    "CREATE INDEX alarms_open ON alarms(state) WHERE state <> 'closed';"
    "CREATE INDEX alarms_claims ON alarms(claim_expires_at) WHERE claim_user_id IS NOT NULL;"
    /* Technical data of devices: emptied by the 24-hour purge. */
    "CREATE TABLE positions("
    " id INTEGER PRIMARY KEY, alarm_id INTEGER NOT NULL REFERENCES alarms(id),"
    " captured_at INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,"
    " accuracy_m REAL NOT NULL, source TEXT NOT NULL, fix_at INTEGER, battery INTEGER);"
    "CREATE INDEX positions_by_alarm ON positions(alarm_id, captured_at);"
    "CREATE TABLE alarm_timeline("
    " id INTEGER PRIMARY KEY, alarm_id INTEGER NOT NULL REFERENCES alarms(id),"
    " ts INTEGER NOT NULL, user_id INTEGER REFERENCES users(id), kind TEXT NOT NULL,"
    " text TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX timeline_by_alarm ON alarm_timeline(alarm_id, id);"
    "CREATE TABLE events("
    " seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL,"
    " alarm_id INTEGER, data TEXT NOT NULL);"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, object_type TEXT NOT NULL, object_id INTEGER,"
    " detail TEXT NOT NULL DEFAULT '{}', prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    /* The chain's head, kept outside the audit table so that rows cut
     * from its end are noticed too. */
    "CREATE TABLE audit_head("
    " id INTEGER PRIMARY KEY CHECK(id = 1), last_hash TEXT NOT NULL,"
    " row_count INTEGER NOT NULL);"
    "INSERT INTO audit_head VALUES(1, '"
    "0000000000000000000000000000000000000000000000000000000000000000', 0);"
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",

    /* 2: SIA DC-09 accounts (a panel's settings), retransmission receipts,
     * raw frames kept for the administrator, automatic resolutions. */
    "ALTER TABLE panels ADD COLUMN key_hex TEXT;"
    "ALTER TABLE panels ADD COLUMN window_before_s INTEGER NOT NULL DEFAULT 40;"
    "ALTER TABLE panels ADD COLUMN window_after_s INTEGER NOT NULL DEFAULT 20;"
    "ALTER TABLE panels ADD COLUMN timezone TEXT;"
    "ALTER TABLE panels ADD COLUMN crc_form TEXT NOT NULL DEFAULT 'ascii';"
    "ALTER TABLE panels ADD COLUMN supervision_s INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE panels ADD COLUMN last_seen_at INTEGER;"
    "ALTER TABLE panels ADD COLUMN comm_failure_alarm_id INTEGER REFERENCES alarms(id);"
    "CREATE TABLE dc09_receipts("
    " account TEXT NOT NULL, seq INTEGER NOT NULL, digest TEXT NOT NULL,"
    " received_at INTEGER NOT NULL, PRIMARY KEY(account, seq, digest)) WITHOUT ROWID;"
    "CREATE INDEX dc09_receipts_age ON dc09_receipts(received_at);"
    "CREATE TABLE raw_frames("
    " id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, source TEXT NOT NULL,"
    " peer TEXT NOT NULL DEFAULT '', account TEXT, reason TEXT NOT NULL, frame TEXT NOT NULL);"
    "CREATE INDEX alarms_by_account ON alarms(account, event_code) WHERE state <> 'closed';"
    "INSERT INTO resolutions VALUES"
    " ('no-action-needed','Recorded: no action needed',10);",

    /* 3: protection phones: the AML number and key of a device, its signs
     * of life and its overdue-test flag; AML receipts (a message repeated
     * is stored once); what the technical-data purge needs to find its
     * rows quickly, and to redact each raw message once. */
    "ALTER TABLE devices ADD COLUMN msisdn TEXT;"
    "ALTER TABLE devices ADD COLUMN aml_key_hex TEXT;"
    "ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;"
    "ALTER TABLE devices ADD COLUMN last_alarm_at INTEGER;"
    "ALTER TABLE devices ADD COLUMN watch_since INTEGER;"
    "ALTER TABLE devices ADD COLUMN overdue_alarm_id INTEGER REFERENCES alarms(id);"
    "CREATE UNIQUE INDEX devices_by_msisdn ON devices(msisdn) WHERE msisdn IS NOT NULL;"
    "CREATE INDEX devices_by_token ON devices(token_hash) WHERE token_hash IS NOT NULL;"
    "ALTER TABLE alarms ADD COLUMN raw_redacted INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX alarms_device_open ON alarms(device_id) WHERE state <> 'closed';"
    "CREATE INDEX alarms_raw_to_redact ON alarms(received_at)"
    " WHERE source IN ('device','aml') AND raw_redacted = 0;"
    "CREATE INDEX positions_by_age ON positions(captured_at);"
    "CREATE TABLE aml_receipts("
    " device_id INTEGER NOT NULL REFERENCES devices(id), hmac TEXT NOT NULL,"
    " received_at INTEGER NOT NULL, alarm_id INTEGER,"
    " PRIMARY KEY(device_id, hmac)) WITHOUT ROWID;"
    "CREATE INDEX aml_receipts_age ON aml_receipts(received_at);",

    /* 4: the partial indexes cover only the rows their queries look for
     * (system notices, device alarms), so that a panel's alarm touches
     * fewer pages of the WAL. */
    "DROP INDEX alarms_by_account;"
    "CREATE INDEX alarms_notices ON alarms(account, event_code)"
    " WHERE source = 'system' AND state <> 'closed';"
    "DROP INDEX alarms_device_open;"
    "CREATE INDEX alarms_device_open ON alarms(device_id)"
    " WHERE device_id IS NOT NULL AND state <> 'closed';",

    /* The agents' registry for mass alerts: a site the registry knows by
     * its employer's identifier, whether an agent's number takes SMS, and
     * an agent's Web Push subscription (JSON, NULL when none). */
    "ALTER TABLE sites ADD COLUMN ext_id TEXT;"
    "CREATE UNIQUE INDEX sites_by_ext_id ON sites(ext_id) WHERE ext_id IS NOT NULL;"
    "ALTER TABLE agents ADD COLUMN phone_kind TEXT;"
    "ALTER TABLE agents ADD COLUMN push_subscription TEXT;",

    /* Procedure checklists: the kind of a plan's step (call-keyholder,
     * call-site...; NULL: guessed from its text when read), and the state
     * of each step of an alarm's plan, with who marked it, when, a note,
     * and the step's text at that time (the plan may change later). */
    "ALTER TABLE procedures ADD COLUMN kind TEXT;"
    "CREATE TABLE alarm_procedure_steps("
    " alarm_id INTEGER NOT NULL REFERENCES alarms(id),"
    " procedure_id INTEGER NOT NULL REFERENCES procedures(id),"
    " state TEXT NOT NULL CHECK(state IN('pending','done','skipped','failed')),"
    " note TEXT NOT NULL DEFAULT '', user_id INTEGER REFERENCES users(id),"
    " changed_at INTEGER NOT NULL, action TEXT NOT NULL,"
    " PRIMARY KEY(alarm_id, procedure_id)) WITHOUT ROWID;",

    /* Escalations to the emergency services, and the outbox that delivers
     * them (and, later, mass alerts): each message is written before it is
     * sent, one row per recipient and format, and keeps its state,
     * attempts, next attempt, last error and the receiver's reference. */
    "CREATE TABLE escalations("
    " id INTEGER PRIMARY KEY, alarm_id INTEGER NOT NULL REFERENCES alarms(id),"
    " agency TEXT NOT NULL, identifier TEXT NOT NULL UNIQUE, text TEXT NOT NULL DEFAULT '',"
    " user_id INTEGER REFERENCES users(id), created_at INTEGER NOT NULL);"
    "CREATE INDEX escalations_by_alarm ON escalations(alarm_id, id);"
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, owner_id INTEGER NOT NULL,"
    " alarm_id INTEGER REFERENCES alarms(id), label TEXT NOT NULL DEFAULT '',"
    " channel TEXT NOT NULL, format TEXT NOT NULL, recipient TEXT NOT NULL,"
    " content_type TEXT NOT NULL, message_key TEXT NOT NULL, body TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN('queued','sending','delivered','failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,"
    " next_attempt_at INTEGER NOT NULL, deadline_at INTEGER NOT NULL,"
    " last_error TEXT, reference TEXT, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, last_attempt_at INTEGER, delivered_at INTEGER,"
    " body_redacted INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'queued';"
    "CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';"
    "CREATE INDEX outbox_by_owner ON outbox(kind, owner_id, id);"
    "CREATE INDEX outbox_to_redact ON outbox(created_at) WHERE body_redacted = 0;",

    /* Remote arm/disarm: how to reach a panel's control interface (its
     * protocol, address and partition, and the secrets only the command
     * tracker reads), and every command sent, with the panel's answer and
     * the DC-09 report that followed. The partial index finds the
     * commands still waiting for their report, so that an opening or
     * closing costs one look-up in an almost empty index. */
    "CREATE TABLE panel_links("
    " panel_id INTEGER PRIMARY KEY REFERENCES panels(id), protocol TEXT NOT NULL,"
    " address TEXT NOT NULL, partition_number INTEGER NOT NULL DEFAULT 1,"
    " password TEXT NOT NULL DEFAULT '', user_code TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE panel_commands("
    " id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id),"
    " panel_id INTEGER NOT NULL REFERENCES panels(id), alarm_id INTEGER REFERENCES alarms(id),"
    " command TEXT NOT NULL, zone INTEGER,"
    " state TEXT NOT NULL CHECK(state IN('pending','confirmed','refused','timed-out','failed')),"
    " user_id INTEGER REFERENCES users(id), username TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " answered_at INTEGER, answer TEXT, reported_at INTEGER,"
    " report_alarm_id INTEGER REFERENCES alarms(id), finished_at INTEGER, message TEXT);"
    "CREATE INDEX panel_commands_by_site ON panel_commands(site_id, id);"
    "CREATE INDEX panel_commands_awaiting ON panel_commands(site_id, created_at)"
    " WHERE reported_at IS NULL AND state IN('pending','confirmed','timed-out');",

    /* The map and the mass alert: police and gendarmerie stations, and an
     * R*Tree of the positions of stations, sites and agents. Triggers keep
     * each index in step with its table, whoever writes it (the demo, an
     * agents import), so that a search reads only a small box. */
    "CREATE TABLE police_stations("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " service TEXT NOT NULL CHECK(service IN('police','gendarmerie')),"
    " address TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', phone TEXT,"
    " lat REAL NOT NULL, lon REAL NOT NULL);"
    "CREATE VIRTUAL TABLE police_stations_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);"
    "CREATE VIRTUAL TABLE sites_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);"
    "CREATE VIRTUAL TABLE agents_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);"
    "INSERT INTO sites_geo SELECT id, lat, lat, lon, lon FROM sites"
    " WHERE lat IS NOT NULL AND lon IS NOT NULL;"
    "INSERT INTO agents_geo SELECT id, lat, lat, lon, lon FROM agents"
    " WHERE lat IS NOT NULL AND lon IS NOT NULL;"
    "CREATE TRIGGER police_stations_geo_insert AFTER INSERT ON police_stations BEGIN"
    " INSERT INTO police_stations_geo VALUES(NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon); END;"
    "CREATE TRIGGER police_stations_geo_update AFTER UPDATE OF lat, lon ON police_stations BEGIN"
    " UPDATE police_stations_geo SET min_lat = NEW.lat, max_lat = NEW.lat, min_lon = NEW.lon,"
    " max_lon = NEW.lon WHERE id = NEW.id; END;"
    "CREATE TRIGGER police_stations_geo_delete AFTER DELETE ON police_stations BEGIN"
    " DELETE FROM police_stations_geo WHERE id = OLD.id; END;"
    "CREATE TRIGGER sites_geo_insert AFTER INSERT ON sites"
    " WHEN NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL BEGIN"
    " INSERT INTO sites_geo VALUES(NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon); END;"
    "CREATE TRIGGER sites_geo_update AFTER UPDATE OF lat, lon ON sites BEGIN"
    " DELETE FROM sites_geo WHERE id = OLD.id;"
    " INSERT INTO sites_geo SELECT NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon"
    " WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL; END;"
    "CREATE TRIGGER sites_geo_delete AFTER DELETE ON sites BEGIN"
    " DELETE FROM sites_geo WHERE id = OLD.id; END;"
    "CREATE TRIGGER agents_geo_insert AFTER INSERT ON agents"
    " WHEN NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL BEGIN"
    " INSERT INTO agents_geo VALUES(NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon); END;"
    "CREATE TRIGGER agents_geo_update AFTER UPDATE OF lat, lon ON agents BEGIN"
    " DELETE FROM agents_geo WHERE id = OLD.id;"
    " INSERT INTO agents_geo SELECT NEW.id, NEW.lat, NEW.lat, NEW.lon, NEW.lon"
    " WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL; END;"
    "CREATE TRIGGER agents_geo_delete AFTER DELETE ON agents BEGIN"
    " DELETE FROM agents_geo WHERE id = OLD.id; END;",

    /* DC-09 receipts as an append-only log in arrival order: the
     * retransmission window is looked up in memory (dc09_receipts.c), so
     * the table needs no key index, and an event dirties only the log's
     * last page instead of a leaf at its account's place in a b-tree. The
     * receipts of the window are carried over. */
    "CREATE TABLE dc09_receipt_log("
    " id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, account TEXT NOT NULL,"
    " seq INTEGER NOT NULL, digest TEXT NOT NULL);"
    "INSERT INTO dc09_receipt_log(received_at, account, seq, digest)"
    " SELECT received_at, account, seq, digest FROM dc09_receipts ORDER BY received_at;"
    "DROP TABLE dc09_receipts;",

    /* Mass alerts: the alert (its circle, message and channels), one row
     * per agent selected when it was sent (with the distance from the
     * centre and the hash of the agent's own reply-link token), and the
     * agents' replies from every channel. The messages themselves are
     * outbox rows (kind 'massalert', owner_id = the recipient row), at
     * most one per recipient and channel (outbox_once), so that a send
     * interrupted and resumed never sends twice. Outbox priority: 0 for
     * escalations to the police, 1 for mass alerts, 2 for routine traffic
     * (the lowest number is sent first). confirmed_at/confirm_state carry
     * what the network said afterwards: an SMS delivery report, a push
     * service's receipt, a voice call answered. */
    "CREATE TABLE massalerts("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " created_by INTEGER REFERENCES users(id),"
    " state TEXT NOT NULL DEFAULT 'sending' CHECK(state IN('sending','cancelled','done')),"
    " lat REAL NOT NULL, lon REAL NOT NULL, radius_m INTEGER NOT NULL,"
    " centre_label TEXT NOT NULL DEFAULT '', alarm_id INTEGER REFERENCES alarms(id),"
    " template TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT 'fr',"
    " message TEXT NOT NULL, channels TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " cancelled_at INTEGER, cancelled_by INTEGER REFERENCES users(id), finished_at INTEGER);"
    "CREATE TABLE massalert_recipients("
    " id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL REFERENCES massalerts(id),"
    " agent_id INTEGER NOT NULL REFERENCES agents(id), site_id INTEGER REFERENCES sites(id),"
    " distance_m INTEGER NOT NULL, token_hash TEXT NOT NULL UNIQUE, received_at INTEGER,"
    " UNIQUE(alert_id, agent_id));"
    "CREATE TABLE massalert_replies("
    " id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL REFERENCES massalerts(id),"
    " recipient_id INTEGER NOT NULL REFERENCES massalert_recipients(id), at INTEGER NOT NULL,"
    " channel TEXT NOT NULL, kind TEXT NOT NULL CHECK(kind IN('received','seen')),"
    " text TEXT NOT NULL DEFAULT '', lat REAL, lon REAL, accuracy_m REAL,"
    " relayed_alarm_id INTEGER REFERENCES alarms(id), relayed_at INTEGER,"
    " relayed_by INTEGER REFERENCES users(id));"
    "CREATE INDEX massalert_replies_by_alert ON massalert_replies(alert_id, id);"
    "ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN confirmed_at INTEGER;"
    "ALTER TABLE outbox ADD COLUMN confirm_state TEXT;"
    "CREATE UNIQUE INDEX outbox_once ON outbox(kind, owner_id, channel) WHERE kind = 'massalert';"
    "CREATE INDEX outbox_by_reference ON outbox(channel, reference) WHERE reference IS NOT NULL;",

    /* The queue's head in its order (GET /v1/alarms?order=queue): read
     * from the index, the first rows first, however long the queue. */
    "CREATE INDEX alarms_queue ON alarms(priority, received_at) WHERE state <> 'closed';",

    /* Sending a mass alert: the delivery worker claims per channel (each
     * has its own throttle) in priority order, then by due time; a
     * mass alert's counts per channel (queued, sent, delivered, failed,
     * replied) are kept by triggers as its outbox rows change, whoever
     * changes them (worker, delivery report, cancel), so that a console
     * ticking live costs a look-up of a few rows, not a count of 100,000.
     * A row's bucket (a generated column): 0 queued (queued or sending),
     * 1 delivered (the network confirmed), 2 failed (failed, or reported
     * undelivered), 3 sent (the gateway took it). Channel '*' holds the recipients who
     * replied on any channel. */
    "CREATE INDEX outbox_claim ON outbox(channel, priority, next_attempt_at, id)"
    " WHERE state = 'queued';"
    "ALTER TABLE outbox ADD COLUMN bucket INTEGER GENERATED ALWAYS AS ("
    " CASE WHEN confirm_state = 'delivered' THEN 1"
    " WHEN confirm_state = 'undelivered' OR state = 'failed' THEN 2"
    " WHEN state = 'delivered' THEN 3 ELSE 0 END) VIRTUAL;"
    "CREATE TABLE massalert_counts("
    " alert_id INTEGER NOT NULL REFERENCES massalerts(id), channel TEXT NOT NULL,"
    " queued INTEGER NOT NULL DEFAULT 0, sent INTEGER NOT NULL DEFAULT 0,"
    " delivered INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
    " replied INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(alert_id, channel)) WITHOUT ROWID;"
    "CREATE TRIGGER massalert_counts_insert AFTER INSERT ON outbox WHEN NEW.kind = 'massalert'"
    " BEGIN INSERT INTO massalert_counts(alert_id, channel, queued)"
    " SELECT alert_id, NEW.channel, 1 FROM massalert_recipients WHERE id = NEW.owner_id"
    " ON CONFLICT(alert_id, channel) DO UPDATE SET queued = queued + 1; END;"
    "CREATE TRIGGER massalert_counts_update AFTER UPDATE OF state, confirm_state ON outbox"
    " WHEN NEW.kind = 'massalert' AND OLD.bucket != NEW.bucket BEGIN"
    " UPDATE massalert_counts SET"
    " queued = queued - (OLD.bucket = 0) + (NEW.bucket = 0),"
    " delivered = delivered - (OLD.bucket = 1) + (NEW.bucket = 1),"
    " failed = failed - (OLD.bucket = 2) + (NEW.bucket = 2),"
    " sent = sent - (OLD.bucket = 3) + (NEW.bucket = 3)"
    " WHERE alert_id = (SELECT alert_id FROM massalert_recipients WHERE id = NEW.owner_id)"
    " AND channel = NEW.channel; END;"
    "CREATE TRIGGER massalert_counts_replied AFTER UPDATE OF received_at ON massalert_recipients"
    " WHEN OLD.received_at IS NULL AND NEW.received_at IS NOT NULL BEGIN"
    " UPDATE massalert_counts SET replied = replied + 1 WHERE alert_id = NEW.alert_id"
    " AND channel IN(SELECT channel FROM outbox WHERE kind = 'massalert' AND owner_id = NEW.id);"
    " INSERT INTO massalert_counts(alert_id, channel, replied) VALUES(NEW.alert_id, '*', 1)"
    " ON CONFLICT(alert_id, channel) DO UPDATE SET replied = replied + 1; END;",

    /* The mass alert's selection keeps the agents' registry in memory
     * (store_massalert_audience.c: a million agents judged in
     * milliseconds) and reads it again when this counter has moved: every
     * change of an agent, and of what a selection reads of a site (name,
     * position, time zone, validation), bumps it, whoever writes. */
    "CREATE TABLE registry_version("
    " id INTEGER PRIMARY KEY CHECK(id = 1), version INTEGER NOT NULL);"
    "INSERT INTO registry_version VALUES(1, 0);"
    "CREATE TRIGGER registry_agents_insert AFTER INSERT ON agents BEGIN"
    " UPDATE registry_version SET version = version + 1; END;"
    "CREATE TRIGGER registry_agents_update AFTER UPDATE ON agents BEGIN"
    " UPDATE registry_version SET version = version + 1; END;"
    "CREATE TRIGGER registry_agents_delete AFTER DELETE ON agents BEGIN"
    " UPDATE registry_version SET version = version + 1; END;"
    "CREATE TRIGGER registry_sites_update"
    " AFTER UPDATE OF name, lat, lon, timezone, validated_at ON sites BEGIN"
    " UPDATE registry_version SET version = version + 1; END;"
    "CREATE TRIGGER registry_sites_delete AFTER DELETE ON sites BEGIN"
    " UPDATE registry_version SET version = version + 1; END;",

    /* A sighting relayed to the services after an alarm's escalation is a
     * CAP Update of that escalation's alert: an escalation row of its own
     * that names the one it updates; the reply counts how many went. */
    "ALTER TABLE escalations ADD COLUMN updates_id INTEGER REFERENCES escalations(id);"
    "ALTER TABLE massalert_replies ADD COLUMN relayed_escalations INTEGER NOT NULL DEFAULT 0;",

    /* A mass alert's fan-out in chunks (store_massalert_fanout.c): the
     * send writes the alert with the selection frozen at that instant
     * (massalert_fanout.picks: agent, site, distance and channels of each
     * selected agent, packed) and answers; recipient and outbox rows are
     * then written a chunk per job, fanout_cursor (the next pick) moving
     * in the same transaction as the chunk's rows, so that a restart
     * resumes where the last commit stopped. The fan-out row goes when
     * the last chunk is written or the alert is cancelled. recipient_count
     * is the selection's size, known at the send. */
    "ALTER TABLE massalerts ADD COLUMN recipient_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE massalerts ADD COLUMN fanout_cursor INTEGER NOT NULL DEFAULT 0;"
    "UPDATE massalerts SET recipient_count = (SELECT COUNT(*) FROM massalert_recipients r"
    " WHERE r.alert_id = massalerts.id), fanout_cursor = (SELECT COUNT(*)"
    " FROM massalert_recipients r WHERE r.alert_id = massalerts.id);"
    "CREATE TABLE massalert_fanout("
    " alert_id INTEGER PRIMARY KEY REFERENCES massalerts(id), public_url TEXT NOT NULL,"
    " picks BLOB NOT NULL);"
    /* Each claim looks for queued rows past their deadline: with 100,000
     * rows due at once, through outbox_due it read every one of them. */
    "CREATE INDEX outbox_overdue ON outbox(deadline_at) WHERE state = 'queued';",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_current(sqlite3 *db)
{
    sqlite3_stmt *statement = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        version = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return version;
}

int store_schema_migrate(sqlite3 *db, struct store_error *error)
{
    int version = store_schema_current(db);
    if (version < 0)
        return store_sql_error(db, "reading the schema version", error);
    if (version > MIGRATION_COUNT) {
        store_error_set(error,
                        "the database has schema version %d, newer than this vigied (%d); "
                        "upgrade vigied",
                        version, MIGRATION_COUNT);
        return STORE_ERROR;
    }
    for (int next = version; next < MIGRATION_COUNT; next++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d", next + 1);
        if (store_exec(db, "BEGIN IMMEDIATE", error) != STORE_OK)
            return STORE_ERROR;
        if (store_exec(db, migrations[next], error) != STORE_OK ||
            store_exec(db, bump, error) != STORE_OK) {
            store_exec(db, "ROLLBACK", NULL);
            return STORE_ERROR;
        }
        if (store_exec(db, "COMMIT", error) != STORE_OK)
            return STORE_ERROR;
    }
    return STORE_OK;
}
