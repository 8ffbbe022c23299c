/* metrics.h: counters and latency histograms, rendered as Prometheus text
 * for GET /metrics. Lock-free: every update is one atomic add. */
#ifndef VIGIE_METRICS_H
#define VIGIE_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics;

enum metrics_counter {
    METRICS_ALARMS_RECEIVED_MANUAL,
    METRICS_ALARMS_RECEIVED_DC09,
    METRICS_ALARMS_RECEIVED_DEVICE,
    METRICS_ALARMS_RECEIVED_SYSTEM,
    METRICS_LOGIN_FAILURES,
    METRICS_REQUESTS_REFUSED_ROLE,
    METRICS_STREAM_EVENTS_SENT,
    METRICS_STREAM_RESYNCS,
    METRICS_DC09_FRAMES,
    METRICS_DC09_ACK,
    METRICS_DC09_NAK,
    METRICS_DC09_DUH,
    METRICS_DC09_BAD_CRC,
    METRICS_DC09_BAD_FRAMES,
    METRICS_DC09_GARBAGE_BYTES,
    METRICS_DC09_DUPLICATES,
    METRICS_DC09_UNKNOWN_ACCOUNT,
    METRICS_DC09_STORE_FAILED,
    METRICS_DC09_REFUSED,
    METRICS_DC09_CLOSED_BAD,
    METRICS_DC09_CLOSED_SLOW,
    METRICS_DC09_CLOSED_IDLE,
    METRICS_DC09_UDP_DROPPED,
    METRICS_DEVICE_MESSAGES,
    /* Device messages refused, in this order (one label each). */
    METRICS_DEVICE_REFUSED_TOKEN,
    METRICS_DEVICE_REFUSED_HMAC,
    METRICS_DEVICE_REFUSED_MISMATCH,
    METRICS_DEVICE_REFUSED_INVALID,
    METRICS_COUNTER_COUNT,
};

/* Values read at scrape time from the store and the stream hub. */
struct metrics_gauges {
    int store_up; /* 1 when the store answered this scrape */
    int64_t alarms_open;
    int64_t stream_clients;
    int64_t last_sequence;
    int64_t store_commits, store_jobs;
};

struct metrics *metrics_create(void);
void metrics_free(struct metrics *metrics);
void metrics_add(struct metrics *metrics, enum metrics_counter counter, uint64_t amount);
/* One finished HTTP request: its status and how long it took. */
void metrics_request(struct metrics *metrics, unsigned status, int64_t micros);
/* Returns malloc'd Prometheus exposition text, or NULL. */
char *metrics_render(struct metrics *metrics, const struct metrics_gauges *gauges);

#endif
