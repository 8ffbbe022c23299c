/* Unit tests of widgets composed into one operator screen, the way the
 * console will: header, banner, table, status bar, and a dialog or the help
 * drawn over them. Under LANG=C not one byte above 127 reaches the
 * terminal; closing an overlay and invalidating what lay beneath restores it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/bars.h"
#include "widgets/cells.h"
#include "widgets/dialog.h"
#include "widgets/help.h"
#include "widgets/lineedit.h"
#include "widgets/table.h"
#include "widgets/textview.h"

static const char *const sites[] = {
    "BANQUE X – Agence Opéra", "Parking Œuvre-Neuve", "Chantier « Les Lilas »",
    "Mairie du 11ᵉ",           "Entrepôt Noël…",
};
static const char *const events[] = {"Intrusion", "Incendie", "Contrainte (duress)", "Panique",
                                     "Batterie faible"};

static size_t alarm_count(void *context)
{
    (void)context;
    return 5;
}

static uint64_t alarm_id(void *context, size_t row)
{
    (void)context;
    return 100 + row;
}

static void alarm_cell(void *context, size_t row, size_t column, char *buffer, size_t size)
{
    (void)context;
    if (column == 0)
        snprintf(buffer, size, "P%zu", row % 3 + 1);
    else if (column == 1)
        snprintf(buffer, size, "%s", sites[row]);
    else if (column == 2)
        snprintf(buffer, size, "%s", events[row]);
    else
        snprintf(buffer, size, "%zu s", row * 17);
}

static const struct table_column columns[] = {
    {.title = "Pri", .min_width = 3, .sortable = true},
    {.title = "Site", .min_width = 12, .flex = 2, .sortable = true},
    {.title = "Événement", .min_width = 10, .flex = 1},
    {.title = "Âge", .min_width = 6, .align = TABLE_ALIGN_RIGHT, .live = true},
};

static const struct help_entry help_entries[] = {
    {NULL, "File d'attente", NULL},
    {"Entrée", "ouvrir", "Ouvre l'alarme sélectionnée"},
    {"d", "désarmer", "Désarme la centrale du site (demande confirmation)"},
};

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    struct header_bar *header;
    struct banner *banner;
    struct table *table;
    struct status_bar *status;
    struct dialog *dialog;
};

static void world_open(struct world *world, const char *locale)
{
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    assert_non_null(setlocale(LC_ALL, locale));
    world->out = tmpfile();
    world->in = fopen("/dev/null", "r");
    assert_non_null(world->out);
    assert_non_null(world->in);
    world->screen = newterm("xterm-256color", world->out, world->in);
    assert_non_null(world->screen);
    set_term(world->screen);
    world->win = stdscr;
    const struct charset *charset =
        charset_get(strcmp(locale, "C") ? CHARSET_UNICODE : CHARSET_ASCII);
    world->header = header_bar_new(world->win, charset, A_REVERSE);
    world->banner = banner_new(world->win, charset);
    struct table_source source = {
        .row_count = alarm_count, .row_id = alarm_id, .cell_text = alarm_cell};
    struct table_style table_style = {.header = A_BOLD, .selected = A_REVERSE};
    world->table = table_new(world->win, charset, columns, 4, &source, &table_style);
    struct status_style status_style = {.error = A_REVERSE, .key = A_BOLD};
    world->status = status_bar_new(world->win, charset, &status_style);
    assert_non_null(world->header);
    assert_non_null(world->banner);
    assert_non_null(world->table);
    assert_non_null(world->status);
    header_bar_set(world->header, HEADER_LEFT, "Vigie · File d'attente");
    header_bar_set(world->header, HEADER_RIGHT, "nœud-2 14:03");
    banner_set(world->banner, "SERVEUR PERDU – reconnexion…", A_REVERSE | A_BOLD);
    widget_resize(banner_widget(world->banner), 1, 0, banner_lines(world->banner), 80);
    widget_resize(table_widget(world->table), 2, 0, 21, 80);
    struct status_hint hints[] = {{"?", "Aide"}, {"d", "Désarmer"}};
    status_bar_set_hints(world->status, hints, 2);
    status_bar_set_message(world->status, STATUS_ERROR, "Désarmement refusé");
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    widget_free(header_bar_widget(world->header));
    widget_free(banner_widget(world->banner));
    widget_free(table_widget(world->table));
    widget_free(status_bar_widget(world->status));
    dialog_free(world->dialog);
    if (world->screen) {
        endwin();
        delscreen(world->screen);
    }
    if (world->out)
        fclose(world->out);
    if (world->in)
        fclose(world->in);
    free(world);
    return 0;
}

static void draw_screen(struct world *world)
{
    header_bar_draw(world->header);
    banner_draw(world->banner);
    table_draw(world->table);
    status_bar_draw(world->status);
}

static const char *screen_line(WINDOW *win, int y)
{
    static char text[4096];
    wchar_t wide[1024];
    int n = mvwinnwstr(win, y, 0, wide, 1023);
    assert_true(n >= 0);
    cells_encode_utf8(wide, (size_t)n, text, sizeof text);
    size_t length = strlen(text);
    while (length > 0 && text[length - 1] == ' ')
        text[--length] = '\0';
    return text;
}

static void test_ascii_screen_sends_only_ascii(void **state)
{
    struct world *world = *state;
    world_open(world, "C");
    const struct charset *charset = charset_get(CHARSET_ASCII);
    draw_screen(world);
    static const char *const expected[] = {
        "Vigie . File d'attente                                             noeud-2 14:03",
        "                         SERVEUR PERDU - reconnexion...",
        "Pri Site                                        Evenement                    Age",
        "P1  BANQUE X - Agence Opera                     Intrusion                    0 s",
        "P2  Parking OEuvre-Neuve                        Incendie                    17 s",
        "P3  Chantier \" Les Lilas \"                      Contrainte (duress)         34 s",
        "P1  Mairie du 11?                               Panique                     51 s",
        "P2  Entrepot Noel...                            Batterie faible             68 s",
    };
    for (int y = 0; y < 8; y++)
        assert_string_equal(screen_line(world->win, y), expected[y]);
    for (int y = 8; y < 23; y++)
        assert_string_equal(screen_line(world->win, y), "");
    assert_string_equal(screen_line(world->win, 23), " Desarmement refuse                      "
                                                     "                    ? Aide  d Desarmer");
    wnoutrefresh(world->win);
    doupdate();
    struct dialog *dialog = dialog_confirm_new(world->win, charset, NULL, "Désarmer",
                                               "Désarmer le site BANQUE X – Agence Opéra ?", L'o',
                                               "Désarmer", "Annuler");
    struct help *help = help_new(world->win, charset, NULL, "Aide", help_entries, 3);
    struct textview *view = textview_new(world->win, charset, NULL);
    struct lineedit *editor = lineedit_new(world->win, charset, NULL, "Filtre : ");
    assert_non_null(dialog);
    assert_non_null(help);
    assert_non_null(view);
    assert_non_null(editor);
    dialog_draw(dialog);
    wnoutrefresh(world->win);
    doupdate();
    help_draw(help);
    wnoutrefresh(world->win);
    doupdate();
    textview_set_text(view, "Victime : Jeanne – « fichier » …");
    textview_search(view, "fichier");
    textview_draw(view);
    lineedit_set_text(editor, "Opéra");
    widget_resize(lineedit_widget(editor), 23, 0, 1, 80);
    lineedit_draw(editor);
    wnoutrefresh(world->win);
    doupdate();
    dialog_free(dialog);
    help_free(help);
    textview_free(view);
    lineedit_free(editor);
    fflush(world->out);
    rewind(world->out);
    int c;
    size_t bytes = 0;
    while ((c = fgetc(world->out)) != EOF) {
        bytes++;
        assert_true(c < 0x80);
    }
    assert_true(bytes > 1000);
}

static void test_closing_an_overlay_restores_the_screen_beneath(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8");
    draw_screen(world);
    char before[24][400];
    for (int y = 0; y < 24; y++)
        snprintf(before[y], sizeof before[y], "%s", screen_line(world->win, y));
    assert_string_equal(before[3],
                        "P1  BANQUE X – Agence Opéra                     Intrusion       "
                        "             0 s");
    struct dialog *dialog = world->dialog = dialog_confirm_new(
        world->win, charset_get(CHARSET_UNICODE), NULL, "Désarmer",
        "Désarmer le site BANQUE X – Agence Opéra ?", L'o', "Désarmer", "Annuler");
    assert_non_null(dialog);
    dialog_draw(dialog);
    assert_string_equal(screen_line(world->win, 9), "                 ┌─ Désarmer ──────────"
                                                    "───────────────────────┐");
    assert_string_equal(screen_line(world->win, 10), "                 │ Désarmer le site "
                                                     "BANQUE X – Agence Opéra ? │");
    assert_string_equal(screen_line(world->win, 12), "                 │ o Désarmer   n/Esc "
                                                     "Annuler                 │");
    /* A tick beneath the dialog repaints the live cells; the loop then
     * draws the overlay again, and ncurses sends only what differs. */
    table_tick(world->table);
    table_draw(world->table);
    widget_invalidate(dialog_widget(dialog));
    dialog_draw(dialog);
    assert_int_equal(dialog_handle_key(dialog, widget_key_char(L'O')),
                     WIDGET_HANDLED | WIDGET_QUIT);
    assert_int_equal(dialog_answer(dialog), DIALOG_YES);
    dialog_free(dialog);
    world->dialog = NULL;
    widget_invalidate(table_widget(world->table));
    draw_screen(world);
    for (int y = 0; y < 24; y++)
        assert_string_equal(screen_line(world->win, y), before[y]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_ascii_screen_sends_only_ascii),
        TEST(test_closing_an_overlay_restores_the_screen_beneath),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
