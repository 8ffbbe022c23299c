/* sim_agents_inbox.c: what the demo's gateways handed to the agents (see
 * sim_agents.h), read as it grows. Phones: the output of the fakesmsc
 * that plays them, one "Got message N: <SENDER RECEIVER TYPE TEXT>" line
 * per SMS part; a long SMS comes in parts with a concatenation header
 * (3GPP TS 23.040 9.2.3.24.1), put back together here. Mailboxes: the
 * SMTP sink's NNNN.eml files, written whole then renamed. Browsers: the
 * push service's messages/NNNN-ID.txt, the decrypted payloads. */
#include "tools/sim/sim_agents.h"
#include "server/mail_in_mime.h"
#include "common/clock.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Kannel's sendsms-user of the demo sends at most 10 parts. */
#define INBOX_PARTS_MAX 10
/* One part's text: 160 GSM characters, or 140 bytes URL-encoded (three
 * bytes each) in the output, decoded to UTF-8 (at most three each). */
#define INBOX_PART_MAX 512
/* Long SMS being put back together at once: a few per second arrive. */
#define INBOX_PARTIALS_MAX 32
/* A part whose siblings do not come within this is dropped. */
#define INBOX_PARTIAL_TIMEOUT_MS 60000
/* A line of fakesmsc's output: a part, URL-encoded, with its header. */
#define INBOX_LINE_MAX 4096
/* Output read in one call: the rest waits for the next. */
#define INBOX_READ_MAX (64 * 1024)
/* A message the sink took: the demo's are a few KiB. */
#define INBOX_MAIL_MAX (256 * 1024)
/* The text of a message the sink took, decoded. */
#define INBOX_TEXT_MAX 8192
/* Push messages looked at in one scan of the directory. */
#define INBOX_PUSH_SCAN_MAX 4096
/* A push message file with no link yet may still be being written. */
#define INBOX_PUSH_SETTLE_MS 2000
#define INBOX_PATH_MAX       1024

struct partial {
    bool used;
    char receiver[32];
    unsigned reference;
    int total, got;
    int64_t started_ms;
    bool have[INBOX_PARTS_MAX];
    char parts[INBOX_PARTS_MAX][INBOX_PART_MAX];
};

struct sim_agents_inbox {
    const char *sms_log, *mail_dir, *push_dir;
    long sms_offset;
    char line[INBOX_LINE_MAX];
    size_t line_used;
    bool line_too_long;
    struct partial partials[INBOX_PARTIALS_MAX];
    int mail_next;
    long push_last;
    struct timespec push_mtime;
};

struct sim_agents_inbox *sim_agents_inbox_new(const char *sms_log, const char *mail_dir,
                                              const char *push_dir)
{
    struct sim_agents_inbox *inbox = calloc(1, sizeof *inbox);
    if (!inbox)
        return NULL;
    inbox->sms_log = sms_log;
    inbox->mail_dir = mail_dir;
    inbox->push_dir = push_dir;
    inbox->mail_next = 1;
    return inbox;
}

void sim_agents_inbox_free(struct sim_agents_inbox *inbox)
{
    free(inbox);
}

/* ---- SMS ---- */

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* URL-decoding as Kannel encodes ("+" a space); the length written. */
static size_t url_decode(const char *in, unsigned char *out, size_t size)
{
    size_t used = 0;
    while (*in && used + 1 < size) {
        int high = in[0] == '%' ? hex_value(in[1]) : -1;
        int low = high >= 0 ? hex_value(in[2]) : -1;
        if (low >= 0) {
            out[used++] = (unsigned char)(high * 16 + low);
            in += 3;
        } else {
            out[used++] = (unsigned char)(*in == '+' ? ' ' : *in);
            in++;
        }
    }
    out[used] = '\0';
    return used;
}

/* UCS-2 (big-endian) to UTF-8; what is not in the BMP becomes "?". */
static void ucs2_to_utf8(const unsigned char *in, size_t length, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i + 1 < length && used + 4 < size; i += 2) {
        unsigned c = (unsigned)in[i] << 8 | in[i + 1];
        if (c >= 0xd800 && c <= 0xdfff)
            out[used++] = '?';
        else if (c < 0x80)
            out[used++] = (char)c;
        else if (c < 0x800) {
            out[used++] = (char)(0xc0 | c >> 6);
            out[used++] = (char)(0x80 | (c & 0x3f));
        } else {
            out[used++] = (char)(0xe0 | c >> 12);
            out[used++] = (char)(0x80 | (c >> 6 & 0x3f));
            out[used++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[used] = '\0';
}

/* Copies what fits of `text` (a part longer than a part is not ours). */
static void copy_cut(char *out, size_t size, const char *text)
{
    size_t length = strnlen(text, size - 1);
    memcpy(out, text, length);
    out[length] = '\0';
}

/* The text of a part as fakesmsc prints it for its type. */
static void part_text(const char *type, const char *data, char *out, size_t size)
{
    unsigned char bytes[INBOX_LINE_MAX];
    if (strcmp(type, "text") == 0) {
        copy_cut(out, size, data);
    } else if (strcmp(type, "ucs-2") == 0) {
        ucs2_to_utf8(bytes, url_decode(data, bytes, sizeof bytes), out, size);
    } else { /* "data", "utf-8": URL-encoded bytes */
        url_decode(data, bytes, sizeof bytes);
        copy_cut(out, size, (const char *)bytes);
    }
}

/* The next word of `*text` (up to one space), into out. */
static bool next_word(const char **text, char *out, size_t size)
{
    size_t length = strcspn(*text, " ");
    if (length == 0 || length >= size)
        return false;
    memcpy(out, *text, length);
    out[length] = '\0';
    *text += length + ((*text)[length] == ' ');
    return true;
}

/* A concatenation element of a user data header: reference, parts and
 * this part's number; false when the header has none. */
static bool concatenation(const char *encoded, unsigned *reference, int *total, int *number)
{
    unsigned char udh[INBOX_LINE_MAX];
    size_t length = url_decode(encoded, udh, sizeof udh);
    if (length < 1 || (size_t)udh[0] + 1 > length)
        return false;
    for (size_t i = 1; i + 1 < (size_t)udh[0] + 1;) {
        unsigned element = udh[i], size = udh[i + 1];
        const unsigned char *value = udh + i + 2;
        if (i + 2 + size > (size_t)udh[0] + 1)
            return false;
        if (element == 0x00 && size == 3) {
            *reference = value[0], *total = value[1], *number = value[2];
            return true;
        }
        if (element == 0x08 && size == 4) {
            *reference = (unsigned)value[0] << 8 | value[1], *total = value[2], *number = value[3];
            return true;
        }
        i += 2 + size;
    }
    return false;
}

static struct partial *partial_for(struct sim_agents_inbox *inbox, const char *receiver,
                                   unsigned reference, int total, int64_t now)
{
    struct partial *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < INBOX_PARTIALS_MAX; i++) {
        struct partial *p = &inbox->partials[i];
        if (p->used && now - p->started_ms > INBOX_PARTIAL_TIMEOUT_MS)
            p->used = false; /* its other parts are lost */
        if (p->used && p->reference == reference && p->total == total &&
            strcmp(p->receiver, receiver) == 0)
            return p;
        if (!p->used && !free_slot)
            free_slot = p;
        if (p->used && (!oldest || p->started_ms < oldest->started_ms))
            oldest = p;
    }
    struct partial *p = free_slot ? free_slot : oldest;
    memset(p, 0, sizeof *p);
    p->used = true;
    snprintf(p->receiver, sizeof p->receiver, "%s", receiver);
    p->reference = reference, p->total = total, p->started_ms = now;
    return p;
}

static void deliver_sms(const char *receiver, const char *text, sim_agents_receive_fn *receive,
                        void *closure)
{
    struct sim_agents_message message = {
        .channel = SIM_AGENTS_SMS, .text = text, .phone = receiver};
    receive(closure, &message);
}

/* One part of a long SMS; the whole once every part is there. */
static void add_part(struct sim_agents_inbox *inbox, const char *receiver, unsigned reference,
                     int total, int number, const char *text, sim_agents_receive_fn *receive,
                     void *closure)
{
    if (total < 1 || total > INBOX_PARTS_MAX || number < 1 || number > total)
        return;
    struct partial *p = partial_for(inbox, receiver, reference, total, clock_monotonic_ms());
    if (!p->have[number - 1]) {
        p->have[number - 1] = true;
        p->got++;
        snprintf(p->parts[number - 1], INBOX_PART_MAX, "%s", text);
    }
    if (p->got < p->total)
        return;
    char whole[INBOX_PARTS_MAX * INBOX_PART_MAX];
    size_t used = 0;
    for (int i = 0; i < p->total; i++) {
        size_t length = strlen(p->parts[i]);
        memcpy(whole + used, p->parts[i], length);
        used += length;
    }
    whole[used] = '\0';
    p->used = false;
    deliver_sms(receiver, whole, receive, closure);
}

static void sms_line(struct sim_agents_inbox *inbox, const char *line,
                     sim_agents_receive_fn *receive, void *closure)
{
    const char *start = strstr(line, "Got message ");
    start = start ? strstr(start, ": <") : NULL;
    const char *end = start ? strrchr(start, '>') : NULL;
    if (!start || !end || end < start + 3)
        return;
    char content[INBOX_LINE_MAX], sender[64], receiver[32], type[16], udh[256] = "";
    snprintf(content, sizeof content, "%.*s", (int)(end - start - 3), start + 3);
    const char *rest = content;
    if (!next_word(&rest, sender, sizeof sender) || !next_word(&rest, receiver, sizeof receiver) ||
        !next_word(&rest, type, sizeof type))
        return;
    if (strcmp(type, "udh") == 0 &&
        (!next_word(&rest, udh, sizeof udh) || !next_word(&rest, type, sizeof type)))
        return;
    char text[INBOX_PART_MAX];
    part_text(type, rest, text, sizeof text);
    unsigned reference = 0;
    int total = 0, number = 0;
    if (udh[0] && concatenation(udh, &reference, &total, &number))
        add_part(inbox, receiver, reference, total, number, text, receive, closure);
    else
        deliver_sms(receiver, text, receive, closure);
}

static void read_sms(struct sim_agents_inbox *inbox, sim_agents_receive_fn *receive, void *closure)
{
    FILE *file = inbox->sms_log ? fopen(inbox->sms_log, "r") : NULL;
    if (!file)
        return;
    if (fseek(file, 0, SEEK_END) == 0 && ftell(file) < inbox->sms_offset) {
        inbox->sms_offset = 0; /* a new file: the phones started again */
        inbox->line_used = 0;
    }
    fseek(file, inbox->sms_offset, SEEK_SET);
    char chunk[4096];
    size_t got, total = 0;
    while (total < INBOX_READ_MAX && (got = fread(chunk, 1, sizeof chunk, file)) > 0) {
        total += got;
        for (size_t i = 0; i < got; i++) {
            if (chunk[i] != '\n') {
                if (inbox->line_used + 1 < sizeof inbox->line)
                    inbox->line[inbox->line_used++] = chunk[i];
                else
                    inbox->line_too_long = true;
                continue;
            }
            inbox->line[inbox->line_used] = '\0';
            if (!inbox->line_too_long)
                sms_line(inbox, inbox->line, receive, closure);
            inbox->line_used = 0;
            inbox->line_too_long = false;
        }
    }
    inbox->sms_offset += (long)total;
    fclose(file);
}

/* ---- e-mail ---- */

static char *read_file(const char *path, size_t max, size_t *length_out)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    char *data = malloc(max + 1);
    size_t length = data ? fread(data, 1, max, file) : 0;
    fclose(file);
    if (data)
        data[length] = '\0';
    *length_out = length;
    return data;
}

/* The address in a header value: between < and >, else the value. */
static void address_of(const char *value, char *out, size_t size)
{
    const char *open = strchr(value, '<'), *close = open ? strchr(open, '>') : NULL;
    if (open && close)
        snprintf(out, size, "%.*s", (int)(close - open - 1), open + 1);
    else
        snprintf(out, size, "%s", value);
}

static void read_mail_file(const char *data, size_t length, sim_agents_receive_fn *receive,
                           void *closure)
{
    size_t headers, body_length;
    const char *body;
    mail_in_split(data, length, &headers, &body, &body_length);
    char to[MAIL_IN_HEADER_MAX] = "", reply_to[MAIL_IN_HEADER_MAX] = "";
    char subject[MAIL_IN_HEADER_MAX] = "", message_id[MAIL_IN_HEADER_MAX] = "";
    char agent[SIM_AGENTS_ADDRESS_MAX], reply_address[SIM_AGENTS_ADDRESS_MAX];
    mail_in_header(data, headers, "To", 0, to, sizeof to);
    mail_in_header(data, headers, "Reply-To", 0, reply_to, sizeof reply_to);
    mail_in_header(data, headers, "Subject", 0, subject, sizeof subject);
    mail_in_header(data, headers, "Message-ID", 0, message_id, sizeof message_id);
    address_of(to, agent, sizeof agent);
    address_of(reply_to, reply_address, sizeof reply_address);
    char *text = malloc(INBOX_TEXT_MAX);
    if (!text || !mail_in_mime_text(data, length, text, INBOX_TEXT_MAX)) {
        free(text);
        return;
    }
    struct sim_agents_message message = {.channel = SIM_AGENTS_EMAIL,
                                         .text = text,
                                         .agent_email = agent,
                                         .reply_to = reply_address,
                                         .subject = subject,
                                         .message_id = message_id};
    receive(closure, &message);
    free(text);
}

static void read_mail(struct sim_agents_inbox *inbox, sim_agents_receive_fn *receive, void *closure)
{
    char path[INBOX_PATH_MAX];
    for (;;) {
        snprintf(path, sizeof path, "%s/%04d.eml", inbox->mail_dir, inbox->mail_next);
        size_t length = 0;
        char *data = read_file(path, INBOX_MAIL_MAX, &length);
        if (!data)
            return;
        inbox->mail_next++;
        read_mail_file(data, length, receive, closure);
        free(data);
    }
}

/* ---- push ---- */

static int by_number(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The push messages numbered after the last one read, in order. */
static size_t new_push_numbers(struct sim_agents_inbox *inbox, const char *dir, long *numbers)
{
    DIR *listing = opendir(dir);
    if (!listing)
        return 0;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) && count < INBOX_PUSH_SCAN_MAX) {
        char *end = NULL;
        long number = strtol(entry->d_name, &end, 10);
        if (end && *end == '-' && strstr(end, ".txt") && number > inbox->push_last)
            numbers[count++] = number;
    }
    closedir(listing);
    qsort(numbers, count, sizeof *numbers, by_number);
    return count;
}

/* The file of message `number` (its name holds the subscription's id). */
static bool push_path(const char *dir, long number, char *path, size_t size)
{
    DIR *listing = opendir(dir);
    if (!listing)
        return false;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%04ld-", number);
    struct dirent *entry;
    bool found = false;
    while (!found && (entry = readdir(listing)))
        if (strncmp(entry->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(path, size, "%s/%s", dir, entry->d_name);
            found = true;
        }
    closedir(listing);
    return found;
}

static void read_push(struct sim_agents_inbox *inbox, sim_agents_receive_fn *receive, void *closure)
{
    char dir[INBOX_PATH_MAX], path[INBOX_PATH_MAX * 2] = "";
    snprintf(dir, sizeof dir, "%s/messages", inbox->push_dir);
    struct stat st;
    if (stat(dir, &st) != 0 || (st.st_mtim.tv_sec == inbox->push_mtime.tv_sec &&
                                st.st_mtim.tv_nsec == inbox->push_mtime.tv_nsec))
        return; /* nothing new since the last scan */
    long *numbers = malloc(INBOX_PUSH_SCAN_MAX * sizeof *numbers);
    size_t count = numbers ? new_push_numbers(inbox, dir, numbers) : 0;
    bool settled = true;
    for (size_t i = 0; i < count && settled; i++) {
        size_t length = 0;
        bool found = push_path(dir, numbers[i], path, sizeof path);
        char *data = found ? read_file(path, INBOX_MAIL_MAX, &length) : NULL;
        struct stat file_st;
        bool young =
            found && stat(path, &file_st) == 0 &&
            (int64_t)time(NULL) * 1000 - (int64_t)file_st.st_mtime * 1000 < INBOX_PUSH_SETTLE_MS;
        if (data && strstr(data, "/r/")) {
            struct sim_agents_message message = {.channel = SIM_AGENTS_PUSH, .text = data};
            receive(closure, &message);
        } else if (young) {
            settled = false; /* still being written: read it next time */
        }
        free(data);
        if (settled)
            inbox->push_last = numbers[i];
    }
    free(numbers);
    if (settled)
        inbox->push_mtime = st.st_mtim;
}

void sim_agents_inbox_read(struct sim_agents_inbox *inbox, sim_agents_receive_fn *receive,
                           void *closure)
{
    if (inbox->sms_log)
        read_sms(inbox, receive, closure);
    if (inbox->mail_dir)
        read_mail(inbox, receive, closure);
    if (inbox->push_dir)
        read_push(inbox, receive, closure);
}
