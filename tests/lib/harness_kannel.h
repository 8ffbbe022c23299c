/* harness_kannel.h: a real Kannel on loopback for a test: bearerbox with
 * two fake SMS centres (Debian's kannel-extras `fakesmsc`), one that
 * receives what is sent to phones (its output is read back), one through
 * which a test's phone sends an SMS (an MO message), and smsbox with its
 * sendsms interface and an sms-service that calls vigied back. Started
 * in the world's directory, stopped (and its processes reaped) with the
 * world. */
#ifndef VIGIE_TEST_HARNESS_KANNEL_H
#define VIGIE_TEST_HARNESS_KANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "tests/lib/harness.h"

#define KANNEL_USERNAME "vigie"
#define KANNEL_PASSWORD "sendsms-secret"
#define KANNEL_SECRET   "kannel-shared-secret-for-tests"
#define KANNEL_FROM     "VIGIE"
/* The number agents answer to (the MO messages' receiver). */
#define KANNEL_SHORT_CODE "38000"

struct kannel;

/* A free TCP port on 127.0.0.1 (bound then released). 0 on failure. */
unsigned harness_free_port(void);

/* Gives the world a fixed port (so that Kannel knows where vigied is
 * before it starts, and after a restart), then starts Kannel and sets
 * vigied's SMS settings (gateway, account, sender, callback, secret) with
 * world_set. Call before world_start. NULL with a message when Kannel
 * could not start (not installed: `apt-get install kannel kannel-extras`). */
struct kannel *kannel_start(struct world *world);
/* The messages the phones' SMS centre received so far, one per line:
 * "SENDER RECEIVER text TEXT" (or "ucs-2 URLENCODED"), in order. Owned by
 * the kannel; valid until the next call. */
const char *kannel_received(struct kannel *kannel, size_t *count_out);
/* Waits until at least `count` messages arrived; false on timeout. */
bool kannel_wait_received(struct kannel *kannel, size_t count, int timeout_ms);
/* A phone `from` sends `text` (ASCII) to the short code. */
bool kannel_send_mo(struct kannel *kannel, const char *from, const char *text);
/* Stops smsbox, bearerbox and the fake centres (also done with the world). */
void kannel_stop(struct kannel *kannel);
/* Kannel's logs' tail, for a failing test's diagnostics. */
void kannel_dump_logs(struct kannel *kannel);

#endif
