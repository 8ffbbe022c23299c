/* harness_smtp.h: a real SMTP server for e-mail tests: aiosmtpd (Debian's
 * python3-aiosmtpd) running tests/lib/smtp_sink.py on loopback, which
 * keeps each message it accepts as a file, and can answer 451 or 550 for
 * chosen recipients. It belongs to the world and stops with it. */
#ifndef VIGIE_TEST_HARNESS_SMTP_H
#define VIGIE_TEST_HARNESS_SMTP_H

#include <stdbool.h>

#include "tests/lib/harness.h"

/* aiosmtpd takes a second or two to start under a loaded machine. */
#define SMTP_SINK_START_TIMEOUT_MS 15000

struct smtp_sink;

/* A free loopback TCP port (nothing listens there yet). */
unsigned smtp_free_port(void);
/* Starts the server on `port` (0: a free one) with its rules
 * ("ADDRESS=451:1", "ADDRESS=550"; NULL-terminated, may be NULL); NULL
 * with a message when it did not come up. */
struct smtp_sink *smtp_sink_start(struct world *world, unsigned port, const char *const *rules);
/* The same, offering STARTTLS and requiring it, with a self-signed
 * certificate for 127.0.0.1 (its file: smtp_sink_ca_file). */
struct smtp_sink *smtp_sink_start_tls(struct world *world, unsigned port, const char *const *rules);
const char *smtp_sink_ca_file(const struct smtp_sink *sink);
unsigned smtp_sink_port(const struct smtp_sink *sink);
/* Stops it now (the world would at the end). */
void smtp_sink_stop(struct smtp_sink *sink);
/* Messages accepted so far; waits until there are `count`. */
int smtp_sink_count(struct smtp_sink *sink);
bool smtp_sink_wait(struct smtp_sink *sink, int count, int timeout_ms);
/* The message accepted for envelope recipient `address` (the last one if
 * several), as received; NULL when none. `copies_out` (may be NULL) says
 * how many were accepted for it. Owned by the world. */
const char *smtp_sink_message_to(struct smtp_sink *sink, const char *address, int *copies_out);

#endif
