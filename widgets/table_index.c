/* table_index.c: the table's index of rows. `order` holds every source
 * row, sorted; `kept` the rows the filter keeps, in the same order, so a
 * new filter walks `order` and sorts nothing. A change the source reports
 * row by row costs a binary search and a memmove of the index (with
 * 100,000 rows, 17 comparisons and at most 1.6 MB moved) instead of a
 * sort of every row; anything else marks the index stale, and it is
 * rebuilt at the next draw or query. Entries carry the row's id, so a
 * row that left the source is still found (by a scan, a few dozen
 * microseconds for 100,000 rows). */
#include "widgets/table_private.h"

#include <stdlib.h>
#include <string.h>

/* An index grows by a quarter more than asked, so that arrivals one by
 * one seldom reallocate it. */
#define TABLE_INDEX_SLACK(count) ((count) / 4 + 16)

static bool reserve(struct table_entry **array, size_t *capacity, size_t count)
{
    if (count <= *capacity)
        return true;
    size_t grown = count + TABLE_INDEX_SLACK(count);
    struct table_entry *bigger = realloc(*array, grown * sizeof *bigger);
    if (!bigger)
        return false;
    *array = bigger;
    *capacity = grown;
    return true;
}

static int compare_rows(struct table *table, size_t row_a, size_t row_b)
{
    int order;
    if (table->source.compare) {
        order = table->source.compare(table->source.context, row_a, row_b, table->sort_column);
    } else {
        table->source.cell_text(table->source.context, row_a, table->sort_column, table->cell_a,
                                sizeof table->cell_a);
        table->source.cell_text(table->source.context, row_b, table->sort_column, table->cell_b,
                                sizeof table->cell_b);
        order = strcoll(table->cell_a, table->cell_b);
    }
    if (table->descending)
        order = order > 0 ? -1 : (order < 0 ? 1 : 0);
    if (order == 0) /* ties keep the source's order: qsort is not stable */
        order = row_a < row_b ? -1 : (row_a > row_b ? 1 : 0);
    return order;
}

static int compare_entries(const void *a, const void *b, void *context)
{
    return compare_rows(context, ((const struct table_entry *)a)->row,
                        ((const struct table_entry *)b)->row);
}

/* The first place in entries[0..count) that sorts after row. */
static size_t upper_bound(struct table *table, const struct table_entry *entries, size_t count,
                          size_t row)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (compare_rows(table, row, entries[middle].row) < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

/* ---- sorting ---- */

struct keyed_entry {
    uint64_t key;
    struct table_entry entry;
};

static int compare_keyed(const void *a, const void *b)
{
    uint64_t key_a = ((const struct keyed_entry *)a)->key;
    uint64_t key_b = ((const struct keyed_entry *)b)->key;
    return key_a < key_b ? -1 : (key_a > key_b ? 1 : 0);
}

/* Sorts by the source's keys, then each run of equal keys by compare.
 * False (nothing changed) when a row has no key or memory is short. */
static bool sort_by_keys(struct table *table)
{
    size_t count = table->order_count;
    struct keyed_entry *keyed = malloc(count * sizeof *keyed);
    if (!keyed)
        return false;
    for (size_t i = 0; i < count; i++) {
        uint64_t key;
        if (!table->source.sort_key(table->source.context, table->order[i].row, table->sort_column,
                                    &key)) {
            free(keyed);
            return false;
        }
        keyed[i] = (struct keyed_entry){table->descending ? ~key : key, table->order[i]};
    }
    qsort(keyed, count, sizeof *keyed, compare_keyed);
    for (size_t start = 0, end; start < count; start = end) {
        for (end = start; end < count && keyed[end].key == keyed[start].key; end++)
            table->order[end] = keyed[end].entry;
        if (end - start > 1)
            qsort_r(table->order + start, end - start, sizeof *table->order, compare_entries,
                    table);
    }
    free(keyed);
    return true;
}

static void sort_order(struct table *table)
{
    if (!table->sorted || table->order_count < 2)
        return;
    if (table->source.sort_key && sort_by_keys(table))
        return;
    qsort_r(table->order, table->order_count, sizeof *table->order, compare_entries, table);
}

/* Every row of the source, in its order; false when memory is short. */
static bool rebuild_order(struct table *table)
{
    size_t count = table->source.row_count(table->source.context);
    if (!reserve(&table->order, &table->order_capacity, count))
        return false;
    for (size_t row = 0; row < count; row++)
        table->order[row] =
            (struct table_entry){row, table->source.row_id(table->source.context, row)};
    table->order_count = count;
    return true;
}

static bool filtered(const struct table *table)
{
    return table->filter != NULL;
}

static void sync_visible(struct table *table)
{
    table->visible = filtered(table) ? table->kept : table->order;
    table->visible_count = filtered(table) ? table->kept_count : table->order_count;
}

/* The filter is asked in the source's order, which reads the source's
 * rows one after the other in memory; kept then follows `order`. */
static bool filter_order(struct table *table)
{
    if (!filtered(table)) {
        sync_visible(table);
        return true;
    }
    size_t count = table->order_count;
    if (!reserve(&table->kept, &table->kept_capacity, count))
        return false;
    if (count > table->marks_capacity) {
        unsigned char *marks = realloc(table->marks, count);
        if (!marks)
            return false;
        table->marks = marks;
        table->marks_capacity = count;
    }
    for (size_t row = 0; row < count; row++)
        table->marks[row] = table->filter(table->filter_context, row);
    table->kept_count = 0;
    for (size_t i = 0; i < count; i++)
        if (table->order[i].row < count && table->marks[table->order[i].row])
            table->kept[table->kept_count++] = table->order[i];
    sync_visible(table);
    return true;
}

void table_refresh_index(struct table *table)
{
    if (!table->index_stale && !table->order_stale && !table->filter_stale)
        return;
    size_t old_line = table_selected_line(table);
    bool at_head = table->top == 0;
    bool ok = true;
    if (table->index_stale)
        ok = rebuild_order(table);
    if (ok && (table->index_stale || table->order_stale))
        sort_order(table);
    if (ok)
        ok = filter_order(table);
    if (!ok) {
        /* Show nothing rather than stale rows; retried at the next draw. */
        table->visible_count = 0;
        table->rows_dirty = true;
        return;
    }
    table->index_stale = table->order_stale = table->filter_stale = false;
    table_restore_selection(table, old_line, at_head);
}

/* ---- changes one row at a time ---- */

static size_t find_entry(const struct table_entry *entries, size_t count, uint64_t id)
{
    for (size_t i = 0; i < count; i++)
        if (entries[i].id == id)
            return i;
    return TABLE_NO_ROW;
}

static void entry_insert(struct table_entry *entries, size_t *count, size_t at,
                         struct table_entry entry)
{
    memmove(entries + at + 1, entries + at, (*count - at) * sizeof *entries);
    entries[at] = entry;
    (*count)++;
}

static void entry_remove(struct table_entry *entries, size_t *count, size_t at)
{
    memmove(entries + at, entries + at + 1, (*count - at - 1) * sizeof *entries);
    (*count)--;
}

/* Whether the kept rows can follow a change now (else the next filter
 * pass or sort makes them). */
static bool kept_is_live(const struct table *table)
{
    return filtered(table) && !table->filter_stale && !table->order_stale;
}

/* Whether the lines on screen show other rows after a row entered the
 * visible rows at `at` (or left them from `at`), the view's top having
 * gone from old_top to the current one. */
static bool screen_moved(const struct table *table, size_t old_top, size_t at, bool entered)
{
    size_t page = (size_t)table_page_rows(table), top = table->top;
    if (top == old_top)
        return at < old_top + page;
    if (entered)
        return !(top == old_top + 1 && at <= old_top);
    return !(top + 1 == old_top && at < old_top);
}

/* A row entered the visible rows at `at`, or left them from there: the
 * selection keeps its row (or, when that row left, its place), and the
 * lines on screen are painted again only when they now show other rows. */
static void visible_changed(struct table *table, size_t at, bool entered)
{
    sync_visible(table);
    if (table->order_stale || table->filter_stale)
        return; /* the refresh to come places the selection */
    size_t old_top = table->top, old_line = table_selected_line(table);
    bool repaint = table->rows_dirty;
    if (table->has_selection && entered && table->selected >= at)
        table->selected++;
    else if (table->has_selection && !entered && table->selected > at)
        table->selected--;
    table_restore_selection(table, old_line, old_top == 0);
    table->rows_dirty = repaint || screen_moved(table, old_top, at, entered);
}

void table_row_added(struct table *table, size_t row)
{
    size_t count = table->order_count;
    if (table->index_stale)
        return;
    if (row > count || !table->sorted ||
        !reserve(&table->order, &table->order_capacity, count + 1) ||
        (kept_is_live(table) && !reserve(&table->kept, &table->kept_capacity, count + 1))) {
        table->index_stale = true; /* a rebuild places every row */
        return;
    }
    for (size_t i = 0; row < count && i < count; i++)
        table->order[i].row += table->order[i].row >= row;
    for (size_t i = 0; row < count && kept_is_live(table) && i < table->kept_count; i++)
        table->kept[i].row += table->kept[i].row >= row;
    struct table_entry entry = {row, table->source.row_id(table->source.context, row)};
    size_t at = table->order_stale ? count : upper_bound(table, table->order, count, row);
    entry_insert(table->order, &table->order_count, at, entry);
    if (!filtered(table)) {
        visible_changed(table, at, true);
    } else if (kept_is_live(table) && table->filter(table->filter_context, row)) {
        at = upper_bound(table, table->kept, table->kept_count, row);
        entry_insert(table->kept, &table->kept_count, at, entry);
        visible_changed(table, at, true);
    }
}

/* After a row numbered `gone` left a source of old_count rows. */
static void renumber(struct table_entry *entries, size_t count, size_t gone, size_t old_count,
                     enum table_renumber how)
{
    for (size_t i = 0; i < count; i++) {
        if (how == TABLE_RENUMBER_SHIFT && entries[i].row > gone)
            entries[i].row--;
        else if (how == TABLE_RENUMBER_LAST_MOVES && entries[i].row == old_count - 1)
            entries[i].row = gone;
    }
}

static void entry_move(struct table *table, struct table_entry *entries, size_t *count, uint64_t id,
                       size_t row, bool keep);

/* The row that took number `row` (the source's last) may now sort
 * elsewhere among its ties, which keep the source's order. */
static void replace_moved(struct table *table, size_t row)
{
    if (!table->sorted || table->order_stale)
        return;
    uint64_t id = table->source.row_id(table->source.context, row);
    entry_move(table, table->order, &table->order_count, id, row, true);
    if (kept_is_live(table) && find_entry(table->kept, table->kept_count, id) != TABLE_NO_ROW)
        entry_move(table, table->kept, &table->kept_count, id, row, true);
}

size_t table_row_removed(struct table *table, uint64_t id, enum table_renumber how)
{
    if (table->index_stale)
        return TABLE_NO_ROW;
    size_t old_count = table->order_count;
    size_t at = find_entry(table->order, old_count, id);
    if (at == TABLE_NO_ROW)
        return TABLE_NO_ROW; /* a fresh index holds every row: it was not one */
    size_t row = table->order[at].row;
    entry_remove(table->order, &table->order_count, at);
    renumber(table->order, table->order_count, row, old_count, how);
    if (!table->sorted) /* source order: the moved row moved in it too */
        table->index_stale = true;
    if (!filtered(table)) {
        visible_changed(table, at, false);
    } else if (kept_is_live(table)) {
        size_t kept_at = find_entry(table->kept, table->kept_count, id);
        if (kept_at != TABLE_NO_ROW)
            entry_remove(table->kept, &table->kept_count, kept_at);
        renumber(table->kept, table->kept_count, row, old_count, how);
        if (kept_at != TABLE_NO_ROW)
            visible_changed(table, kept_at, false);
    }
    if (how == TABLE_RENUMBER_LAST_MOVES && row != old_count - 1 && !table->index_stale)
        replace_moved(table, row);
    return row;
}

/* A visible row moved from `from` to `to` (an index in the rows without
 * it): the selection follows it when it is that row, else keeps its own
 * row; the lines on screen are painted again when they show other rows. */
static void visible_moved(struct table *table, size_t from, size_t to)
{
    sync_visible(table);
    if (from == to || table->order_stale || table->filter_stale)
        return;
    size_t old_top = table->top, old_line = table_selected_line(table);
    size_t page = (size_t)table_page_rows(table);
    bool repaint = table->rows_dirty;
    if (table->has_selection && table->selected == from) {
        table->selected = to;
    } else if (table->has_selection) {
        table->selected -= table->selected > from;
        table->selected += table->selected >= to;
    }
    table_restore_selection(table, old_line, old_top == 0);
    size_t low = from < to ? from : to, high = from < to ? to : from;
    bool shown = !(high < old_top || low >= old_top + page);
    table->rows_dirty = repaint || table->top != old_top || shown;
}

/* Takes the entry of id out of entries and puts it back where it now
 * sorts, or leaves it out when keep is false; the selection and the
 * screen follow when entries are the visible ones. */
static void entry_move(struct table *table, struct table_entry *entries, size_t *count, uint64_t id,
                       size_t row, bool keep)
{
    bool visible = entries == table->visible;
    size_t from = find_entry(entries, *count, id), to = TABLE_NO_ROW;
    if (from != TABLE_NO_ROW)
        entry_remove(entries, count, from);
    if (keep) {
        to = upper_bound(table, entries, *count, row);
        entry_insert(entries, count, to, (struct table_entry){row, id});
    }
    if (!visible)
        return;
    if (from != TABLE_NO_ROW && to != TABLE_NO_ROW)
        visible_moved(table, from, to);
    else if (from != TABLE_NO_ROW)
        visible_changed(table, from, false);
    else if (to != TABLE_NO_ROW)
        visible_changed(table, to, true);
}

void table_row_updated(struct table *table, uint64_t id)
{
    if (table->index_stale)
        return;
    size_t at = find_entry(table->order, table->order_count, id);
    if (at == TABLE_NO_ROW) {
        table->index_stale = true;
        return;
    }
    size_t row = table->order[at].row;
    if (filtered(table) && (!kept_is_live(table) || !table->sorted))
        table->filter_stale = true; /* it may now pass or fail the filter */
    if (table->sorted && !table->order_stale)
        entry_move(table, table->order, &table->order_count, id, row, true);
    if (kept_is_live(table))
        entry_move(table, table->kept, &table->kept_count, id, row,
                   table->filter(table->filter_context, row));
    table_row_touched(table, id);
}

void table_rows_changed(struct table *table)
{
    table->index_stale = true;
}

void table_set_filter(struct table *table, table_filter_fn keep, void *filter_context)
{
    table->filter = keep;
    table->filter_context = filter_context;
    table->filter_stale = true;
}

void table_index_free(struct table *table)
{
    free(table->order);
    free(table->kept);
    free(table->marks);
    table->order = table->kept = table->visible = NULL;
    table->marks = NULL;
}
