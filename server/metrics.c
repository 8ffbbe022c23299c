/* metrics.c: Prometheus text exposition (version 0.0.4) of vigied's
 * counters. Histogram buckets are in seconds, as Prometheus expects. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* Upper bounds in microseconds; from a cache hit to a stalled disk. */
static const int64_t bucket_bounds_us[] = {100,   250,   500,   1000,   2500,   5000,
                                           10000, 25000, 50000, 100000, 250000, 1000000};
#define BUCKET_COUNT (sizeof bucket_bounds_us / sizeof bucket_bounds_us[0])

struct metrics {
    _Atomic uint64_t counters[METRICS_COUNTER_COUNT];
    _Atomic uint64_t requests_by_class[6]; /* index: status / 100 */
    _Atomic uint64_t latency_buckets[BUCKET_COUNT];
    _Atomic uint64_t latency_count;
    _Atomic uint64_t latency_sum_us;
};

struct metrics *metrics_create(void)
{
    return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *metrics)
{
    free(metrics);
}

void metrics_add(struct metrics *metrics, enum metrics_counter counter, uint64_t amount)
{
    if (metrics)
        atomic_fetch_add(&metrics->counters[counter], amount);
}

void metrics_request(struct metrics *metrics, unsigned status, int64_t micros)
{
    if (!metrics)
        return;
    unsigned class_index = status / 100 < 6 ? status / 100 : 5;
    atomic_fetch_add(&metrics->requests_by_class[class_index], 1);
    for (size_t i = 0; i < BUCKET_COUNT; i++)
        if (micros <= bucket_bounds_us[i])
            atomic_fetch_add(&metrics->latency_buckets[i], 1);
    atomic_fetch_add(&metrics->latency_count, 1);
    atomic_fetch_add(&metrics->latency_sum_us, (uint64_t)(micros > 0 ? micros : 0));
}

struct text {
    char *data;
    size_t length, capacity;
    int failed;
};

static void append(struct text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void append(struct text *text, const char *format, ...)
{
    if (text->failed)
        return;
    for (;;) {
        va_list args;
        va_start(args, format);
        int needed =
            vsnprintf(text->data + text->length, text->capacity - text->length, format, args);
        va_end(args);
        if (needed < 0) {
            text->failed = 1;
            return;
        }
        if ((size_t)needed < text->capacity - text->length) {
            text->length += (size_t)needed;
            return;
        }
        size_t capacity = text->capacity * 2 + (size_t)needed;
        char *grown = realloc(text->data, capacity);
        if (!grown) {
            text->failed = 1;
            return;
        }
        text->data = grown;
        text->capacity = capacity;
    }
}

static void append_counter(struct text *t, const char *name, const char *help, const char *labels,
                           uint64_t value, int with_header)
{
    if (with_header)
        append(t, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    append(t, "%s%s %llu\n", name, labels, (unsigned long long)value);
}

char *metrics_render(struct metrics *m, const struct metrics_gauges *gauges)
{
    struct text t = {malloc(4096), 0, 4096, 0};
    if (!t.data)
        return NULL;
    t.data[0] = '\0';
    static const char *const sources[] = {"manual", "dc09", "device", "system"};
    for (int i = 0; i < 4; i++) {
        char labels[64];
        snprintf(labels, sizeof labels, "{source=\"%s\"}", sources[i]);
        append_counter(&t, "vigie_alarms_received_total", "Alarms recorded, by source.", labels,
                       atomic_load(&m->counters[METRICS_ALARMS_RECEIVED_MANUAL + i]), i == 0);
    }
    append(&t,
           "# HELP vigie_store_up Whether the store answered this scrape.\n"
           "# TYPE vigie_store_up gauge\nvigie_store_up %d\n",
           gauges->store_up);
    /* Without the store the count is unknown: no sample rather than a 0. */
    if (gauges->store_up)
        append(&t,
               "# HELP vigie_alarms_open Alarms not yet closed.\n# TYPE vigie_alarms_open gauge\n"
               "vigie_alarms_open %lld\n",
               (long long)gauges->alarms_open);
    append(&t,
           "# HELP vigie_stream_clients Connected event-stream clients.\n"
           "# TYPE vigie_stream_clients gauge\nvigie_stream_clients %lld\n",
           (long long)gauges->stream_clients);
    append(&t,
           "# HELP vigie_last_sequence Sequence of the last committed event.\n"
           "# TYPE vigie_last_sequence gauge\nvigie_last_sequence %lld\n",
           (long long)gauges->last_sequence);
    append_counter(&t, "vigie_login_failures_total", "Refused logins.", "",
                   atomic_load(&m->counters[METRICS_LOGIN_FAILURES]), 1);
    append_counter(&t, "vigie_requests_refused_role_total", "Requests refused by role.", "",
                   atomic_load(&m->counters[METRICS_REQUESTS_REFUSED_ROLE]), 1);
    append_counter(&t, "vigie_stream_events_sent_total", "Events written to streams.", "",
                   atomic_load(&m->counters[METRICS_STREAM_EVENTS_SENT]), 1);
    append_counter(&t, "vigie_stream_resyncs_total", "Streams told to resync.", "",
                   atomic_load(&m->counters[METRICS_STREAM_RESYNCS]), 1);
    append_counter(&t, "vigie_store_commits_total", "Group commits (each one fsync).", "",
                   (uint64_t)gauges->store_commits, 1);
    append_counter(&t, "vigie_store_writes_total", "Writes carried by the group commits.", "",
                   (uint64_t)gauges->store_jobs, 1);
    static const struct {
        enum metrics_counter counter;
        const char *name, *help;
    } plain[] = {
        {METRICS_DC09_FRAMES, "vigie_dc09_frames_total", "DC-09 frames read whole."},
        {METRICS_DC09_ACK, "vigie_dc09_ack_total", "DC-09 ACKs sent (each after a commit)."},
        {METRICS_DC09_NAK, "vigie_dc09_nak_total", "DC-09 NAKs sent."},
        {METRICS_DC09_DUH, "vigie_dc09_duh_total", "DC-09 DUHs sent."},
        {METRICS_DC09_BAD_CRC, "vigie_dc09_bad_crc_total", "DC-09 frames ignored: CRC."},
        {METRICS_DC09_BAD_FRAMES, "vigie_dc09_bad_frames_total", "DC-09 frames refused."},
        {METRICS_DC09_GARBAGE_BYTES, "vigie_dc09_garbage_bytes_total",
         "Bytes outside any DC-09 frame."},
        {METRICS_DC09_DUPLICATES, "vigie_dc09_retransmissions_total",
         "DC-09 retransmissions acknowledged again and not stored twice."},
        {METRICS_DC09_UNKNOWN_ACCOUNT, "vigie_dc09_unknown_account_total",
         "DC-09 messages from accounts the centre does not know."},
        {METRICS_DC09_STORE_FAILED, "vigie_dc09_store_failures_total",
         "DC-09 messages the store could not record (NAK sent)."},
        {METRICS_DC09_REFUSED, "vigie_dc09_connections_refused_total",
         "DC-09 connections refused over the limit."},
        {METRICS_DC09_CLOSED_BAD, "vigie_dc09_closed_bad_total",
         "DC-09 connections closed after bad frames in a row."},
        {METRICS_DC09_CLOSED_SLOW, "vigie_dc09_closed_slow_total",
         "DC-09 connections closed on a frame never finished."},
        {METRICS_DC09_CLOSED_IDLE, "vigie_dc09_closed_idle_total",
         "DC-09 connections closed when idle."},
        {METRICS_DC09_UDP_DROPPED, "vigie_dc09_udp_dropped_total",
         "DC-09 datagrams left unanswered under overload."},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        append_counter(&t, plain[i].name, plain[i].help, "",
                       atomic_load(&m->counters[plain[i].counter]), 1);
    append_counter(&t, "vigie_device_messages_total",
                   "Device messages stored (JSON and AML), repeats included.", "",
                   atomic_load(&m->counters[METRICS_DEVICE_MESSAGES]), 1);
    static const char *const refusals[] = {"token", "hmac", "device_mismatch", "invalid"};
    for (int i = 0; i < 4; i++) {
        char labels[48];
        snprintf(labels, sizeof labels, "{reason=\"%s\"}", refusals[i]);
        append_counter(&t, "vigie_device_refused_total", "Device messages refused, by reason.",
                       labels, atomic_load(&m->counters[METRICS_DEVICE_REFUSED_TOKEN + i]), i == 0);
    }
    for (int c = 1; c < 6; c++) {
        char labels[32];
        snprintf(labels, sizeof labels, "{code=\"%dxx\"}", c);
        append_counter(&t, "vigie_http_requests_total", "HTTP requests by status class.", labels,
                       atomic_load(&m->requests_by_class[c]), c == 1);
    }
    append(&t, "# HELP vigie_http_request_duration_seconds HTTP request latency.\n"
               "# TYPE vigie_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < BUCKET_COUNT; i++)
        append(&t, "vigie_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
               (double)bucket_bounds_us[i] / 1e6,
               (unsigned long long)atomic_load(&m->latency_buckets[i]));
    uint64_t count = atomic_load(&m->latency_count);
    append(&t, "vigie_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
           (unsigned long long)count);
    append(&t, "vigie_http_request_duration_seconds_sum %g\n",
           (double)atomic_load(&m->latency_sum_us) / 1e6);
    append(&t, "vigie_http_request_duration_seconds_count %llu\n", (unsigned long long)count);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}
