/* screen_massalert_draw.c: the composer's picture and panel. The picture
 * is the alarm map's own view (map_view.c): the circle, its centre and
 * the sites whose agents the alert would reach, north up with a scale
 * bar. The panel says in words and numbers what will happen: where, how
 * far, who on which channel, who is left out and why, and the message
 * with its SMS meter. */
#include "console/screen_massalert_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "console/ui.h"
#include "widgets/cells.h"

/* Lines of the message quoted in the panel; the rest is cut. */
#define MASSALERT_MESSAGE_LINES 3

/* ---- the picture ---- */

void massalert_paint_picture(struct massalert_screen *screen)
{
    struct canvas *canvas = screen->canvas;
    struct ui *ui = screen->base.ui;
    canvas_clear(canvas);
    struct map_view view;
    map_view_init(&view, canvas, screen->view_centre, screen->zoom);
    if (view.width == 0 || view.height == 0)
        return;
    if (screen->centre_state != MASSALERT_CENTRE_SET) {
        canvas_text(canvas, CANVAS_DOTS_ACROSS, view.height / 2,
                    screen->centre_state == MASSALERT_CENTRE_LOADING ? _("Loading the centre...")
                                                                     : _("No centre: c sets one"),
                    ui_attr(ui, THEME_SLOT_TEXT));
        return;
    }
    int x, y;
    const cJSON *site;
    attr_t site_attr = ui_attr(ui, THEME_SLOT_MAP_SITE);
    cJSON_ArrayForEach(site, cJSON_GetObjectItemCaseSensitive(screen->counts, "sites"))
    {
        struct geo_point point = {massalert_json_number(site, "lat", NAN),
                                  massalert_json_number(site, "lon", NAN)};
        if (!geo_point_valid(point))
            continue;
        map_view_to_dots(&view, point, &x, &y);
        if (!map_view_in_legend(&view, x, y))
            canvas_mark(canvas, x, y, L'\u25A0', 'o', site_attr);
    }
    map_view_to_dots(&view, screen->centre, &x, &y);
    canvas_circle(canvas, x, y, lround(screen->radius_m / view.scale),
                  ui_attr(ui, THEME_SLOT_MAP_CIRCLE));
    canvas_mark(canvas, x, y, L'\u25C9', '+', ui_attr(ui, THEME_SLOT_MAP_POSITION));
    map_view_paint_legend(&view, canvas, ui_attr(ui, THEME_SLOT_LABEL));
}

/* ---- the panel ---- */

struct panel {
    struct massalert_screen *screen;
    WINDOW *win;
    const struct charset *charset;
    int row, last_row, x, width;
};

static void line(struct panel *panel, enum theme_slot slot, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void line(struct panel *panel, enum theme_slot slot, const char *format, ...)
{
    if (panel->row > panel->last_row)
        return;
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    cells_put(panel->win, panel->row++, panel->x, panel->width, text, CELLS_LEFT,
              ui_attr(panel->screen->base.ui, slot), panel->charset);
}

static void where(struct panel *panel)
{
    struct massalert_screen *screen = panel->screen;
    char radius[32], text[GEO_TEXT_SIZE];
    massalert_format_radius(screen->radius_m, radius, sizeof radius);
    switch (screen->centre_state) {
    case MASSALERT_CENTRE_NONE:
        line(panel, THEME_SLOT_STATUS_WARNING, "%s",
             screen->problem[0] ? screen->problem : _("No centre: c sets one"));
        line(panel, THEME_SLOT_TEXT, "%s", "");
        break;
    case MASSALERT_CENTRE_LOADING:
        line(panel, THEME_SLOT_TEXT, "%s", _("Loading the centre..."));
        line(panel, THEME_SLOT_TEXT, "%s", screen->label);
        break;
    case MASSALERT_CENTRE_SET:
        line(panel, THEME_SLOT_TEXT, "%s", screen->label);
        geo_format_dms(screen->centre, text);
        line(panel, THEME_SLOT_TEXT, "%s", text);
        break;
    }
    line(panel, THEME_SLOT_LABEL, _("Radius %s"), radius);
    static const char *const short_names[MASSALERT_CHANNEL_COUNT] = {N_("SMS"), N_("e-mail"),
                                                                     N_("voice"), N_("push")};
    char channels[128];
    size_t used = 0;
    for (int c = 0; c < MASSALERT_CHANNEL_COUNT && used < sizeof channels; c++)
        used += (size_t)snprintf(channels + used, sizeof channels - used, "%s[%s] %s", c ? " " : "",
                                 screen->channels & MASSALERT_CHANNEL(c) ? "x" : " ",
                                 _(short_names[c]));
    line(panel, THEME_SLOT_TEXT, "%s", channels);
}

/* "not vetted 3, off duty 10": the reasons with a count, in the API's order. */
static void left_out(struct panel *panel, const cJSON *excluded)
{
    static const struct {
        const char *key, *label;
    } reasons[] = {
        {"not_vetted", N_("not vetted")},
        {"site_not_validated", N_("site not validated")},
        {"off_duty", N_("off duty")},
        {"no_contact", N_("no contact on these channels")},
    };
    double total = 0;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        total += massalert_json_number(excluded, reasons[i].key, 0);
    line(panel, THEME_SLOT_LABEL, _("Left out: %.0f"), total);
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        double count = massalert_json_number(excluded, reasons[i].key, 0);
        if (count > 0)
            line(panel, THEME_SLOT_TEXT, "  %s %.0f", _(reasons[i].label), count);
    }
}

static void who(struct panel *panel)
{
    struct massalert_screen *screen = panel->screen;
    if (screen->centre_state != MASSALERT_CENTRE_SET)
        return;
    if (screen->count_error[0] && (!screen->counts || screen->counts_stale)) {
        line(panel, THEME_SLOT_STATUS_ERROR, "%s", screen->count_error);
        return;
    }
    if (!screen->counts) {
        line(panel, THEME_SLOT_TEXT, "%s", _("Counting the agents..."));
        return;
    }
    const cJSON *counts = screen->counts;
    double people = massalert_json_number(counts, "recipients", 0);
    line(panel, THEME_SLOT_LABEL, _("Agents reached: %.0f%s"), people,
         screen->counts_stale ? _(" (counting...)") : "");
    const cJSON *channels = cJSON_GetObjectItemCaseSensitive(counts, "channels");
    char text[160];
    snprintf(text, sizeof text, _("SMS %.0f  e-mail %.0f  voice %.0f  push %.0f"),
             massalert_json_number(channels, "sms", 0), massalert_json_number(channels, "email", 0),
             massalert_json_number(channels, "voice", 0),
             massalert_json_number(channels, "push", 0));
    line(panel, THEME_SLOT_TEXT, "  %s", text);
    /* A channel the centre has no gateway for would only queue. */
    const cJSON *unconfigured = cJSON_GetObjectItemCaseSensitive(counts, "unconfigured"), *name;
    char names[64] = "";
    cJSON_ArrayForEach(name, unconfigured)
    {
        if (cJSON_IsString(name) && strlen(names) + strlen(name->valuestring) + 3 < sizeof names)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", name->valuestring);
    }
    if (names[0])
        line(panel, THEME_SLOT_STATUS_WARNING, _("  No gateway on this centre for: %s"), names);
    left_out(panel, cJSON_GetObjectItemCaseSensitive(counts, "excluded"));
}

/* The message over a few lines, cut at spaces where one is near. */
static void quote(struct panel *panel, const char *message)
{
    const char *p = message;
    for (int n = 0; n < MASSALERT_MESSAGE_LINES && *p; n++) {
        int width = panel->width - 2, columns = 0;
        const char *end = p, *space = NULL;
        while (*end && columns < width) {
            if (*end == ' ')
                space = end;
            end++;
            while ((*end & 0xC0) == 0x80)
                end++;
            columns++;
        }
        if (*end && space && space > p && n < MASSALERT_MESSAGE_LINES - 1)
            end = space + 1;
        bool last = n == MASSALERT_MESSAGE_LINES - 1 && *end;
        line(panel, THEME_SLOT_TEXT, "  %.*s%s", (int)(end - p), p, last ? "..." : "");
        p = end;
    }
}

static void what(struct panel *panel)
{
    struct massalert_screen *screen = panel->screen;
    const char *name = massalert_template_name(screen);
    line(panel, THEME_SLOT_LABEL, _("Template: %s [%s]"), name[0] ? name : _("none"),
         screen->language);
    if (screen->message[0])
        quote(panel, screen->message);
    else
        line(panel, THEME_SLOT_TEXT, "  %s", _("(no message: t template, i text)"));
    line(panel, screen->too_long ? THEME_SLOT_STATUS_ERROR : THEME_SLOT_TEXT, "%s", screen->meter);
}

void massalert_draw_panel(struct massalert_screen *screen)
{
    if (!screen->panel_dirty || screen->height <= 0)
        return;
    struct ui *ui = screen->base.ui;
    int left = screen->map_columns > 0 ? screen->map_columns + 1 : 0;
    struct panel panel = {
        .screen = screen,
        .win = ui_window(ui),
        .charset = ui_charset(ui),
        .row = screen->y,
        .last_row = screen->y + screen->height - 1,
        .x = screen->x + left,
        .width = screen->width - left,
    };
    attr_t border = ui_attr(ui, THEME_SLOT_BORDER);
    wchar_t bar[2] = {panel.charset->vertical, L'\0'};
    for (int row = panel.row; row <= panel.last_row; row++) {
        if (left > 0)
            cells_put_wide(panel.win, row, panel.x - 1, 1, bar, 1, CELLS_LEFT, border,
                           panel.charset);
        cells_fill(panel.win, row, panel.x, panel.width, ui_attr(ui, THEME_SLOT_TEXT));
    }
    line(&panel, THEME_SLOT_LABEL, "%s%s", _("MASS ALERT"),
         ui_read_only(ui) ? _("  (read-only: cannot send)") : "");
    where(&panel);
    panel.row++;
    who(&panel);
    panel.row++;
    what(&panel);
    /* The keys, at the bottom while there is room. */
    if (panel.last_row - panel.row >= 1) {
        panel.row = panel.last_row - 1;
        line(&panel, THEME_SLOT_BORDER, "%s", _("c centre r radius <> size sevp channels"));
        line(&panel, THEME_SLOT_BORDER, "%s", _("t template l language i text ^X send"));
    }
    screen->panel_dirty = false;
}
