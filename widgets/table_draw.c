/* table_draw.c: the table's layout and painting. Columns get their minimum
 * width, then flex columns share what is left; a line is painted only when
 * marked dirty, and a tick repaints only the live cells of the lines shown. */
#include "widgets/table_private.h"

#include <string.h>

#include "common/i18n.h"

static void layout_columns(struct table *table)
{
    int width = table->base.width, used = 0;
    table->shown_columns = 0;
    for (size_t i = 0; i < table->column_count; i++) {
        int gap = i > 0 ? 1 : 0;
        int want = table->columns[i].min_width > 0 ? table->columns[i].min_width : 1;
        if (used + gap >= width)
            break;
        if (used + gap + want > width)
            want = width - used - gap; /* the last column shown is cut */
        table->column_x[i] = used + gap;
        table->column_width[i] = want;
        used += gap + want;
        table->shown_columns++;
    }
    int left = width - used;
    while (left > 0) {
        int weight = 0;
        for (size_t i = 0; i < table->shown_columns; i++) {
            const struct table_column *column = &table->columns[i];
            if (column->flex > 0 &&
                (column->max_width <= 0 || table->column_width[i] < column->max_width))
                weight += column->flex;
        }
        if (weight == 0)
            break;
        int given = 0;
        for (size_t i = 0; i < table->shown_columns && given < left; i++) {
            const struct table_column *column = &table->columns[i];
            if (column->flex <= 0 ||
                (column->max_width > 0 && table->column_width[i] >= column->max_width))
                continue;
            int share = left * column->flex / weight;
            share = share > 0 ? share : 1;
            if (share > left - given)
                share = left - given;
            if (column->max_width > 0 && table->column_width[i] + share > column->max_width)
                share = column->max_width - table->column_width[i];
            table->column_width[i] += share;
            given += share;
        }
        left -= given;
    }
    for (size_t i = 1; i < table->shown_columns; i++)
        table->column_x[i] = table->column_x[i - 1] + table->column_width[i - 1] + 1;
}

static enum cells_align column_align(const struct table_column *column)
{
    if (column->align == TABLE_ALIGN_RIGHT)
        return CELLS_RIGHT;
    return column->align == TABLE_ALIGN_CENTER ? CELLS_CENTER : CELLS_LEFT;
}

static void draw_header(struct table *table)
{
    WINDOW *win = table->base.win;
    const struct charset *charset = table->base.charset;
    int y = table->base.y, x = table->base.x;
    attr_t attr = table->style.header;
    cells_fill(win, y, x, table->base.width, attr);
    for (size_t i = 0; i < table->shown_columns; i++) {
        const struct table_column *column = &table->columns[i];
        int width = table->column_width[i];
        bool marked = table->sorted && table->sort_column == i && width > 1;
        cells_put(win, y, x + table->column_x[i], width - (marked ? 1 : 0), column->title,
                  column_align(column), attr, charset);
        if (marked) {
            wchar_t marker = table->descending ? charset->sort_descending : charset->sort_ascending;
            cells_put_wide(win, y, x + table->column_x[i] + width - 1, 1, &marker, 1, CELLS_LEFT,
                           attr, charset);
        }
    }
}

static bool is_flashing(const struct table *table, uint64_t id)
{
    for (size_t i = 0; i < table->flash_count; i++)
        if (table->flashes[i].id == id)
            return true;
    return false;
}

static attr_t row_attr(struct table *table, size_t index)
{
    size_t row = table->visible[index].row;
    if (index == table->selected)
        return table->style.selected;
    if (table->flash_count > 0 && is_flashing(table, table->visible[index].id))
        return table->style.flash;
    attr_t attr = table->source.row_attr ? table->source.row_attr(table->source.context, row) : 0;
    return attr ? attr : table->style.row;
}

static void draw_cell(struct table *table, int y, size_t row, size_t column, attr_t attr)
{
    char text[TABLE_CELL_MAX];
    text[0] = '\0';
    table->source.cell_text(table->source.context, row, column, text, sizeof text);
    text[sizeof text - 1] = '\0';
    cells_put(table->base.win, y, table->base.x + table->column_x[column],
              table->column_width[column], text, column_align(&table->columns[column]), attr,
              table->base.charset);
}

static void draw_line(struct table *table, int line, bool live_only)
{
    WINDOW *win = table->base.win;
    int y = table->base.y + 1 + line, x = table->base.x;
    size_t index = table->top + (size_t)line;
    if (index >= table->visible_count) {
        if (live_only)
            return;
        if (line == 0 && table->visible_count == 0)
            cells_put(win, y, x, table->base.width,
                      table->empty_text ? table->empty_text : _("No rows"), CELLS_LEFT,
                      table->style.row, table->base.charset);
        else
            cells_fill(win, y, x, table->base.width, table->style.row);
        return;
    }
    size_t row = table->visible[index].row;
    attr_t attr = row_attr(table, index);
    int end = 0;
    for (size_t column = 0; column < table->shown_columns; column++) {
        if (live_only && !table->columns[column].live)
            continue;
        draw_cell(table, y, row, column, attr);
        if (!live_only && column > 0)
            cells_fill(win, y, x + table->column_x[column] - 1, 1, attr);
        end = table->column_x[column] + table->column_width[column];
    }
    if (!live_only)
        cells_fill(win, y, x + end, table->base.width - end, attr);
}

void table_draw_op(struct widget *widget)
{
    struct table *table = (struct table *)widget;
    table_refresh_index(table);
    if (widget->height <= 0 || widget->width <= 0)
        return;
    if (widget->dirty) {
        layout_columns(table);
        draw_header(table);
        table->rows_dirty = true;
    }
    int page = table_page_rows(table);
    for (int line = 0; line < page; line++) {
        bool line_dirty =
            table->line_dirty && line < table->line_capacity && table->line_dirty[line];
        if (table->rows_dirty || line_dirty)
            draw_line(table, line, false);
        else if (table->live_dirty && table->has_live_column)
            draw_line(table, line, true);
    }
    if (table->line_dirty)
        memset(table->line_dirty, 0, (size_t)table->line_capacity);
    widget->dirty = table->rows_dirty = table->live_dirty = false;
}
