/* panel_tpi_driver.c: one command over the EnvisaLink TPI (DSC), as a
 * state machine: wait for the login prompt (505 3), log in (005), send the
 * command once the login is accepted (505 1), give a code when the panel
 * asks for one (900), and decide on the panel's answers. A command is
 * confirmed by the state the panel reports after acknowledging it (652
 * armed, 656 exit delay for an arm, 655 disarmed, the zone's bit in 616),
 * refused on an error answer (502, 670 invalid code, 672 failure to arm,
 * ...), failed when the login or the exchange itself goes wrong. */
#include "server/panel_tpi.h"
#include "common/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A panel that sends this many unreadable lines in one exchange is not a
 * TPI, or the line is broken: the command fails rather than guesses. */
#define TPI_GARBAGE_MAX 8

enum tpi_phase {
    TPI_WAIT_PROMPT, /* connected; the panel speaks first */
    TPI_WAIT_LOGIN,  /* 005 sent */
    TPI_WAIT_ANSWER, /* the command sent */
    TPI_DONE,
};

struct tpi_session {
    struct panel_link link;
    struct panel_request request;
    struct panel_tpi_reader reader;
    enum tpi_phase phase;
    bool acknowledged; /* 500 for our command came */
    bool code_sent;
    int garbage;
};

static bool tpi_check(const struct panel_link *link, const struct panel_request *request, char *why,
                      size_t why_size)
{
    if (!panel_tpi_password_valid(link->password)) {
        snprintf(why, why_size, "%s",
                 _("the panel's TPI password is not set (1 to 6 characters: vigied panel set)"));
        return false;
    }
    if (link->partition < 1 || link->partition > PANEL_PARTITION_MAX) {
        snprintf(why, why_size, _("partition %d is out of bounds (1 to %d)"), link->partition,
                 PANEL_PARTITION_MAX);
        return false;
    }
    if (request->kind == PANEL_COMMAND_DISARM && !panel_tpi_code_valid(link->user_code)) {
        snprintf(why, why_size, "%s",
                 _("a disarm needs the centre's user code for this panel (4 or 6 digits: "
                   "vigied panel set --code-file)"));
        return false;
    }
    if (request->kind == PANEL_COMMAND_BYPASS_ZONE &&
        (request->zone < 1 || request->zone > PANEL_TPI_ZONE_MAX)) {
        snprintf(why, why_size, _("zone %d cannot be bypassed over the TPI (zones 1 to %d)"),
                 request->zone, PANEL_TPI_ZONE_MAX);
        return false;
    }
    return true;
}

static void finish(struct tpi_session *session, struct panel_result *result,
                   enum panel_outcome outcome, enum panel_arm_state state, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

static void finish(struct tpi_session *session, struct panel_result *result,
                   enum panel_outcome outcome, enum panel_arm_state state, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(result->answer, sizeof result->answer, format, args);
    va_end(args);
    result->outcome = outcome;
    result->state = state;
    session->phase = TPI_DONE;
}

static void queue_line(struct tpi_session *session, struct panel_output *out,
                       struct panel_result *result, const char *line, size_t length)
{
    if (length == 0 || !panel_output_append(out, line, length))
        finish(session, result, PANEL_OUTCOME_FAILED, PANEL_STATE_UNKNOWN, "%s",
               _("the command could not be written for the panel"));
}

static void tpi_connected(void *opaque, const struct panel_link *link,
                          const struct panel_request *request, struct panel_output *out,
                          struct panel_result *result)
{
    (void)out;
    struct tpi_session *session = opaque;
    memset(session, 0, sizeof *session);
    session->link = *link;
    session->request = *request;
    session->phase = TPI_WAIT_PROMPT;
    result->outcome = PANEL_OUTCOME_PENDING;
}

/* A message about another partition than ours says nothing of our command. */
static bool our_partition(const struct tpi_session *session, const struct panel_tpi_message *m)
{
    return m->data_length == 0 || m->data[0] == (char)('0' + session->link.partition);
}

static void on_login(struct tpi_session *session, const struct panel_tpi_message *m,
                     struct panel_output *out, struct panel_result *result)
{
    char line[PANEL_TPI_LINE_MAX + 3];
    switch (m->data_length > 0 ? m->data[0] : '?') {
    case '3': /* the prompt */
        queue_line(session, out, result, line,
                   panel_tpi_login(session->link.password, line, sizeof line));
        explicit_bzero(line, sizeof line);
        session->phase = TPI_WAIT_LOGIN;
        break;
    case '1':
        if (session->phase == TPI_DONE)
            break;
        queue_line(session, out, result, line,
                   panel_tpi_request(&session->request, session->link.partition,
                                     session->link.user_code, line, sizeof line));
        explicit_bzero(line, sizeof line);
        if (session->phase != TPI_DONE)
            session->phase = TPI_WAIT_ANSWER;
        break;
    case '0':
        finish(session, result, PANEL_OUTCOME_FAILED, PANEL_STATE_UNKNOWN, "505 %s",
               _("the panel refused the TPI password"));
        break;
    default:
        finish(session, result, PANEL_OUTCOME_FAILED, PANEL_STATE_UNKNOWN, "505 %s",
               _("the panel's login timed out"));
        break;
    }
}

static void on_code_required(struct tpi_session *session, struct panel_output *out,
                             struct panel_result *result)
{
    char line[PANEL_TPI_LINE_MAX + 3];
    if (session->code_sent || !panel_tpi_code_valid(session->link.user_code)) {
        finish(session, result, PANEL_OUTCOME_REFUSED, PANEL_STATE_UNKNOWN, "900 %s",
               session->code_sent ? _("the panel asked for the code again")
                                  : _("the panel asks for a user code and none is set"));
        return;
    }
    queue_line(session, out, result, line,
               panel_tpi_code_send(session->link.user_code, line, sizeof line));
    explicit_bzero(line, sizeof line);
    session->code_sent = true;
}

/* The states that confirm our command, once the panel acknowledged it. */
static void on_state(struct tpi_session *session, const struct panel_tpi_message *m,
                     struct panel_result *result)
{
    enum panel_command_kind kind = session->request.kind;
    bool arming = kind == PANEL_COMMAND_ARM_AWAY || kind == PANEL_COMMAND_ARM_STAY;
    int partition = session->link.partition;
    if (!session->acknowledged || !our_partition(session, m))
        return;
    if (m->code == PANEL_TPI_ARMED && arming) {
        char mode = m->data_length > 1 ? m->data[1] : '0';
        bool stay = mode == '1' || mode == '3';
        finish(session, result, PANEL_OUTCOME_CONFIRMED,
               stay ? PANEL_STATE_ARMED_STAY : PANEL_STATE_ARMED_AWAY,
               stay ? _("652 partition %d armed stay") : _("652 partition %d armed away"),
               partition);
    } else if (m->code == PANEL_TPI_EXIT_DELAY && arming) {
        /* Arming has begun; the closing comes over DC-09 when it ends. */
        finish(session, result, PANEL_OUTCOME_CONFIRMED, PANEL_STATE_UNKNOWN,
               _("656 partition %d: exit delay in progress"), partition);
    } else if (m->code == PANEL_TPI_DISARMED && kind == PANEL_COMMAND_DISARM) {
        finish(session, result, PANEL_OUTCOME_CONFIRMED, PANEL_STATE_DISARMED,
               _("655 partition %d disarmed"), partition);
    }
}

static void on_message(struct tpi_session *session, const struct panel_tpi_message *m,
                       struct panel_output *out, struct panel_result *result)
{
    char request_code[8];
    switch (m->code) {
    case PANEL_TPI_LOGIN_STATE:
        on_login(session, m, out, result);
        break;
    case PANEL_TPI_ACK:
        /* 500 echoes the command it acknowledges: ours, or our 200. */
        snprintf(request_code, sizeof request_code, "%.3s", m->data);
        if (session->phase == TPI_WAIT_ANSWER && strcmp(request_code, "005") != 0)
            session->acknowledged = true;
        break;
    case PANEL_TPI_BAD_CHECKSUM:
        finish(session, result, PANEL_OUTCOME_FAILED, PANEL_STATE_UNKNOWN, "501 %s",
               panel_tpi_answer_name(m->code));
        break;
    case PANEL_TPI_SYSTEM_ERROR: {
        int error = 0;
        sscanf(m->data, "%3d", &error);
        finish(session, result, PANEL_OUTCOME_REFUSED, PANEL_STATE_UNKNOWN, "502 %03d %s", error,
               panel_tpi_error_name(error));
        break;
    }
    case PANEL_TPI_CODE_REQUIRED:
        if (session->phase == TPI_WAIT_ANSWER)
            on_code_required(session, out, result);
        break;
    case PANEL_TPI_BYPASS_FIELD:
        if (session->acknowledged && session->request.kind == PANEL_COMMAND_BYPASS_ZONE &&
            panel_tpi_zone_bypassed(m->data, m->data_length, session->request.zone))
            finish(session, result, PANEL_OUTCOME_CONFIRMED, PANEL_STATE_UNKNOWN,
                   _("616 zone %d bypassed"), session->request.zone);
        break;
    case PANEL_TPI_KEYPAD_LOCKOUT:
    case PANEL_TPI_FAILED_TO_ARM:
    case PANEL_TPI_INVALID_CODE:
    case PANEL_TPI_NOT_AVAILABLE:
    case PANEL_TPI_FAILURE_TO_ARM:
    case PANEL_TPI_BUSY:
        if (session->phase == TPI_WAIT_ANSWER && our_partition(session, m))
            finish(session, result, PANEL_OUTCOME_REFUSED, PANEL_STATE_UNKNOWN, "%03d %s", m->code,
                   panel_tpi_answer_name(m->code));
        break;
    default:
        on_state(session, m, result);
        break;
    }
}

static void tpi_received(void *opaque, const char *data, size_t length, struct panel_output *out,
                         struct panel_result *result)
{
    struct tpi_session *session = opaque;
    while (length > 0 && session->phase != TPI_DONE) {
        bool complete = false;
        size_t used = panel_tpi_reader_feed(&session->reader, data, length, &complete);
        data += used;
        length -= used;
        if (!complete || (session->reader.length == 0 && !session->reader.too_long))
            continue;
        struct panel_tpi_message message;
        if (session->reader.too_long ||
            panel_tpi_parse(session->reader.line, session->reader.length, &message) !=
                PANEL_TPI_OK) {
            if (++session->garbage >= TPI_GARBAGE_MAX)
                finish(session, result, PANEL_OUTCOME_FAILED, PANEL_STATE_UNKNOWN, "%s",
                       _("the panel's answers cannot be read as TPI"));
            continue;
        }
        on_message(session, &message, out, result);
    }
}

static void tpi_closing(void *opaque)
{
    struct tpi_session *session = opaque;
    explicit_bzero(session, sizeof *session);
}

const struct panel_driver panel_driver_tpi = {
    .name = "tpi",
    .title = "EnvisaLink TPI (DSC)",
    .default_port = PANEL_TPI_PORT,
    .session_size = sizeof(struct tpi_session),
    .check = tpi_check,
    .connected = tpi_connected,
    .received = tpi_received,
    .closing = tpi_closing,
};
