/* ui_overlay.c: the prompt (a line editor on the bottom line, the status
 * line moving up one so that messages such as a bad pattern show while
 * typing) and the modal dialogs (a confirmation, a choice). One overlay at
 * a time; it takes every key until it closes, then its callback runs with
 * the overlay already gone, so the callback may open the next one. */
#include "console/ui_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

int ui_overlay_lines(const struct ui *ui)
{
    return ui->overlay.kind == UI_OVERLAY_PROMPT ? 1 : 0;
}

void ui_overlay_close(struct ui *ui)
{
    struct ui_overlay *overlay = &ui->overlay;
    if (overlay->kind == UI_OVERLAY_NONE)
        return;
    lineedit_free(overlay->editor);
    dialog_free(overlay->dialog);
    memset(overlay, 0, sizeof *overlay);
    ui->relayout = true; /* the status line goes back down; what was under shows again */
    ui->hints_stale = true;
    if (ui->running)
        curs_set(0);
}

bool ui_prompt(struct ui *ui, const struct ui_prompt_spec *spec)
{
    if (ui->overlay.kind != UI_OVERLAY_NONE || !ui->running)
        return false;
    struct lineedit_style style = {
        .prompt = ui_attr(ui, THEME_SLOT_COMMAND_LINE) | A_BOLD,
        .text = ui_attr(ui, THEME_SLOT_COMMAND_LINE),
        .marker = ui_attr(ui, THEME_SLOT_STATUS_KEY),
    };
    struct lineedit *editor = lineedit_new(stdscr, ui->charset, &style, spec->prompt);
    if (!editor)
        return false;
    if (spec->history)
        lineedit_set_history(editor, spec->history);
    if (spec->complete)
        lineedit_set_completion(editor, spec->complete, spec->context);
    lineedit_set_text(editor, spec->initial ? spec->initial : "");
    ui->overlay = (struct ui_overlay){
        .kind = UI_OVERLAY_PROMPT,
        .editor = editor,
        .prompt_done = spec->done,
        .prompt_changed = spec->changed,
        .context = spec->context,
    };
    ui->relayout = true;
    return true;
}

static struct dialog_style dialog_style(struct ui *ui)
{
    return (struct dialog_style){
        .frame = ui_attr(ui, THEME_SLOT_DIALOG),
        .title = ui_attr(ui, THEME_SLOT_DIALOG_TITLE),
        .text = ui_attr(ui, THEME_SLOT_DIALOG),
        .key = ui_attr(ui, THEME_SLOT_DIALOG_KEY),
        .selected = ui_attr(ui, THEME_SLOT_DIALOG_SELECTED),
    };
}

static bool open_dialog(struct ui *ui, struct dialog *dialog, ui_dialog_done_fn *done,
                        void *context)
{
    if (!dialog)
        return false;
    ui->overlay = (struct ui_overlay){
        .kind = UI_OVERLAY_DIALOG,
        .dialog = dialog,
        .dialog_done = done,
        .context = context,
    };
    ui->relayout = true;
    return true;
}

bool ui_confirm(struct ui *ui, const char *title, const char *message, wchar_t yes_key,
                const char *yes_label, const char *no_label, ui_dialog_done_fn *done, void *context)
{
    if (ui->overlay.kind != UI_OVERLAY_NONE || !ui->running)
        return false;
    struct dialog_style style = dialog_style(ui);
    return open_dialog(ui,
                       dialog_confirm_new(stdscr, ui->charset, &style, title, message, yes_key,
                                          yes_label, no_label),
                       done, context);
}

bool ui_choose(struct ui *ui, const char *title, const char *const *items, size_t count,
               ui_dialog_done_fn *done, void *context)
{
    if (ui->overlay.kind != UI_OVERLAY_NONE || !ui->running)
        return false;
    struct dialog_style style = dialog_style(ui);
    return open_dialog(ui, dialog_choice_new(stdscr, ui->charset, &style, title, items, count, 0),
                       done, context);
}

static void prompt_key(struct ui *ui, struct widget_key key)
{
    struct ui_overlay *overlay = &ui->overlay;
    int result = lineedit_handle_key(overlay->editor, key);
    if (result & WIDGET_QUIT) {
        bool accepted = lineedit_state(overlay->editor) == LINEEDIT_ACCEPTED;
        char text[LINEEDIT_UTF8_MAX];
        snprintf(text, sizeof text, "%s", lineedit_text(overlay->editor));
        ui_prompt_done_fn *done = overlay->prompt_done;
        void *context = overlay->context;
        ui_overlay_close(ui);
        if (done)
            done(ui, context, accepted, text);
        return;
    }
    if ((result & WIDGET_REDRAW) && overlay->prompt_changed)
        overlay->prompt_changed(ui, overlay->context, lineedit_text(overlay->editor));
}

static void dialog_key(struct ui *ui, struct widget_key key)
{
    struct ui_overlay *overlay = &ui->overlay;
    int result = dialog_handle_key(overlay->dialog, key);
    if (!(result & WIDGET_QUIT))
        return;
    enum dialog_answer answer = dialog_answer(overlay->dialog);
    size_t choice = dialog_choice(overlay->dialog);
    ui_dialog_done_fn *done = overlay->dialog_done;
    void *context = overlay->context;
    ui_overlay_close(ui);
    if (done)
        done(ui, context, answer, choice);
}

bool ui_overlay_key(struct ui *ui, struct widget_key key)
{
    switch (ui->overlay.kind) {
    case UI_OVERLAY_PROMPT:
        prompt_key(ui, key);
        return true;
    case UI_OVERLAY_DIALOG:
        dialog_key(ui, key);
        return true;
    case UI_OVERLAY_NONE:
        break;
    }
    return false;
}

void ui_overlay_layout(struct ui *ui)
{
    struct ui_overlay *overlay = &ui->overlay;
    if (overlay->kind == UI_OVERLAY_PROMPT)
        widget_resize(lineedit_widget(overlay->editor), ui->lines - 1, 0, 1, ui->columns);
    else if (overlay->kind == UI_OVERLAY_DIALOG)
        widget_resize(dialog_widget(overlay->dialog), 0, 0, ui->lines, ui->columns);
}

void ui_overlay_draw(struct ui *ui)
{
    struct ui_overlay *overlay = &ui->overlay;
    if (overlay->kind == UI_OVERLAY_PROMPT) {
        lineedit_draw(overlay->editor);
        int y, x;
        lineedit_cursor_position(overlay->editor, &y, &x);
        wmove(stdscr, y, x);
        curs_set(1);
    } else if (overlay->kind == UI_OVERLAY_DIALOG) {
        /* The screen under it may have repainted rows (live ages): the
         * dialog is painted again on top each time; curses sends only what
         * changed. */
        widget_invalidate(dialog_widget(overlay->dialog));
        dialog_draw(overlay->dialog);
    }
}
