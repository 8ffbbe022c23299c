/* table.c: the table's selection, which follows its row id, its moves,
 * sorting, flashes and ticks. The index of rows: table_index.c; painting:
 * table_draw.c */
#include "widgets/table_private.h"

#include <stdlib.h>
#include <string.h>

static const struct widget_ops table_ops;

int table_page_rows(const struct table *table)
{
    return table->base.height > 1 ? table->base.height - 1 : 0;
}

void table_mark_line(struct table *table, size_t index)
{
    if (index < table->top || index - table->top >= (size_t)table_page_rows(table))
        return;
    if (table->line_dirty && (int)(index - table->top) < table->line_capacity)
        table->line_dirty[index - table->top] = 1;
    else
        table->rows_dirty = true;
}

static void mark_id(struct table *table, uint64_t id)
{
    if (table->index_stale || table->order_stale || table->filter_stale)
        return; /* the rebuild repaints every line */
    for (int line = 0; line < table_page_rows(table); line++) {
        size_t index = table->top + (size_t)line;
        if (index >= table->visible_count)
            break;
        if (table->visible[index].id == id)
            table_mark_line(table, index);
    }
}

static bool find_id(struct table *table, uint64_t id, size_t hint, size_t *index)
{
    if (hint < table->visible_count && table->visible[hint].id == id) {
        *index = hint;
        return true;
    }
    for (size_t i = 0; i < table->visible_count; i++) {
        if (table->visible[i].id == id) {
            *index = i;
            return true;
        }
    }
    return false;
}

/* After the index changed: the selected row keeps its id when it is still
 * visible, its place otherwise. A view at the head stays there, so that
 * rows arriving on top are seen; a scrolled view keeps the selected row on
 * its screen line. */
void table_restore_selection(struct table *table, size_t old_line, bool at_head)
{
    size_t count = table->visible_count;
    size_t page = (size_t)table_page_rows(table);
    table->rows_dirty = true;
    if (count == 0) {
        table->selected = table->top = 0;
        return;
    }
    size_t index = table->selected;
    if (!table->has_selection || !find_id(table, table->selected_id, index, &index))
        index = index < count ? index : count - 1;
    table->selected = index;
    table->selected_id = table->visible[index].id;
    table->has_selection = true;
    size_t top = !at_head && index >= old_line ? index - old_line : 0;
    if (page > 0 && top + page > count)
        top = count > page ? count - page : 0;
    if (page > 0 && index >= top + page)
        top = index - page + 1;
    table->top = top;
}

size_t table_selected_line(const struct table *table)
{
    bool shown = table->selected >= table->top &&
                 table->selected - table->top < (size_t)table_page_rows(table);
    return shown ? table->selected - table->top : 0;
}

static void table_resize_op(struct widget *widget)
{
    struct table *table = (struct table *)widget;
    int lines = table_page_rows(table);
    if (lines > table->line_capacity) {
        unsigned char *grown = realloc(table->line_dirty, (size_t)lines);
        if (grown) {
            table->line_dirty = grown;
            table->line_capacity = lines;
        }
    }
    if (table->line_dirty)
        memset(table->line_dirty, 0, (size_t)table->line_capacity);
    size_t line = table_selected_line(table);
    if (table->index_stale || table->order_stale || table->filter_stale)
        return;
    table_restore_selection(table, line < (size_t)lines ? line : 0, table->top == 0);
}

static void select_index(struct table *table, size_t index)
{
    table_refresh_index(table);
    if (table->visible_count == 0)
        return;
    if (index >= table->visible_count)
        index = table->visible_count - 1;
    size_t page = (size_t)table_page_rows(table), old = table->selected, old_top = table->top;
    table->selected = index;
    table->selected_id = table->visible[index].id;
    table->has_selection = true;
    if (index < table->top)
        table->top = index;
    else if (page > 0 && index >= table->top + page)
        table->top = index - page + 1;
    if (table->top != old_top) {
        table->rows_dirty = true; /* the whole page scrolled */
    } else if (index != old) {
        table_mark_line(table, old);
        table_mark_line(table, index);
    }
}

void table_select_move(struct table *table, long delta)
{
    table_refresh_index(table);
    size_t index = table->selected;
    if (delta < 0)
        index = (size_t)-delta > index ? 0 : index - (size_t)-delta;
    else
        index += (size_t)delta;
    select_index(table, index);
}

void table_select_page(struct table *table, int pages)
{
    table_refresh_index(table);
    size_t page = (size_t)(table_page_rows(table) > 1 ? table_page_rows(table) - 1 : 1);
    size_t count = table->visible_count, step = page * (size_t)abs(pages);
    size_t last_top =
        count > (size_t)table_page_rows(table) ? count - (size_t)table_page_rows(table) : 0;
    size_t top = table->top;
    if (pages < 0)
        top = step > top ? 0 : top - step;
    else
        top = top + step > last_top ? last_top : top + step;
    if (top != table->top) {
        table->top = top;
        table->rows_dirty = true;
    }
    table_select_move(table, pages < 0 ? -(long)step : (long)step);
}

void table_select_first(struct table *table)
{
    select_index(table, 0);
}

void table_select_last(struct table *table)
{
    table_refresh_index(table);
    select_index(table, table->visible_count ? table->visible_count - 1 : 0);
}

bool table_select_id(struct table *table, uint64_t id)
{
    table_refresh_index(table);
    size_t index;
    if (!find_id(table, id, table->selected, &index))
        return false;
    select_index(table, index);
    return true;
}

bool table_selected(struct table *table, size_t *row, uint64_t *id)
{
    table_refresh_index(table);
    if (table->visible_count == 0)
        return false;
    if (row)
        *row = table->visible[table->selected].row;
    if (id)
        *id = table->selected_id;
    return true;
}

size_t table_visible_count(struct table *table)
{
    table_refresh_index(table);
    return table->visible_count;
}

size_t table_selected_position(struct table *table)
{
    table_refresh_index(table);
    return table->selected;
}

int table_handle_key(struct table *table, struct widget_key key)
{
    if (!key.function)
        return WIDGET_IGNORED;
    size_t before = table_selected_position(table), top = table->top;
    switch ((int)key.code) {
    case KEY_UP:
        table_select_move(table, -1);
        break;
    case KEY_DOWN:
        table_select_move(table, 1);
        break;
    case KEY_PPAGE:
        table_select_page(table, -1);
        break;
    case KEY_NPAGE:
        table_select_page(table, 1);
        break;
    case KEY_HOME:
        table_select_first(table);
        break;
    case KEY_END:
        table_select_last(table);
        break;
    default:
        return WIDGET_IGNORED;
    }
    bool moved = table->selected != before || table->top != top;
    return WIDGET_HANDLED | (moved ? WIDGET_REDRAW : 0);
}

void table_row_touched(struct table *table, uint64_t id)
{
    mark_id(table, id);
}

void table_set_column_flex(struct table *table, size_t column, int flex)
{
    if (column >= table->column_count || table->columns[column].flex == flex)
        return;
    table->columns[column].flex = flex;
    table->base.dirty = true;
}

int table_sort(struct table *table, size_t column, bool descending)
{
    if (column >= table->column_count || !table->columns[column].sortable)
        return -1;
    table->sorted = true;
    table->sort_column = column;
    table->descending = descending;
    table->order_stale = true;
    table->base.dirty = true; /* the header's marker moves */
    return 0;
}

bool table_sort_column(const struct table *table, size_t *column, bool *descending)
{
    if (!table->sorted)
        return false;
    if (column)
        *column = table->sort_column;
    if (descending)
        *descending = table->descending;
    return true;
}

void table_tick(struct table *table)
{
    table->live_dirty = table->has_live_column;
    size_t kept = 0;
    for (size_t i = 0; i < table->flash_count; i++) {
        if (--table->flashes[i].ticks > 0)
            table->flashes[kept++] = table->flashes[i];
        else
            mark_id(table, table->flashes[i].id);
    }
    table->flash_count = kept;
}

void table_flash(struct table *table, uint64_t id, unsigned ticks)
{
    if (ticks == 0)
        return;
    size_t slot = table->flash_count;
    for (size_t i = 0; i < table->flash_count; i++)
        if (table->flashes[i].id == id)
            slot = i;
    if (slot == TABLE_FLASH_MAX) {
        slot = 0;
        for (size_t i = 1; i < table->flash_count; i++)
            if (table->flashes[i].ticks < table->flashes[slot].ticks)
                slot = i;
        mark_id(table, table->flashes[slot].id);
    } else if (slot == table->flash_count) {
        table->flash_count++;
    }
    table->flashes[slot] = (struct table_flash){.id = id, .ticks = ticks};
    mark_id(table, id);
}

void table_set_empty_text(struct table *table, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (text && !copy)
        return; /* keeps the previous text */
    free(table->empty_text);
    table->empty_text = copy;
    table->rows_dirty = true;
}

void table_draw(struct table *table)
{
    table_draw_op(&table->base);
}

struct widget *table_widget(struct table *table)
{
    return &table->base;
}

static int table_key_op(struct widget *widget, struct widget_key key)
{
    return table_handle_key((struct table *)widget, key);
}

void table_free(struct table *table)
{
    if (!table)
        return;
    table_index_free(table);
    free(table->line_dirty);
    free(table->column_x);
    free(table->column_width);
    free(table->columns);
    free(table->empty_text);
    free(table);
}

static void table_free_op(struct widget *widget)
{
    table_free((struct table *)widget);
}

static const struct widget_ops table_ops = {
    .draw = table_draw_op,
    .handle_key = table_key_op,
    .resize = table_resize_op,
    .free = table_free_op,
};

struct table *table_new(WINDOW *win, const struct charset *charset,
                        const struct table_column *columns, size_t column_count,
                        const struct table_source *source, const struct table_style *style)
{
    if (!source || !source->row_count || !source->row_id || !source->cell_text || !columns ||
        column_count == 0)
        return NULL;
    struct table *table = calloc(1, sizeof *table);
    if (!table)
        return NULL;
    table->columns = malloc(column_count * sizeof *table->columns);
    table->column_x = calloc(column_count, sizeof *table->column_x);
    table->column_width = calloc(column_count, sizeof *table->column_width);
    if (!table->columns || !table->column_x || !table->column_width) {
        table_free(table);
        return NULL;
    }
    memcpy(table->columns, columns, column_count * sizeof *columns);
    table->column_count = column_count;
    for (size_t i = 0; i < column_count; i++)
        table->has_live_column |= columns[i].live;
    table->source = *source;
    if (style)
        table->style = *style;
    table->index_stale = true;
    widget_init(&table->base, &table_ops, win, charset);
    widget_resize(&table->base, 0, 0, table->base.height, table->base.width);
    return table;
}
