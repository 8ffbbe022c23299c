/* actions_panel.c: a panel command from the key to the status line: the
 * alarm's site and zone are read from the model, the operator confirms in
 * a dialog that names them, the command goes to the client, and its
 * request is remembered until vigied says whether it took it. */
#include "console/actions_panel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client_panel.h"
#include "console/ui.h"

/* A site name as the model holds it (the API's subject). */
#define PANEL_SITE_SIZE 128
/* Commands in flight at once: one per panel, a few panels at most. */
#define PANEL_PENDING_MAX 8

struct panel_order {
    int request_id; /* 0: free, or not sent yet */
    enum action action;
    int64_t alarm_id, site_id;
    int zone;
    char site[PANEL_SITE_SIZE];
};

struct actions_panel {
    struct ui *ui;
    struct panel_order asking; /* the one the dialog is about */
    struct panel_order sent[PANEL_PENDING_MAX];
    size_t next_slot;
};

struct actions_panel *actions_panel_new(struct ui *ui)
{
    struct actions_panel *panel = calloc(1, sizeof *panel);
    if (panel)
        panel->ui = ui;
    return panel;
}

void actions_panel_free(struct actions_panel *panel)
{
    free(panel);
}

static const char *api_command(enum action action)
{
    switch (action) {
    case ACTION_ARM_AWAY:
        return "arm-away";
    case ACTION_ARM_STAY:
        return "arm-stay";
    case ACTION_DISARM:
        return "disarm";
    default:
        return "bypass-zone";
    }
}

/* "Disarm", "Arm away"...: the dialog's title and yes label. */
static const char *verb(enum action action)
{
    switch (action) {
    case ACTION_ARM_AWAY:
        return _("Arm away");
    case ACTION_ARM_STAY:
        return _("Arm stay");
    case ACTION_DISARM:
        return _("Disarm");
    default:
        return _("Bypass zone");
    }
}

static void question(const struct panel_order *order, char *out, size_t size)
{
    switch (order->action) {
    case ACTION_ARM_AWAY:
        snprintf(out, size,
                 _("Arm the panel of site %s fully (away)?\nEvery zone is armed: nobody must be "
                   "left on site."),
                 order->site);
        break;
    case ACTION_ARM_STAY:
        snprintf(out, size,
                 _("Arm the panel of site %s in stay mode?\nThe perimeter is armed; people "
                   "inside may move."),
                 order->site);
        break;
    case ACTION_DISARM:
        snprintf(out, size,
                 _("Disarm the panel of site %s?\nThe site is unprotected until it is armed "
                   "again."),
                 order->site);
        break;
    default:
        snprintf(out, size,
                 _("Bypass zone %d of site %s?\nThe zone stays ignored until the panel is next "
                   "disarmed."),
                 order->zone, order->site);
        break;
    }
}

static void answered(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)choice;
    struct actions_panel *panel = context;
    struct panel_order order = panel->asking;
    if (answer != DIALOG_YES) {
        ui_status(ui, STATUS_INFO, _("%s cancelled: nothing was sent"), verb(order.action));
        return;
    }
    int request = client_panel_command(ui_client(ui), order.site_id, order.alarm_id,
                                       api_command(order.action),
                                       order.action == ACTION_BYPASS_ZONE ? order.zone : 0);
    if (request < 0) {
        ui_status(ui, STATUS_ERROR,
                  _("Cannot send %s to site %s: the backend is not reachable; nothing was sent"),
                  api_command(order.action), order.site);
        return;
    }
    order.request_id = request;
    panel->sent[panel->next_slot] = order;
    panel->next_slot = (panel->next_slot + 1) % PANEL_PENDING_MAX;
    ui_status(ui, STATUS_INFO, _("Sending %s to the panel of site %s..."),
              api_command(order.action), order.site);
}

void actions_panel_run(struct actions_panel *panel, enum action action, int64_t alarm_id)
{
    struct ui *ui = panel->ui;
    const struct console_alarm *alarm = model_find(ui_model(ui), alarm_id);
    if (!alarm || alarm->site_id <= 0) {
        ui_status(ui, STATUS_WARN,
                  alarm ? _("Alarm %lld has no site: there is no panel to command")
                        : _("Alarm %lld is not in the console's list: reopen it from the queue"),
                  (long long)alarm_id);
        return;
    }
    if (action == ACTION_BYPASS_ZONE && alarm->zone <= 0) {
        ui_status(ui, STATUS_WARN, _("Alarm %lld names no zone to bypass"), (long long)alarm_id);
        return;
    }
    panel->asking = (struct panel_order){
        .action = action,
        .alarm_id = alarm_id,
        .site_id = alarm->site_id,
        .zone = alarm->zone,
    };
    snprintf(panel->asking.site, sizeof panel->asking.site, "%s",
             alarm->subject && alarm->subject[0] ? alarm->subject : "?");
    char message[512];
    question(&panel->asking, message, sizeof message);
    if (!ui_confirm(ui, verb(action), message, L'y', verb(action), _("Cancel"), answered, panel))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

bool actions_panel_done(struct actions_panel *panel, int request_id, bool ok, const char *message)
{
    struct panel_order *found = NULL;
    for (size_t i = 0; i < PANEL_PENDING_MAX && request_id > 0; i++)
        if (panel->sent[i].request_id == request_id)
            found = &panel->sent[i];
    if (!found)
        return false;
    if (ok)
        ui_status(panel->ui, STATUS_INFO,
                  _("%s sent to site %s: pending; the detail shows the panel's answer"),
                  verb(found->action), found->site);
    else
        ui_status(panel->ui, STATUS_ERROR, _("Cannot %s site %s: %s"), api_command(found->action),
                  found->site, message && message[0] ? message : _("refused"));
    found->request_id = 0;
    return true;
}
